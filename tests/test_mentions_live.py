"""Mentions as a running server makes them: a subscriber hears each new link as a delta, and a PDF's
passages link to the people they name once it is extracted."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

import app
from app import create_app
from dispatch import Consumer, live, mentions
from dispatch import documents as document_extraction
from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import LiveServer
from tests.lifespan import started
from tests.live import CREATE_RECIPIENT, Socket, live_settings, post, sign_up
from tests.test_documents import pdf_of, upload

MEMORY = (
    """mutation ($content: String!) { createMemory(input: {kind: EPISODIC, content: $content}) { id } }"""
)


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app, "CONSUMERS", [Consumer.of(live), Consumer.of(mentions)])
        with LiveServer(live_settings(settings)) as live_server:
            yield live_server


async def test_a_subscriber_hears_the_links_a_memorys_text_makes(server: LiveServer) -> None:
    token = await sign_up(server, "mentions-live@example.com")
    clara = (await post(server, CREATE_RECIPIENT, {"name": "Clara"}, token))["createRecipient"]["id"]
    ws = await Socket.open(server, token)
    await ws.subscribe("1", since=2)  # after the sign-up and Clara
    memory = (await post(server, MEMORY, {"content": "A walk with Clara."}, token))["createMemory"]["id"]
    created, linked = await ws.deltas(2)
    mention = {
        "type": "MENTIONS",
        "sourceId": memory,
        "targetId": clara,
        "weight": None,
        "properties": {
            "auto": True,
            "fields": ["content"],
            "starts": [12],
            "ends": [17],
            "texts": ["Clara"],
        },
    }
    assert created["kind"] == "MemoryCreated" and linked["kind"] == "MENTIONSLinked"
    assert linked["linksAdded"] == [mention]
    # A delta tells what its nodes have when it is read, after its commit: when the mentions consumer
    # ran first, the memory's delta already carries the link (applying a link twice changes nothing).
    assert created["linksAdded"] in ([], [mention])
    await ws.close()


@pytest.fixture
async def extracting(settings: Settings, graph: Graph, tmp_path: Path) -> AsyncIterator[tuple]:
    """An app of its own whose dispatcher (documents and mentions consumers) runs on `drain`."""
    own = settings.model_copy(update={"data_dir": tmp_path})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app, "CONSUMERS", [Consumer.of(document_extraction), Consumer.of(mentions)])
        async with started(create_app(own, graph)) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
                yield http, manager._state["dispatcher"]


async def test_a_pdfs_passages_link_to_the_people_they_name(graph: Graph, extracting: tuple) -> None:
    http, dispatcher = extracting
    client = GraphQLClient(http)
    token = await client.sign_up("mentions-pdf@example.com")
    ann = (await client.data(CREATE_RECIPIENT, {"name": "Ann"}, token=token))["createRecipient"]["id"]
    await client.data(CREATE_RECIPIENT, {"name": "Clara"}, token=token)
    data = pdf_of("Notes on Ann.", "Clara taught Ann to throw pots.")
    answer = await upload(http, token, ann, "PROFILE", "notes.pdf", data, "application/pdf")
    assert "errors" not in answer.json(), answer.json()
    await dispatcher.drain()
    async with graph.driver.session() as session:
        result = await session.run(
            "MATCH (d:Document)-[:HAS_CHUNK]->(c:DocumentChunk)-[r:MENTIONS]->(p:Recipient) "
            "RETURN c.page AS page, p.name AS name, r.texts AS texts ORDER BY page, name"
        )
        found = [(r["page"], r["name"], r["texts"]) async for r in result]
        kinds = await session.run("MATCH (e:Event {kind: 'PassagesLinked'}) RETURN count(e) AS n")
        events = (await kinds.single(strict=True))["n"]
    assert found == [(1, "Ann", ["Ann"]), (2, "Ann", ["Ann"]), (2, "Clara", ["Clara"])]
    assert events == 1
