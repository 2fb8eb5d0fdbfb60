"""Extraction by whose words a text is: the viewer's own first person proposes insights about the viewer,
a participant's is about the person who spoke, an assistant's about nobody; and a document's passages
propose insights that rest on the document (naming the passage) until it is deleted. Against a real
Neo4j, through the app's own dispatcher for documents."""

from typing import Any

from bench.pdfs import pdf as pdf_of
from dispatch import proposals
from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_conversations import _conversation, _say
from tests.test_documents import DELETE as DELETE_DOCUMENT
from tests.test_documents import (
    Instance,
    kindred,  # noqa: F401 -- the fixture (its user below: noqa F811)
    recipient,
    upload,
)
from tests.test_extraction import UPDATE, drain
from tests.test_observations import _observation
from tests.test_recipients import create as create_recipient

INSIGHTS = """{ insights { nodes { id category statement status aboutViewer extractor
  recipients { nodes { name } } evidence { nodes { __typename id } } } } }"""
NODE = "query ($id: ID!) { node(id: $id) { id } }"
DELETE_OBSERVATION = "mutation ($id: ID!) { deleteObservation(id: $id) { deletedId } }"


async def _insights(client: GraphQLClient, token: str) -> dict[str, dict[str, Any]]:
    found = (await client.data(INSIGHTS, token=token))["insights"]["nodes"]
    return {insight["statement"]: insight for insight in found}


async def _count(graph: Graph) -> tuple[int, int]:
    async with graph.driver.session() as session:
        # What a delivery writes, leaving out the dispatcher's own bookkeeping (events, cursors, leases).
        query = """MATCH (n) WHERE NOT (n:Event OR n:Cursor OR n:Lease)
        RETURN count(n) AS nodes, COUNT { (a)-[]->(b) WHERE NOT (a:Event OR b:Event OR a:Cursor OR a:Lease) } AS links"""
        record = await (await session.run(query)).single(strict=True)
    return record["nodes"], record["links"]


async def _forget_deliveries(graph: Graph) -> None:
    """Every consumer's place forgotten: the whole event log is delivered again (at least once)."""
    async with graph.driver.session() as session:
        await session.run("MATCH (c:Cursor) DETACH DELETE c")
        await session.run("MATCH (l:Lease) DETACH DELETE l")


