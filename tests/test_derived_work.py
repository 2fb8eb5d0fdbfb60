"""The work a write causes after its commit grows with what it changed, not with the owner's graph: the
layout places and relaxes locally and leaves communities and ranks to a whole pass that comes once
enough has changed; embeddings are made again only for texts that changed."""

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from dispatch import Consumer, Services
from dispatch import layout as layout_consumer
from dispatch.runner import Dispatcher
from graph import view
from graph.driver import Graph
from layout import analytics
from layout.forces import EDGE
from settings import Settings
from storage.embeddings import Embedder
from tests.client import GraphQLClient
from tests.conftest import client_of
from tests.lifespan import started
from tests.test_recipients import create as create_recipient

CONCEPT = "mutation ($input: ConceptInput!) { createConcept(input: $input) { id } }"
LINK = "mutation ($from: ID!, $to: ID!) { link(from: $from, to: $to, kind: RELATED_TO) { changed } }"
PLACED = "query ($id: ID!) { node(id: $id) { ... on Placed { position { x y z } community } } }"
GIFT = "mutation ($input: CreateGiftInput!) { createGift(input: $input) { id } }"
GROUPS, MEMBERS = 10, 30  # 300 concepts: a graph far larger than what one write touches


@dataclass
class Spied:
    """What the layout consumer did: nodes it read per pass, and Leiden runs."""

    read: list[int]
    leiden: int = 0


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> Spied:
    seen = Spied([])
    whole, around, communities = view.layout_graph, view.layout_around, analytics.communities

    async def whole_read(tx: Any, **kwargs: Any) -> Any:
        nodes, links = await whole(tx, **kwargs)
        seen.read.append(len(nodes))
        return nodes, links

    async def around_read(tx: Any, **kwargs: Any) -> Any:
        nodes, links = await around(tx, **kwargs)
        seen.read.append(len(nodes))
        return nodes, links

    def counted(*args: Any, **kwargs: Any) -> Any:
        seen.leiden += 1
        return communities(*args, **kwargs)

    monkeypatch.setattr(view, "layout_graph", whole_read)
    monkeypatch.setattr(view, "layout_around", around_read)
    monkeypatch.setattr(analytics, "communities", counted)
    return seen


async def _network(graph: Graph, owner: str) -> list[str]:
    """GROUPS chains of MEMBERS concepts, each chain's first linked to the next chain's: written in one
    statement (the API's way would take minutes), as the owner's."""
    query = """
    UNWIND range(0, $groups * $members - 1) AS i
    CREATE (c:Concept {uid: 'c-' + toString(i), owner: $owner, name: 'concept ' + toString(i),
                       key: 'concept ' + toString(i), concept_type: 'interest',
                       created_at: datetime(), updated_at: datetime()})
    WITH collect(c) AS made
    UNWIND range(0, size(made) - 1) AS i
    WITH made, i, CASE WHEN (i + 1) % $members <> 0 THEN i + 1 END AS next,
         CASE WHEN i % $members = 0 THEN (i + $members) % size(made) END AS bridge
    UNWIND [j IN [next, bridge] WHERE j IS NOT NULL] AS j
    WITH made[i] AS a, made[j] AS b
    CREATE (a)-[:RELATED_TO {weight: 1.0}]->(b)
    """
    async with graph.driver.session() as session:
        result = await session.run(query, owner=owner, groups=GROUPS, members=MEMBERS)
        await result.consume()
    return [f"c-{i}" for i in range(GROUPS * MEMBERS)]


async def _owner(graph: Graph, email: str) -> str:
    async with graph.driver.session() as session:
        record = await (
            await session.run("MATCH (u:User {email: $email}) RETURN u.uid AS uid", email=email)
        ).single()
    assert record is not None
    return record["uid"]


