"""A graceful shutdown, as an orchestrator does it: SIGTERM to a real Kindred process (app.py under
uvicorn) while a request is still arriving and a subscription is open. The request is answered, the
subscription's socket closes with 1001 (going away), the process exits on its own; and the dispatcher
finishes the batch it is in before it stops."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from dispatch import Consumer, Event, Services
from dispatch.runner import Dispatcher
from graph import dispatcher as progress
from graph.driver import Graph
from localneo4j import free_port
from settings import Settings
from tests.live import GRAPHQL_TRANSPORT_WS, SIGN_UP
from tests.test_dispatcher import owner_with_events
from tests.test_dispatcher import services as services_of

_WITH_CTRL_C = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


@pytest.fixture
def kindred_process(
    settings: Settings, tmp_path: Path, project_dir: Path
) -> Iterator[tuple[subprocess.Popen, str]]:
    """`python app.py` as ./kindred run starts it from a terminal, on a free port, logging JSON to a file."""
    port = free_port()
    env = {
        **os.environ,
        "NEO4J_URI": str(settings.neo4j_uri),
        "KINDRED_PORT": str(port),
        "KINDRED_DATA_DIR": str(tmp_path),
        "KINDRED_JWT_SECRET": "a-test-secret-that-is-long-enough-for-hs256",
        "KINDRED_DISPATCH": "false",
        "KINDRED_LOG_FORMAT": "json",
        "KINDRED_RATE_LIMIT_PER_IP": "100000/minute",
    }
    log = (tmp_path / "kindred.log").open("w")
    # Ctrl-C's default, as a terminal gives it: a process started in the background by a script (as CI
    # may start the suite) inherits SIGINT ignored, and Python then leaves it ignored in the child too.
    command = [sys.executable, "-c", _WITH_CTRL_C, "app.py"]
    process = subprocess.Popen(command, cwd=project_dir, env=env, stderr=log, stdout=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, (tmp_path / "kindred.log").read_text()
        assert time.monotonic() < deadline, "Kindred did not start"
        try:
            if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    yield process, base
    if process.poll() is None:
        process.kill()
        process.wait()
    log.close()


async def slowly(body: bytes, seconds: float) -> AsyncIterator[bytes]:
    """A request body sent in pieces over `seconds`: a client on a slow link."""
    pieces = 10
    step = len(body) // pieces + 1
    for start in range(0, len(body), step):
        yield body[start : start + step]
        await asyncio.sleep(seconds / pieces)


async def test_sigterm_answers_the_request_in_flight_and_closes_subscriptions_with_1001(
    kindred_process: tuple[subprocess.Popen, str],
) -> None:
    process, base = kindred_process
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        email = f"bye-{uuid4().hex[:8]}@example.com"
        made = await http.post("/graphql", json={"query": SIGN_UP, "variables": {"email": email}})
        token = made.json()["data"]["signUp"]["token"]
        ws = await websockets.connect(
            base.replace("http", "ws") + "/graphql", subprotocols=[GRAPHQL_TRANSPORT_WS]
        )
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        subscribe = {"query": "subscription { heartbeat(everySeconds: 1) }"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "next"

        body = json.dumps({"query": "query Me { me { email } }"}).encode() + b" " * 2000
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        in_flight = asyncio.create_task(http.post("/graphql", content=slowly(body, 3.0), headers=headers))
        await asyncio.sleep(1.0)  # the request has begun and its body is still arriving
        process.send_signal(signal.SIGTERM)

        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 30)
        answered = await in_flight
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    assert answered.status_code == 200
    assert answered.json() == {"data": {"me": {"email": email}}}
    # uvicorn ends by raising the signal again once its shutdown is complete: killed by SIGTERM, on its own.
    assert await asyncio.to_thread(process.wait, 60) == -signal.SIGTERM


async def test_ctrl_c_stops_it_quietly_by_the_signal(
    kindred_process: tuple[subprocess.Popen, str], tmp_path: Path
) -> None:
    process, _ = kindred_process
    process.send_signal(signal.SIGINT)  # what Ctrl-C sends to `./kindred run` in a terminal
    # Ended by SIGINT, as Python ends on Ctrl-C (130 from a shell, which then stops a script too).
    assert await asyncio.to_thread(process.wait, 60) == -signal.SIGINT
    log = (tmp_path / "kindred.log").read_text()
    assert "Traceback" not in log and "KeyboardInterrupt" not in log, log


async def test_stopping_lets_the_batch_in_hand_finish_and_keeps_its_progress(graph: Graph) -> None:
    owner = await owner_with_events(graph, 3)
    entered, gate, handled = asyncio.Event(), asyncio.Event(), []

    async def slow(services: Services, events: Sequence[Event]) -> None:
        entered.set()
        await gate.wait()
        handled.extend(event.uid for event in events)

    dispatcher = Dispatcher(services_of(graph), [Consumer("slow-at-shutdown", slow)], poll_seconds=0.2)
    await dispatcher.start()
    await asyncio.wait_for(entered.wait(), 30)
    stopping = asyncio.create_task(dispatcher.stop(grace_seconds=30))
    await asyncio.sleep(0.5)
    assert not stopping.done()  # it waits for the batch
    gate.set()
    await asyncio.wait_for(stopping, 30)
    assert len(handled) == 3
    assert (await graph.read(progress.cursors, consumer="slow-at-shutdown"))[owner] == 3
