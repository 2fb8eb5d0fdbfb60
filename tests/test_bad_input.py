"""Bad input, by class: each answered with a coded error, and nothing written (node counts and the event
log unchanged). The cases are generated from the schema where a class is large."""

import base64
import json
from typing import Any

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLObjectType,
    get_named_type,
    is_abstract_type,
)

from graph.driver import Graph
from schema import build_schema
from settings import Settings
from tests.client import GraphQLClient
from tests.test_recipients import create as create_recipient

SCHEMA = build_schema(Settings(_env_file=None))._schema


async def _snapshot(graph: Graph) -> tuple[int, int]:
    """How many nodes (events included) the graph holds, and the highest event sequence."""
    async with graph.driver.session() as session:
        record = await (
            await session.run(
                "MATCH (n) WHERE NOT n:Migration "
                "RETURN count(n) AS nodes, max(CASE WHEN n:Event THEN n.sequence END) AS events"
            )
        ).single()
    return record["nodes"], record["events"] or 0


async def _world(client: GraphQLClient, token: str) -> dict[str, str]:
    """One node of every kind the update mutations change: their ids, by input type."""
    person = await create_recipient(client, token, "Robin")
    occasion = await client.data(
        "mutation ($i: CreateOccasionInput!) { createOccasion(input: $i) { id } }",
        {"i": {"name": "Day", "kind": "BIRTHDAY", "date": "2000-02-29", "budgetMaxCents": 5000}},
        token=token,
    )
    gift = await client.data(
        "mutation ($i: CreateGiftInput!) { createGift(input: $i) { id } }",
        {"i": {"name": "Kite", "recipientIds": [person["id"]]}},
        token=token,
    )
    memory = await client.data(
        "mutation ($i: CreateMemoryInput!) { createMemory(input: $i) { id } }",
        {"i": {"kind": "EPISODIC", "content": "A walk", "tags": ["a"]}},
        token=token,
    )
    conflict = await client.data(
        "mutation ($i: CreateConflictInput!) { createConflict(input: $i) { id } }",
        {"i": {"recipientId": person["id"], "startedAt": "2024-05-01T10:00:00Z"}},
        token=token,
    )
    concept = await client.data('mutation { createConcept(input: {name: "tea"}) { id } }', token=token)
    insight = await client.data(
        "mutation ($i: CreateInsightInput!) { createInsight(input: $i) { id } }",
        {"i": {"category": "FACT", "statement": "Robin flies kites", "recipientIds": [person["id"]]}},
        token=token,
    )
    conversation = await client.data(
        "mutation ($i: CreateConversationInput!) { createConversation(input: $i) { id } }",
        {"i": {"purpose": "GIFT_SEARCH", "aboutId": person["id"], "giftSession": {"budgetCents": 100}}},
        token=token,
    )
    series = await client.data(
        "mutation ($i: CreateSeriesInput!) { createSeries(input: $i) { id } }",
        {"i": {"name": "Robin's kite flights", "kind": "OTHER", "aboutId": person["id"]}},
        token=token,
    )
    cycle = await client.data(
        'mutation { createCycleEntry(input: {date: "2024-05-01", eventType: PERIOD_START}) { id } }',
        token=token,
    )
    intimacy = await client.data("mutation { createIntimacyEntry(input: {kind: OTHER}) { id } }", token=token)
    template = await client.data(
        "mutation ($i: CreateChallengeTemplateInput!) { createChallengeTemplate(input: $i) { id } }",
        {
            "i": {
                "name": "Fly a kite",
                "dimensions": [{"dimension": "world_act", "amount": 1}],
                "status": "DRAFT",
            }
        },
        token=token,
    )
    return {
        "UpdateChallengeTemplateInput": template["createChallengeTemplate"]["id"],
        "UpdateCycleEntryInput": cycle["createCycleEntry"]["id"],
        "UpdateIntimacyEntryInput": intimacy["createIntimacyEntry"]["id"],
        "UpdateRecipientInput": person["id"],
        "UpdateOccasionInput": occasion["createOccasion"]["id"],
        "UpdateGiftInput": gift["createGift"]["id"],
        "UpdateMemoryInput": memory["createMemory"]["id"],
        "UpdateConflictInput": conflict["createConflict"]["id"],
        "UpdateConceptInput": concept["createConcept"]["id"],
        "UpdateInsightInput": insight["createInsight"]["id"],
        "UpdateConversationInput": conversation["createConversation"]["id"],
        "UpdateSeriesInput": series["createSeries"]["id"],
    }


