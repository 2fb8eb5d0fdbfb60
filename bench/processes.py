"""The services a bench runs as processes of its own, so it can kill, stop and start them: Kindred as
`python app.py` on a fixed port, a redis-server and moto's S3 server, and the settings Kindred runs with."""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from localneo4j import free_port

SECRET = "a-bench-secret-that-is-long-enough-for-hs256"  # noqa: S105  # a throwaway bench's


def kindred_env(folder: Path, neo4j_uri: str, redis_url: str) -> dict[str, str]:
    """The settings a bench's Kindred runs with: its own stores and data folder, JSON logs, and rate
    limits no bench reaches (they measure Kindred, not its refusals)."""
    return {
        "NEO4J_URI": neo4j_uri,
        "REDIS_URL": redis_url,
        "KINDRED_JWT_SECRET": SECRET,
        "KINDRED_DATA_DIR": str(folder / "data"),
        "KINDRED_LOG_FORMAT": "json",
        "KINDRED_RATE_LIMIT_PER_USER": "1000000/minute",
        "KINDRED_RATE_LIMIT_PER_IP": "1000000/minute",
        "KINDRED_RATE_LIMIT_PER_EMAIL": "1000000/minute",
    }


class Kindred:
    """`python app.py` on a fixed port, so it can be killed and started again where clients look."""

    def __init__(self, env: dict[str, str], log: Path, command: tuple[str, ...] = ("app.py",)) -> None:
        self.port = free_port()
        self.command = command
        self.env = {**os.environ, **env, "KINDRED_PORT": str(self.port)}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("a") as log:
            command = [sys.executable, *self.command]
            self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)

    async def ready(self, within: float = 300) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=3) as http:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.base}/health/live")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        tail = self.log.read_text(errors="replace").splitlines()[-20:]
        raise RuntimeError("Kindred did not start; the end of its log:\n" + "\n".join(tail))

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=120)


class Redis:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.process = subprocess.Popen([*command, "--dir", str(self.folder)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while (
            subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout
            != b"PONG\n"
        ):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Moto:
    """moto's S3 server as a process: frozen (SIGSTOP) for an outage, so what it holds survives it."""

    BUCKET = "kindred-bench"

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """Kindred's settings to keep its blobs here (a short timeout, so an outage refuses quickly)."""
        return {
            "S3_ENDPOINT_URL": self.url,
            "S3_BUCKET": self.BUCKET,
            "S3_REGION": "eu-west-1",
            "S3_ACCESS_KEY_ID": "testing",
            "S3_SECRET_ACCESS_KEY": "testing",
            "KINDRED_S3_TIMEOUT_SECONDS": "5",
        }

    def start(self) -> None:
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None and time.monotonic() < deadline, "moto did not start"
            try:
                httpx.get(f"{self.url}/moto-api/", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def objects(self) -> int:
        """How many objects its bucket holds."""
        import boto3  # only the benches that run moto need it loaded

        client = boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name="eu-west-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106  # moto's
        )
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=self.BUCKET)
        return sum(page.get("KeyCount", 0) for page in pages)

    def stop(self) -> None:
        if self.process is not None:
            self.thaw()
            self.process.terminate()
            self.process.wait(timeout=30)
