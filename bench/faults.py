"""./kindred bench faults: Kindred through the faults production brings, while a user writes and
subscribes; checks that no committed event is lost or delivered out of order to a subscriber that
resumes by `since:`, and reports how long each recovery took.

Everything is real and of this script's own: a local Neo4j (throwaway folder, free port), a
redis-server, and Kindred as `python app.py` (every consumer, REDIS_URL set). One user creates a concept
every `--pause` seconds over HTTP; one subscriber follows graphChanged and, whenever its socket ends,
reconnects with `since:` its last sequence. The faults, one after another:

- Kindred SIGKILLed (mid-dispatch: writes are running) and started again;
- redis-server stopped for `--outage` seconds and started again on its port;
- Neo4j SIGKILLed and started again on its folder.

A fault's recovery is the time from the fault (for an outage: from the service's return) until a write
made after it has reached the subscriber. At the end the writes stop, the subscriber catches up, and the
sequences it saw must be exactly 2..last (the sign-up is 1), in order, each once.

    ./kindred bench faults [--pause 0.3] [--outage 5] [--settle 10]
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.typing import Subprotocol

from bench.processes import Kindred, Redis
from localneo4j import LocalNeo4j, free_port

SECRET = "bench-faults-secret-that-is-long-enough-for-hs256"  # noqa: S105  # a throwaway bench's
SIGN_UP = """
mutation { signUp(email: "faults@example.com", password: "a fault bench password", name: "F") { token } }
"""
CREATE = "mutation ($n: String!) { createConcept(input: {name: $n}) { id } }"
SUBSCRIBE = "subscription ($since: Int) { graphChanged(since: $since) { sequence } }"
LAST = "{ events(last: 1) { nodes { sequence } } }"


class Run:
    """The user's writes and the subscriber's sequences, as they happen."""

    def __init__(self, kindred: Kindred, token: str, pause: float) -> None:
        self.kindred, self.token, self.pause = kindred, token, pause
        self.seen: list[int] = []  # sequences in the order the subscriber received them
        self.arrived: dict[int, float] = {}
        self.committed: list[tuple[int, float]] = []  # (write number, when it was answered)
        self.failed_writes = 0
        self.reconnects = 0
        self.writing = True

    async def write(self) -> None:
        number = 0
        async with httpx.AsyncClient(timeout=15) as http:
            while self.writing:
                number += 1
                body = {"query": CREATE, "variables": {"n": f"concept {number}"}}
                try:
                    answer = await http.post(f"{self.kindred.base}/graphql", json=body, headers=self._auth())
                    if answer.status_code == 200 and "errors" not in answer.json():
                        self.committed.append((number, time.monotonic()))
                    else:
                        self.failed_writes += 1
                except (httpx.HTTPError, ValueError):
                    self.failed_writes += 1
                await asyncio.sleep(self.pause)

    async def subscribe(self) -> None:
        url = self.kindred.base.replace("http", "ws") + "/graphql"
        while True:
            since = self.seen[-1] if self.seen else 1
            try:
                async for sequence in _deltas(url, self.token, since):
                    self.seen.append(sequence)
                    self.arrived[sequence] = time.monotonic()
            except (OSError, websockets.exceptions.WebSocketException, TimeoutError, KeyError):
                pass
            self.reconnects += 1
            await asyncio.sleep(0.5)

    async def delivered_after(self, moment: float, within: float = 600) -> float:
        """Seconds from `moment` until an event written after it reached the subscriber."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            later = [
                when for sequence, when in self.arrived.items() if when > moment and sequence > self._mark
            ]
            if later:
                return min(later) - moment
            await asyncio.sleep(0.05)
        raise RuntimeError("nothing reached the subscriber after the fault")

    def mark(self) -> None:
        """From now on, only sequences after those seen count as written after the fault."""
        self._mark = self.seen[-1] if self.seen else 1

    _mark = 1

    def _auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


async def _deltas(url: str, token: str, since: int) -> AsyncIterator[int]:
    protocol = [Subprotocol("graphql-transport-ws")]
    async with websockets.connect(url, subprotocols=protocol, open_timeout=10) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        if json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] != "connection_ack":
            return
        payload = {"query": SUBSCRIBE, "variables": {"since": since}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] != "next" or "errors" in message["payload"]:
                return  # an error (an overflow, a lost feed): resume by since
            yield message["payload"]["data"]["graphChanged"]["sequence"]


