"""Gifts: a nested create in one transaction, outcomes that teach the relationship, and traversals."""

from typing import Any

from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_recipients import create as create_recipient

CREATE = """mutation ($input: CreateGiftInput!) { createGift(input: $input) {
  id name category giving { surpriseLevel date }
  recipients { nodes { id name relationship { giftsGivenCount averageGiftSuccess preferredGiftTypes failedGiftTypes } } }
  occasion { name kind } outcome { success reaction gift { name } } tags { nodes { name } } } }"""
OUTCOME = """mutation ($gift: ID!, $outcome: GiftOutcomeInput!) { recordGiftOutcome(giftId: $gift, outcome: $outcome) {
  recipients { nodes { relationship { giftsGivenCount averageGiftSuccess preferredGiftTypes failedGiftTypes } } } } }"""


async def count(graph: Graph, label: str) -> int:
    async with graph.driver.session() as session:
        return (await (await session.run(f"MATCH (n:{label}) RETURN count(n) AS n")).single())["n"]


async def test_a_gift_with_a_new_recipient_occasion_and_outcome_is_one_write(client: GraphQLClient) -> None:
    token = await client.sign_up("giver@example.com")
    gift = {
        "name": "Knitted scarf",
        "category": "handmade",
        "newRecipient": {"name": "Grandma", "relationship": {"kind": "FAMILY", "importance": 9}},
        "newOccasion": {
            "name": "Grandma's birthday",
            "kind": "BIRTHDAY",
            "date": "1950-02-11",
            "recurring": True,
        },
        "giving": {"surpriseLevel": 8, "date": "2024-02-11"},
        "outcome": {"success": 0.95, "reaction": "THRILLED"},
        "tags": ["Handmade", "warm things"],
    }
    made = (await client.data(CREATE, {"input": gift}, token=token))["createGift"]
    assert made["giving"] == {"surpriseLevel": 8, "date": "2024-02-11"}
    assert made["occasion"] == {"name": "Grandma's birthday", "kind": "BIRTHDAY"}
    assert made["outcome"] == {"success": 0.95, "reaction": "THRILLED", "gift": {"name": "Knitted scarf"}}
    assert sorted(t["name"] for t in made["tags"]["nodes"]) == ["Handmade", "warm things"]
    [grandma] = made["recipients"]["nodes"]
    assert grandma["name"] == "Grandma"
    assert grandma["relationship"] == {
        "giftsGivenCount": 1,
        "averageGiftSuccess": 0.95,
        "preferredGiftTypes": ["handmade"],
        "failedGiftTypes": [],
    }
    occasions = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Recipient { occasions { nodes { name } } gifts { nodes { name } } } } }",
        {"id": grandma["id"]},
        token=token,
    )
    assert occasions["node"] == {
        "occasions": {"nodes": [{"name": "Grandma's birthday"}]},
        "gifts": {"nodes": [{"name": "Knitted scarf"}]},
    }


