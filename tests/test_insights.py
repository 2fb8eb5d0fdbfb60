"""Insights: what the viewer's graph knows about people, whom each concerns (CONCERNS) and the memories it
is derived from (DERIVED_FROM); listed, changed, confirmed, deleted, kept to their owner, and searched.
That a node of the kind is drawn, captioned and sent as a live delta is tests/test_kinds.py's."""

from typing import Any

from graph.driver import Graph
from tests import test_search
from tests.client import GraphQLClient
from tests.test_recipients import create as create_recipient
from tests.test_search import Instance, hits

kindred = test_search.kindred  # the fixture: an app with its own vectors and its dispatcher

CREATE = """mutation ($input: CreateInsightInput!) { createInsight(input: $input) {
  id category statement value confidence volatility status title
  recipients { nodes { name } } memories { nodes { content } } } }"""
UPDATE = """mutation ($input: UpdateInsightInput!) { updateInsight(input: $input) {
  id category statement value confidence volatility status } }"""
DELETE = "mutation ($id: ID!) { deleteInsight(id: $id) { deletedId deletedCount } }"
LIST = """query ($f: InsightFilter, $o: [InsightOrder!]) {
  insights(filter: $f, orderBy: $o) { totalCount nodes { statement } } }"""
MEMORY = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"
LINK = """mutation ($from: ID!, $to: ID!, $kind: LinkKind!, $weight: Float) {
  link(from: $from, to: $to, kind: $kind, weight: $weight) { changed } }"""
NODE = "query ($id: ID!) { node(id: $id) { id } }"
ABOUT = """query ($id: ID!) { node(id: $id) {
  ... on Recipient { insights { totalCount nodes { statement } } }
  ... on Memory { insights { totalCount nodes { statement } } } } }"""


async def _memory(client: GraphQLClient, token: str, content: str) -> str:
    made = await client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": content}}, token=token)
    return made["createMemory"]["id"]


async def _insight(client: GraphQLClient, token: str, statement: str, **given: Any) -> dict[str, Any]:
    values = {"category": "FACT", "statement": statement, **given}
    return (await client.data(CREATE, {"input": values}, token=token))["createInsight"]


async def _count(graph: Graph) -> tuple[int, int]:
    """How many nodes (events included) and relationships the graph holds."""
    async with graph.driver.session() as session:
        record = await (
            await session.run(
                "MATCH (n) WHERE NOT n:Migration "
                "RETURN count(n) AS nodes, COUNT { ()-[]->() } AS relationships"
            )
        ).single()
    return record["nodes"], record["relationships"]


