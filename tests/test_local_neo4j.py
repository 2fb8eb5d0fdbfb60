"""The README's set-up: Kindred with no NEO4J_URI starts its own Neo4j, and its data outlives restarts.

These run the app as a user would (`python app.py`, a real server on a port) in a fresh data folder.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.client import LOG_IN, ME, SIGN_UP
from tests.conftest import free_port

START_TIMEOUT = 240


@contextmanager
def kindred(project_dir: Path, data_dir: Path, neo4j_port: int, port: int) -> Iterator[httpx.Client]:
    """`python app.py` with no NEO4J_URI, until it answers; stopped with Ctrl-C as a user would."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NEO4J_", "KINDRED_"))}
    env |= {
        "KINDRED_DATA_DIR": str(data_dir),
        "KINDRED_NEO4J_PORT": str(neo4j_port),
        "KINDRED_PORT": str(port),
    }
    log = (data_dir / f"app-{time.monotonic_ns()}.log").open("w")
    process = subprocess.Popen([sys.executable, "app.py"], cwd=project_dir, env=env, stdout=log, stderr=log)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            _wait_for_health(http, process, log.name)
            yield http
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=180)
        log.close()


def _wait_for_health(http: httpx.Client, process: subprocess.Popen[bytes], log: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, Path(log).read_text()
        try:
            if http.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"Kindred did not become healthy:\n{Path(log).read_text()}")


def _graphql(http: httpx.Client, query: str, variables: dict | None = None, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = http.post("/graphql", json={"query": query, "variables": variables}, headers=headers).json()
    assert "errors" not in answer, answer
    return answer["data"]


def _neo4j_cli(
    project_dir: Path, data_dir: Path, port: int, command: str
) -> subprocess.CompletedProcess[str]:
    args = [
        sys.executable,
        "-m",
        "localneo4j",
        command,
        "--home",
        str(data_dir / "neo4j"),
        "--port",
        str(port),
    ]
    return subprocess.run(args, cwd=project_dir, capture_output=True, text=True, timeout=300)


def test_kindred_without_neo4j_uri_runs_on_its_own_neo4j_and_keeps_data_across_restarts(
    project_dir: Path, tmp_path: Path
) -> None:
    neo4j_port, port = free_port(), free_port()
    user = {"email": "restart@example.com", "password": "survives restarts", "name": "Rae"}

    with kindred(project_dir, tmp_path, neo4j_port, port) as http:
        assert http.get("/health").json() == {"status": "ok", "neo4j": "reachable"}
        token = _graphql(http, SIGN_UP, user)["signUp"]["token"]
        assert _graphql(http, ME, token=token)["me"]["email"] == user["email"]
        status = _neo4j_cli(project_dir, tmp_path, neo4j_port, "status")
        assert status.returncode == 0 and "running" in status.stdout

    # The app started that Neo4j, so stopping the app stopped it too.
    status = _neo4j_cli(project_dir, tmp_path, neo4j_port, "status")
    assert status.returncode == 3 and "stopped" in status.stdout

    with kindred(project_dir, tmp_path, neo4j_port, port) as http:
        login = {"email": user["email"], "password": user["password"]}
        token = _graphql(http, LOG_IN, login)["logIn"]["token"]
        assert _graphql(http, ME, token=token)["me"]["email"] == user["email"]

        # Neo4j going away while Kindred runs shows on /health.
        assert _neo4j_cli(project_dir, tmp_path, neo4j_port, "stop").returncode == 0
        down = http.get("/health")
        assert down.status_code == 503
        assert down.json()["neo4j"] == "unreachable"

    debug_log = (tmp_path / "neo4j" / "logs" / "debug.log").read_text()
    # Both stops were clean (a checkpoint at shutdown), so no start had to recover the store from its logs.
    assert "Recovery required" not in debug_log
    assert _shutdown_checkpoints(debug_log) == 2


def _shutdown_checkpoints(debug_log: str) -> int:
    lines = debug_log.splitlines()
    return sum(
        "[neo4j/" in line and 'by "Database shutdown"' in line and "completed" in line for line in lines
    )


def test_the_neo4j_command_starts_reports_and_stops_a_server_that_keeps_its_data(
    project_dir: Path, tmp_path: Path
) -> None:
    port = free_port()
    started = _neo4j_cli(project_dir, tmp_path, port, "start")
    assert started.returncode == 0, started.stderr
    assert f"bolt://127.0.0.1:{port}" in started.stdout
    try:
        again = _neo4j_cli(project_dir, tmp_path, port, "start")
        assert "already running" in again.stdout
        _cypher(port, "CREATE (:Marker {uid: 'kept'})")
        assert _neo4j_cli(project_dir, tmp_path, port, "restart").returncode == 0
        assert _cypher(port, "MATCH (m:Marker) RETURN m.uid AS uid") == [{"uid": "kept"}]
        assert _cypher(port, "RETURN apoc.version() AS v")[0]["v"].startswith("5.26")
    finally:
        stopped = _neo4j_cli(project_dir, tmp_path, port, "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert _neo4j_cli(project_dir, tmp_path, port, "status").returncode == 3


def _cypher(port: int, query: str) -> list[dict]:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=None) as driver:
        records, _, _ = driver.execute_query(query)
    return [record.data() for record in records]
