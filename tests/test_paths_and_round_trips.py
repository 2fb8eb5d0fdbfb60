"""shortestPath between any two of the viewer's nodes, and the Neo4j round trips of a nested query."""

import pytest

from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_recipients import create as create_recipient

PATH = """query ($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b) {
  length steps { kind } nodes { __typename ... on Recipient { name } ... on Concept { name } } } }"""
LINK = "mutation ($a: ID!, $b: ID!, $t: LinkKind!) { link(from: $a, to: $b, kind: $t) { changed } }"
CONCEPT = "mutation ($n: String!) { createConcept(input: {name: $n}) { id } }"


async def test_the_shortest_path_between_two_people_goes_through_what_they_share(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("paths@example.com")
    ana, ben, cy = [await create_recipient(client, token, name) for name in ("Ana", "Ben", "Cy")]
    chess = (await client.data(CONCEPT, {"n": "chess"}, token=token))["createConcept"]
    await client.data(LINK, {"a": ana["id"], "b": chess["id"], "t": "INTERESTED_IN"}, token=token)
    await client.data(LINK, {"a": ben["id"], "b": chess["id"], "t": "INTERESTED_IN"}, token=token)

    path = (await client.data(PATH, {"a": ana["id"], "b": ben["id"]}, token=token))["shortestPath"]
    assert path["length"] == 2
    assert [step["kind"] for step in path["steps"]] == ["INTERESTED_IN", "INTERESTED_IN"]
    assert path["nodes"] == [
        {"__typename": "Recipient", "name": "Ana"},
        {"__typename": "Concept", "name": "chess"},
        {"__typename": "Recipient", "name": "Ben"},
    ]
    # Everyone knows the viewer, but a path never runs through the viewer's own account.
    assert (await client.data(PATH, {"a": ana["id"], "b": cy["id"]}, token=token))["shortestPath"] is None


async def test_no_path_reaches_into_another_users_graph(client: GraphQLClient) -> None:
    owner = await client.sign_up("path-owner@example.com")
    other = await client.sign_up("path-other@example.com")
    mine = await create_recipient(client, owner, "Mine")
    theirs = await create_recipient(client, other, "Theirs")
    assert (await client.data(PATH, {"a": mine["id"], "b": theirs["id"]}, token=other))[
        "shortestPath"
    ] is None
    assert (await client.data(PATH, {"a": theirs["id"], "b": mine["id"]}, token=other))[
        "shortestPath"
    ] is None


NESTED = """{ recipients(first: 100) { edges { node {
  name relationship { importance }
  gifts(first: 5) { nodes { name outcome { success } } }
  occasions(first: 5) { nodes { name nextOccurrence } }
  interests(first: 5) { nodes { name } } } } } }"""


async def _network(client: GraphQLClient, token: str, people: int) -> None:
    for index in range(people):
        person = await create_recipient(client, token, f"Person {index:02d}")
        gift = {
            "name": f"Gift {index}",
            "recipientIds": [person["id"]],
            "outcome": {"success": 0.5},
            "tags": [f"tag {index % 3}"],
        }
        await client.data(
            "mutation ($g: CreateGiftInput!) { createGift(input: $g) { id } }", {"g": gift}, token=token
        )
        occasion = {
            "name": f"Birthday {index}",
            "kind": "BIRTHDAY",
            "date": "1990-01-01",
            "recurring": True,
            "recipientIds": [person["id"]],
        }
        await client.data(
            "mutation ($o: CreateOccasionInput!) { createOccasion(input: $o) { id } }",
            {"o": occasion},
            token=token,
        )
        concept = (await client.data(CONCEPT, {"n": f"interest {index % 7}"}, token=token))["createConcept"]
        await client.data(LINK, {"a": person["id"], "b": concept["id"], "t": "INTERESTED_IN"}, token=token)


@pytest.mark.parametrize("people", [5, 50])
async def test_a_nested_query_costs_the_same_round_trips_for_5_or_50_recipients(
    client: GraphQLClient, graph: Graph, people: int
) -> None:
    token = await client.sign_up(f"n-plus-one-{people}@example.com")
    await _network(client, token, people)
    before, statements = graph.transactions, graph.statements
    data = await client.data(NESTED, token=token)
    trips = graph.transactions - before
    assert graph.statements - statements == trips  # one statement in each
    edges = data["recipients"]["edges"]
    assert len(edges) == people
    assert all(
        len(e["node"]["gifts"]["nodes"]) == 1 and e["node"]["gifts"]["nodes"][0]["outcome"] for e in edges
    )
    assert all(
        len(e["node"]["occasions"]["nodes"]) == 1 and len(e["node"]["interests"]["nodes"]) == 1 for e in edges
    )
    # Compiled (KINDRED_COMPILED_READS, on): the whole query is one statement, however many rows. Field by
    # field it would be one page of recipients, one batch per nested list, one for the outcomes: 5.
    assert trips == 1


CREATE_GIFT = (
    "mutation ($g: CreateGiftInput!) { createGift(input: $g) { id tags(first: 20) { nodes { name } } } }"
)


async def _statements(graph: Graph, client: GraphQLClient, query: str, variables: dict, token: str) -> int:
    before = graph.statements
    made = await client.data(query, variables, token=token)
    assert len(made["createGift"]["tags"]["nodes"]) == len(variables["g"]["tags"])
    return graph.statements - before


@pytest.mark.parametrize("tags", [3, 12])
async def test_create_gift_runs_the_same_statements_however_many_tags_it_has(
    client: GraphQLClient, graph: Graph, tags: int
) -> None:
    token = await client.sign_up(f"gift-statements-{tags}@example.com")
    person = await create_recipient(client, token, "Pat")
    gift = {"name": "Kite", "recipientIds": [person["id"]], "tags": [f"tag {i}" for i in range(tags)]}
    # The gift with its links, how it was given, its tags (made where new), and the log: four statements.
    assert (
        await _statements(graph, client, CREATE_GIFT, {"g": gift}, token) == 4 + 1
    )  # + reading its tags back
    everything = {
        **gift,
        "newRecipient": {"name": "Quinn", "relationship": {"kind": "FRIEND"}},
        "newOccasion": {"name": "Party", "kind": "OTHER", "date": "2024-05-01"},
        "outcome": {"success": 0.9},
    }
    # Also a new person (2), a new occasion (2) and an outcome that updates the relationships (3).
    assert await _statements(graph, client, CREATE_GIFT, {"g": everything}, token) == 4 + 2 + 2 + 3 + 1


async def test_nodes_of_many_kinds_cost_one_query_per_kind(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("nodes-trips@example.com")
    people = [await create_recipient(client, token, f"P{i}") for i in range(6)]
    concepts = [(await client.data(CONCEPT, {"n": f"c{i}"}, token=token))["createConcept"] for i in range(6)]
    ids = [item["id"] for pair in zip(people, concepts, strict=True) for item in pair]
    query = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    before = graph.statements
    found = (await client.data(query, {"ids": ids}, token=token))["nodes"]
    assert [node["id"] for node in found] == ids
    assert graph.statements - before == 2


async def test_a_shortest_path_costs_one_query_and_one_per_kind_on_it(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("path-trips@example.com")
    ana, ben = [await create_recipient(client, token, name) for name in ("Ana", "Ben")]
    chess = (await client.data(CONCEPT, {"n": "chess"}, token=token))["createConcept"]
    for person in (ana, ben):
        await client.data(LINK, {"a": person["id"], "b": chess["id"], "t": "INTERESTED_IN"}, token=token)
    before = graph.statements
    path = (await client.data(PATH, {"a": ana["id"], "b": ben["id"]}, token=token))["shortestPath"]
    assert path["length"] == 2
    assert graph.statements - before == 1 + 2  # the path, then its recipients and its concept