async def test_a_nested_create_with_one_bad_part_writes_nothing(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("atomic@example.com")
    known = await create_recipient(client, token, "Known")
    before = {label: await count(graph, label) for label in ("Recipient", "Occasion", "Gift", "Event")}
    missing = "T2NjYXNpb246bm90LXRoZXJl"  # Occasion:not-there
    gift = {
        "name": "Doomed",
        "recipientIds": [known["id"]],
        "newRecipient": {"name": "Also new", "relationship": {"kind": "FRIEND"}},
        "occasionId": missing,
    }
    error = await client.error(CREATE, {"input": gift}, token=token)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert {label: await count(graph, label) for label in before} == before


async def test_outcomes_update_the_relationship_statistics_and_deletes_undo_them(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("learner@example.com")
    sam = await create_recipient(client, token, "Sam")

    async def give(name: str, category: str, success: float) -> str:
        gift = {"name": name, "category": category, "recipientIds": [sam["id"]]}
        made = (await client.data(CREATE, {"input": gift}, token=token))["createGift"]
        stats = await client.data(OUTCOME, {"gift": made["id"], "outcome": {"success": success}}, token=token)
        return made["id"], stats["recordGiftOutcome"]["recipients"]["nodes"][0]["relationship"]

    _, first = await give("Concert tickets", "experiential", 0.9)
    gadget, second = await give("Smart watch", "tech", 0.2)
    assert first == {
        "giftsGivenCount": 1,
        "averageGiftSuccess": 0.9,
        "preferredGiftTypes": ["experiential"],
        "failedGiftTypes": [],
    }
    assert second["giftsGivenCount"] == 2
    assert abs(second["averageGiftSuccess"] - 0.55) < 1e-9
    assert second["failedGiftTypes"] == ["tech"]

    again = await client.data(OUTCOME, {"gift": gadget, "outcome": {"success": 0.8}}, token=token)
    stats = again["recordGiftOutcome"]["recipients"]["nodes"][0]["relationship"]
    assert stats["giftsGivenCount"] == 2 and abs(stats["averageGiftSuccess"] - 0.85) < 1e-9
    assert stats["failedGiftTypes"] == []

    await client.data(
        "mutation ($id: ID!) { deleteGift(id: $id) { deletedCount } }", {"id": gadget}, token=token
    )
    node = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Recipient { relationship { giftsGivenCount averageGiftSuccess } } } }",
        {"id": sam["id"]},
        token=token,
    )
    assert node["node"]["relationship"] == {"giftsGivenCount": 1, "averageGiftSuccess": 0.9}


async def test_gift_input_is_checked(client: GraphQLClient) -> None:
    token = await client.sign_up("giftchecks@example.com")
    for extra, field in (
        ({"effortLevel": 11}, "effortLevel"),
        ({"outcome": {"success": 1.5}}, "success"),
        ({"giving": {"relationshipImpact": -2}}, "relationshipImpact"),
        ({"newRecipient": {"name": "x", "relationship": {"kind": "FRIEND", "importance": 0}}}, "importance"),
    ):
        error = await client.error(CREATE, {"input": {"name": "g", **extra}}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, extra


async def test_similar_and_complementary_gifts_are_read_both_ways(client: GraphQLClient) -> None:
    token = await client.sign_up("similar@example.com")
    ids: dict[str, Any] = {}
    for name in ("Tea set", "Teapot", "Honey"):
        ids[name] = (await client.data(CREATE, {"input": {"name": name}}, token=token))["createGift"]["id"]
    link = "mutation ($a: ID!, $b: ID!, $t: LinkKind!) { link(from: $a, to: $b, kind: $t, weight: 0.8) { changed } }"
    await client.data(link, {"a": ids["Tea set"], "b": ids["Teapot"], "t": "SIMILAR_TO"}, token=token)
    await client.data(link, {"a": ids["Teapot"], "b": ids["Honey"], "t": "COMPLEMENTS"}, token=token)
    query = "query ($id: ID!) { node(id: $id) { ... on Gift { similar { nodes { name } } complements { nodes { name } } } } }"
    teapot = (await client.data(query, {"id": ids["Teapot"]}, token=token))["node"]
    assert teapot == {
        "similar": {"nodes": [{"name": "Tea set"}]},
        "complements": {"nodes": [{"name": "Honey"}]},
    }


async def test_no_gift_for_another_users_recipient_and_no_reading_theirs(client: GraphQLClient) -> None:
    owner = await client.sign_up("gifts-owner@example.com")
    other = await client.sign_up("gifts-other@example.com")
    theirs = await create_recipient(client, owner, "Theirs")
    made = (
        await client.data(CREATE, {"input": {"name": "Private", "recipientIds": [theirs["id"]]}}, token=owner)
    )["createGift"]
    refused = await client.error(
        CREATE, {"input": {"name": "x", "recipientIds": [theirs["id"]]}}, token=other
    )
    assert refused["extensions"]["code"] == "NOT_FOUND"
    outcome = await client.error(OUTCOME, {"gift": made["id"], "outcome": {"success": 0.1}}, token=other)
    assert outcome["extensions"]["code"] == "NOT_FOUND"
    assert (await client.data("{ gifts { totalCount } }", token=other))["gifts"]["totalCount"] == 0
