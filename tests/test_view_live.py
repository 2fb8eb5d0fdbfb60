"""The 3D view followed live: graphView's `sequence` is where graphChanged goes on from, losing nothing
made in between, and the layout's deltas carry each node's kept position (`... on Placed`), the one
graphView draws. A real server with the live and layout consumers, a real WebSocket."""

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

import app
from dispatch import Consumer, live
from dispatch import layout as layout_consumer
from settings import Settings
from tests.conftest import LiveServer
from tests.live import (
    CREATE_CONCEPT,
    CREATE_RECIPIENT,
    Socket,
    live_settings,
    post,
    sign_up,
    stuck_report,
)

PLACED = """
subscription ($since: Int, $layout: Boolean! = true, $labels: [ChangedLabel!], $kinds: [ChangeKind!]) {
  graphChanged(since: $since, layout: $layout, labels: $labels, kinds: $kinds) {
    sequence kind
    nodesAdded { id ... on Concept { name } ... on Placed { position { x y z } community } }
    nodesUpdated { id ... on Concept { name } ... on Placed { position { x y z } community } }
    linksAdded { type }
    positions { ids x y z community }
  }
}
"""
RENAME = "mutation ($id: ID!, $name: String!) { updateConcept(input: {id: $id, name: $name}) { id } }"
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
    """graphView once every one of these names is drawn at a place the layout kept (null before). Bounded
    in time, not in asks: on a machine whose cores are busy, each ask and the layout's pass take longer."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = (await post(server, VIEW, token=token))["graphView"]
        kept = {node["name"] for node in found["nodes"] if node["community"] is not None}
        if names <= kept:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"the layout never placed {names} in 120 s:\n{await stuck_report(server)}")


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
    # Then its place, as the layout kept it (one compact positions delta): the one graphView draws.
    while made not in _placed(deltas[-1]):
        deltas.append(await _delta(ws))
    # The layout may still regroup it (the link joins it to Pottery's community): read until it is quiet.
    while (more := await ws.quiet(3.0)) is not None:
        assert more["type"] == "next", more
        deltas.append(more["payload"]["data"]["graphChanged"])
    assert [d["sequence"] for d in deltas] == list(range(seen["sequence"] + 1, deltas[-1]["sequence"] + 1))
    place = [_placed(d)[made] for d in deltas if made in _placed(d)][-1]  # the latest said of it
    drawn = next(n for n in (await placed_view(server, token, {"Glazes"}))["nodes"] if n["id"] == made)
    assert place == {"x": drawn["x"], "y": drawn["y"], "z": drawn["z"], "community": drawn["community"]}
    # The layout's moves come as positions only, never as a node updated per moved node.
    moves = [d for d in deltas if d["kind"] == "PositionsChanged"]
    assert moves and all(not d["nodesUpdated"] and not d["nodesAdded"] for d in moves)
    assert all(d["positions"] is None for d in deltas if d["kind"] != "PositionsChanged")
    await ws.close()


async def test_graph_changed_without_layout_moves_hears_only_the_users_own_changes(
    server: LiveServer,
) -> None:
    token = await sign_up(server, "view-quiet-feed@example.com")
    first = (await post(server, CREATE_CONCEPT, {"name": "Kilns"}, token))["createConcept"]["id"]
    await placed_view(server, token, {"Kilns"})
    everything, own = await Socket.open(server, token), await Socket.open(server, token)
    await everything.subscribe("1", query=PLACED)
    await own.subscribe("1", query=PLACED, layout=False)
    await asyncio.sleep(0.5)  # both subscriptions running
    made = (await post(server, CREATE_CONCEPT, {"name": "Raku"}, token))["createConcept"]["id"]
    await post(server, LINK, {"from": made, "to": first}, token)
    heard = [await _delta(own), await _delta(own)]
    assert [d["kind"] for d in heard] == ["ConceptCreated", "RELATED_TOLinked"]
    # The view's subscriber hears the layout place the new concept; the feed hears nothing of it.
    moved = [await _delta(everything)]
    while made not in _placed(moved[-1]):
        moved.append(await _delta(everything))
    positions = moved[-1]["positions"]
    assert len(positions["ids"]) == len(positions["x"]) == len(positions["z"]) == len(positions["community"])
    assert await own.silent(3.0)
    await everything.close()
    await own.close()


async def test_graph_changed_with_labels_and_kinds_hears_only_those(server: LiveServer) -> None:
    token = await sign_up(server, "view-filtered@example.com")
    ws = await Socket.open(server, token)
    await ws.subscribe("1", query=PLACED, labels=["CONCEPT"], kinds=["UPDATED"], layout=False)
    await asyncio.sleep(0.5)
    made = (await post(server, CREATE_CONCEPT, {"name": "Wheel"}, token))["createConcept"]["id"]
    await post(server, CREATE_RECIPIENT, {"name": "Ines"}, token)
    await post(server, RENAME, {"id": made, "name": "Potter's wheel"}, token)
    renamed = await _delta(ws)
    assert renamed["kind"] == "ConceptUpdated" and renamed["nodesUpdated"][0]["name"] == "Potter's wheel"
    # Neither the creations, nor the layout's moves (which `layout` alone decides), nor the recipient.
    assert await ws.silent(3.0)
    await ws.close()


async def test_graph_changed_refuses_a_label_it_does_not_know(server: LiveServer) -> None:
    token = await sign_up(server, "view-bad-label@example.com")
    ws = await Socket.open(server, token)
    await ws.subscribe("1", query=PLACED, labels=["PIZZA"])
    refused = await ws.receive()
    assert refused["type"] == "error" and "PIZZA" in refused["payload"][0]["message"], refused
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


def _placed(delta: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Where a positions delta puts each node, by id (empty for any other delta)."""
    found = delta["positions"] or {"ids": [], "x": [], "y": [], "z": [], "community": []}
    columns = zip(found["ids"], found["x"], found["y"], found["z"], found["community"], strict=True)
    return {id_: {"x": x, "y": y, "z": z, "community": c} for id_, x, y, z, c in columns}
