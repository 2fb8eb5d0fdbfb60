"""Starts, stops and reports on one embedded Neo4j process, kept in a home folder of its own."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from localneo4j import jars

LAUNCHER = Path(__file__).with_name("Launcher.java")
READY = "READY bolt://"


class LocalNeo4jError(RuntimeError):
    """The local Neo4j could not be started or stopped; the message says why."""


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    uri: str
    home: Path


class LocalNeo4j:
    """One Neo4j process whose store lives under `home`, answering Bolt on 127.0.0.1:`port`."""

    def __init__(self, home: Path, port: int = 7687, heap: str = "1g", pagecache: str | None = None) -> None:
        self.home = Path(home).resolve()
        self.port = port
        self.heap = heap
        self.pagecache = pagecache  # None: the launcher's own (256m); a big graph wants its store in memory
        self.pid_file = self.home / "neo4j.pid"
        self.log_file = self.home / "launcher.log"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def status(self) -> Status:
        pid = self._running_pid()
        return Status(running=pid is not None, pid=pid, uri=self.uri, home=self.home)

    def start(self, timeout: float = 180.0) -> bool:
        """Starts Neo4j and waits until Bolt answers. False if it was running already."""
        if self._running_pid() is not None:
            return False
        if _port_answers(self.port):
            raise LocalNeo4jError(
                f"port {self.port} is taken by another program: choose another with KINDRED_NEO4J_PORT"
            )
        java = shutil.which("java")
        if java is None:
            raise LocalNeo4jError("Java 17 is needed: apt-get install openjdk-17-jdk-headless")
        found = jars.fetch()
        self.home.mkdir(parents=True, exist_ok=True)
        classpath = f"{found / 'lib'}/*{os.pathsep}{found / 'plugins'}/*"
        command = [java, f"-Xmx{self.heap}", "-cp", classpath, str(LAUNCHER)]
        command += ["--home", str(self.home), "--port", str(self.port)]
        command += ["--plugins", str(found / "plugins")]
        command += ["--pagecache", self.pagecache] if self.pagecache else []
        with self.log_file.open("w") as log:
            # A session of its own, so that the database outlives the command that started it.
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid_file.write_text(str(process.pid))
        self._wait_until_ready(process, timeout)
        return True

    def stop(self, timeout: float = 120.0) -> bool:
        """Shuts Neo4j down cleanly (its store checkpointed and closed). False if it was not running."""
        pid = self._running_pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                raise LocalNeo4jError(f"Neo4j (pid {pid}) did not stop in {timeout:.0f} s and was killed")
            time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True

    def _running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) and _is_launcher(pid) else None

    def _wait_until_ready(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise LocalNeo4jError(f"Neo4j exited while starting:\n{self._log_tail()}")
            if READY in self.log_file.read_text(errors="replace") and _port_answers(self.port):
                return
            time.sleep(0.2)
        self.stop()
        raise LocalNeo4jError(f"Neo4j did not answer on {self.uri} in {timeout:.0f} s:\n{self._log_tail()}")

    def _log_tail(self, lines: int = 40) -> str:
        text = self.log_file.read_text(errors="replace").splitlines()
        return "\n".join([line for line in text if not line.lstrip().startswith("at ")][-lines:])


def _alive(pid: int) -> bool:
    """Whether the process runs: a zombie (exited, not yet reaped by its parent) does not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    if stat.rpartition(")")[2].split()[0] != "Z":
        return True
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is ours
    return False


def _is_launcher(pid: int) -> bool:
    try:
        return LAUNCHER.name.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _port_answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now: for a throwaway server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