async def test_a_write_lays_out_its_neighbourhood_not_the_whole_graph(
    client: GraphQLClient, graph: Graph, spied: Spied, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await client.sign_up("bounded@example.com")
    owner = await _owner(graph, "bounded@example.com")
    uids = await _network(graph, owner)
    layout = Dispatcher(Services(graph, None, None), [Consumer.of(layout_consumer)])  # type: ignore[arg-type]
    first = await client.data(CONCEPT, {"input": {"name": "the first write"}}, token=token)
    await layout.drain()
    assert spied.read == [GROUPS * MEMBERS + 1] and spied.leiden == 1  # never laid out: the whole graph

    neighbour = "Q29uY2VwdDpjLTQy"  # Concept:c-42, a chain member with two links
    assert uids[42] == "c-42"
    before = (await client.data(PLACED, {"id": neighbour}, token=token))["node"]
    made = (await client.data(CONCEPT, {"input": {"name": "newcomer"}}, token=token))["createConcept"]["id"]
    await client.data(LINK, {"from": made, "to": neighbour}, token=token)
    await layout.drain()
    # One pass for both events; it read the newcomer's neighbourhood (itself, c-42, its chain neighbours
    # and theirs), and ran no Leiden.
    assert len(spied.read) == 2 and spied.read[1] <= 10, spied.read
    assert spied.leiden == 1
    placed = (await client.data(PLACED, {"id": made}, token=token))["node"]
    assert placed["position"] is not None and placed["community"] == before["community"]
    here, there = placed["position"], before["position"]
    assert math.dist(tuple(here.values()), tuple(there.values())) < 4 * EDGE

    # Once enough has changed since the last whole pass, the next write brings one (communities, ranks).
    monkeypatch.setattr(layout_consumer, "WHOLE_AT_LEAST", 4)
    monkeypatch.setattr(layout_consumer, "WHOLE_SHARE", 0.01)
    second = (await client.data(CONCEPT, {"input": {"name": "one more"}}, token=token))["createConcept"]["id"]
    await client.data(LINK, {"from": second, "to": first["createConcept"]["id"]}, token=token)
    await layout.drain()
    assert spied.leiden == 2 and spied.read[-1] == GROUPS * MEMBERS + 3

    # A node linked to nothing goes past the picture's rim, not into the middle of its (empty)
    # neighbourhood: the local pass knows how far the picture reaches.
    monkeypatch.setattr(layout_consumer, "WHOLE_AT_LEAST", 50)
    alone = (await client.data(CONCEPT, {"input": {"name": "alone"}}, token=token))["createConcept"]["id"]
    await layout.drain()
    assert spied.leiden == 2 and spied.read[-1] == 1
    farthest = await _farthest(graph, owner, but="alone")
    place = (await client.data(PLACED, {"id": alone}, token=token))["node"]["position"]
    assert math.dist(tuple(place.values()), (0, 0, 0)) > farthest


async def _farthest(graph: Graph, owner: str, but: str) -> float:
    query = """
    MATCH (c:Concept {owner: $owner}) WHERE c.name <> $but
    RETURN max(sqrt(c.view_x ^ 2 + c.view_y ^ 2 + c.view_z ^ 2)) AS farthest
    """
    async with graph.driver.session() as session:
        record = await (await session.run(query, owner=owner, but=but)).single(strict=True)
    return record["farthest"]


@dataclass
class Embedded:
    client: GraphQLClient
    dispatcher: Dispatcher
    embedder: Embedder
    texts: list[str]


@pytest.fixture
async def embedding(settings: Settings, graph: Graph, tmp_path: Path) -> AsyncIterator[Embedded]:
    """An app with its dispatcher on, whose embedder notes every text it is given."""
    own = settings.model_copy(update={"data_dir": tmp_path, "dispatch": True})
    lifespan = started(create_app(own, graph))
    async with lifespan as manager, client_of(manager.app) as client:
        state = manager._state
        embedder, texts = state["embedder"], []
        embed = embedder.embed

        async def noted(batch: list[str]) -> list[list[float]]:
            texts.extend(batch)
            return await embed(batch)

        embedder.embed = noted
        yield Embedded(client, state["dispatcher"], embedder, texts)


async def test_only_texts_that_changed_are_embedded_again(embedding: Embedded) -> None:
    client = embedding.client
    token = await client.sign_up("texts@example.com")
    mom = await create_recipient(client, token, "Mom", kind="FAMILY")
    for name in ("Silk scarf", "Garden gloves", "Tea set"):
        await client.data(GIFT, {"input": {"name": name, "recipientIds": [mom["id"]]}}, token=token)
    await embedding.dispatcher.drain()
    embedding.texts.clear()

    # A new gift for Mom names her: her text and her other gifts' are read again, but only the new
    # gift's text is new.
    await client.data(GIFT, {"input": {"name": "Reading lamp", "recipientIds": [mom["id"]]}}, token=token)
    await embedding.dispatcher.drain()
    assert len(embedding.texts) == 1 and "Reading lamp" in embedding.texts[0], embedding.texts

    # Renaming her changes her text and every gift's for her: all of them are embedded again.
    embedding.texts.clear()
    rename = "mutation ($input: UpdateRecipientInput!) { updateRecipient(input: $input) { name } }"
    await client.data(rename, {"input": {"id": mom["id"], "name": "Mother"}}, token=token)
    await embedding.dispatcher.drain()
    assert len(embedding.texts) == 5 and all("Mother" in text for text in embedding.texts), embedding.texts
