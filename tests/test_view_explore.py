"""The explorer at /explore, in Debian's headless chromium (playwright-core): it logs in, draws the
seeded demo graph with the server's positions, and a mutation made over HTTP appears without a reload."""

import asyncio
import json
import os
from pathlib import Path

import httpx
import pytest

from demo import seed
from dispatch import layout
from graph.driver import Graph
from settings import Settings
from tests.conftest import LiveServer

PROJECT = Path(__file__).resolve().parent.parent
EXPLORE = PROJECT / "web" / "explore"
SCREENSHOT = PROJECT / "data" / "explore.png"
pytestmark = pytest.mark.skipif(
    not (EXPLORE / "dist" / "explore.js").is_file() or not Path("/usr/bin/chromium").exists(),
    reason="the explorer is built and chromium installed by ./kindred test",
)


async def _line(process: asyncio.subprocess.Process, within: float) -> tuple[str, dict]:
    assert process.stdout is not None
    raw = await asyncio.wait_for(process.stdout.readline(), within)
    word, _, rest = raw.decode().strip().partition(" ")
    assert word in {"READY", "SEEN"}, raw.decode() + (await process.stdout.read()).decode()
    return word, json.loads(rest)


async def test_the_explorer_draws_the_demo_and_follows_a_change_without_reload(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    counts = await seed.seed(settings, graph)
    owner = await _owner(graph)
    assert await layout.refresh(graph, owner) > 0  # what the layout consumer does after the seed's commits
    # The dispatcher on: the page follows graphChanged, which its live consumer feeds after commits.
    live = settings.model_copy(update={"dispatch": True, "dispatch_poll_seconds": 0.5})
    with LiveServer(live) as server:
        base = server.url.removesuffix("/graphql")
        async with httpx.AsyncClient(base_url=base) as http:
            page = await http.get("/explore")
            assert page.status_code == 200 and "explore.js" in page.text
            process = await asyncio.create_subprocess_exec(
                "node",
                str(PROJECT / "tests" / "explore" / "drive.cjs"),
                f"{base}/explore",
                seed.EMAIL,
                seed.PASSWORD,
                str(SCREENSHOT),
                str(tmp_path / "chromium"),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env={**os.environ, "NODE_PATH": str(EXPLORE / "node_modules")},
            )
            try:
                _, drawn = await _line(process, 120)
                assert drawn["canvas"] and drawn["pinned"]
                assert drawn["nodes"] == sum(counts.values()) + await _outcomes(graph, owner)
                token = (await _log_in(http))["token"]
                name = "Pottery wheel lessons"
                create = "mutation ($n: String!) { createConcept(input: {name: $n}) { id } }"
                answer = await http.post(
                    "/graphql",
                    json={"query": create, "variables": {"n": name}},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert "errors" not in answer.json(), answer.json()
                assert process.stdin is not None
                process.stdin.write(f"MUTATED {name}\n".encode())
                await process.stdin.drain()
                _, seen = await _line(process, 60)
                drawn_by_server = await _view(http, token)
            finally:
                if process.returncode is None:
                    process.kill()
                await process.wait()
    assert seen["nodes"] == drawn["nodes"] + 1
    assert seen["reloads"] == 1 and not seen["problems"]
    # Drawn from deltas alone (the view was fetched once, at login), where the server placed it.
    assert seen["refreshes"] == 1 and seen["deltas"] >= 1
    assert seen["place"] == drawn_by_server[seen["id"]]
    assert SCREENSHOT.stat().st_size > 10_000


async def _view(http: httpx.AsyncClient, token: str) -> dict[str, dict[str, float]]:
    """Where graphView draws each node, by id."""
    query = "{ graphView(maxNodes: 2000) { nodes { id x y z } } }"
    answer = await http.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})
    nodes = answer.json()["data"]["graphView"]["nodes"]
    return {node["id"]: {"x": node["x"], "y": node["y"], "z": node["z"]} for node in nodes}


async def _log_in(http: httpx.AsyncClient) -> dict:
    query = "mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { token } }"
    answer = await http.post(
        "/graphql", json={"query": query, "variables": {"e": seed.EMAIL, "p": seed.PASSWORD}}
    )
    return answer.json()["data"]["logIn"]


async def _owner(graph: Graph) -> str:
    async with graph.driver.session() as session:
        record = await (
            await session.run("MATCH (u:User {email: $e}) RETURN u.uid AS uid", e=seed.EMAIL)
        ).single()
    assert record is not None
    return record["uid"]


async def _outcomes(graph: Graph, owner: str) -> int:
    """The seed's counts leave out gift outcomes, which are nodes of the graph too."""
    async with graph.driver.session() as session:
        query = "MATCH (n:GiftOutcome {owner: $owner}) RETURN count(n) AS total"
        return (await (await session.run(query, owner=owner)).single(strict=True))["total"]
