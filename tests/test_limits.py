"""Every limit refuses with a clear error before the operation reaches Neo4j."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
import strawberry

from graph.driver import Graph
from schema.admission import CostLimit, CostLimits
from settings import Settings
from tests.client import ME, GraphQLClient
from tests.conftest import running

CREATE_KEY = 'mutation { createApiKey(name: "k") { apiKey { id } } }'


@pytest.fixture
async def strict(
    settings: Settings, graph: Graph, client: GraphQLClient
) -> AsyncIterator[tuple[GraphQLClient, str]]:
    """An app with small limits, and the token of a viewer signed up through the usual app."""
    token = await client.sign_up("strict@example.com")
    limits = dict(max_depth=1, max_aliases=2, max_tokens=60, max_cost=10, max_body_bytes=2000)
    async with running(settings.model_copy(update=limits), graph) as strict_client:
        yield strict_client, token


async def _refused(
    client: GraphQLClient, graph: Graph, query: str, token: str, variables: dict | None = None
) -> dict[str, Any]:
    before = graph.transactions
    error = await client.error(query, variables, token=token)
    assert graph.transactions == before, "the refused operation reached Neo4j"
    return error


async def _key_count(graph: Graph) -> int:
    async with graph.driver.session() as session:
        return (await (await session.run("MATCH (k:ApiKey) RETURN count(k) AS n")).single())["n"]


async def test_an_operation_deeper_than_the_limit_is_refused(
    strict: tuple[GraphQLClient, str], graph: Graph
) -> None:
    client, token = strict
    error = await _refused(client, graph, CREATE_KEY, token)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "depth" in error["message"]
    assert await _key_count(graph) == 0


async def test_more_aliases_than_the_limit_are_refused(
    strict: tuple[GraphQLClient, str], graph: Graph
) -> None:
    client, token = strict
    error = await _refused(client, graph, "{ a: me { id } b: me { id } c: me { id } }", token)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "aliases" in error["message"]


async def test_a_document_of_more_tokens_than_the_limit_is_refused(
    strict: tuple[GraphQLClient, str], graph: Graph
) -> None:
    client, token = strict
    error = await _refused(client, graph, "{ me { " + "id " * 80 + "} }", token)
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "tokens" in error["message"]


async def test_an_operation_costlier_than_the_limit_is_refused(
    strict: tuple[GraphQLClient, str], graph: Graph
) -> None:
    client, token = strict
    error = await _refused(client, graph, "{ events { kind sequence } }", token)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["extensions"]["limit"] == "cost"
    assert error["extensions"]["cost"] > error["extensions"]["maxCost"] == 10
    assert (await client.data(ME, token=token))["me"]["email"] == "strict@example.com"


async def test_a_body_over_the_limit_is_refused_with_413(
    strict: tuple[GraphQLClient, str], graph: Graph
) -> None:
    client, token = strict
    before = graph.transactions
    padding = " " * 3000
    declared = await client.http.post("/graphql", json={"query": "{ __typename }" + padding})
    assert declared.status_code == 413
    assert declared.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "limit": "body"}

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }'
        for _ in range(10):
            yield b" " * 500
        yield b'"}'

    streamed = await client.http.post(
        "/graphql",
        content=chunks(),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    assert streamed.status_code == 413
    assert graph.transactions == before


# The cost of nested pages, shown on the shape of the graph's connections: recipients, each with gifts.
@strawberry.type
class Gift:
    name: str


@strawberry.type
class GiftConnection:
    nodes: list[Gift]


@strawberry.type
class Recipient:
    @strawberry.field
    def gifts(self, first: int | None = None) -> GiftConnection:
        raise AssertionError("a refused operation must not resolve anything")


@strawberry.type
class RecipientConnection:
    nodes: list[Recipient]


@strawberry.type
class ShapeQuery:
    @strawberry.field
    def recipients(self, first: int | None = None) -> RecipientConnection:
        raise AssertionError("a refused operation must not resolve anything")


NESTED = (
    "query ($r: Int, $g: Int) { recipients(first: $r) { nodes { gifts(first: $g) { nodes { name } } } } }"
)


@pytest.mark.parametrize(
    ("recipients", "gifts", "code"),
    [(1000, 1000, "BAD_USER_INPUT"), (100, 100, "GRAPHQL_VALIDATION_FAILED"), (50, 300, "BAD_USER_INPUT")],
)
async def test_nested_pages_are_priced_by_their_sizes_and_refused_before_resolving(
    recipients: int, gifts: int, code: str
) -> None:
    from functools import partial

    limits = CostLimits(max_cost=5_000, max_page_size=100, unpaged_list_cost=20)
    schema = strawberry.Schema(query=ShapeQuery, extensions=[partial(CostLimit, limits)])
    result = await schema.execute(NESTED, variable_values={"r": recipients, "g": gifts}, context_value=None)
    assert result.data is None
    assert result.errors and result.errors[0].extensions["code"] == code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (
            "{ recipients(first: 1000) { nodes { name gifts(first: 1000) { nodes { name } } } } }",
            "BAD_USER_INPUT",
        ),
        (
            "{ recipients(first: 100) { nodes { gifts(first: 100) { nodes { recipients(first: 100) { nodes { name } } } } } } }",
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ],
)
async def test_the_real_schema_refuses_huge_nested_pages_before_neo4j(
    client: GraphQLClient, graph: Graph, query: str, code: str
) -> None:
    token = await client.sign_up("greedy@example.com")
    error = await _refused(client, graph, query, token)
    assert error["extensions"]["code"] == code


async def test_rate_limit_per_address_in_process(settings: Settings, graph: Graph) -> None:
    async with running(settings.model_copy(update={"rate_limit_per_ip": "3/minute"}), graph) as client:
        for _ in range(3):
            assert (await client.post("{ __typename }")).status_code == 200
        refused = await client.post("{ __typename }")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_rate_limit_per_user_counts_each_user_apart(settings: Settings, graph: Graph) -> None:
    async with running(settings.model_copy(update={"rate_limit_per_user": "2/minute"}), graph) as client:
        first = await client.sign_up("first@example.com")
        second = await client.sign_up("second@example.com")
        await client.data(ME, token=first)
        await client.data(ME, token=first)
        before = graph.transactions
        refused = await client.error(ME, token=first)
        assert graph.transactions == before, "the refused request reached Neo4j"
        other = await client.data(ME, token=second)
    assert refused["extensions"]["code"] == "RATE_LIMITED"
    assert other["me"]["email"] == "second@example.com"


async def test_rate_limits_and_persisted_queries_are_shared_through_redis(
    settings: Settings, graph: Graph, redis_url: str
) -> None:
    import hashlib
    import json

    shared = settings.model_copy(update={"redis_url": redis_url, "rate_limit_per_ip": "4/minute"})
    query = "{ __typename }"
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}
    async with running(shared, graph) as one, running(shared, graph) as two:
        first = await one.http.post("/graphql", json={"query": query, "extensions": extensions})
        assert first.json() == {"data": {"__typename": "Query"}}
        by_hash = await two.http.get("/graphql", params={"extensions": json.dumps(extensions)})
        assert by_hash.json() == {"data": {"__typename": "Query"}}
        assert (await one.post(query)).status_code == 200
        assert (await two.post(query)).status_code == 200
        refused = await one.post(query)
        await _flush(redis_url)
    assert refused.status_code == 429


async def _flush(redis_url: str) -> None:
    from redis.asyncio import Redis

    async with Redis.from_url(redis_url) as redis:
        await redis.flushdb()