async def test_an_insight_concerns_people_rests_on_memories_and_is_reached_from_both(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("insight@example.com")
    lea = await create_recipient(client, token, "Lea")
    sam = await create_recipient(client, token, "Sam")
    dinner = await _memory(client, token, "Lea ordered the vegetable curry again")
    market = await _memory(client, token, "Lea skipped the butcher at the market")
    made = await _insight(
        client,
        token,
        "Lea is vegetarian",
        category="PREFERENCE",
        value={"diet": "vegetarian"},
        confidence=0.8,
        volatility=0.1,
        recipientIds=[lea["id"]],
        evidenceIds=[dinner, market],
    )
    assert made["category"] == "PREFERENCE" and made["status"] == "PROPOSED"
    assert made["value"] == {"diet": "vegetarian"} and made["confidence"] == 0.8
    assert made["title"] == "Lea is vegetarian"
    assert made["recipients"]["nodes"] == [{"name": "Lea"}]
    assert sorted(m["content"] for m in made["memories"]["nodes"]) == [
        "Lea ordered the vegetable curry again",
        "Lea skipped the butcher at the market",
    ]
    # A new insight is proposed, with confidence 0.5, unless it says otherwise.
    both = await _insight(client, token, "Lea and Sam hike on Sundays", category="PATTERN")
    assert both["status"] == "PROPOSED" and both["confidence"] == 0.5 and both["volatility"] is None
    await client.data(LINK, {"from": both["id"], "to": lea["id"], "kind": "CONCERNS"}, token=token)
    await client.data(LINK, {"from": both["id"], "to": sam["id"], "kind": "CONCERNS"}, token=token)
    await _insight(
        client, token, "Sam wants to run a marathon", category="GOAL", confidence=0.3, status="CONFIRMED"
    )

    # The other ends reach their insights.
    about_lea = (await client.data(ABOUT, {"id": lea["id"]}, token=token))["node"]["insights"]
    assert about_lea["totalCount"] == 2
    assert [n["statement"] for n in about_lea["nodes"]] == [
        "Lea is vegetarian",
        "Lea and Sam hike on Sundays",
    ]
    from_dinner = (await client.data(ABOUT, {"id": dinner}, token=token))["node"]["insights"]
    assert from_dinner["nodes"] == [{"statement": "Lea is vegetarian"}]

    async def statements(filter: dict[str, Any] | None = None, order: Any = None) -> list[str]:
        found = await client.data(LIST, {"f": filter, "o": order}, token=token)
        return [node["statement"] for node in found["insights"]["nodes"]]

    # The surest first by default; then as asked.
    assert await statements() == [
        "Lea is vegetarian",
        "Lea and Sam hike on Sundays",
        "Sam wants to run a marathon",
    ]
    assert await statements(order=[{"field": "CONFIDENCE", "direction": "ASC"}]) == [
        "Sam wants to run a marathon",
        "Lea and Sam hike on Sundays",
        "Lea is vegetarian",
    ]
    assert await statements(order=[{"field": "CREATED_AT", "direction": "DESC"}]) == [
        "Sam wants to run a marathon",
        "Lea and Sam hike on Sundays",
        "Lea is vegetarian",
    ]
    assert await statements({"categories": ["GOAL", "PATTERN"]}) == [
        "Lea and Sam hike on Sundays",
        "Sam wants to run a marathon",
    ]
    assert await statements({"statuses": ["CONFIRMED"]}) == ["Sam wants to run a marathon"]
    assert await statements({"recipientId": sam["id"]}) == ["Lea and Sam hike on Sundays"]
    assert await statements({"recipientId": lea["id"], "categories": ["PREFERENCE"]}) == ["Lea is vegetarian"]


async def test_evidence_is_linked_with_a_weight_and_only_from_an_insight_to_a_memory(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("evidence@example.com")
    insight = await _insight(client, token, "Kim reads before bed")
    night = await _memory(client, token, "Kim fell asleep over a novel")
    linked = await client.data(
        LINK, {"from": insight["id"], "to": night, "kind": "DERIVED_FROM", "weight": 0.7}, token=token
    )
    assert linked["link"]["changed"]
    async with graph.driver.session() as session:
        record = await (
            await session.run("MATCH (:Insight)-[r:DERIVED_FROM]->(:Memory) RETURN r.weight AS w")
        ).single()
    assert record["w"] == 0.7
    before = await _count(graph)
    backwards = await client.error(
        LINK, {"from": night, "to": insight["id"], "kind": "DERIVED_FROM"}, token=token
    )
    assert backwards["extensions"] == {"code": "BAD_USER_INPUT", "field": "kind"}
    heavy = await client.error(
        LINK, {"from": insight["id"], "to": night, "kind": "DERIVED_FROM", "weight": 2}, token=token
    )
    assert heavy["extensions"] == {"code": "BAD_USER_INPUT", "field": "weight"}
    assert await _count(graph) == before


async def test_updating_an_insight_changes_only_what_is_given_and_confirming_is_its_status(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("confirm@example.com")
    made = await _insight(client, token, "Noa collects stamps", value={"since": 2019}, volatility=0.4)
    confirmed = await client.data(
        UPDATE, {"input": {"id": made["id"], "status": "CONFIRMED", "confidence": 0.95}}, token=token
    )
    assert confirmed["updateInsight"] == {
        "id": made["id"],
        "category": "FACT",
        "statement": "Noa collects stamps",
        "value": {"since": 2019},
        "confidence": 0.95,
        "volatility": 0.4,
        "status": "CONFIRMED",
    }
    cleared = await client.data(
        UPDATE,
        {"input": {"id": made["id"], "value": None, "volatility": None, "statement": " Noa collects coins "}},
        token=token,
    )
    assert cleared["updateInsight"]["value"] is None and cleared["updateInsight"]["volatility"] is None
    assert cleared["updateInsight"]["statement"] == "Noa collects coins"
    assert cleared["updateInsight"]["status"] == "CONFIRMED"
    rejected = await client.data(UPDATE, {"input": {"id": made["id"], "status": "REJECTED"}}, token=token)
    assert rejected["updateInsight"]["status"] == "REJECTED"
    for field in ("statement", "category", "confidence", "status"):
        error = await client.error(UPDATE, {"input": {"id": made["id"], field: None}}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_deleting_an_insight_leaves_whom_it_concerns_and_its_evidence(client: GraphQLClient) -> None:
    token = await client.sign_up("forget@example.com")
    ivo = await create_recipient(client, token, "Ivo")
    walk = await _memory(client, token, "Ivo walked the dog at dawn")
    made = await _insight(client, token, "Ivo rises early", recipientIds=[ivo["id"]], evidenceIds=[walk])
    deleted = await client.data(DELETE, {"id": made["id"]}, token=token)
    assert deleted["deleteInsight"] == {"deletedId": made["id"], "deletedCount": 1}
    for kept in (ivo["id"], walk):
        assert (await client.data(NODE, {"id": kept}, token=token))["node"] == {"id": kept}
    assert (await client.data(NODE, {"id": made["id"]}, token=token))["node"] is None
    again = await client.error(DELETE, {"id": made["id"]}, token=token)
    assert again["extensions"]["code"] == "NOT_FOUND"


async def test_deleting_a_person_deletes_what_is_known_of_them_alone(client: GraphQLClient) -> None:
    token = await client.sign_up("cascade@example.com")
    lea = await create_recipient(client, token, "Lea")
    sam = await create_recipient(client, token, "Sam")
    alone = await _insight(client, token, "Lea sings", recipientIds=[lea["id"]])
    shared = await _insight(client, token, "Lea and Sam bake", recipientIds=[lea["id"], sam["id"]])
    nobody = await _insight(client, token, "The viewer journals")
    deleted = await client.data(
        "mutation ($id: ID!) { deleteRecipient(id: $id) { deletedCount } }", {"id": lea["id"]}, token=token
    )
    assert deleted["deleteRecipient"]["deletedCount"] == 2  # Lea, and what was known of her alone
    assert (await client.data(NODE, {"id": alone["id"]}, token=token))["node"] is None
    kept = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Insight { recipients { nodes { name } } } } }",
        {"id": shared["id"]},
        token=token,
    )
    assert kept["node"]["recipients"]["nodes"] == [{"name": "Sam"}]
    assert (await client.data(NODE, {"id": nobody["id"]}, token=token))["node"] == {"id": nobody["id"]}


async def test_another_users_insights_are_out_of_sight_and_reach(client: GraphQLClient, graph: Graph) -> None:
    ann = await client.sign_up("ann-insight@example.com")
    bob = await client.sign_up("bob-insight@example.com")
    anns_friend = await create_recipient(client, ann, "Ada")
    anns_memory = await _memory(client, ann, "Ada painted all weekend")
    anns = await _insight(
        client, ann, "Ada paints", recipientIds=[anns_friend["id"]], evidenceIds=[anns_memory]
    )
    bobs_friend = await create_recipient(client, bob, "Ben")
    bobs = await _insight(client, bob, "Ben cycles")
    before = await _count(graph)

    assert (await client.data(NODE, {"id": anns["id"]}, token=bob))["node"] is None
    listed = await client.data(LIST, {}, token=bob)
    assert [n["statement"] for n in listed["insights"]["nodes"]] == ["Ben cycles"]
    filtered = await client.data(LIST, {"f": {"recipientId": anns_friend["id"]}}, token=bob)
    assert filtered["insights"]["totalCount"] == 0
    refused = [
        (UPDATE, {"input": {"id": anns["id"], "status": "REJECTED"}}),
        (DELETE, {"id": anns["id"]}),
        # Neither their insight to one's own person, nor one's own insight to their person or memory.
        (LINK, {"from": anns["id"], "to": bobs_friend["id"], "kind": "CONCERNS"}),
        (LINK, {"from": bobs["id"], "to": anns_friend["id"], "kind": "CONCERNS"}),
        (LINK, {"from": bobs["id"], "to": anns_memory, "kind": "DERIVED_FROM"}),
        (CREATE, {"input": {"category": "FACT", "statement": "Ada?", "recipientIds": [anns_friend["id"]]}}),
        (CREATE, {"input": {"category": "FACT", "statement": "Ada?", "evidenceIds": [anns_memory]}}),
    ]
    for operation, variables in refused:
        error = await client.error(operation, variables, token=bob)
        assert error["extensions"]["code"] == "NOT_FOUND", (variables, error)
    assert await _count(graph) == before
    still = (await client.data(ABOUT, {"id": anns_friend["id"]}, token=ann))["node"]["insights"]
    assert still["nodes"] == [{"statement": "Ada paints"}]


async def test_bad_input_is_refused_and_writes_nothing(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("bad-insight@example.com")
    tom = await create_recipient(client, token, "Tom")
    before = await _count(graph)
    cases = [
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": -0.1}, "confidence"),
        ({"volatility": 2}, "volatility"),
        ({"statement": ""}, "statement"),
        ({"statement": "   "}, "statement"),
        ({"statement": "x" * 2_001}, "statement"),
        ({"value": [1, 2]}, "value"),
        ({"value": "a text"}, "value"),
        ({"evidenceIds": [tom["id"]]}, "evidenceIds"),  # a recipient is no memory
    ]
    for given, field in cases:
        values = {"category": "TRAIT", "statement": "Tom is patient", **given}
        error = await client.error(CREATE, {"input": values}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (given, error)
    made = await _insight(client, token, "Tom is patient")
    after_create = await _count(graph)
    for given, field in cases[:7]:
        error = await client.error(UPDATE, {"input": {"id": made["id"], **given}}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, given
    wrong_type = await client.error(UPDATE, {"input": {"id": tom["id"], "status": "CONFIRMED"}}, token=token)
    assert wrong_type["extensions"]["code"] == "BAD_USER_INPUT"
    assert await _count(graph) == after_create
    assert after_create[0] == before[0] + 2  # the one insight made, and its event


async def test_an_insight_is_found_by_whom_it_concerns_and_follows_their_rename(kindred: Instance) -> None:
    token = await kindred.client.sign_up("insight-search@example.com")
    aunt = await create_recipient(kindred.client, token, "Aunt Mildred", kind="FAMILY")
    await _insight(kindred.client, token, "Loves orchids", category="PREFERENCE", recipientIds=[aunt["id"]])
    rename = "mutation ($input: UpdateRecipientInput!) { updateRecipient(input: $input) { name } }"
    await kindred.client.data(rename, {"input": {"id": aunt["id"], "name": "Aunt Philippa"}}, token=token)
    await kindred.dispatcher.drain()
    found = await hits(kindred, token, "Philippa orchids", kinds=["INSIGHT"], first=1)
    assert found[0]["node"]["__typename"] == "Insight"
    assert "Philippa" in found[0]["matched"]["text"] and "Mildred" not in found[0]["matched"]["text"]
    assert "preference" in found[0]["matched"]["text"]
