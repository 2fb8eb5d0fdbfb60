"""Generated operations and malformed documents: never a 500, never another user's data.

hypothesis-graphql writes valid (and, in negative mode, invalid) operations from the schema itself; plain
text and broken JSON cover documents no schema would produce. Each runs as one user while another
user's account and API key exist.
"""

import json
from typing import Any

import httpx
import pytest
from graphql import GraphQLInputObjectType, get_named_type
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from graph.driver import Graph
from schema import build_schema
from settings import Settings
from tests.client import GraphQLClient

SCHEMA = build_schema(Settings(_env_file=None))._schema
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")),
    "JSON": st.text(max_size=20).map(nodes.String),
    # A file is a multipart part; in a JSON request whatever stands for one must be refused cleanly.
    "Upload": st.text(max_size=20).map(nodes.String),
}
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def _victim(client: GraphQLClient) -> dict[str, str]:
    """Another user, and what of them must never reach the fuzzing one."""
    token = await client.sign_up("victim@example.com", name="Victoria Secretname")
    created = await client.data(
        'mutation { createApiKey(name: "victim key") { key apiKey { id } } }', token=token
    )
    me = await client.data("{ me { id } }", token=token)
    return {
        "uid": me["me"]["id"],
        "email": "victim@example.com",
        "name": "Victoria Secretname",
        "key id": created["createApiKey"]["apiKey"]["id"],
        "key": created["createApiKey"]["key"],
    }


@pytest.fixture
async def parties(client: GraphQLClient) -> tuple[str, dict[str, str]]:
    victim = await _victim(client)
    return await client.sign_up("fuzzer@example.com"), victim


