"""./kindred bench faults: Kindred through the faults production brings, while a user writes and
subscribes; checks that no committed event is lost or delivered out of order to a subscriber that
resumes by `since:`, and reports how long each recovery took.

Everything is real and of this script's own: a local Neo4j (throwaway folder, free port), a
redis-server, and Kindred as `python app.py` (every consumer, REDIS_URL set). One user creates a concept
every `--pause` seconds over HTTP; one subscriber follows graphChanged and, whenever its socket ends,
reconnects with `since:` its last sequence. The faults, one after another:

- Kindred SIGKILLed (mid-dispatch: writes are running) and started again;
- redis-server stopped for `--outage` seconds and started again on its port;
- moto's S3 server frozen (SIGSTOP: what it holds survives) for `--outage` seconds, then thawed;
- Neo4j SIGKILLed and started again on its folder.

Every fifth write is a PDF upload (kept in moto's S3). A fault's recovery is the time from the fault (for
an outage: from the service's return) until a write made after it has reached the subscriber (for S3:
until an upload is answered). At the end the writes stop, the subscriber catches up, and the sequences it
saw must be exactly 2..last (the sign-up is 1), in order, each once. Then, once the dispatcher says the
user is done, everything derived must have converged to the graph: every document extracted, one blob in
S3 per document (a refused upload left none, and no document), one vector per searched node and per
passage, and every drawn node placed.


    ./kindred bench faults [--pause 0.3] [--outage 5] [--settle 10]
"""

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from neo4j import AsyncGraphDatabase
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException
from websockets.typing import Subprotocol

from bench.pdfs import pdf
from bench.processes import Kindred, Moto, Redis, kindred_env
from dispatch.documents import CHUNK_LABEL
from graph.kinds import DRAWN, SEARCHED_LABELS
from graph.search import DOCUMENT_KIND, vector_kind
from localneo4j import LocalNeo4j, free_port
from storage.vectors import VectorSpace
from storage.vectors.edge_store import EdgeStore

SIGN_UP = """
mutation { signUp(email: "faults@example.com", password: "a fault bench password", name: "F") { token } }
"""
CREATE = "mutation ($n: String!) { createConcept(input: {name: $n}) { id } }"
RECIPIENT = 'mutation { createRecipient(input: {name: "Noor", relationship: {kind: FRIEND}}) { id } }'
UPLOAD = """mutation ($file: Upload!, $to: ID!) {
  uploadDocument(file: $file, attachTo: $to, role: PROFILE) { id } }"""
SUBSCRIBE = "subscription ($since: Int) { graphChanged(since: $since) { sequence } }"
LAST = "{ events(last: 1) { nodes { sequence } } }"


