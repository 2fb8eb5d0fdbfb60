"""An erasure cut short by a crash finishes at the next start: Kindred (`python app.py`, as ./kindred
run starts it) is killed with SIGKILL in the middle of erasing an account of thousands of nodes, started
again, and erases the rest."""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid4

import httpx

from graph import bulk
from graph.driver import Graph
from graph.kinds import RECIPIENT
from localneo4j import free_port
from settings import Settings
from tests.test_forget_me import DELETE, ME, PASSWORD, WAIT

NODES = 3_000
BATCH = 5  # a transaction per 5 nodes: hundreds of them, so the kill lands in the middle


class Kindred:
    def __init__(self, env: dict[str, str], log: Path, project_dir: Path) -> None:
        self.env, self.log, self.project_dir = env, log, project_dir
        self.base = f"http://127.0.0.1:{env['KINDRED_PORT']}"
        self.process: subprocess.Popen[bytes] | None = None

    def _spawn(self) -> None:
        with self.log.open("a") as log:
            command = [sys.executable, "app.py"]
            self.process = subprocess.Popen(
                command, cwd=self.project_dir, env=self.env, stdout=log, stderr=log
            )

    async def start(self) -> None:
        self._spawn()
        assert self.process is not None
        deadline = time.monotonic() + 300
        async with httpx.AsyncClient(timeout=3) as http:
            while True:
                assert self.process.poll() is None, self.log.read_text()
                assert time.monotonic() < deadline, "Kindred did not start"
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.base}/health/live")).status_code == 200:
                        return
                await asyncio.sleep(0.2)

    async def post(self, query: str, variables: dict, token: str | None = None) -> dict:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(timeout=60) as http:
            answer = await http.post(
                f"{self.base}/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            return answer.json()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


async def _left(graph: Graph, uid: str) -> tuple[int, bool]:
    """How many nodes the user still owns, and whether their User node is still there."""
    query = """
    RETURN COUNT { MATCH (n:Recipient {owner: $uid}) } + COUNT { MATCH (e:Event {owner: $uid}) } AS owned,
           EXISTS { MATCH (u:User {uid: $uid}) } AS account
    """
    async with graph.driver.session() as session:
        record = await (await session.run(query, uid=uid)).single(strict=True)
        return record["owned"], record["account"]


async def test_an_erasure_killed_halfway_finishes_when_kindred_starts_again(
    settings: Settings, graph: Graph, tmp_path: Path, project_dir: Path
) -> None:
    env = {
        **os.environ,
        "NEO4J_URI": str(settings.neo4j_uri),
        "KINDRED_PORT": str(free_port()),
        "KINDRED_DATA_DIR": str(tmp_path),
        "KINDRED_JWT_SECRET": "a-test-secret-that-is-long-enough-for-hs256",
        "KINDRED_DISPATCH": "true",
        "KINDRED_DISPATCH_POLL_SECONDS": "0.5",
        "KINDRED_ERASURE_BATCH_SIZE": str(BATCH),
        "KINDRED_RATE_LIMIT_PER_IP": "100000/minute",
    }
    kindred = Kindred(env, tmp_path / "kindred.log", project_dir)
    try:
        await kindred.start()
        signed = "mutation ($e: String!, $p: String!) { signUp(email: $e, password: $p, name: $e) { token } }"
        answer = await kindred.post(signed, {"e": "crash-ann@example.com", "p": PASSWORD})
        token = answer["data"]["signUp"]["token"]
        from strawberry.relay import GlobalID

        uid = GlobalID.from_id((await kindred.post(ME, {}, token))["data"]["me"]["id"]).node_id
        rows = [(str(uuid4()), {"name": f"Crash friend {i}"}) for i in range(NODES)]
        await graph.write(bulk.create_all, RECIPIENT, owner=uid, rows=rows)
        owned, _ = await _left(graph, uid)
        assert owned > NODES  # the recipients and the sign-up's event

        assert (await kindred.post(DELETE, {"password": PASSWORD}, token))["data"]["deleteAccount"] is True
        deadline = time.monotonic() + WAIT
        while (await _left(graph, uid))[0] == owned:  # the erasure has begun
            assert time.monotonic() < deadline, "the erasure did not begin"
            await asyncio.sleep(0.02)
        kindred.kill()
        halfway, account = await _left(graph, uid)
        assert 0 < halfway < owned and account, "the kill did not land in the middle of the erasure"

        await kindred.start()
        deadline = time.monotonic() + WAIT * 3
        while await _left(graph, uid) != (0, False):
            assert time.monotonic() < deadline, f"the erasure did not finish: {await _left(graph, uid)}"
            await asyncio.sleep(0.5)
        refused = await kindred.post(ME, {}, token)
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        async with graph.driver.session() as session:
            query = "MATCH (n) WHERE n.owner = $uid OR n.uid = $uid RETURN count(n) AS n"
            assert (await (await session.run(query, uid=uid)).single(strict=True))["n"] == 0
    finally:
        kindred.kill()