async def _check(
    client: GraphQLClient, body: Any, token: str, victim: dict[str, str], raw: bool = False
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    content = body if raw else json.dumps(body)
    response = await client.http.post("/graphql", content=content, headers=headers)
    assert response.status_code < 500, response.text
    for what, secret in victim.items():
        assert secret not in response.text, f"the other user's {what} leaked"
    if response.headers["content-type"].startswith("application/json") and response.status_code == 200:
        errors = response.json().get("errors") or []
        assert all(e.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR" for e in errors), errors
        assert all(e.get("extensions", {}).get("code") for e in errors), errors
    return response


@FUZZ
@given(query=from_schema(SCHEMA, mode=Mode.POSITIVE, custom_scalars=SCALARS))
async def test_generated_operations_never_fail_inside_or_leak(
    client: GraphQLClient, parties: tuple[str, dict[str, str]], query: str
) -> None:
    token, victim = parties
    await _check(client, {"query": query}, token, victim)


@FUZZ
@given(query=from_schema(SCHEMA, mode=Mode.NEGATIVE, custom_scalars=SCALARS))
async def test_invalid_operations_are_refused_with_a_code(
    client: GraphQLClient, parties: tuple[str, dict[str, str]], query: str
) -> None:
    token, victim = parties
    await _check(client, {"query": query}, token, victim)


@FUZZ
@given(
    body=st.one_of(
        st.text(max_size=300),
        st.builds(
            lambda q, v: {"query": q, "variables": v},
            st.text(max_size=200),
            st.dictionaries(st.text(), st.integers()),
        ),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda c: st.lists(c) | st.dictionaries(st.text(max_size=10), c),
            max_leaves=10,
        ),
    )
)
async def test_malformed_documents_and_bodies_never_fail_inside(
    client: GraphQLClient, parties: tuple[str, dict[str, str]], body: Any
) -> None:
    token, victim = parties
    await _check(client, {"query": body} if isinstance(body, str) else body, token, victim)


@FUZZ
@given(raw=st.binary(max_size=200))
async def test_bytes_that_are_not_json_never_fail_inside(
    client: GraphQLClient, parties: tuple[str, dict[str, str]], raw: bytes
) -> None:
    token, victim = parties
    await _check(client, raw, token, victim, raw=True)


# JSON and datetime arguments with the wrong shapes, at every place the schema takes one. The places are
# found by walking the schema, so a JSON or DateTime argument added later is fuzzed too (or this fails
# until it has a base below).
def _places(kind: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(root type, root field, path of argument and input fields) of every `kind` the API takes."""
    found: list[tuple[str, str, tuple[str, ...]]] = []

    def walk(root: str, field: str, of: Any, path: tuple[str, ...], seen: frozenset[str]) -> None:
        named = get_named_type(of)
        if named.name == kind:
            found.append((root, field, path))
        elif isinstance(named, GraphQLInputObjectType) and named.name not in seen:
            for name, inner in named.fields.items():
                walk(root, field, inner.type, (*path, name), seen | {named.name})

    for root in (SCHEMA.query_type, SCHEMA.mutation_type):
        assert root is not None
        for field, definition in root.fields.items():
            for argument, value in definition.args.items():
                walk(root.name, field, value.type, (argument,), frozenset())
    return found


# The smallest arguments each field accepts, given the ids of a recipient, a memory, a conflict, an
# insight, a conversation, a series and a challenge template.
BASES: dict[str, Any] = {
    "createRecipient": lambda ids: {"input": {"name": "Fuzz", "relationship": {"kind": "FRIEND"}}},
    "updateRecipient": lambda ids: {"input": {"id": ids["recipient"]}},
    "createGift": lambda ids: {
        "input": {"name": "Fuzz gift", "newRecipient": {"name": "New", "relationship": {"kind": "FRIEND"}}}
    },
    "createMemory": lambda ids: {"input": {"kind": "EPISODIC", "content": "Fuzz"}},
    "updateMemory": lambda ids: {"input": {"id": ids["memory"]}},
    "createConflict": lambda ids: {"input": {"recipientId": ids["recipient"]}},
    "updateConflict": lambda ids: {"input": {"id": ids["conflict"]}},
    "createInsight": lambda ids: {"input": {"category": "FACT", "statement": "Fuzz"}},
    "updateInsight": lambda ids: {"input": {"id": ids["insight"]}},
    "createObservation": lambda ids: {"input": {"content": "Fuzz", "source": "OTHER"}},
    "observations": lambda ids: {"filter": {}},
    "createConversation": lambda ids: {"input": {"purpose": "OTHER"}},
    "updateConversation": lambda ids: {"input": {"id": ids["conversation"]}},
    "appendMessage": lambda ids: {
        "input": {"conversationId": ids["conversation"], "role": "USER", "text": "Hi"}
    },
    "createIntimacyEntry": lambda ids: {"input": {"kind": "OTHER"}},
    "updateIntimacyEntry": lambda ids: {"input": {"id": ids["intimacy"]}},
    "intimacyEntries": lambda ids: {"filter": {}},
    "setWorkingMemorySlots": lambda ids: {"conversationId": ids["conversation"], "slots": {"step": 1}},
    "startChallenge": lambda ids: {"input": {"templateId": ids["template"]}},
    "createSeries": lambda ids: {"input": {"name": "Fuzz", "kind": "OTHER"}},
    "updateSeries": lambda ids: {"input": {"id": ids["series"]}},
    "appendEntries": lambda ids: {
        "seriesId": ids["series"],
        "entries": [{"at": "2026-01-01T00:00:00Z", "value": 1}],
    },
    "removeEntries": lambda ids: {"seriesId": ids["series"]},
    "recordGrowth": lambda ids: {"credits": [{"dimension": "self_act", "delta": 0.1, "source": "MANUAL"}]},
    "growthProfile": lambda ids: {"period": "MONTH"},
    "link": lambda ids: {"from": ids["memory"], "to": ids["recipient"], "kind": "INVOLVES"},
    "memories": lambda ids: {"filter": {}},
}
WRONG_JSON = [
    "a string",
    "",
    [1, 2],
    [[1, [2, [3]]], "x"],
    [1, "a", None, {"b": 1}, [True]],
    2**64,
    -(2**63) - 1,
    10**40,
    1.5e308,
    True,
    {"nested": [[1, 2], [3]]},
    {"mixed": [1, "a", None]},
    {"big": 2**70},
    {"deep": {"deeper": {"deepest": [1]}}},
    {"bad key!": 1},
    {"": "empty key"},
]
WRONG_DATETIMES = [
    "2024-05-01T10:00:00",  # naive
    "2024-05-01T10:00:00.123456",
    "9999-12-31T23:59:59-14:00",  # past year 9999 in UTC
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "9999-12-31T23:59:59+00:00",
    "garbage",
    "",
    "2024-13-45T99:99:99Z",
    "2024-05-01",
    "2024-05-01T10:00:00+25:00",
    "+275760-09-13T00:00:00Z",
    "2024-05-01T10:00:00Z\u0000",
    12345,
    ["2024-05-01T10:00:00Z"],
    {"at": "2024-05-01T10:00:00Z"},
]


def _operation(root: str, field: str, arguments: dict[str, Any]) -> str:
    """An operation of `field` that takes the `arguments` given, as variables."""
    root_type = SCHEMA.query_type if root == "Query" else SCHEMA.mutation_type
    assert root_type is not None
    definition = root_type.fields[field]
    declared = ", ".join(f"${name}: {definition.args[name].type}" for name in arguments)
    passed = ", ".join(f"{name}: ${name}" for name in arguments)
    keyword = "query" if root == "Query" else "mutation"
    return f"{keyword} ({declared}) {{ {field}({passed}) {{ __typename }} }}"


def _set(arguments: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    target = arguments
    for name in path[:-1]:
        target = target.setdefault(name, {})
        if isinstance(target, list):  # a list of inputs (a series' entries): the value goes in its first
            target = target[0]
    target[path[-1]] = value
    return arguments


async def _owned_things(client: GraphQLClient, token: str) -> dict[str, str]:
    recipient = await client.data(
        'mutation { createRecipient(input: {name: "Rita", relationship: {kind: FRIEND}}) { id } }',
        token=token,
    )
    memory = await client.data(
        'mutation { createMemory(input: {kind: EPISODIC, content: "A day"}) { id } }', token=token
    )
    rid = recipient["createRecipient"]["id"]
    conflict = await client.data(
        "mutation ($r: ID!) { createConflict(input: {recipientId: $r}) { id } }", {"r": rid}, token=token
    )
    insight = await client.data(
        'mutation { createInsight(input: {category: FACT, statement: "Rita rows"}) { id } }', token=token
    )
    conversation = await client.data(
        'mutation { createConversation(input: {purpose: COMPANION, title: "Rita"}) { id } }', token=token
    )
    series = await client.data(
        'mutation { createSeries(input: {name: "Rita rows", kind: SKILL}) { id } }', token=token
    )
    intimacy = await client.data("mutation { createIntimacyEntry(input: {kind: OTHER}) { id } }", token=token)
    template = await client.data(
        "mutation { createChallengeTemplate(input: "
        '{name: "Row daily", dimensions: [{dimension: "self_act", amount: 1}]}) { id } }',
        token=token,
    )
    return {
        "template": template["createChallengeTemplate"]["id"],
        "series": series["createSeries"]["id"],
        "intimacy": intimacy["createIntimacyEntry"]["id"],
        "conversation": conversation["createConversation"]["id"],
        "recipient": rid,
        "memory": memory["createMemory"]["id"],
        "conflict": conflict["createConflict"]["id"],
        "insight": insight["createInsight"]["id"],
    }


async def _node_count(graph: Graph) -> int:
    async with graph.driver.session() as session:
        return (await (await session.run("MATCH (n) WHERE NOT n:Migration RETURN count(n) AS n")).single())[
            "n"
        ]


JSON_PLACES = _places("JSON")
DATETIME_PLACES = _places("DateTime")


def test_the_schema_walk_finds_every_json_and_datetime_place_and_each_has_a_base() -> None:
    assert ("Mutation", "link", ("properties",)) in JSON_PLACES
    assert {field for _, field, _ in JSON_PLACES + DATETIME_PLACES} <= set(BASES)


async def _fuzz_place(
    client: GraphQLClient, graph: Graph, parties: tuple[str, dict[str, str]], place: tuple, values: list[Any]
) -> None:
    token, victim = parties
    ids = await _owned_things(client, token)
    root, field, path = place
    # The base alone must succeed, or the wrong values below would not reach the argument.
    base = BASES[field](ids)
    reached = await client.execute(_operation(root, field, base), base, token=token)
    assert "errors" not in reached, reached
    for value in values:
        arguments = _set(BASES[field](ids), path, value)
        query = _operation(root, field, arguments)
        before = await _node_count(graph)
        response = await _check(client, {"query": query, "variables": arguments}, token, victim)
        if response.json().get("errors"):
            assert await _node_count(graph) == before, f"{field} {path} = {value!r} failed yet wrote"


def _params(places: list[tuple[str, str, tuple[str, ...]]]) -> list[Any]:
    return [pytest.param((root, field, path), id=f"{field}.{'.'.join(path)}") for root, field, path in places]


@pytest.mark.parametrize("place", _params(JSON_PLACES))
async def test_json_arguments_of_the_wrong_shape_never_fail_inside(
    client: GraphQLClient, graph: Graph, parties: tuple[str, dict[str, str]], place: tuple
) -> None:
    await _fuzz_place(client, graph, parties, place, WRONG_JSON)


@pytest.mark.parametrize("place", _params(DATETIME_PLACES))
async def test_datetime_arguments_of_the_wrong_shape_never_fail_inside(
    client: GraphQLClient, graph: Graph, parties: tuple[str, dict[str, str]], place: tuple
) -> None:
    await _fuzz_place(client, graph, parties, place, WRONG_DATETIMES)


@pytest.mark.parametrize(
    "literal", ["18446744073709551616", "-9223372036854775809", '"text"', "[1, [2]]", '[1, "a"]', "1e400"]
)
async def test_link_properties_written_in_the_document_never_fail_inside(
    client: GraphQLClient, parties: tuple[str, dict[str, str]], literal: str
) -> None:
    token, victim = parties
    ids = await _owned_things(client, token)
    query = (
        f'mutation {{ link(from: "{ids["memory"]}", to: "{ids["recipient"]}", kind: INVOLVES, '
        f"properties: {literal}) {{ __typename }} }}"
    )
    await _check(client, {"query": query}, token, victim)


@FUZZ
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )
)
async def test_generated_json_values_for_link_properties_never_fail_inside(
    client: GraphQLClient, parties: tuple[str, dict[str, str]], value: Any
) -> None:
    token, victim = parties
    ids = await _owned_things(client, token)
    arguments = _set(BASES["link"](ids), ("properties",), value)
    query = _operation("Mutation", "link", arguments)
    await _check(client, {"query": query, "variables": arguments}, token, victim)