def _updates() -> list[tuple[str, str, str, str | None]]:
    """(mutation, input type, field, nested field) for every field of every update input."""
    cases = []
    for name, field in SCHEMA.mutation_type.fields.items():
        if not name.startswith("update") or "input" not in field.args:
            continue
        kind = field.args["input"].type.of_type
        for input_field, definition in kind.fields.items():
            if input_field == "id":
                continue
            nested = definition.type
            if isinstance(nested, GraphQLInputObjectType):
                cases += [(name, kind.name, input_field, inner) for inner in nested.fields]
            cases.append((name, kind.name, input_field, None))
    return cases


def _scalars(type_name: str) -> str:
    """A selection of every scalar field of an output type (and of its plain object fields)."""
    kind = SCHEMA.get_type(type_name)
    assert isinstance(kind, GraphQLObjectType)
    parts = []
    for name, field in kind.fields.items():
        inner = get_named_type(field.type)  # a list of objects (a memory's mentions) as its objects
        if field.args:
            continue
        if isinstance(inner, GraphQLObjectType):
            if not any(arg for arg in inner.fields.values() if arg.args) and "Connection" not in inner.name:
                parts.append(f"{name} {{ {_scalars(inner.name)} }}")
            continue
        if is_abstract_type(inner):  # an interface (a mention's node) is selected by fragments
            continue
        parts.append(name)
    return " ".join(parts)


UPDATES = _updates()


@pytest.mark.parametrize(("mutation", "input_type", "field", "nested"), UPDATES)
async def test_null_never_breaks_a_node_it_is_refused_or_clears(
    client: GraphQLClient, graph: Graph, mutation: str, input_type: str, field: str, nested: str | None
) -> None:
    token = await client.sign_up(f"nulls-{mutation}-{field}-{nested}@example.com".lower())
    ids = await _world(client, token)
    node_type = input_type.removeprefix("Update").removesuffix("Input")
    value: Any = {nested: None} if nested else None
    before = await _snapshot(graph)
    query = f"mutation ($i: {input_type}!) {{ {mutation}(input: $i) {{ id }} }}"
    answer = await client.execute(query, {"i": {"id": ids[input_type], field: value}}, token=token)
    if answer.get("errors"):
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["BAD_USER_INPUT"], answer
        assert await _snapshot(graph) == before
    # Whatever the answer, the node still reads whole, and so does the list it is in.
    read = f"query ($id: ID!) {{ node(id: $id) {{ ... on {node_type} {{ {_scalars(node_type)} }} }} }}"
    assert (await client.data(read, {"id": ids[input_type]}, token=token))["node"]


