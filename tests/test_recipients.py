"""Recipients and the KNOWS relationship: create, read, filter, order, page, update, delete, isolation."""

from typing import Any

import pytest

from graph.driver import Graph
from tests.client import GraphQLClient

FIELDS = """
id name nickname location preferences
relationship { kind label since importance closeness emotionalWarmth communicationChannels giftsGivenCount }
"""
CREATE = f"mutation ($input: CreateRecipientInput!) {{ createRecipient(input: $input) {{ {FIELDS} }} }}"
UPDATE = f"mutation ($input: UpdateRecipientInput!) {{ updateRecipient(input: $input) {{ {FIELDS} }} }}"
DELETE = "mutation ($id: ID!) { deleteRecipient(id: $id) { deletedId deletedCount } }"
NODE = f"query ($id: ID!) {{ node(id: $id) {{ ... on Recipient {{ {FIELDS} }} }} }}"
LIST = """
query ($filter: RecipientFilter, $order: [RecipientOrder!], $first: Int, $after: String, $last: Int,
       $before: String) {
  recipients(filter: $filter, orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { name relationship { importance kind } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
COUNT = "query ($filter: RecipientFilter) { recipients(filter: $filter, first: 1) { totalCount } }"


async def create(client: GraphQLClient, token: str, name: str, **relationship: Any) -> dict[str, Any]:
    rel = {"kind": "FRIEND", **relationship}
    data = await client.data(CREATE, {"input": {"name": name, "relationship": rel}}, token=token)
    return data["createRecipient"]


async def test_a_recipient_is_created_with_the_relationship_and_read_back_by_its_id(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("ann@example.com")
    made = (
        await client.data(
            CREATE,
            {
                "input": {
                    "name": " Mom ",
                    "nickname": "Ma",
                    "location": "Lisbon",
                    "preferences": {"likes": ["tea", "gardening"], "allergies": ["nuts"]},
                    "relationship": {
                        "kind": "FAMILY",
                        "label": "mother",
                        "since": "1992-03-15",
                        "importance": 10,
                        "closeness": 9,
                        "emotionalWarmth": 0.95,
                        "communicationChannels": ["phone", "text"],
                    },
                }
            },
            token=token,
        )
    )["createRecipient"]
    assert made["name"] == "Mom"
    assert made["preferences"] == {"likes": ["tea", "gardening"], "allergies": ["nuts"]}
    assert made["relationship"] == {
        "kind": "FAMILY",
        "label": "mother",
        "since": "1992-03-15",
        "importance": 10,
        "closeness": 9,
        "emotionalWarmth": 0.95,
        "communicationChannels": ["phone", "text"],
        "giftsGivenCount": 0,
    }
    read = (await client.data(NODE, {"id": made["id"]}, token=token))["node"]
    assert read == made


@pytest.mark.parametrize(
    ("relationship", "field"),
    [
        ({"importance": 11}, "importance"),
        ({"importance": 0}, "importance"),
        ({"closeness": 12}, "closeness"),
        ({"emotionalWarmth": 1.5}, "emotionalWarmth"),
        ({"conflictLevel": -0.1}, "conflictLevel"),
    ],
)
async def test_scores_out_of_range_are_refused_and_nothing_is_written(
    client: GraphQLClient, graph: Graph, relationship: dict[str, Any], field: str
) -> None:
    token = await client.sign_up("ranges@example.com")
    variables = {"input": {"name": "X", "relationship": {"kind": "FRIEND", **relationship}}}
    error = await client.error(CREATE, variables, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    async with graph.driver.session() as session:
        query = "MATCH (n) WHERE n:Recipient OR (n:Event AND n.kind <> 'UserSignedUp') RETURN count(n) AS n"
        record = await (await session.run(query)).single()
    assert record["n"] == 0


async def test_recipients_filter_by_type_importance_and_name(client: GraphQLClient) -> None:
    token = await client.sign_up("filters@example.com")
    await create(client, token, "Alice Smith", kind="FAMILY", importance=9)
    await create(client, token, "Bob", kind="FRIEND", importance=6)
    await create(client, token, "Carla", kind="COLLEAGUE", importance=3)
    await create(client, token, "alicia", kind="FRIEND", importance=8)

    async def names(filter: dict[str, Any]) -> list[str]:
        data = await client.data(LIST, {"filter": filter}, token=token)
        return [edge["node"]["name"] for edge in data["recipients"]["edges"]]

    assert await names({"relationshipKinds": ["FRIEND"]}) == ["Bob", "alicia"]
    assert await names({"importanceAtLeast": 6, "importanceAtMost": 8}) == ["Bob", "alicia"]
    assert await names({"nameContains": "ALI"}) == ["Alice Smith", "alicia"]
    assert await names({"relationshipKinds": ["FAMILY", "COLLEAGUE"], "importanceAtLeast": 5}) == [
        "Alice Smith"
    ]
    count = await client.data(COUNT, {"filter": {"relationshipKinds": ["FRIEND"]}}, token=token)
    assert count["recipients"]["totalCount"] == 2


async def test_pages_follow_keyset_cursors_forward_and_backward(client: GraphQLClient) -> None:
    token = await client.sign_up("pages@example.com")
    for index, name in enumerate(["Eve", "Dan", "Cy", "Bea", "Al"]):
        await create(client, token, name, importance=1 + index % 3)
    order = {"field": "IMPORTANCE", "direction": "DESC"}

    seen, after = [], None
    while True:
        page = (await client.data(LIST, {"order": order, "first": 2, "after": after}, token=token))[
            "recipients"
        ]
        seen += [(e["node"]["relationship"]["importance"], e["node"]["name"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [importance for importance, _ in seen] == [3, 2, 2, 1, 1]
    assert len({name for _, name in seen}) == 5

    last_two = (await client.data(LIST, {"order": order, "last": 2}, token=token))["recipients"]
    assert [(e["node"]["relationship"]["importance"], e["node"]["name"]) for e in last_two["edges"]] == seen[
        -2:
    ]
    assert last_two["pageInfo"]["hasPreviousPage"] is True
    before = last_two["pageInfo"]["startCursor"]
    earlier = (await client.data(LIST, {"order": order, "last": 2, "before": before}, token=token))[
        "recipients"
    ]
    assert [(e["node"]["relationship"]["importance"], e["node"]["name"]) for e in earlier["edges"]] == seen[
        1:3
    ]


async def test_a_new_recipient_does_not_shift_a_page_already_read(client: GraphQLClient) -> None:
    token = await client.sign_up("stable@example.com")
    for name in ("B", "D", "F"):
        await create(client, token, name)
    first = (await client.data(LIST, {"first": 2}, token=token))["recipients"]
    await create(client, token, "A")  # sorts before everything already read
    rest = (await client.data(LIST, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=token))[
        "recipients"
    ]
    assert [e["node"]["name"] for e in rest["edges"]] == ["F"]


async def test_a_cursor_that_kindred_did_not_give_is_refused(client: GraphQLClient) -> None:
    token = await client.sign_up("cursor@example.com")
    error = await client.error(LIST, {"first": 2, "after": "bm9wZQ"}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_update_changes_only_what_is_given_and_null_clears(client: GraphQLClient) -> None:
    token = await client.sign_up("update@example.com")
    made = await create(client, token, "Sam", importance=4, label="neighbour")
    changes = {"id": made["id"], "nickname": "Sammy", "relationship": {"importance": 7, "label": None}}
    updated = (await client.data(UPDATE, {"input": changes}, token=token))["updateRecipient"]
    assert updated["nickname"] == "Sammy"
    assert updated["name"] == "Sam"
    assert updated["relationship"]["importance"] == 7
    assert updated["relationship"]["label"] is None
    assert updated["relationship"]["kind"] == "FRIEND"


async def test_delete_removes_the_recipient_and_the_log_keeps_its_timeline(client: GraphQLClient) -> None:
    token = await client.sign_up("delete@example.com")
    made = await create(client, token, "Gone")
    await client.data(UPDATE, {"input": {"id": made["id"], "location": "Porto"}}, token=token)
    deleted = (await client.data(DELETE, {"id": made["id"]}, token=token))["deleteRecipient"]
    assert deleted == {"deletedId": made["id"], "deletedCount": 1}
    assert (await client.data(NODE, {"id": made["id"]}, token=token))["node"] is None

    timeline = await client.data(
        "query ($id: ID!) { timeline(id: $id) { nodes { sequence kind nodeIds } } }",
        {"id": made["id"]},
        token=token,
    )
    kinds = [event["kind"] for event in timeline["timeline"]["nodes"]]
    assert kinds == ["RecipientCreated", "RecipientUpdated", "RecipientDeleted"]
    sequences = [event["sequence"] for event in timeline["timeline"]["nodes"]]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    assert all(made["id"] in event["nodeIds"] for event in timeline["timeline"]["nodes"])


async def test_events_after_a_sequence_number_continue_where_a_client_left_off(client: GraphQLClient) -> None:
    token = await client.sign_up("events@example.com")
    for name in ("One", "Two", "Three"):
        await create(client, token, name)
    everything = (await client.data("{ events { nodes { sequence kind } } }", token=token))["events"]["nodes"]
    assert [(e["sequence"], e["kind"]) for e in everything] == [
        (1, "UserSignedUp"),
        (2, "RecipientCreated"),
        (3, "RecipientCreated"),
        (4, "RecipientCreated"),
    ]
    rest = (await client.data("{ events(filter: {afterSequence: 2}) { nodes { sequence } } }", token=token))[
        "events"
    ]["nodes"]
    assert [e["sequence"] for e in rest] == [3, 4]


async def test_another_user_can_neither_see_nor_change_a_recipient(client: GraphQLClient) -> None:
    owner = await client.sign_up("owner@example.com")
    other = await client.sign_up("other@example.com")
    made = await create(client, owner, "Private Person")

    assert (await client.data(NODE, {"id": made["id"]}, token=other))["node"] is None
    nodes = await client.data(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [made["id"]]}, token=other
    )
    assert nodes["nodes"] == [None]
    assert (await client.data(LIST, {}, token=other))["recipients"]["edges"] == []
    assert (await client.data(COUNT, {}, token=other))["recipients"]["totalCount"] == 0
    timeline = await client.data(
        "query ($id: ID!) { timeline(id: $id) { nodes { kind } } }", {"id": made["id"]}, token=other
    )
    assert timeline["timeline"]["nodes"] == []
    assert (await client.data("{ events { nodes { kind } } }", token=other))["events"]["nodes"] == [
        {"kind": "UserSignedUp"}
    ]

    update = await client.error(UPDATE, {"input": {"id": made["id"], "name": "Mine now"}}, token=other)
    delete = await client.error(DELETE, {"id": made["id"]}, token=other)
    assert update["extensions"]["code"] == delete["extensions"]["code"] == "NOT_FOUND"
    assert (await client.data(NODE, {"id": made["id"]}, token=owner))["node"]["name"] == "Private Person"


async def test_an_id_of_another_type_is_refused(client: GraphQLClient) -> None:
    token = await client.sign_up("types@example.com")
    import base64

    wrong = base64.b64encode(b"Occasion:123").decode()
    error = await client.error(DELETE, {"id": wrong}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}


async def test_an_id_that_is_no_global_id_is_bad_user_input(client: GraphQLClient) -> None:
    token = await client.sign_up("noid@example.com")
    for query in ('{ node(id: "") { id } }', '{ timeline(id: "not base64!") { nodes { kind } } }'):
        error = await client.error(query, token=token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", query
