"""The bench's generated graph is Kindred's own: loaded straight into Neo4j, read back through the API."""

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from strawberry.relay import from_base64, to_base64

from bench import api
from bench.generate import load
from bench.operations import OPERATIONS
from bench.shape import PASSWORD, email_of, user_graph
from graph.driver import Graph
from tests.client import LOG_IN, GraphQLClient

SEED = 13
KINDS = {"family": "FAMILY", "romantic": "PARTNER", "friend": "FRIEND", "colleague": "COLLEAGUE"}
KINDS |= {"acquaintance": "ACQUAINTANCE", "other": "OTHER"}

FIRST_RECIPIENT = """{
  recipients(first: 1) { totalCount edges { node {
    id name preferences createdAt
    relationship { kind since importance communicationChannels lastInteraction giftsGivenCount
                   averageGiftSuccess preferredGiftTypes failedGiftTypes }
    gifts(first: 10) { totalCount edges { node {
      name priceCents giving { date surpriseLevel } outcome { success reaction } tags { nodes { name } }
    } } }
    occasions { nodes { name date kind recurring } }
    interests { nodes { name } }
  } } }
  memories { totalCount } conflicts { totalCount } concepts(first: 100) { totalCount }
}"""
NEIGHBORS = (
    "query ($id: ID!) { node(id: $id) { ... on Concept { name neighbors(first: 100) { nodes { name } } } } }"
)
CREATE = """mutation ($input: CreateGiftInput!) { createGift(input: $input) {
  name recipients { nodes { relationship { giftsGivenCount } } } tags { nodes { name } } } }"""


async def log_in(client: GraphQLClient, index: int) -> str:
    data = await client.data(LOG_IN, {"email": email_of(index), "password": PASSWORD})
    return data["logIn"]["token"]


def by_uid(made: Any, label: str) -> dict[str, dict[str, Any]]:
    return {row["uid"]: row for row in made.nodes[label]}


def linked(made: Any, rel: str, a: str) -> list[str]:
    return [row["b"] for row in made.rels[rel][2] if row["a"] == a]


async def test_the_generated_graph_reads_back_through_graphql(graph: Graph, client: GraphQLClient) -> None:
    counts = await load(graph, users=2, seed=SEED)
    assert counts["Recipient"] == 200 and counts["Gift"] == 1000 and counts["KNOWS"] == 200
    made = user_graph(SEED, 0, "unused")
    token = await log_in(client, 0)

    data = await client.data(FIRST_RECIPIENT, token=token)
    assert data["recipients"]["totalCount"] == 100
    assert data["memories"]["totalCount"] == 200
    assert data["conflicts"]["totalCount"] == 10
    assert data["concepts"]["totalCount"] == 100
    person = data["recipients"]["edges"][0]["node"]
    expected = min(made.nodes["Recipient"], key=lambda row: row["name"])
    assert person["name"] == expected["name"]
    assert person["preferences"] == json.loads(expected["preferences"])  # JSON as the app keeps it
    knows = next(row["props"] for row in made.rels["KNOWS"][2] if row["b"] == expected["uid"])
    assert person["relationship"] == {
        "kind": KINDS[knows["relationship_type"]],
        "since": knows["since"].isoformat(),
        "importance": knows["importance"],
        "communicationChannels": knows["communication_channels"],
        "lastInteraction": knows["last_interaction"].isoformat(),
        "giftsGivenCount": knows["gifts_given_count"],
        "averageGiftSuccess": knows["average_gift_success"],
        "preferredGiftTypes": knows["preferred_gift_types"],
        "failedGiftTypes": knows["failed_gift_types"],
    }

    gifts = by_uid(made, "Gift")
    theirs = [gifts[uid] for uid in gifts if expected["uid"] in linked(made, "INTENDED_FOR", uid)]
    assert person["gifts"]["totalCount"] == 5
    assert [edge["node"]["name"] for edge in person["gifts"]["edges"]] == [gift["name"] for gift in theirs]
    outcomes = by_uid(made, "GiftOutcome")
    for edge, gift in zip(person["gifts"]["edges"], theirs, strict=True):
        outcome = outcomes[linked(made, "HAS_OUTCOME", gift["uid"])[0]]
        assert edge["node"]["outcome"] == {
            "success": outcome["success"],
            "reaction": outcome["reaction"].upper(),
        }
        assert edge["node"]["tags"] == {"nodes": [{"name": gift["category"]}]}
        assert edge["node"]["giving"]["date"] == outcome["given_date"].isoformat()
    assert [o["kind"] for o in person["occasions"]["nodes"]] == ["BIRTHDAY", "ANNIVERSARY"]
    assert len(person["interests"]["nodes"]) == 3

    # The concept links, any direction, as the app's neighbours read them.
    concept = made.nodes["Concept"][0]
    near = {row["b"] for rel in made.rels.values() if rel[0] == rel[1] == "Concept" for row in rel[2]
            if row["a"] == concept["uid"]}  # fmt: skip
    near |= {row["a"] for rel in made.rels.values() if rel[0] == rel[1] == "Concept" for row in rel[2]
             if row["b"] == concept["uid"]}  # fmt: skip
    names = by_uid(made, "Concept")
    found = await client.data(NEIGHBORS, {"id": to_base64("Concept", concept["uid"])}, token=token)
    assert sorted(n["name"] for n in found["node"]["neighbors"]["nodes"]) == sorted(
        names[u]["name"] for u in near
    )