async def test_a_check_across_two_fields_compares_with_what_is_stored(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("stored@example.com")
    ids = await _world(client, token)
    before = await _snapshot(graph)
    cases = [
        ("updateConflict", "UpdateConflictInput", {"endedAt": "2024-04-30T10:00:00Z"}, "endedAt"),
        ("updateOccasion", "UpdateOccasionInput", {"budgetMinCents": 6000}, "budgetMinCents"),
    ]
    for mutation, input_type, changes, field in cases:
        query = f"mutation ($i: {input_type}!) {{ {mutation}(input: $i) {{ id }} }}"
        error = await client.error(query, {"i": {"id": ids[input_type], **changes}}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert await _snapshot(graph) == before


def _cursor(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode("utf-8", "surrogatepass")).decode().rstrip("=")


FORGED = [
    _cursor(json.dumps([[2**70], "x"])),  # a number beyond 64 bits
    _cursor('[["\\ud800"], "x"]'),  # a lone surrogate
    _cursor("[" * 5000 + "]" * 5000),  # deep nesting
    _cursor(json.dumps([[{"t": 1}], "x"])),  # a tagged value of the wrong shape
    _cursor(json.dumps([[1, 2, 3, 4], "x"])),  # a cursor of another ordering
    _cursor(json.dumps([[1], 7])),
    "not a cursor at all",
    "A" * 10_000,
]
LISTS = [
    name
    for name, field in SCHEMA.query_type.fields.items()
    if getattr(getattr(field.type, "of_type", field.type), "name", "").endswith("Connection")
    and "after" in field.args
]


@pytest.mark.parametrize("field", LISTS)
async def test_a_forged_cursor_is_bad_user_input_on_every_list(client: GraphQLClient, field: str) -> None:
    token = await client.sign_up(f"cursors-{field}@example.com".lower())
    required = {"timeline": '(id: "UmVjaXBpZW50OjE=", '}
    opening = required.get(field, "(")
    for cursor in FORGED:
        for argument in ("after", "before"):
            query = f"query ($c: String) {{ {field}{opening}{argument}: $c) {{ totalCount }} }}"
            error = await client.error(query, {"c": cursor}, token=token)
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": argument}, (cursor[:40], error)


NOT_NODES = [
    base64.b64encode(ref.encode()).decode()
    for ref in ("User:x", "ApiKey:x", "Event:x", "Nope:x", "Recipient:", ":x", "Connection:x", "Node:x")
]


async def test_ids_of_things_that_are_no_node_find_nothing(client: GraphQLClient) -> None:
    token = await client.sign_up("not-nodes@example.com")
    person = await create_recipient(client, token, "Kim")
    for global_id in NOT_NODES:
        assert (
            await client.data("query ($id: ID!) { node(id: $id) { id } }", {"id": global_id}, token=token)
        )["node"] is None
        found = await client.data(
            "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            {"ids": [global_id, person["id"]]},
            token=token,
        )
        assert found["nodes"] == [None, {"id": person["id"]}]
        for a, b in ((global_id, person["id"]), (person["id"], global_id), (global_id, global_id)):
            path = "query ($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b) { length } }"
            assert (await client.data(path, {"a": a, "b": b}, token=token))["shortestPath"] is None


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00+00:00"),
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00+00:00"),
        ("2024-05-01T10:00:00", None),  # no time zone: refused, not guessed
        ("9999-12-31T23:59:59-14:00", None),  # beyond the year 9999 in UTC
        ("0001-01-01T00:00:00+14:00", None),  # before the year 1 in UTC
        ("yesterday", None),
        ("2024-13-01T00:00:00Z", None),
    ],
)
async def test_datetimes_need_a_time_zone_and_are_kept_in_utc(
    client: GraphQLClient, graph: Graph, value: str, stored: str | None
) -> None:
    token = await client.sign_up(f"time-{abs(hash(value))}@example.com")
    person = await create_recipient(client, token, "Lee")
    query = "mutation ($i: CreateConflictInput!) { createConflict(input: $i) { startedAt } }"
    variables = {"i": {"recipientId": person["id"], "startedAt": value}}
    if stored is not None:
        assert (await client.data(query, variables, token=token))["createConflict"]["startedAt"] == stored
        return
    before = await _snapshot(graph)
    assert (await client.error(query, variables, token=token))["extensions"]["code"] == "BAD_USER_INPUT"
    inline = f'{{ memories(filter: {{since: "{value}"}}) {{ totalCount }} }}'
    assert (await client.error(inline, token=token))["extensions"]["code"] in (
        "BAD_USER_INPUT",
        "GRAPHQL_VALIDATION_FAILED",
    )
    assert await _snapshot(graph) == before


JSON_SHAPES = ["a string", [1, 2], [[1, [2]]], [{"a": 1}], 2**70, {"deep": {"x": 1}}, {"n": 2**70}, {"": 1}]


