"""Concepts: one per name per user, typed links with weights, neighbors to a depth, interests."""

from typing import Any

from tests.client import GraphQLClient
from tests.test_recipients import create as create_recipient

CREATE = "mutation ($input: ConceptInput!) { createConcept(input: $input) { id name kind } }"
LINK = """mutation ($from: ID!, $to: ID!, $kind: LinkKind!, $weight: Float, $props: JSON) {
  link(from: $from, to: $to, kind: $kind, weight: $weight, properties: $props) { changed } }"""
UNLINK = "mutation ($from: ID!, $to: ID!, $kind: LinkKind!) { unlink(from: $from, to: $to, kind: $kind) { changed } }"
NEIGHBORS = """query ($id: ID!, $depth: Int) { node(id: $id) { ... on Concept {
  neighbors(depth: $depth) { edges { distance node { name } } } } } }"""


async def neighbors(client: GraphQLClient, token: str, id: str, depth: int) -> list[dict[str, Any]]:
    found = await client.data(NEIGHBORS, {"id": id, "depth": depth}, token=token)
    return [{"distance": e["distance"], "concept": e["node"]} for e in found["node"]["neighbors"]["edges"]]


async def concept(client: GraphQLClient, token: str, name: str, kind: str = "INTEREST") -> dict[str, Any]:
    return (await client.data(CREATE, {"input": {"name": name, "kind": kind}}, token=token))["createConcept"]


async def test_one_concept_per_name_whatever_its_case_and_spacing(client: GraphQLClient) -> None:
    token = await client.sign_up("names@example.com")
    first = await concept(client, token, "Rock  Climbing")
    again = await concept(client, token, " rock climbing ")
    assert again["id"] == first["id"]
    assert first["name"] == "Rock Climbing"
    total = await client.data("{ concepts { totalCount } }", token=token)
    assert total["concepts"]["totalCount"] == 1


async def test_concepts_link_with_weights_and_neighbors_are_found_to_a_depth(client: GraphQLClient) -> None:
    token = await client.sign_up("graph@example.com")
    hiking, outdoors, nature, camping = [
        await concept(client, token, n) for n in ("hiking", "outdoors", "nature", "camping")
    ]
    await client.data(
        LINK, {"from": hiking["id"], "to": outdoors["id"], "kind": "PART_OF", "weight": 0.9}, token=token
    )
    await client.data(LINK, {"from": outdoors["id"], "to": nature["id"], "kind": "RELATED_TO"}, token=token)
    await client.data(LINK, {"from": camping["id"], "to": outdoors["id"], "kind": "PART_OF"}, token=token)

    near = await neighbors(client, token, hiking["id"], 1)
    assert near == [{"distance": 1, "concept": {"name": "outdoors"}}]
    far = await neighbors(client, token, hiking["id"], 2)
    assert far == [
        {"distance": 1, "concept": {"name": "outdoors"}},
        {"distance": 2, "concept": {"name": "camping"}},
        {"distance": 2, "concept": {"name": "nature"}},
    ]
    removed = await client.data(
        UNLINK, {"from": hiking["id"], "to": outdoors["id"], "kind": "PART_OF"}, token=token
    )
    assert removed["unlink"]["changed"] is True
    assert await neighbors(client, token, hiking["id"], 3) == []


async def test_a_recipients_interests_and_a_concepts_people(client: GraphQLClient) -> None:
    token = await client.sign_up("interests@example.com")
    ana = await create_recipient(client, token, "Ana")
    tea = await concept(client, token, "tea")
    await client.data(
        LINK,
        {"from": ana["id"], "to": tea["id"], "kind": "INTERESTED_IN", "props": {"since": 2019}},
        token=token,
    )
    query = """query ($id: ID!) { node(id: $id) { ... on Recipient { interests { nodes { name
      recipients { nodes { name } } } } } } }"""
    data = (await client.data(query, {"id": ana["id"]}, token=token))["node"]["interests"]["nodes"]
    assert data == [{"name": "tea", "recipients": {"nodes": [{"name": "Ana"}]}}]


async def test_a_link_must_join_the_kinds_its_type_names_and_carry_plain_properties(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("kinds@example.com")
    ana = await create_recipient(client, token, "Ana")
    tea = await concept(client, token, "tea")
    wrong = await client.error(
        LINK, {"from": tea["id"], "to": ana["id"], "kind": "INTERESTED_IN"}, token=token
    )
    assert wrong["extensions"] == {"code": "BAD_USER_INPUT", "field": "kind"}
    nested = {"from": ana["id"], "to": tea["id"], "kind": "INTERESTED_IN", "props": {"deep": {"x": 1}}}
    assert (await client.error(LINK, nested, token=token))["extensions"]["field"] == "properties"
    heavy = {"from": ana["id"], "to": tea["id"], "kind": "INTERESTED_IN", "weight": 2.0}
    assert (await client.error(LINK, heavy, token=token))["extensions"]["field"] == "weight"


async def test_nobody_links_to_or_reads_another_users_concepts(client: GraphQLClient) -> None:
    owner = await client.sign_up("mine@example.com")
    other = await client.sign_up("yours@example.com")
    private = await concept(client, owner, "secret hobby")
    theirs = await concept(client, other, "their hobby")
    error = await client.error(
        LINK, {"from": theirs["id"], "to": private["id"], "kind": "RELATED_TO"}, token=other
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await client.data(NEIGHBORS, {"id": private["id"]}, token=other))["node"] is None
    listed = await client.data("{ concepts { nodes { name } } }", token=other)
    assert listed["concepts"]["nodes"] == [{"name": "their hobby"}]
    same_name = await concept(client, other, "secret hobby")
    assert same_name["id"] != private["id"]


async def test_nested_connections_page_backward_too(client: GraphQLClient) -> None:
    token = await client.sign_up("backward@example.com")
    chess = await concept(client, token, "chess")
    for name in ("Ana", "Ben", "Cy"):
        person = await create_recipient(client, token, name)
        await client.data(
            LINK, {"from": person["id"], "to": chess["id"], "kind": "INTERESTED_IN"}, token=token
        )
    query = """query ($id: ID!, $before: String) { node(id: $id) { ... on Concept {
      recipients(last: 2, before: $before) { edges { cursor node { name } } pageInfo { hasPreviousPage startCursor } } } } }"""
    last_two = (await client.data(query, {"id": chess["id"]}, token=token))["node"]["recipients"]
    assert [e["node"]["name"] for e in last_two["edges"]] == ["Ben", "Cy"]
    assert last_two["pageInfo"]["hasPreviousPage"] is True
    first = await client.data(
        query, {"id": chess["id"], "before": last_two["pageInfo"]["startCursor"]}, token=token
    )
    assert [e["node"]["name"] for e in first["node"]["recipients"]["edges"]] == ["Ana"]
