"""shortestPath between any two of the viewer's nodes, and the Neo4j round trips of a nested query."""

import pytest

from graph.driver import Graph
from tests.client import GraphQLClient
from tests.test_recipients import create as create_recipient

PATH = """query ($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b) {
  length steps { type } nodes { __typename ... on Recipient { name } ... on Concept { name } } } }"""
LINK = "mutation ($a: ID!, $b: ID!, $t: LinkType!) { link(from: $a, to: $b, type: $t) { changed } }"
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
    assert [step["type"] for step in path["steps"]] == ["INTERESTED_IN", "INTERESTED_IN"]
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
            "type": "BIRTHDAY",
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
    before = graph.transactions
    data = await client.data(NESTED, token=token)
    trips = graph.transactions - before
    edges = data["recipients"]["edges"]
    assert len(edges) == people
    assert all(
        len(e["node"]["gifts"]["nodes"]) == 1 and e["node"]["gifts"]["nodes"][0]["outcome"] for e in edges
    )
    assert all(
        len(e["node"]["occasions"]["nodes"]) == 1 and len(e["node"]["interests"]["nodes"]) == 1 for e in edges
    )
    # One page of recipients, one batch per nested list, one batch for the outcomes: 5, however many rows.
    assert trips == 5