def next_occurrence(day: date, today: date) -> date:
    """Cypher's `date + duration({years: k})`: 29 February becomes 28 February in other years."""

    def plus(years: int) -> date:
        try:
            return day.replace(year=day.year + years)
        except ValueError:
            return day.replace(year=day.year + years, day=28)

    if day >= today:
        return day
    years = today.year - day.year
    return plus(years) if plus(years) >= today else plus(years + 1)


async def test_dates_are_native_so_upcoming_occasions_compute_on_them(
    graph: Graph, client: GraphQLClient
) -> None:
    await load(graph, users=1, seed=SEED)
    made = user_graph(SEED, 0, "unused")
    token = await log_in(client, 0)
    today = datetime.now(UTC).date()
    expected = {
        row["uid"]
        for row in made.nodes["Occasion"]
        if next_occurrence(row["date"], today) <= today + timedelta(days=30)
    }
    query = "{ upcomingOccasions(withinDays: 30, first: 100) { edges { node { id } } } }"
    data = await client.data(query, token=token)
    found = {from_base64(edge["node"]["id"])[1] for edge in data["upcomingOccasions"]["edges"]}
    assert expected and found == expected


async def test_a_generated_user_writes_on_and_the_event_log_goes_on_from_the_generated_sequence(
    graph: Graph, client: GraphQLClient
) -> None:
    await load(graph, users=1, seed=SEED)
    made = user_graph(SEED, 0, "unused")
    token = await log_in(client, 0)
    recipient = made.nodes["Recipient"][0]
    gift = {"name": "Bench gift", "recipientIds": [to_base64("Recipient", recipient["uid"])], "tags": ["books"],
            "outcome": {"success": 0.9}}  # fmt: skip
    created = (await client.data(CREATE, {"input": gift}, token=token))["createGift"]
    knows = next(row["props"] for row in made.rels["KNOWS"][2] if row["b"] == recipient["uid"])
    assert (
        created["recipients"]["nodes"][0]["relationship"]["giftsGivenCount"] == knows["gifts_given_count"] + 1
    )
    # "books" is a generated gift category: the concept is found, not made twice.
    assert created["tags"] == {"nodes": [{"name": "books"}]}
    events = await client.data("{ events { nodes { sequence kind } } }", token=token)
    assert events["events"]["nodes"] == [
        {"sequence": 1, "kind": "UserSignedUp"},
        {"sequence": 2, "kind": "LoggedIn"},  # a login is an event of its own
        {"sequence": 3, "kind": "GiftCreated"},
        {"sequence": 4, "kind": "GiftOutcomeCreated"},
    ]


def test_the_same_seed_makes_the_same_graph_and_another_seed_another() -> None:
    assert user_graph(SEED, 3, "h") == user_graph(SEED, 3, "h")
    assert user_graph(SEED, 3, "h").nodes["Recipient"] != user_graph(SEED + 1, 3, "h").nodes["Recipient"]
    assert user_graph(SEED, 3, "h").user["uid"] != user_graph(SEED, 4, "h").user["uid"]


async def test_every_bench_operation_answers_on_the_generated_graph(
    graph: Graph, client: GraphQLClient
) -> None:
    """The instrument keeps up with the API: each operation the bench times runs without an error for a
    generated user, with the ids the bench draws, and answers what its comparison reads."""
    await load(graph, users=2, seed=SEED)
    tokens = {index: await log_in(client, index) for index in range(2)}
    for sample in await api.samples(graph, users=2, count=2, seed=SEED):
        email = await _email_of(graph, sample.owner)
        index = next(i for i in range(2) if email_of(i) == email)
        for operation in OPERATIONS:
            variables = operation.variables(sample)["kindred"]
            data = await client.data(operation.kindred, variables, token=tokens[index])
            operation.same("kindred", data)  # reads the fields it compares: a missing one raises


async def _email_of(graph: Graph, uid: str) -> str:
    async with graph.driver.session() as session:
        record = await (
            await session.run("MATCH (u:User {uid: $uid}) RETURN u.email AS email", uid=uid)
        ).single()
    return record["email"]
