"""GraphQL over HTTP as the specification has it, checked by graphql-http's own audit, and error codes."""

import hashlib
import json
import logging
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from neo4j import AsyncGraphDatabase

from graph.driver import Graph
from settings import Settings
from tests.client import ME, SIGN_UP, GraphQLClient
from tests.conftest import LiveServer, running
from tests.cut_proxy import CutProxy

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def live_server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as server:
        yield server


def test_the_graphql_http_audit_passes_every_must(live_server: LiveServer, project_dir: Path) -> None:
    audit = project_dir / "tests" / "http_audit"
    assert shutil.which("node"), "Node.js runs the audit"
    assert (audit / "node_modules" / "graphql-http").exists(), "run: npm ci --prefix tests/http_audit"
    finished = subprocess.run(
        ["node", "audit.mjs", live_server.url], cwd=audit, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr
    results = json.loads(finished.stdout)
    assert len(results) > 30
    failed_musts = [r for r in results if r["name"].startswith("MUST") and r["status"] != "ok"]
    assert failed_musts == []
    # Every SHOULD passes today as well; one that stops passing must be let go of on purpose, here.
    failed_shoulds = [f"{r['name']}: {r['reason']}" for r in results if r["status"] != "ok"]
    assert failed_shoulds == []


async def test_the_new_media_type_answers_400_for_a_document_that_does_not_parse(
    client: GraphQLClient,
) -> None:
    response = await client.http.post(
        "/graphql", json={"query": "{ me {"}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_the_new_media_type_answers_400_for_a_document_that_does_not_validate(
    client: GraphQLClient,
) -> None:
    response = await client.http.post(
        "/graphql", json={"query": "{ nope }"}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_application_json_answers_200_with_the_errors(client: GraphQLClient) -> None:
    response = await client.http.post(
        "/graphql", json={"query": "{ nope }"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_variable_of_the_wrong_type_is_bad_user_input(client: GraphQLClient) -> None:
    query = 'mutation ($e: String!) { logIn(email: $e, password: "x") { token } }'
    error = await client.error(query, {"e": 42})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_queries_run_over_get_and_mutations_over_get_are_refused(
    client: GraphQLClient, graph: Graph
) -> None:
    answer = await client.http.get("/graphql", params={"query": "{ __typename }"})
    assert answer.json() == {"data": {"__typename": "Query"}}

    mutation = (
        'mutation { signUp(email: "get@example.com", password: "long enough pass", name: "G") { token } }'
    )
    refused = await client.http.get("/graphql", params={"query": mutation})
    assert refused.status_code == 405
    async with graph.driver.session() as session:
        record = await (await session.run("MATCH (u:User) RETURN count(u) AS n")).single()
    assert record["n"] == 0


async def test_a_client_that_accepts_no_json_is_refused(client: GraphQLClient) -> None:
    response = await client.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 406


async def test_an_internal_error_is_masked_logged_with_the_request_id_and_that_id_returned(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    assert settings.neo4j_uri is not None
    doomed = Graph.connect(settings.neo4j_uri, None, settings.neo4j_database)
    async with running(settings, doomed) as client:
        token = await client.sign_up("masked@example.com")
        await doomed.close()  # Neo4j is gone for this app from here on
        with caplog.at_level(logging.ERROR, logger="kindred.errors"):
            response = await client.post(ME, token=token)
    error = response.json()["errors"][0]
    request_id = response.headers["x-request-id"]
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert "driver" not in response.text.lower()
    assert any(request_id in record.getMessage() and record.exc_info for record in caplog.records)


async def test_the_graph_store_cut_off_is_service_unavailable_not_an_internal_error(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Neo4j unreachable (the network to it cut, after the driver's retries): the client is told to try
    again later, with the request's id; the cause is logged, not shown."""
    assert settings.neo4j_uri is not None
    port = int(settings.neo4j_uri.rsplit(":", 1)[1])
    async with CutProxy(port) as proxy:
        uri = f"bolt://127.0.0.1:{proxy.port}"
        driver = AsyncGraphDatabase.driver(uri, auth=None, max_transaction_retry_time=1)
        async with running(settings, Graph(driver, settings.neo4j_database)) as client:
            token = await client.sign_up("cut-off@example.com")
            await proxy.cut()
            with caplog.at_level(logging.ERROR, logger="kindred.errors"):
                response = await client.post(ME, token=token)
        await driver.close()
    error = response.json()["errors"][0]
    request_id = response.headers["x-request-id"]
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE", "requestId": request_id}
    assert "try again" in error["message"] and "127.0.0.1" not in response.text
    assert any(request_id in record.getMessage() and record.exc_info for record in caplog.records)


async def test_a_persisted_query_is_answered_by_its_hash_once_it_has_been_sent(client: GraphQLClient) -> None:
    token = await client.sign_up("apq@example.com")
    query = "{ me { email } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    headers = {"Authorization": f"Bearer {token}"}

    unknown = await client.http.get(
        "/graphql", params={"extensions": json.dumps(extensions)}, headers=headers
    )
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    first = await client.http.post(
        "/graphql", json={"query": query, "extensions": extensions}, headers=headers
    )
    assert first.json() == {"data": {"me": {"email": "apq@example.com"}}}

    by_hash = await client.http.get(
        "/graphql", params={"extensions": json.dumps(extensions)}, headers=headers
    )
    assert by_hash.json() == {"data": {"me": {"email": "apq@example.com"}}}


async def test_a_persisted_query_whose_hash_does_not_match_is_refused(client: GraphQLClient) -> None:
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    response = await client.http.post("/graphql", json={"query": "{ __typename }", "extensions": extensions})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# Request-level refusals: each answers its status with a JSON error that has a code.
SUBSCRIPTION = "subscription { heartbeat(everySeconds: 1) }"
REFUSED_REQUESTS = [
    ("batched array", "POST", {"json": [{"query": "{ __typename }"}, {"query": "{ __typename }"}]}, 400),
    (
        "text/plain body",
        "POST",
        {"content": "{ __typename }", "headers": {"content-type": "text/plain"}},
        400,
    ),
    ("no content type", "POST", {"content": b'{"query": "{ __typename }"}'}, 400),
    (
        "invalid JSON",
        "POST",
        {"content": b'{"query": ', "headers": {"content-type": "application/json"}},
        400,
    ),
    ("JSON number", "POST", {"json": 5}, 400),
    ("JSON string", "POST", {"json": "{ __typename }"}, 400),
    ("JSON null", "POST", {"json": None}, 400),
    ("no query", "POST", {"json": {"variables": {}}}, 400),
    ("query a number", "POST", {"json": {"query": 1}}, 400),
    ("query a list", "POST", {"json": {"query": ["{ __typename }"]}}, 400),
    ("variables a list", "POST", {"json": {"query": "{ __typename }", "variables": [1]}}, 400),
    ("variables a string", "POST", {"json": {"query": "{ __typename }", "variables": "{}"}}, 400),
    ("extensions a string", "POST", {"json": {"query": "{ __typename }", "extensions": "x"}}, 400),
    ("operationName a number", "POST", {"json": {"query": "{ __typename }", "operationName": 1}}, 400),
    ("GET without query", "GET", {"params": {"variables": "{}"}}, 400),
    ("GET variables not JSON", "GET", {"params": {"query": "{ __typename }", "variables": "{"}}, 400),
    (
        "GET mutation",
        "GET",
        {"params": {"query": 'mutation { logIn(email: "a", password: "b") { token } }'}},
        405,
    ),
    ("PUT", "PUT", {"json": {"query": "{ __typename }"}}, 405),
    ("DELETE", "DELETE", {}, 405),
    ("PATCH", "PATCH", {"json": {"query": "{ __typename }"}}, 405),
    ("subscription over POST", "POST", {"json": {"query": SUBSCRIPTION}}, 400),
    ("subscription over GET", "GET", {"params": {"query": SUBSCRIPTION}}, 400),
    (
        "deeply nested JSON",
        "POST",
        {"content": b"[" * 100_000 + b"]" * 100_000, "headers": {"content-type": "application/json"}},
        400,
    ),
    (
        "deeply nested variables",
        "POST",
        {
            "content": b'{"query": "{ __typename }", "variables": {"a": '
            + b"[" * 100_000
            + b"]" * 100_000
            + b"}}",
            "headers": {"content-type": "application/json"},
        },
        400,
    ),
    (
        "GET deeply nested variables",
        "GET",
        {"params": {"query": "{ __typename }", "variables": '{"a": ' + "[" * 5_000 + "]" * 5_000 + "}"}},
        400,
    ),
]


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE, None])
@pytest.mark.parametrize(
    ("case", "method", "request_options", "status"), REFUSED_REQUESTS, ids=[r[0] for r in REFUSED_REQUESTS]
)
async def test_a_request_that_is_not_a_graphql_request_is_refused_in_json_with_a_code(
    client: GraphQLClient,
    graph: Graph,
    case: str,
    method: str,
    request_options: dict,
    status: int,
    accept: str | None,
) -> None:
    headers = {**request_options.get("headers", {}), **({"accept": accept} if accept else {})}
    before = graph.transactions
    response = await client.http.request(method, "/graphql", **{**request_options, "headers": headers})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(accept or "application/json")
    error = response.json()["errors"][0]
    assert error["message"]
    assert error["extensions"]["code"] in ("BAD_REQUEST", "METHOD_NOT_ALLOWED"), error
    if status == 405:
        assert response.headers["allow"] in ("GET, POST", "POST")
    assert graph.transactions == before


async def test_a_client_that_accepts_no_json_is_told_in_plain_text(client: GraphQLClient) -> None:
    response = await client.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 406
    assert response.headers["content-type"].startswith("text/plain")
    assert "application/json" in response.text


SELECTION_REFUSALS = [
    ("two operations, none named", {"query": "query A { __typename } query B { __typename }"}),
    ("an anonymous and a named one", {"query": "{ __typename } query B { __typename }"}),
    ("an unknown operationName", {"query": "query A { __typename }", "operationName": "B"}),
    (
        "two mutations, none named",
        {
            "query": 'mutation A { signUp(email: "two@example.com", password: "long enough pass", name: "T") { token } } mutation B { logIn(email: "x", password: "y") { token } }'
        },
    ),
]


@pytest.mark.parametrize(("case", "body"), SELECTION_REFUSALS, ids=[c for c, _ in SELECTION_REFUSALS])
@pytest.mark.parametrize(("accept", "status"), [("application/json", 200), (GRAPHQL_RESPONSE, 400)])
async def test_a_document_whose_operation_cannot_be_chosen_is_refused_and_nothing_runs(
    client: GraphQLClient, graph: Graph, case: str, body: dict, accept: str, status: int
) -> None:
    before = graph.transactions
    response = await client.http.post("/graphql", json=body, headers={"Accept": accept})
    assert response.status_code == status
    answer = response.json()
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert graph.transactions == before


# Lone surrogates: JSON can carry "\ud800", no store can encode it; refused at the root wherever it is.
LONE = "\ud800"
SURROGATE_BODIES = {
    "variables": lambda s: {"query": "query ($e: String) { __typename }", "variables": {"e": s}},
    "a variable's key": lambda s: {"query": "{ __typename }", "variables": {s: 1}},
    "a nested variable": lambda s: {"query": "{ __typename }", "variables": {"a": [{"b": [s]}]}},
    "a string in the document": lambda s: {
        "query": '{ recipients(filter: {nameContains: "' + s + '"}) { totalCount } }'
    },
    "a comment in the document": lambda s: {"query": "# " + s + "\n{ __typename }"},
    "operationName": lambda s: {"query": "{ __typename }", "operationName": s},
    "extensions": lambda s: {"query": "{ __typename }", "extensions": {"x": s}},
    "a persisted query's hash": lambda s: {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": s}}},
}
AT_ROOT = [
    (
        "signUp email",
        'mutation ($v: String!) { signUp(email: $v, password: "long enough pass", name: "S") { token } }',
    ),
    (
        "signUp password",
        'mutation ($v: String!) { signUp(email: "s@example.com", password: $v, name: "S") { token } }',
    ),
    (
        "signUp name",
        'mutation ($v: String!) { signUp(email: "s@example.com", password: "long enough pass", name: $v) { token } }',
    ),
    ("logIn email", 'mutation ($v: String!) { logIn(email: $v, password: "long enough pass") { token } }'),
    ("logIn password", 'mutation ($v: String!) { logIn(email: "s@example.com", password: $v) { token } }'),
    ("createRecipient", "mutation ($v: String!) { createRecipient(input: {name: $v}) { recipient { id } } }"),
    ("a filter", "query ($v: String) { recipients(filter: {nameContains: $v}) { totalCount } }"),
    (
        "link properties",
        'mutation ($v: JSON) { link(from: "a", to: "b", type: KNOWS, properties: $v) { __typename } }',
    ),
]


def _with_surrogate(text: str, position: int) -> str:
    position %= len(text) + 1
    return text[:position] + LONE + text[position:]


@given(part=st.sampled_from(sorted(SURROGATE_BODIES)), text=st.text(max_size=12), position=st.integers(0, 12))
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
async def test_a_lone_surrogate_anywhere_in_a_request_is_bad_user_input(
    client: GraphQLClient, graph: Graph, part: str, text: str, position: int
) -> None:
    before = graph.transactions
    body = json.dumps(SURROGATE_BODIES[part](_with_surrogate(text, position)))
    response = await client.http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert graph.transactions == before


@pytest.mark.parametrize(("case", "query"), AT_ROOT, ids=[c for c, _ in AT_ROOT])
async def test_a_lone_surrogate_in_any_argument_is_refused_before_anything_runs(
    client: GraphQLClient, graph: Graph, case: str, query: str
) -> None:
    token = await client.sign_up("surrogates@example.com")
    before = graph.transactions
    value = "Ann " + LONE if "link" not in case else {"note": LONE}
    body = json.dumps({"query": query, "variables": {"v": value}})
    headers = {
        "content-type": "application/json",
        "authorization": f"Bearer {token}",
        "accept": GRAPHQL_RESPONSE,
    }
    response = await client.http.post("/graphql", content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "variables"}
    assert graph.transactions == before


async def test_a_surrogate_pair_is_text_like_any_other(client: GraphQLClient) -> None:
    variables = {"email": "pairs@example.com", "password": "long enough pass", "name": "Ann \U0001f600"}
    body = json.dumps({"query": SIGN_UP, "variables": variables})  # the emoji as the escapes "\ud83d\ude00"
    assert "\\ud83d\\ude00" in body
    response = await client.http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.json()["data"]["signUp"]["user"]["name"] == "Ann \U0001f600"


async def test_graphiql_opens_on_kindreds_starter_and_writes_nothing_to_the_address(
    client: GraphQLClient,
) -> None:
    from graphql import parse, validate

    from schema import build_schema
    from web.graphiql import STARTER

    page = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    assert STARTER in html
    assert "Welcome to GraphiQL" not in html
    # Strawberry's page copied every edit into ?q= and ?variables= with history.replaceState.
    assert "history.replaceState" not in html and "pushState" not in html
    for step in (
        "signUp(",
        "logIn(",
        '"Authorization": "Bearer <token>"',
        "recipients(first: 10)",
        "gifts(first: 5)",
    ):
        assert step in STARTER
    assert validate(build_schema(Settings(_env_file=None))._schema, parse(STARTER)) == []
