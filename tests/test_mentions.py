"""Text becomes links: a memory's, conflict's or gift's text is linked (MENTIONS, with where) to the
viewer's people and concepts it names, by the mentions consumer, against a real Neo4j."""

from typing import Any

from dispatch import Consumer, Services, mentions
from dispatch.runner import Dispatcher
from graph import changes
from graph.driver import Graph
from tests.client import GraphQLClient

RECIPIENT = """mutation ($name: String!, $nickname: String) {
  createRecipient(input: {name: $name, nickname: $nickname, relationship: {kind: FRIEND}}) { id } }"""
CONCEPT = "mutation ($name: String!) { createConcept(input: {name: $name}) { id } }"
MEMORY = """mutation ($content: String!, $concepts: [String!], $place: String) {
  createMemory(input: {kind: EPISODIC, content: $content, concepts: $concepts, place: $place}) { id } }"""
UPDATE_MEMORY = """mutation ($id: ID!, $content: String!) {
  updateMemory(input: {id: $id, content: $content}) { id } }"""
CONFLICT = """mutation ($with: ID!, $summary: String!) {
  createConflict(input: {recipientId: $with, summary: $summary}) { id } }"""
GIFT = """mutation ($name: String!, $description: String) {
  createGift(input: {name: $name, description: $description}) { id } }"""
RENAME = "mutation ($id: ID!, $name: String!) { updateRecipient(input: {id: $id, name: $name}) { id } }"
LINK = """mutation ($from: ID!, $to: ID!) { link(from: $from, to: $to, kind: MENTIONS) { changed } }"""
MENTIONS = """query ($id: ID!) { node(id: $id) { ... on Memory { mentions { ...m } concepts { nodes { name } } }
  ... on Conflict { mentions { ...m } } ... on Gift { mentions { ...m } } } }
fragment m on Mention { field start end text automatic node { id ... on Recipient { name } ... on Concept { name } } }"""
VIEW = "{ graphView { links { type source target } } }"


async def drain(graph: Graph) -> None:
    """Delivers every pending event to the mentions consumer alone, as the app's dispatcher would."""
    services = Services(graph, embedder=None, vectors=None)  # type: ignore[arg-type]  # unused by it
    await Dispatcher(services, [Consumer.of(mentions)]).drain()


async def made(client: GraphQLClient, token: str, query: str, **variables: Any) -> str:
    data = await client.data(query, variables, token=token)
    return str(next(iter(data.values()))["id"])


async def places(client: GraphQLClient, token: str, id: str) -> list[tuple[str, int, int, str, bool, str]]:
    node = (await client.data(MENTIONS, {"id": id}, token=token))["node"]
    return [
        (m["field"], m["start"], m["end"], m["text"], m["automatic"], m["node"]["name"])
        for m in node["mentions"]
    ]