async def test_the_viewers_turns_propose_claims_about_the_viewer_and_a_participants_about_them(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("viewer-claims@example.com")
    uma = (await create_recipient(client, token, "Uma"))["id"]
    chat = await _conversation(client, token, "Catching up")
    mine = await _say(
        client, token, chat["id"], "I love hiking. My goal is to run a marathon. Uma hates rain."
    )
    await _say(
        client, token, chat["id"], "I love helping you plan! I'm a big fan of surprises.", role="ASSISTANT"
    )
    said = await _say(client, token, chat["id"], "I'm allergic to cats.", role="PARTICIPANT", recipientId=uma)
    await _say(client, token, chat["id"], "I hate mornings.", role="PARTICIPANT")  # nobody said who spoke
    await drain(graph)
    found = await _insights(client, token)
    assert {s: (i["category"], i["aboutViewer"], i["recipients"]["nodes"]) for s, i in found.items()} == {
        "You love hiking": ("PREFERENCE", True, []),
        "You want to run a marathon": ("GOAL", True, []),
        "Uma hates rain": ("PREFERENCE", False, [{"name": "Uma"}]),
        "Uma is allergic to cats": ("FACT", False, [{"name": "Uma"}]),
    }
    assert found["You love hiking"]["evidence"]["nodes"] == [{"__typename": "Message", "id": mine["id"]}]
    assert found["Uma is allergic to cats"]["evidence"]["nodes"] == [
        {"__typename": "Message", "id": said["id"]}
    ]
    assert all(i["status"] == "PROPOSED" and i["extractor"] == "deterministic" for i in found.values())

    # Another user sees none of them, not even by id.
    other = await client.sign_up("viewer-claims-other@example.com")
    assert await _insights(client, other) == {}
    assert (await client.data(NODE, {"id": found["You love hiking"]["id"]}, token=other))["node"] is None

    # A replay of every event writes nothing; a rejected claim about the viewer is never proposed again
    # from the same message, even when it is read again.
    await client.data(UPDATE, {"id": found["You love hiking"]["id"], "status": "REJECTED"}, token=token)
    before = await _count(graph)
    await _forget_deliveries(graph)
    await drain(graph)
    assert await _count(graph) == before
    again = await _insights(client, token)
    assert again["You love hiking"]["status"] == "REJECTED" and len(again) == 4

    # The viewer's memories and observations are their own words too.
    await _observation(client, token, "I'm vegetarian, and I always get anxious before exams.")
    await drain(graph)
    about_me = {s for s, i in (await _insights(client, token)).items() if i["aboutViewer"]}
    assert about_me == {"You love hiking", "You want to run a marathon", "You are vegetarian",
                        "You get anxious before exams"}  # fmt: skip


async def test_a_documents_passages_propose_insights_that_rest_on_it_until_it_is_deleted(
    kindred: Instance,  # noqa: F811
    graph: Graph,
) -> None:
    client = kindred.client
    token = await client.sign_up("document-claims@example.com")
    ann = await recipient(kindred, token, "Ann")
    profile = pdf_of(
        "Ann loves tulips. I am allergic to bees.",
        "A page about the weather.",
        "Ann is training for a triathlon.",
    )
    made = (await upload(kindred.http, token, ann, "PROFILE", "ann.pdf", profile, "application/pdf")).json()
    document = made["data"]["uploadDocument"]["id"]
    journal = (await _observation(client, token, "From my journal"))["id"]
    mine = pdf_of("I love sailing. Ann is very generous.")
    notes = (
        await upload(kindred.http, token, journal, "EVIDENCE", "journal.pdf", mine, "application/pdf")
    ).json()
    kept = notes["data"]["uploadDocument"]["id"]
    await kindred.dispatcher.drain(within=300)  # a loaded machine reads PDFs and embeds slowly

    found = await _insights(client, token)
    # A profile's first person is the person it is of; an observation's evidence is the viewer's.
    from_profile = {"Ann loves tulips", "Ann is allergic to bees", "Ann is training for a triathlon"}
    assert set(found) == from_profile | {"You love sailing", "Ann is generous"}
    for statement in from_profile:
        assert found[statement]["evidence"]["nodes"] == [{"__typename": "Document", "id": document}]
    assert found["You love sailing"]["aboutViewer"] is True
    async with graph.driver.session() as session:
        query = "MATCH (i:Insight)-[r:DERIVED_FROM]->(:Document) RETURN i.statement AS s, r.passage AS at"
        passages = {r["s"]: r["at"] async for r in await session.run(query)}
    # Each page is a passage of its own: the third page's claim was read in passage 2.
    assert passages["Ann loves tulips"] == 0 and passages["Ann is training for a triathlon"] == 2

    other = await client.sign_up("document-claims-other@example.com")
    assert await _insights(client, other) == {}

    # Read again (an extraction resumed after a stop): nothing new.
    before = await _count(graph)
    async with graph.driver.session() as session:
        query = "MATCH (d:Document) WHERE d.filename = 'ann.pdf' RETURN d.owner AS owner, d.uid AS uid"
        row = await (await session.run(query)).single(strict=True)
    await proposals.propose_document(kindred.dispatcher.services, row["owner"], row["uid"])
    assert await _count(graph) == before

    # Deleted, the document takes its proposals along; one the person confirmed stays theirs.
    await client.data(UPDATE, {"id": found["Ann loves tulips"]["id"], "status": "CONFIRMED"}, token=token)
    await client.data(DELETE_DOCUMENT, {"id": document}, token=token)
    await kindred.dispatcher.drain(within=300)  # a loaded machine reads PDFs and embeds slowly
    left = await _insights(client, token)
    assert set(left) == {"Ann loves tulips", "You love sailing", "Ann is generous"}
    assert left["Ann loves tulips"]["status"] == "CONFIRMED"
    assert left["You love sailing"]["evidence"]["nodes"] == [{"__typename": "Document", "id": kept}]

    # The observation a document was attached to deleted: the document goes, and its proposals with it.
    await client.data(DELETE_OBSERVATION, {"id": journal}, token=token)
    await kindred.dispatcher.drain(within=300)
    assert set(await _insights(client, token)) == {"Ann loves tulips"}
