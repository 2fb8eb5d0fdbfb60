"""Search widened for partners: a member finds what their partner shared with the couple, ranked on the
shared node's own fields alone (never by the names of the people or concepts it is linked to, which may
be unshared), and never what was not shared; a stranger finds nothing of either."""

from typing import Any

from dispatch import Services, embeddings
from graph.driver import Graph
from tests.test_couples import CONFLICT, SHARE, UNSHARE, couple_of_two
from tests.test_recipients import create as create_recipient
from tests.test_search import Instance
from tests.test_search import kindred as kindred  # the fixture: an app with its dispatcher

SEARCH = """query ($q: String!, $minScore: Float) {
  search(query: $q, kinds: [MEMORY, CONFLICT], minScore: $minScore) {
    score matched { text words signals } node { id ... on Memory { content } ... on Conflict { summary } } } }"""
MEMORY = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"
LANTERNS = "We watched the lanterns rise over the harbour at midnight."
SECRET = "Planning a surprise trip to Lisbon for our anniversary."
CHORES = "Arguing about the chores rota again"


async def found(k: Instance, token: str, query: str, min_score: float | None = None) -> dict[str, Any]:
    """The hits by node id."""
    data = await k.client.data(SEARCH, {"q": query, "minScore": min_score}, token=token)
    return {hit["node"]["id"]: hit for hit in data["search"]}


async def test_a_partner_finds_a_shared_node_by_its_own_words_alone(kindred: Instance) -> None:
    k = kindred
    ann, ben, cat = await couple_of_two(k.client, "search")
    lanterns = (
        await k.client.data(
            MEMORY,
            {"input": {"kind": "EPISODIC", "content": LANTERNS, "concepts": ["Quetzalcoatl"]}},
            token=ann,
        )
    )["createMemory"]["id"]
    secret = (await k.client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": SECRET}}, token=ann))[
        "createMemory"
    ]["id"]
    bart = (await create_recipient(k.client, ann, "Bartholomew"))["id"]
    chores = (await k.client.data(CONFLICT, {"input": {"recipientId": bart, "summary": CHORES}}, token=ann))[
        "createConflict"
    ]["id"]
    for shared in (lanterns, chores):
        await k.client.data(SHARE, {"id": shared}, token=ann)
    await k.dispatcher.drain()

    # The author finds each by every word of it, the linked names included.
    assert lanterns in await found(k, ann, "Quetzalcoatl")
    assert chores in await found(k, ann, "Bartholomew")
    # The partner finds them by their own words, and is shown only those.
    hit = (await found(k, ben, "lanterns over the harbour"))[lanterns]
    assert "Quetzalcoatl" not in hit["matched"]["text"] and "lantern" in hit["matched"]["words"]
    hit = (await found(k, ben, "chores rota"))[chores]
    assert "Bartholomew" not in hit["matched"]["text"] and hit["node"]["summary"] == CHORES
    # ... by their meaning too (the couple point: its own fields embedded), with no word in common.
    hit = (await found(k, ben, "paper lights floating up by the sea at night", 0.0))[lanterns]
    assert "MEANING" in hit["matched"]["signals"] and hit["matched"]["words"] == []
    # ... never by a word only an unshared linked node's name holds, whatever the floor.
    assert lanterns not in await found(k, ben, "Quetzalcoatl")
    assert chores not in await found(k, ben, "Bartholomew")
    for query in ("Quetzalcoatl", "Bartholomew"):
        for hit in (await found(k, ben, query, 0.0)).values():
            assert query.lower() not in hit["matched"]["text"].lower() and hit["matched"]["words"] == []
    # What Ann did not share, Ben never finds; the stranger finds nothing of hers.
    assert secret not in await found(k, ben, "surprise trip to Lisbon", 0.0)
    for query in ("lanterns over the harbour", "chores rota", "Lisbon"):
        assert await found(k, cat, query, 0.0) == {}

    # Unshared, it is Ann's alone again.
    await k.client.data(UNSHARE, {"id": lanterns}, token=ann)
    await k.dispatcher.drain()
    assert lanterns not in await found(k, ben, "lanterns over the harbour", 0.0)
    assert lanterns in await found(k, ann, "lanterns over the harbour")