async def test_a_memory_links_to_the_person_and_the_concept_it_names_with_where(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("mentions-a@example.com")
    clara = await made(client, token, RECIPIENT, name="Clara")
    pottery = await made(client, token, CONCEPT, name="pottery")
    memory = await made(client, token, MEMORY, content="Pottery with Clara, then Clara's kiln.", place="Oslo")
    await drain(graph)
    assert await places(client, token, memory) == [
        ("content", 0, 7, "Pottery", True, "pottery"),
        ("content", 13, 18, "Clara", True, "Clara"),
        ("content", 25, 30, "Clara", True, "Clara"),
    ]
    # The view draws both links, and the concept's memories and the memory's concepts now meet.
    links = (await client.data(VIEW, token=token))["graphView"]["links"]
    assert {(x["type"], x["source"], x["target"]) for x in links} == {
        ("MENTIONS", memory, clara),
        ("MENTIONS", memory, pottery),
    }
    node = (await client.data(MENTIONS, {"id": memory}, token=token))["node"]
    assert node["concepts"]["nodes"] == [{"name": "pottery"}]


async def test_each_link_is_an_event_whose_delta_carries_its_places_and_a_second_delivery_adds_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("mentions-delta@example.com")
    await made(client, token, RECIPIENT, name="Clara")
    await made(client, token, MEMORY, content="Tea with Clara.")
    owner = await _owner(graph, "mentions-delta@example.com")
    before = await graph.read(changes.newest, owner=owner)
    await drain(graph)
    found = await graph.read(changes.deltas, owner=owner, after=before)
    assert [d.kind for d in found] == ["MENTIONSLinked"]
    (link,) = found[0].links_added
    assert (link.type, link.source.label, link.target.label) == ("MENTIONS", "Memory", "Recipient")
    assert link.properties == {
        "auto": True,
        "fields": ["content"],
        "starts": [9],
        "ends": [14],
        "texts": ["Clara"],
    }
    # Delivered again (at least once), the consumer finds nothing to change and writes nothing.
    after = await graph.read(changes.newest, owner=owner)
    await graph.write(mentions.relink, owner=owner, texts=[link.source])
    assert await graph.read(changes.newest, owner=owner) == after


async def test_an_update_drops_the_mentions_gone_and_keeps_links_made_by_hand(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("mentions-update@example.com")
    await made(client, token, RECIPIENT, name="Clara")
    bo = await made(client, token, RECIPIENT, name="Bo")
    memory = await made(client, token, MEMORY, content="Baking with Clara and Bo.", concepts=["baking"])
    await client.data(LINK, {"from": memory, "to": bo}, token=token)  # Bo by hand as well
    await drain(graph)
    assert [(p[3], p[4]) for p in await places(client, token, memory)] == [
        ("Baking", False),
        ("Clara", True),
        ("Bo", False),
    ]
    await client.data(UPDATE_MEMORY, {"id": memory, "content": "A quiet evening alone."}, token=token)
    await drain(graph)
    assert await places(client, token, memory) == []
    kept = await _links(graph, memory)
    # Clara's automatic link is gone; the concept given with the memory and Bo's link stay, unplaced.
    assert kept == {("Concept", "baking", None), ("Recipient", "Bo", None)}
    # A text that names them again places the hand links once more, and links Clara anew.
    await client.data(UPDATE_MEMORY, {"id": memory, "content": "Clara, Bo: baking."}, token=token)
    await drain(graph)
    assert [(p[3], p[4]) for p in await places(client, token, memory)] == [
        ("Clara", True),
        ("Bo", False),
        ("baking", False),
    ]


async def test_a_link_the_consumer_made_linked_again_by_hand_is_kept_as_the_users(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("mentions-adopt@example.com")
    clara = await made(client, token, RECIPIENT, name="Clara")
    memory = await made(client, token, MEMORY, content="Clara came by.")
    await drain(graph)
    assert [(p[3], p[4]) for p in await places(client, token, memory)] == [("Clara", True)]
    await client.data(LINK, {"from": memory, "to": clara}, token=token)
    await drain(graph)
    assert [(p[3], p[4]) for p in await places(client, token, memory)] == [("Clara", False)]
    await client.data(UPDATE_MEMORY, {"id": memory, "content": "Nobody came by."}, token=token)
    await drain(graph)
    assert await _links(graph, memory) == {("Recipient", "Clara", None)}


async def test_a_person_made_or_renamed_later_is_linked_in_the_texts_written_before(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("mentions-later@example.com")
    bo = await made(client, token, RECIPIENT, name="Bo")
    memory = await made(client, token, MEMORY, content="Dinner with Hana at the harbour.")
    conflict = await made(client, token, CONFLICT, **{"with": bo, "summary": "Bo said Hana was late."})
    gift = await made(client, token, GIFT, name="Scarf", description="Knitted by Hana herself.")
    await drain(graph)
    hana = await made(client, token, RECIPIENT, name="Hana Sato", nickname="Nana")
    await drain(graph)
    assert await places(client, token, memory) == [("content", 12, 16, "Hana", True, "Hana Sato")]
    assert [p[3] for p in await places(client, token, conflict)] == ["Bo", "Hana"]
    assert await places(client, token, gift) == [("description", 11, 15, "Hana", True, "Hana Sato")]
    # Renamed, she is no longer named by those texts: their links to her go.
    await client.data(RENAME, {"id": hana, "name": "Haruka"}, token=token)
    await drain(graph)
    assert await places(client, token, memory) == []
    assert [p[3] for p in await places(client, token, conflict)] == ["Bo"]


async def test_words_match_whole_case_and_simple_plurals_folded_and_the_longest_name_wins(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("mentions-words@example.com")
    await made(client, token, RECIPIENT, name="Ann")
    await made(client, token, CONCEPT, name="pottery")
    await made(client, token, CONCEPT, name="ice cream")
    await made(client, token, CONCEPT, name="cream")
    text = "Annual fair: ANN bought potteries, then Ice-Cream and more cream. Annika stayed."
    memory = await made(client, token, MEMORY, content=text)
    await drain(graph)
    found = [(p[3], p[5]) for p in await places(client, token, memory)]
    assert found == [("ANN", "Ann"), ("potteries", "pottery"), ("Ice-Cream", "ice cream"), ("cream", "cream")]


async def test_one_users_names_never_link_into_another_users_texts(
    client: GraphQLClient, graph: Graph
) -> None:
    ann = await client.sign_up("mentions-ann@example.com")
    bob = await client.sign_up("mentions-bob@example.com")
    await made(client, ann, RECIPIENT, name="Clara")
    bobs = await made(client, bob, MEMORY, content="Lunch with Clara.")
    await drain(graph)
    assert await places(client, bob, bobs) == []
    # Bob's own Clara, made later, links to Bob's memory and never to Ann's.
    anns = await made(client, ann, MEMORY, content="Clara again.")
    await made(client, bob, RECIPIENT, name="Clara")
    await drain(graph)
    async with graph.driver.session() as session:
        result = await session.run(
            "MATCH (m:Memory)-[:MENTIONS]->(r:Recipient) RETURN m.uid AS m, r.owner = m.owner AS same"
        )
        rows = [record.data() async for record in result]
    assert len(rows) == 2 and all(row["same"] for row in rows)
    assert [p[3] for p in await places(client, ann, anns)] == ["Clara"]


async def _owner(graph: Graph, email: str) -> str:
    async with graph.driver.session() as session:
        record = await (
            await session.run("MATCH (u:User {email: $email}) RETURN u.uid AS uid", email=email)
        ).single()
    assert record is not None
    return str(record["uid"])


async def _links(graph: Graph, global_id: str) -> set[tuple[str, str, Any]]:
    """The MENTIONS links of the memory with this id: (label, name, starts) of what each names."""
    from strawberry import relay

    uid = relay.GlobalID.from_id(global_id).node_id
    async with graph.driver.session() as session:
        result = await session.run(
            "MATCH (:Memory {uid: $uid})-[r:MENTIONS]->(n) RETURN labels(n)[0] AS label, n.name AS name, "
            "r.starts AS starts",
            uid=uid,
        )
        return {(r["label"], r["name"], r["starts"]) async for r in result}
