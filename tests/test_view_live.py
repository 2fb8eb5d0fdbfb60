"""The 3D view followed live: graphView's `sequence` is where graphChanged goes on from, losing nothing
made in between, and the layout's deltas carry each node's kept position (`... on Placed`), the one
graphView draws. A real server with the live and layout consumers, a real WebSocket."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

import app
from dispatch import Consumer, live
from dispatch import layout as layout_consumer
from settings import Settings
from tests.conftest import LiveServer
from tests.live import CREATE_CONCEPT, Socket, live_settings, post, sign_up

PLACED = """
subscription ($since: Int) {
  graphChanged(since: $since) {
    sequence kind
    nodesAdded { id ... on Concept { name } ... on Placed { position { x y z } community } }
    nodesUpdated { id ... on Concept { name } ... on Placed { position { x y z } community } }
  }
}
"""
VIEW = "{ graphView { sequence nodes { id name x y z community } } }"
LINK = """mutation ($from: ID!, $to: ID!) {
  link(from: $from, to: $to, kind: RELATED_TO) { changed } }"""


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    consumers = [Consumer.of(live), Consumer.of(layout_consumer)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app, "CONSUMERS", consumers)
        with LiveServer(live_settings(settings)) as live_server:
            yield live_server


async def placed_view(server: LiveServer, token: str, names: set[str]) -> dict[str, Any]:
    """graphView once every one of these names is drawn at a place the layout kept (null before)."""
    for _ in range(200):
        found = (await post(server, VIEW, token=token))["graphView"]
        kept = {node["name"] for node in found["nodes"] if node["community"] is not None}
        if names <= kept:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"the layout never placed {names}")


async def test_a_view_then_graph_changed_since_its_sequence_misses_nothing_made_in_between(
    server: LiveServer,
) -> None:
    token = await sign_up(server, "view-live@example.com")
    first = (await post(server, CREATE_CONCEPT, {"name": "Pottery"}, token))["createConcept"]["id"]
    seen = await placed_view(server, token, {"Pottery"})
    # Made after the view was read and before the subscription starts: what a slow client would lose.
    made = (await post(server, CREATE_CONCEPT, {"name": "Glazes"}, token))["createConcept"]["id"]
    await post(server, LINK, {"from": made, "to": first}, token)
    ws = await Socket.open(server, token)
    await ws.subscribe("1", query=PLACED, since=seen["sequence"])
    deltas = [await _delta(ws)]
    assert deltas[0]["sequence"] == seen["sequence"] + 1 and deltas[0]["kind"] == "ConceptCreated"
    assert deltas[0]["nodesAdded"][0]["id"] == made
    # Then its place, as the layout kept it: the one graphView draws.
    while not any(node["id"] == made and node["position"] for node in _nodes(deltas[-1])):
        deltas.append(await _delta(ws))
    # The layout may still regroup it (the link joins it to Pottery's community): read until it is quiet.
    while (more := await ws.quiet(3.0)) is not None:
        assert more["type"] == "next", more
        deltas.append(more["payload"]["data"]["graphChanged"])
    assert [d["sequence"] for d in deltas] == list(range(seen["sequence"] + 1, deltas[-1]["sequence"] + 1))
    placed = [n for d in deltas for n in _nodes(d) if n["id"] == made and n["position"]]
    place = placed[-1]  # the latest the deltas said of it
    drawn = next(n for n in (await placed_view(server, token, {"Glazes"}))["nodes"] if n["id"] == made)
    assert place["position"] == {"x": drawn["x"], "y": drawn["y"], "z": drawn["z"]}
    assert place["community"] == drawn["community"]
    await ws.close()


async def test_a_views_sequence_is_its_own_viewers(server: LiveServer) -> None:
    busy = await sign_up(server, "view-busy@example.com")
    for name in ("one", "two", "three"):
        await post(server, CREATE_CONCEPT, {"name": name}, busy)
    quiet = await sign_up(server, "view-quiet@example.com")
    busy_view = await placed_view(server, busy, {"one", "two", "three"})
    quiet_view = (await post(server, VIEW, token=quiet))["graphView"]
    assert quiet_view == {"sequence": 1, "nodes": []}  # their sign-up only, none of the other's
    assert busy_view["sequence"] >= 4  # sign-up, three concepts, and the layout's own changes


async def _delta(ws: Socket) -> dict[str, Any]:
    return (await ws.next(30))["graphChanged"]


def _nodes(delta: dict[str, Any]) -> list[dict[str, Any]]:
    return delta["nodesAdded"] + delta["nodesUpdated"]