class Run:
    """The user's writes and the subscriber's sequences, as they happen."""

    def __init__(self, kindred: Kindred, token: str, recipient: str, pause: float) -> None:
        self.kindred, self.token, self.recipient, self.pause = kindred, token, recipient, pause
        self.seen: list[int] = []  # sequences in the order the subscriber received them
        self.arrived: dict[int, float] = {}
        self.committed: list[tuple[int, float]] = []  # (write number, when it was answered)
        self.failed_writes = 0
        self.uploads: list[float] = []  # when each upload was answered
        self.refused_uploads = 0
        self.reconnects = 0
        self.writing = True

    async def write(self) -> None:
        number = 0
        async with httpx.AsyncClient(timeout=120) as http:  # an answer, however late, is counted
            while self.writing:
                number += 1
                if number % 5 == 0:
                    await self._upload(http, number)
                else:
                    await self._create(http, number)
                await asyncio.sleep(self.pause)

    async def _create(self, http: httpx.AsyncClient, number: int) -> None:
        body = {"query": CREATE, "variables": {"n": f"concept {number}"}}
        try:
            answer = await http.post(f"{self.kindred.base}/graphql", json=body, headers=self._auth())
            if answer.status_code == 200 and "errors" not in answer.json():
                self.committed.append((number, time.monotonic()))
            else:
                self.failed_writes += 1
        except (httpx.HTTPError, ValueError):
            self.failed_writes += 1

    async def _upload(self, http: httpx.AsyncClient, number: int) -> None:
        operations = {"query": UPLOAD, "variables": {"file": None, "to": self.recipient}}
        form = {"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})}
        headers = {**self._auth(), "apollo-require-preflight": "true"}
        data = pdf(f"Notes {number}: what Noor said about the garden and the train to the coast.")
        try:
            answer = await http.post(
                f"{self.kindred.base}/graphql",
                data=form,
                files={"0": (f"notes-{number}.pdf", data, "application/pdf")},
                headers=headers,
            )
            if answer.status_code == 200 and "errors" not in answer.json():
                self.uploads.append(time.monotonic())
            else:
                self.refused_uploads += 1
        except (httpx.HTTPError, ValueError):
            self.refused_uploads += 1

    async def uploaded_after(self, moment: float, within: float = 600) -> float:
        """Seconds from `moment` until an upload made after it was answered."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            later = [when for when in self.uploads if when > moment]
            if later:
                return min(later) - moment
            await asyncio.sleep(0.05)
        raise RuntimeError("no upload was answered after the fault")

    async def subscribe(self) -> None:
        url = self.kindred.base.replace("http", "ws") + "/graphql"
        while True:
            since = self.seen[-1] if self.seen else 1
            try:
                async for sequence in _deltas(url, self.token, since):
                    self.seen.append(sequence)
                    self.arrived[sequence] = time.monotonic()
            except (OSError, WebSocketException, TimeoutError, KeyError):
                pass
            self.reconnects += 1
            await asyncio.sleep(0.5)

    async def delivered_after(self, moment: float, within: float = 600) -> float:
        """Seconds from `moment` until an event written after it reached the subscriber: the first write
        answered after `moment`, then the log's last sequence read then, until the subscriber has it."""
        deadline = time.monotonic() + within
        while not any(when > moment for _, when in self.committed):
            assert time.monotonic() < deadline, "no write was answered after the fault"
            await asyncio.sleep(0.05)
        last = await self.last_sequence(deadline)
        while not self.seen or max(self.seen) < last:
            assert time.monotonic() < deadline, "nothing written after the fault reached the subscriber"
            await asyncio.sleep(0.05)
        return min(when for sequence, when in self.arrived.items() if sequence >= last) - moment

    async def last_sequence(self, deadline: float) -> int:
        """The user's last event's sequence, asked until Kindred answers."""
        async with httpx.AsyncClient(timeout=30) as http:
            while True:
                with contextlib.suppress(httpx.HTTPError, KeyError, TypeError, ValueError):
                    answer = await http.post(
                        f"{self.kindred.base}/graphql", json={"query": LAST}, headers=self._auth()
                    )
                    return int(answer.json()["data"]["events"]["nodes"][0]["sequence"])
                assert time.monotonic() < deadline, "Kindred did not answer"
                await asyncio.sleep(0.2)

    def _auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


async def _deltas(url: str, token: str, since: int) -> AsyncIterator[int]:
    protocol = [Subprotocol("graphql-transport-ws")]
    async with connect(url, subprotocols=protocol, open_timeout=10) as ws:
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
    moto = Moto(folder / "moto.log")
    moto.start()
    env = {**kindred_env(folder, neo4j.uri, redis.url), **moto.env, "KINDRED_DISPATCH_POLL_SECONDS": "1"}
    kindred = Kindred(env, folder / "kindred.log")
    recoveries: list[tuple[str, float, str]] = []
    try:
        kindred.start()
        await kindred.ready()
        async with httpx.AsyncClient(timeout=60) as http:
            token = (await http.post(f"{kindred.base}/graphql", json={"query": SIGN_UP})).json()["data"][
                "signUp"
            ]["token"]
            auth = {"authorization": f"Bearer {token}"}
            made = await http.post(f"{kindred.base}/graphql", json={"query": RECIPIENT}, headers=auth)
        run = Run(kindred, token, made.json()["data"]["createRecipient"]["id"], args.pause)
        tasks = [asyncio.create_task(run.write()), asyncio.create_task(run.subscribe())]
        await asyncio.sleep(args.settle)

        killed = time.monotonic()
        kindred.kill()
        kindred.start()
        await kindred.ready()
        recoveries.append(
            ("Kindred SIGKILLed mid-dispatch, restarted", await run.delivered_after(killed), "from the kill")
        )
        await asyncio.sleep(args.settle)

        back = await _outage(redis.stop, redis.start, args.outage)
        recoveries.append(
            (f"redis-server stopped {args.outage:.0f} s", await run.delivered_after(back), "from its return")
        )
        await asyncio.sleep(args.settle)

        back = await _outage(moto.freeze, moto.thaw, args.outage)
        recoveries.append(
            (f"S3 (moto) frozen {args.outage:.0f} s", await run.uploaded_after(back), "from its return")
        )
        await asyncio.sleep(args.settle)

        pid = neo4j._running_pid()
        assert pid is not None
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
        last = await run.last_sequence(time.monotonic() + 600)
        deadline = time.monotonic() + 600
        while (not run.seen or run.seen[-1] < last) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.2)  # polling what the subscriber task appends
        tasks[1].cancel()
        expected = list(range(2, last + 1))
        derived = await converged(neo4j.uri, kindred, moto, folder / "data", len(run.uploads))
        return {
            "derived": derived,
            "uploads": len(run.uploads),
            "refused_uploads": run.refused_uploads,
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
        moto.stop()
        redis.stop()
        neo4j.stop()


async def _outage(down: Callable[[], None], up: Callable[[], None], seconds: float) -> float:
    """A service down for `seconds`, then back: when it came back."""
    down()
    await asyncio.sleep(seconds)
    up()
    return time.monotonic()


async def converged(
    uri: str, kindred: Kindred, moto: Moto, data: Path, uploads: int, within: float = 600
) -> dict[str, tuple[int, int]]:
    """What the graph holds beside what was derived from it, once the dispatcher is done with the user
    (Kindred is stopped then, so its vector store can be read here): name -> (expected, found)."""
    driver = AsyncGraphDatabase.driver(uri, auth=None)
    try:
        deadline = time.monotonic() + within
        while await _scalar(driver, "MATCH (u:User) RETURN count(u.dispatch_due) AS n") > 0:
            assert time.monotonic() < deadline, "the dispatcher did not finish"
            await asyncio.sleep(0.5)
        counts = {label: await _count(driver, label) for label in (*SEARCHED_LABELS, CHUNK_LABEL)}
        found = {
            "documents (answered uploads)": (uploads, await _count(driver, "Document")),
            "documents extracted": (
                await _count(driver, "Document"),
                await _scalar(driver, "MATCH (n:Document {status: 'ready'}) RETURN count(n) AS n"),
            ),
            "blobs in S3": (await _count(driver, "Document"), await asyncio.to_thread(moto.objects)),
            "drawn nodes placed": (
                sum([await _count(driver, kind.label) for kind in DRAWN]),
                sum([await _placed(driver, kind.label) for kind in DRAWN]),
            ),
        }
    finally:
        await driver.close()
    kindred.stop()
    vectors = await _vectors(data / "vectors" / "edge", [*map(vector_kind, SEARCHED_LABELS), DOCUMENT_KIND])
    for label in SEARCHED_LABELS:
        found[f"vectors of {label}"] = (counts[label], vectors[vector_kind(label)])
    found["vectors of passages"] = (counts[CHUNK_LABEL], vectors[DOCUMENT_KIND])
    return found


async def _scalar(driver: Any, query: str) -> int:
    records, _, _ = await driver.execute_query(query)
    return int(records[0]["n"])


async def _count(driver: Any, label: str) -> int:
    return await _scalar(driver, f"MATCH (n:{label}) WHERE n.owner IS NOT NULL RETURN count(n) AS n")


async def _placed(driver: Any, label: str) -> int:
    query = f"MATCH (n:{label}) WHERE n.owner IS NOT NULL AND n.view_x IS NOT NULL RETURN count(n) AS n"
    return await _scalar(driver, query)


async def _vectors(root: Path, kinds: list[str]) -> dict[str, int]:
    """Points per vector kind in the embedded store Kindred kept (its one model's collections)."""
    names = set(await asyncio.to_thread(os.listdir, root))
    _, _, model, dimensions = next(name for name in names if name.startswith("kindred__")).split("__")
    store = EdgeStore(root, VectorSpace(model, int(dimensions)))
    try:
        return {
            kind: await store.count(kind) if store.space.collection(kind) in names else 0 for kind in kinds
        }
    finally:
        await store.close()


def consistent(result: dict[str, Any]) -> bool:
    return result["exact"] and all(expected == found for expected, found in result["derived"].values())


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
        f"the faults; the subscriber reconnected {result['reconnects']} times. Uploads: "
        f"{result['uploads']} answered, {result['refused_uploads']} refused."
    )
    lines += ["", "| derived from the graph | expected | found |", "| --- | --- | --- |"]
    for name, (expected, found) in result["derived"].items():
        lines.append(f"| {name} | {expected} | {found}{'' if expected == found else ' (DIVERGED)'} |")
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
    sys.exit(0 if consistent(result) else 1)


if __name__ == "__main__":
    main()
