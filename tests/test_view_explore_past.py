"""The explorer's time slider and page-by-page expansion in Debian's headless chromium (playwright-core),
on the seeded demo: the slider moved back draws the graph as it was (a node made later is absent) with
live changes held, and "now" draws it again with what came meanwhile; with a small budget a super-node
opens a page of members per click, and a node's neighbours are drawn a page at a time. A screenshot is
saved (data/explore-past.png)."""

import asyncio
import json
import os
from pathlib import Path

import httpx

from demo import seed
from dispatch import layout
from graph.driver import Graph
from settings import Settings
from tests.conftest import LiveServer
from tests.test_view_explore import EXPLORE, PROJECT, _log_in, _owner, pytestmark  # noqa: F401

SCREENSHOT = PROJECT / "data" / "explore-past.png"
CREATE = "mutation ($n: String!) { createConcept(input: {name: $n}) { id } }"
SEQUENCE = "{ graphView(maxNodes: 1) { sequence } }"
BUDGET = 60  # under the demo's 258 nodes: communities fold into super-nodes


async def _post(http: httpx.AsyncClient, token: str, query: str, **variables: object) -> dict:
    answer = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert "errors" not in answer.json(), answer.json()
    return answer.json()["data"]


async def _line(process: asyncio.subprocess.Process, within: float) -> tuple[str, dict]:
    assert process.stdout is not None
    raw = await asyncio.wait_for(process.stdout.readline(), within)
    word, _, rest = raw.decode().strip().partition(" ")
    assert word in {"READY", "PAST", "NOW", "EXPANDED"}, raw.decode() + (await process.stdout.read()).decode()
    return word, json.loads(rest)


async def _say(process: asyncio.subprocess.Process, text: str) -> None:
    assert process.stdin is not None
    process.stdin.write(f"{text}\n".encode())
    await process.stdin.drain()


async def test_the_slider_shows_the_past_and_super_nodes_open_page_by_page(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    await seed.seed(settings, graph)
    owner = await _owner(graph)
    live = settings.model_copy(update={"dispatch": True, "dispatch_poll_seconds": 0.5})
    with LiveServer(live) as server:
        base = server.url.removesuffix("/graphql")
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            token = (await _log_in(http))["token"]
            await layout.refresh(graph, owner)
            before = (await _post(http, token, SEQUENCE))["graphView"]["sequence"]
            late = "A late idea"
            await _post(http, token, CREATE, n=late)
            await layout.refresh(graph, owner)
            process = await asyncio.create_subprocess_exec(
                "node",
                str(PROJECT / "tests" / "explore" / "past.cjs"),
                f"{base}/explore",
                seed.EMAIL,
                seed.PASSWORD,
                str(SCREENSHOT),
                str(tmp_path / "chromium"),
                late,
                str(before),
                str(BUDGET),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env={**os.environ, "NODE_PATH": str(EXPLORE / "node_modules")},
            )
            try:
                _, ready = await _line(process, 120)
                _, past = await _line(process, 120)
                meanwhile = "Made while looking back"
                await _post(http, token, CREATE, n=meanwhile)
                await _say(process, f"MUTATED {meanwhile}")
                _, now = await _line(process, 180)
                _, expanded = await _line(process, 240)
            finally:
                if process.returncode is None:
                    process.kill()
                await process.wait()
    # Now, the late node is drawn; the slider runs from 1 to the last change, and rests at it.
    assert late in ready["names"]
    assert ready["slider"]["min"] == 1 and ready["slider"]["max"] == ready["latest"] > before
    assert ready["slider"]["value"] == ready["latest"] and f"now (#{ready['latest']})" == ready["when"]
    # Moved back: the graph as it was, without the node made later; the live line says it is paused.
    assert past["past"] == before and late not in past["names"]
    assert 0 < past["nodes"] < ready["nodes"]
    assert f"paused at #{before}" in past["status"]
    # A change made meanwhile is heard and held, not drawn; at "now" both nodes are drawn, live again.
    waiting, at_now = now["waiting"], now["now"]
    assert waiting["held"] >= 1 and meanwhile not in waiting["names"] and waiting["past"] == before
    assert late in at_now["names"] and meanwhile in at_now["names"]
    assert at_now["past"] is None and at_now["held"] == 0 and at_now["live"] == "subscribed"
    assert at_now["nodes"] == ready["nodes"] + 1 and "live: subscribed" in at_now["status"]
    # A super-node opens a page of members per click, drawn in place; it stays for the rest.
    big, first, second = expanded["big"], expanded["first"], expanded["second"]
    assert expanded["folded"]["nodes"] <= BUDGET + len(expanded["folded"]["superNodes"])
    assert big["members"] > 2 * 12
    # (the community's most important members were drawn already: a page starts after them)
    added = first["nodes"] - expanded["folded"]["nodes"], second["nodes"] - first["nodes"]
    assert all(0 < n <= 12 for n in added) and sum(added) >= 20, added
    assert first["drawn"] < second["drawn"] <= first["drawn"] + 12
    left = [{node["id"]: node["members"] for node in one["superNodes"]}[big["id"]] for one in (first, second)]
    # (what a page draws is what the super-node no longer holds)
    assert big["members"] > left[0] > left[1] == left[0] - (second["drawn"] - first["drawn"])
    # A node's neighbours drawn a page at a time: the first page, with a cursor to the next.
    paging = expanded["aroundOne"]["paging"]
    assert 0 < paging["drawn"] <= 12 and expanded["aroundOne"]["nodes"] >= expanded["beforeAround"]["nodes"]
    assert not expanded["problems"]
    assert SCREENSHOT.stat().st_size > 10_000
