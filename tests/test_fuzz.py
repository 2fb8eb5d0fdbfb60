"""Generated operations and malformed documents: never a 500, never another user's data.

hypothesis-graphql writes valid (and, in negative mode, invalid) operations from the schema itself; plain
text and broken JSON cover documents no schema would produce. Each runs as one user while another
user's account and API key exist.
"""

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from schema import build_schema
from settings import Settings
from tests.client import GraphQLClient

SCHEMA = build_schema(Settings(_env_file=None))._schema
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")),
    "JSON": st.text(max_size=20).map(nodes.String),
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
) -> None:
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