async def faults(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    neo4j = LocalNeo4j(folder / "neo4j", free_port(), heap="768m")
    neo4j.start()
    redis = Redis(folder)
    redis.start()
    env = {
        "NEO4J_URI": neo4j.uri,
        "REDIS_URL": redis.url,
        "KINDRED_JWT_SECRET": SECRET,
        "KINDRED_DATA_DIR": str(folder / "data"),
        "KINDRED_DISPATCH_POLL_SECONDS": "1",
        "KINDRED_LOG_FORMAT": "json",
        "KINDRED_RATE_LIMIT_PER_USER": "100000/minute",
        "KINDRED_RATE_LIMIT_PER_IP": "100000/minute",
    }
    kindred = Kindred(env, folder / "kindred.log")
    recoveries: list[tuple[str, float, str]] = []
    try:
        kindred.start()
        await kindred.ready()
        async with httpx.AsyncClient(timeout=60) as http:
            token = (await http.post(f"{kindred.base}/graphql", json={"query": SIGN_UP})).json()["data"][
                "signUp"
            ]["token"]
        run = Run(kindred, token, args.pause)
        tasks = [asyncio.create_task(run.write()), asyncio.create_task(run.subscribe())]
        await asyncio.sleep(args.settle)

        run.mark()
        killed = time.monotonic()
        kindred.kill()
        kindred.start()
        await kindred.ready()
        recoveries.append(
            ("Kindred SIGKILLed mid-dispatch, restarted", await run.delivered_after(killed), "from the kill")
        )
        await asyncio.sleep(args.settle)

        assert redis.process is not None
        redis.stop()
        await asyncio.sleep(args.outage)
        run.mark()
        redis.start()
        back = time.monotonic()
        recoveries.append(
            (f"redis-server stopped {args.outage:.0f} s", await run.delivered_after(back), "from its return")
        )
        await asyncio.sleep(args.settle)

        pid = neo4j._running_pid()
        assert pid is not None
        run.mark()
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(1)
        await asyncio.to_thread(neo4j.start)
        restarted = time.monotonic() - killed
        recoveries.append(
            (
                f"Neo4j SIGKILLed, restarted (in {restarted:.0f} s)",
                await run.delivered_after(killed),
                "from the kill",
            )
        )
        await asyncio.sleep(args.settle)

        run.writing = False
        await tasks[0]
        async with httpx.AsyncClient(timeout=60) as http:
            answer = await http.post(f"{kindred.base}/graphql", json={"query": LAST}, headers=run._auth())
        last = answer.json()["data"]["events"]["nodes"][0]["sequence"]
        deadline = time.monotonic() + 600
        while (not run.seen or run.seen[-1] < last) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.2)  # polling what the subscriber task appends
        tasks[1].cancel()
        expected = list(range(2, last + 1))
        return {
            "recoveries": recoveries,
            "last": last,
            "seen": len(run.seen),
            "lost": sorted(set(expected) - set(run.seen)),
            "repeated": len(run.seen) - len(set(run.seen)),
            "in_order": run.seen == sorted(run.seen),
            "exact": run.seen == expected,
            "committed_writes": len(run.committed),
            "failed_writes": run.failed_writes,
            "reconnects": run.reconnects,
        }
    finally:
        kindred.stop()
        redis.stop()
        neo4j.stop()


def report(result: dict[str, Any]) -> str:
    lines = ["| fault | recovery (s) | measured | outcome |", "| --- | --- | --- | --- |"]
    outcome = "no event lost, none repeated, in order" if result["exact"] else "EVENTS LOST OR OUT OF ORDER"
    for fault, seconds, measured in result["recoveries"]:
        lines.append(f"| {fault} | {seconds:.1f} | {measured} | {outcome} |")
    lines.append("")
    lines.append(
        f"Events 2..{result['last']}: the subscriber saw {result['seen']} "
        f"(lost {len(result['lost'])}, repeated {result['repeated']}, in order: {result['in_order']}); "
        f"{result['committed_writes']} writes answered, {result['failed_writes']} refused or failed during "
        f"the faults; the subscriber reconnected {result['reconnects']} times."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between writes")
    parser.add_argument("--outage", type=float, default=5, help="seconds redis-server stays down")
    parser.add_argument("--settle", type=float, default=10, help="seconds of writes between faults")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kindred-faults-") as folder:
        result = asyncio.run(faults(args, Path(folder)))
    print(report(result))
    sys.exit(0 if result["exact"] else 1)


if __name__ == "__main__":
    main()
