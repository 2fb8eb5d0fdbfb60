"""The app over HTTP: /health, GraphiQL for a browser, the request id, masked internal errors."""

import re

from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import running


async def test_health_reports_neo4j_reachable(client: GraphQLClient) -> None:
    response = await client.http.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "neo4j": "reachable"}


async def test_a_browser_gets_graphiql_and_a_program_gets_json(client: GraphQLClient) -> None:
    page = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()

    answer = await client.http.get("/graphql", params={"query": "{ __typename }"})
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == {"data": {"__typename": "Query"}}


async def test_graphiql_is_served_from_kindred_itself_so_it_works_offline(client: GraphQLClient) -> None:
    page = (await client.http.get("/graphql", headers={"Accept": "text/html"})).text
    assert "unpkg.com" not in page
    scripts = re.findall(r'(?:src|href)="(/graphiql-assets/[^"]+)"', page)
    assert len(scripts) == 7
    for script in scripts:
        asset = await client.http.get(script)
        assert asset.status_code == 200, script
        assert len(asset.content) > 500, script


async def test_every_answer_carries_a_request_id_and_keeps_a_sane_one_given(client: GraphQLClient) -> None:
    fresh = await client.http.get("/health")
    assert len(fresh.headers["x-request-id"]) == 32

    given = await client.http.get("/health", headers={"X-Request-ID": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    hostile = await client.http.get("/health", headers={"X-Request-ID": "a b\x7f" * 40})
    assert hostile.headers["x-request-id"] != "a b\x7f" * 40


async def test_production_can_turn_off_introspection_and_graphiql(settings: Settings, graph: Graph) -> None:
    closed = settings.model_copy(update={"introspection": False, "graphiql": False})
    async with running(closed, graph) as client:
        refused = await client.execute("{ __schema { queryType { name } } }")
        page = await client.http.get("/graphql", headers={"Accept": "text/html"})
        still = await client.data("{ __typename }")
    assert "data" not in refused
    assert {error["extensions"]["code"] for error in refused["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection" in refused["errors"][0]["message"].lower()
    assert page.status_code == 404
    assert still == {"__typename": "Query"}


async def test_introspection_is_on_by_default_for_graphiql(client: GraphQLClient) -> None:
    data = await client.data("{ __schema { queryType { name } } }")
    assert data == {"__schema": {"queryType": {"name": "Query"}}}
