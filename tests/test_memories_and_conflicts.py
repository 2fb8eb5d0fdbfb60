"""Memories (kinds, who and what they involve, short-term expiry) and conflicts (with whom, about what)."""

from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_recipients import create as create_recipient

MEMORY = """mutation ($input: CreateMemoryInput!) { createMemory(input: $input) {
  id kind content valence tags expiresAt recipients { nodes { name } } concepts { nodes { name } } } }"""
MEMORIES = "query ($f: MemoryFilter) { memories(filter: $f) { totalCount nodes { content } } }"
CONFLICT = """mutation ($input: CreateConflictInput!) { createConflict(input: $input) {
  id status severity recipient { name } topics { nodes { name } } } }"""
CONFLICTS = "query ($f: ConflictFilter) { conflicts(filter: $f) { nodes { summary } } }"


async def test_a_memory_involves_people_mentions_concepts_and_filters_find_it(client: GraphQLClient) -> None:
    token = await client.sign_up("memory@example.com")
    lea = await create_recipient(client, token, "Lea")
    made = await client.data(
        MEMORY,
        {
            "input": {
                "kind": "EPISODIC",
                "content": "Hiking with Lea in the Alps",
                "happenedAt": "2023-07-14T09:00:00Z",
                "valence": 0.9,
                "tags": ["summer"],
                "recipientIds": [lea["id"]],
                "concepts": ["hiking", "mountains"],
            }
        },
        token=token,
    )
    memory = made["createMemory"]
    assert memory["recipients"]["nodes"] == [{"name": "Lea"}]
    assert sorted(c["name"] for c in memory["concepts"]["nodes"]) == ["hiking", "mountains"]
    await client.data(
        MEMORY,
        {"input": {"kind": "SEMANTIC", "content": "Lea is vegetarian", "recipientIds": [lea["id"]]}},
        token=token,
    )
    await client.data(MEMORY, {"input": {"kind": "PROCEDURAL", "content": "How to brew tea"}}, token=token)

    async def contents(filter: dict) -> list[str]:
        return sorted(
            n["content"]
            for n in (await client.data(MEMORIES, {"f": filter}, token=token))["memories"]["nodes"]
        )

    assert await contents({"kinds": ["EPISODIC"]}) == ["Hiking with Lea in the Alps"]
    assert await contents({"recipientId": lea["id"]}) == ["Hiking with Lea in the Alps", "Lea is vegetarian"]
    assert await contents({"concept": "Hiking"}) == ["Hiking with Lea in the Alps"]
    assert await contents({"since": "2023-01-01T00:00:00Z", "until": "2023-12-31T00:00:00Z"}) == [
        "Hiking with Lea in the Alps"
    ]
    assert await contents({"tag": "summer"}) == ["Hiking with Lea in the Alps"]
    involved = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Recipient { memories { totalCount } } } }",
        {"id": lea["id"]},
        token=token,
    )
    assert involved["node"]["memories"]["totalCount"] == 2


async def test_a_short_term_memory_expires(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("shortterm@example.com")
    made = (
        await client.data(
            MEMORY, {"input": {"kind": "SHORT_TERM", "content": "Parked on level 3"}}, token=token
        )
    )["createMemory"]
    assert made["expiresAt"] is not None
    assert (await client.data(MEMORIES, {}, token=token))["memories"]["totalCount"] == 1
    async with graph.driver.session() as session:  # a day cannot pass in a test: its clock is moved
        await session.run("MATCH (m:Memory) SET m.expires_at = datetime() - duration('PT1S')")
    assert (await client.data(MEMORIES, {}, token=token))["memories"]["totalCount"] == 0
    gone = await client.data("query ($id: ID!) { node(id: $id) { id } }", {"id": made["id"]}, token=token)
    assert gone["node"] is None


async def test_memory_scores_are_checked(client: GraphQLClient) -> None:
    token = await client.sign_up("memchecks@example.com")
    for extra, field in (
        ({"valence": -1.5}, "valence"),
        ({"arousal": 2}, "arousal"),
        ({"importance": -0.1}, "importance"),
        ({"ttlHours": 5}, "ttlHours"),
    ):
        error = await client.error(
            MEMORY, {"input": {"kind": "EPISODIC", "content": "x", **extra}}, token=token
        )
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, extra


async def test_conflicts_are_with_someone_about_topics_and_filtered(client: GraphQLClient) -> None:
    token = await client.sign_up("conflict@example.com")
    sam = await create_recipient(client, token, "Sam", kind="PARTNER")
    made = await client.data(
        CONFLICT,
        {
            "input": {
                "recipientId": sam["id"],
                "severity": 0.7,
                "summary": "Dishes again",
                "topics": ["chores", "fairness"],
            }
        },
        token=token,
    )
    conflict = made["createConflict"]
    assert conflict["status"] == "ACTIVE" and conflict["recipient"] == {"name": "Sam"}
    assert sorted(t["name"] for t in conflict["topics"]["nodes"]) == ["chores", "fairness"]
    await client.data(
        CONFLICT,
        {
            "input": {
                "recipientId": sam["id"],
                "severity": 0.2,
                "summary": "Movie choice",
                "status": "RESOLVED",
            }
        },
        token=token,
    )

    async def summaries(filter: dict) -> list[str]:
        return [
            n["summary"]
            for n in (await client.data(CONFLICTS, {"f": filter}, token=token))["conflicts"]["nodes"]
        ]

    assert await summaries({"statuses": ["ACTIVE"]}) == ["Dishes again"]
    assert await summaries({"severityAtLeast": 0.5}) == ["Dishes again"]
    assert await summaries({"topic": "Chores"}) == ["Dishes again"]
    assert sorted(await summaries({"recipientId": sam["id"]})) == ["Dishes again", "Movie choice"]

    resolved = await client.data(
        "mutation ($i: UpdateConflictInput!) { updateConflict(input: $i) { status endedAt } }",
        {"i": {"id": conflict["id"], "status": "RESOLVED", "endedAt": "2099-01-01T00:00:00Z"}},
        token=token,
    )
    assert resolved["updateConflict"]["status"] == "RESOLVED"
    deleted = await client.data(
        "mutation ($id: ID!) { deleteRecipient(id: $id) { deletedCount } }", {"id": sam["id"]}, token=token
    )
    assert deleted["deleteRecipient"]["deletedCount"] == 3  # Sam and both conflicts
    assert await summaries({}) == []


async def test_a_conflict_needs_the_viewers_own_recipient_and_sane_times(client: GraphQLClient) -> None:
    owner = await client.sign_up("c-owner@example.com")
    other = await client.sign_up("c-other@example.com")
    theirs = await create_recipient(client, owner, "Theirs")
    error = await client.error(CONFLICT, {"input": {"recipientId": theirs["id"]}}, token=other)
    assert error["extensions"]["code"] == "NOT_FOUND"
    backwards = {
        "recipientId": theirs["id"],
        "startedAt": "2024-01-02T00:00:00Z",
        "endedAt": "2024-01-01T00:00:00Z",
    }
    assert (await client.error(CONFLICT, {"input": backwards}, token=owner))["extensions"][
        "field"
    ] == "endedAt"
    assert (
        await client.error(CONFLICT, {"input": {"recipientId": theirs["id"], "severity": 3}}, token=owner)
    )["extensions"]["field"] == "severity"
