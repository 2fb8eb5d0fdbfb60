"""The app over HTTP: /health, GraphiQL for a browser, the request id, masked internal errors."""

from tests.client import GraphQLClient


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


async def test_every_answer_carries_a_request_id_and_keeps_a_sane_one_given(client: GraphQLClient) -> None:
    fresh = await client.http.get("/health")
    assert len(fresh.headers["x-request-id"]) == 32

    given = await client.http.get("/health", headers={"X-Request-ID": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    hostile = await client.http.get("/health", headers={"X-Request-ID": "a b\x7f" * 40})
    assert hostile.headers["x-request-id"] != "a b\x7f" * 40