async def test_a_reindex_rebuilds_the_partners_points(kindred: Instance, graph: Graph) -> None:
    # A reindex drops every collection, the couple points in them too: it makes those again.
    k = kindred
    ann, ben, _ = await couple_of_two(k.client, "reindex")
    lanterns = (await k.client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": LANTERNS}}, token=ann))[
        "createMemory"
    ]["id"]
    await k.client.data(SHARE, {"id": lanterns}, token=ann)
    await k.dispatcher.drain()
    await embeddings.reindex(Services(graph, k.embedder, k.vectors))
    hit = (await found(k, ben, "paper lights floating up by the sea at night", 0.0))[lanterns]
    assert "MEANING" in hit["matched"]["signals"]
    assert lanterns in await found(k, ben, "lanterns over the harbour")


SIMILAR = (
    "query ($id: ID!, $first: Int!) { similar(id: $id, first: $first) { node { id } matched { text } } }"
)
RIVER = "We floated paper lanterns down the river at dusk."
FESTIVAL = "The lantern festival downtown, lanterns glowing over the water."


async def similar(k: Instance, token: str, id: str) -> dict[str, str]:
    """What `similar` answers (up to 100), by node id: the text each was compared by."""
    data = await k.client.data(SIMILAR, {"id": id, "first": 100}, token=token)
    return {hit["node"]["id"]: hit["matched"]["text"] for hit in data["similar"]}


async def test_similar_answers_from_what_the_asker_reads(kindred: Instance) -> None:
    k = kindred
    ann, ben, cat = await couple_of_two(k.client, "similar")
    create = {"kind": "EPISODIC", "concepts": ["Quetzalcoatl"]}
    lanterns = (await k.client.data(MEMORY, {"input": {**create, "content": LANTERNS}}, token=ann))[
        "createMemory"
    ]["id"]
    festival = (await k.client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": FESTIVAL}}, token=ann))[
        "createMemory"
    ]["id"]
    river = (await k.client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": RIVER}}, token=ben))[
        "createMemory"
    ]["id"]
    bens_secret = (
        await k.client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": SECRET}}, token=ben)
    )["createMemory"]["id"]
    concepts = "query ($id: ID!) { node(id: $id) { ... on Memory { concepts { nodes { id } } } } }"
    quetzalcoatl = (await k.client.data(concepts, {"id": lanterns}, token=ann))["node"]["concepts"]["nodes"][
        0
    ]["id"]
    await k.client.data(SHARE, {"id": lanterns}, token=ann)
    await k.client.data(SHARE, {"id": river}, token=ben)
    await k.dispatcher.drain()

    # Ben, of Ann's shared memory: his own nodes and what she shared, never her unshared festival.
    like = await similar(k, ben, lanterns)
    assert set(like) == {river, bens_secret}
    # Ann, of the same: her own, and Ben's shared river (by its own words), never his secret.
    like = await similar(k, ann, lanterns)
    assert set(like) == {festival, quetzalcoatl, river} and like[river].startswith(RIVER)
    # Ben, of his own shared node: Ann's shared memory by its own fields (no unshared concept's name).
    like = await similar(k, ben, river)
    assert set(like) == {lanterns, bens_secret} and "Quetzalcoatl" not in like[lanterns]
    # What is not shared with them is NOT_FOUND, for the partner as for a stranger.
    for token, id in ((ben, festival), (cat, lanterns), (cat, river), (ann, bens_secret)):
        error = await k.client.error(SIMILAR, {"id": id, "first": 10}, token=token)
        assert error["extensions"]["code"] == "NOT_FOUND"
    # Unshared, Ann's memory is hers alone again: Ben's similar neither finds it nor may ask of it.
    await k.client.data(UNSHARE, {"id": lanterns}, token=ann)
    await k.dispatcher.drain()
    assert set(await similar(k, ben, river)) == {bens_secret}
    error = await k.client.error(SIMILAR, {"id": lanterns, "first": 10}, token=ben)
    assert error["extensions"]["code"] == "NOT_FOUND"