async def test_json_arguments_of_the_wrong_shape_are_bad_user_input(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("json-shapes@example.com")
    person = await create_recipient(client, token, "Ash")
    tea = (await client.data('mutation { createConcept(input: {name: "tea"}) { id } }', token=token))[
        "createConcept"
    ]
    link = "mutation ($a: ID!, $b: ID!, $p: JSON) { link(from: $a, to: $b, kind: INTERESTED_IN, properties: $p) { changed } }"
    update = "mutation ($i: UpdateRecipientInput!) { updateRecipient(input: $i) { id } }"
    before = await _snapshot(graph)
    for shape in JSON_SHAPES:
        error = await client.error(link, {"a": person["id"], "b": tea["id"], "p": shape}, token=token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (shape, error)
        if not isinstance(shape, dict):
            for field in ("preferences", "personalityTraits", "lifeContext"):
                error = await client.error(update, {"i": {"id": person["id"], field: shape}}, token=token)
                assert error["extensions"]["code"] == "BAD_USER_INPUT", (shape, error)
    huge = {"notes": "x" * 30_000}
    error = await client.error(update, {"i": {"id": person["id"], "preferences": huge}}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "preferences"}
    # Nested far past the bound (the depth check once recursed until Python's limit: a 500).
    deep: dict[str, Any] = {}
    for _ in range(500):
        deep = {"a": deep}
    error = await client.error(update, {"i": {"id": person["id"], "preferences": deep}}, token=token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "preferences"}
    assert await _snapshot(graph) == before


def _string_fields() -> list[tuple[str, str, tuple[str, ...], bool]]:
    """(mutation, input type, path, is a list) for every String and [String] field of every create and
    update input, nested inputs included."""
    cases = []

    def walk(mutation: str, input_type: str, kind: Any, path: tuple[str, ...]) -> None:
        for name, definition in kind.fields.items():
            inner, is_list = definition.type, False
            while hasattr(inner, "of_type"):
                is_list = is_list or type(inner).__name__ == "GraphQLList"
                inner = inner.of_type
            if isinstance(inner, GraphQLInputObjectType) and len(path) < 2:
                walk(mutation, input_type, inner, (*path, name))
            elif getattr(inner, "name", None) == "String":
                cases.append((mutation, input_type, (*path, name), is_list))

    for name, field in SCHEMA.mutation_type.fields.items():
        if name.startswith(("create", "update", "append")) and "input" in field.args:
            kind = field.args["input"].type.of_type
            walk(name, kind.name, kind, ())
    return cases


def _valid(input_type: str, ids: dict[str, str]) -> dict[str, Any]:
    """The smallest input of a type that succeeds, given the ids of one node of every kind."""
    if input_type.startswith("Update"):
        return {"id": ids[input_type]}
    return {
        "CreateRecipientInput": {"name": "Pat", "relationship": {"kind": "FRIEND"}},
        "CreateOccasionInput": {"name": "Day", "kind": "OTHER", "date": "2020-01-01"},
        "CreateGiftInput": {
            "name": "Kite",
            "outcome": {"success": 0.5},
            "giving": {},
            "newRecipient": {"name": "Quinn", "relationship": {"kind": "FRIEND"}},
            "newOccasion": {"name": "Party", "kind": "OTHER", "date": "2024-05-01"},
        },
        "CreateMemoryInput": {"kind": "EPISODIC", "content": "A walk"},
        "CreateConflictInput": {"recipientId": ids["UpdateRecipientInput"]},
        "ConceptInput": {"name": "tea"},
        "CreateInsightInput": {"category": "FACT", "statement": "A fact"},
        "CreateObservationInput": {"content": "Seen", "source": "OTHER"},
        "CreateConversationInput": {"purpose": "OTHER"},
        "CreateSeriesInput": {"name": "Steps", "kind": "OTHER"},
        "CreateCycleEntryInput": {"date": "2024-05-01", "eventType": "SYMPTOM"},
        "CreateIntimacyEntryInput": {"kind": "OTHER"},
        "CreateChallengeTemplateInput": {
            "name": "Fly",
            "dimensions": [{"dimension": "self_act", "amount": 1}],
        },
        "AppendMessageInput": {
            "conversationId": ids["UpdateConversationInput"],
            "role": "USER",
            "text": "Hi",
        },
    }[input_type]


def _with(values: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    values = json.loads(json.dumps(values))
    target = values
    for name in path[:-1]:
        target = target.setdefault(name, {})
        if isinstance(target, list):  # a list of input objects (a template's dimensions): its first
            target = target[0]
    target[path[-1]] = value
    return values


TEXTS = [case for case in _string_fields() if not case[2][-1].endswith("Id")]


@pytest.mark.parametrize(("mutation", "input_type", "path", "is_list"), TEXTS)
async def test_every_text_is_bounded_and_names_hold_no_control_characters(
    client: GraphQLClient, graph: Graph, mutation: str, input_type: str, path: tuple[str, ...], is_list: bool
) -> None:
    token = await client.sign_up(f"texts-{mutation}-{'-'.join(path)}@example.com".lower())
    ids = await _world(client, token)
    before = await _snapshot(graph)
    query = f"mutation ($i: {input_type}!) {{ {mutation}(input: $i) {{ id }} }}"
    bad_values: list[Any] = ["x" * 100_001, "a\x00b", "line\x1bescape"]
    if is_list:
        bad_values = [[bad] for bad in bad_values] + [[f"t{i}" for i in range(1_000)]]
    for bad in bad_values:
        variables = {"i": _with(_valid(input_type, ids), path, bad)}
        error = await client.error(query, variables, token=token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (path, str(bad)[:20], error)
    assert await _snapshot(graph) == before
