"""What Kindred learns by itself is news to a subscriber: the similarity consumer's SIMILAR_TO links, the
history consumer's snapshots of a relationship and the daily consolidation's faded memories each arrive
as a delta on graphChanged, and none of them wakes what learned it again (the feed falls silent)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import app
from dispatch import Consumer, consolidation, embeddings, history, layout, live, similarity
from graph.driver import Graph
from graph.events import LEARNED
from settings import Settings
from tests.conftest import LiveServer
from tests.live import CREATE_CONCEPT, CREATE_RECIPIENT, LINK, Socket, live_settings, post, sign_up
from tests.test_learning import owner_of, services_of

HEARD = """subscription ($since: Int) { graphChanged(since: $since) { sequence kind
  nodesUpdated { __typename id ... on Memory { fadedAt } ... on Recipient { name } }
  linksAdded { type sourceId targetId properties } linksRemoved { type sourceId targetId } } }"""
MEMORY = """mutation ($content: String!) {
  createMemory(input: {kind: EPISODIC, content: $content, importance: 0.2}) { id } }"""


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    """Served with the live consumer and the learning ones (no scheduler: the test runs the job)."""
    consumers = [Consumer.of(live), Consumer.of(similarity), Consumer.of(history)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app, "CONSUMERS", consumers)
        with LiveServer(live_settings(settings)) as served:
            yield served


async def heard_until(ws: Socket, wanted: dict[str, int]) -> list[dict[str, Any]]:
    """The deltas heard until each kind wanted came at least so many times."""
    heard: list[dict[str, Any]] = []
    while any(sum(d["kind"] == kind for d in heard) < n for kind, n in wanted.items()):
        heard.append((await ws.next(within=60))["graphChanged"])
    return heard


async def test_a_subscriber_hears_what_kindred_learns_and_learning_does_not_wake_itself(
    server: LiveServer, graph: Graph
) -> None:
    token = await sign_up(server, "learned-live@example.com")
    ana = (await post(server, CREATE_RECIPIENT, {"name": "Ana"}, token))["createRecipient"]["id"]
    bea = (await post(server, CREATE_RECIPIENT, {"name": "Bea"}, token))["createRecipient"]["id"]
    tea = (await post(server, CREATE_CONCEPT, {"name": "tea"}, token))["createConcept"]["id"]
    memory = (await post(server, MEMORY, {"content": "A rainy bus stop."}, token))["createMemory"]["id"]
    ws = await Socket.open(server, token)
    await ws.subscribe("1", HEARD, since=1)  # everything after the sign-up
    for person in (ana, bea):
        await post(server, LINK, {"from": person, "to": tea, "weight": 0.5}, token)

    heard = await heard_until(ws, {"SIMILAR_TOLinked": 2, "RelationshipSnapshotTaken": 1})
    linked = [link for d in heard if d["kind"] == "SIMILAR_TOLinked" for link in d["linksAdded"]]
    assert sorted((link["sourceId"], link["targetId"]) for link in linked) == sorted([(ana, bea), (bea, ana)])
    assert all(link["type"] == "SIMILAR_TO" and link["properties"]["score"] > 0 for link in linked)
    snapshots = [
        n["id"] for d in heard if d["kind"] == "RelationshipSnapshotTaken" for n in d["nodesUpdated"]
    ]
    assert set(snapshots) <= {ana, bea} and snapshots

    # The daily consolidation, run here as if a year and more went by: the memory fades, and is heard.
    owner = await owner_of(graph, ana)
    later = datetime.now(UTC) + timedelta(days=400)
    assert await consolidation.consolidate(services_of(graph), owner, later) == 1
    (faded,) = [d for d in await heard_until(ws, {"MemoryFaded": 1}) if d["kind"] == "MemoryFaded"]
    assert [(n["__typename"], n["id"]) for n in faded["nodesUpdated"]] == [("Memory", memory)]
    assert faded["nodesUpdated"][0]["fadedAt"] is not None

    # Everything learned is told once: no consumer re-learns from its own news, so the feed falls silent.
    assert await ws.silent(3)
    await ws.close()


def test_what_kindred_learns_wakes_no_consumer_but_the_live_one() -> None:
    for kind in map(str, LEARNED):
        assert live.handles(kind)
        for consumer in (embeddings, layout, similarity, history):
            assert not consumer.handles(kind), (consumer.NAME, kind)
    assert not similarity.handles("SIMILAR_TOLinked") and not history.handles("SIMILAR_TOUnlinked")
