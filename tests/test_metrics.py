"""/metrics as Prometheus scrapes it: requests by operation and outcome with their latencies, Neo4j
statements, the dispatcher's lag and failures, subscriptions and upload bytes; never a user in a label;
and only for whom it is meant."""

import asyncio
from collections.abc import Iterator, Sequence
from uuid import uuid4

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from starlette.applications import Starlette

from dispatch import Consumer, Event, Services
from dispatch.runner import Dispatcher
from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import LiveServer, running
from tests.live import CREATE_RECIPIENT, Socket, live_only, live_settings, post, sign_up
from tests.test_dispatcher import owner_with_events
from tests.test_dispatcher import services as services_of
from tests.test_documents import MEMORY, PNG, upload

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """Every sample of a scrape, by name and labels."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(http: httpx.AsyncClient) -> tuple[Samples, str]:
    response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text), response.text


async def test_requests_are_counted_by_operation_and_outcome_with_latency_and_statements(
    client: GraphQLClient,
) -> None:
    before, _ = await scrape(client.http)
    token = await client.sign_up("metrics-ann@example.com")
    me = await client.data("query Me { me { id email } }", token=token)
    refused = await client.error("query Broken { me { nothingHere } }", token=token)
    assert refused["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    unauthenticated = await client.error("query Me { me { id } }")
    assert unauthenticated["extensions"]["code"] == "UNAUTHENTICATED"
    not_json = await client.http.post(
        "/graphql", content=b"[1, 2]", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400
    after, text = await scrape(client.http)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("kindred_graphql_requests_total", operation="SignUp", outcome="ok") == 1
    assert grew("kindred_graphql_requests_total", operation="Me", outcome="ok") == 1
    assert grew("kindred_graphql_requests_total", operation="Me", outcome="UNAUTHENTICATED") == 1
    assert (
        grew("kindred_graphql_requests_total", operation="Broken", outcome="GRAPHQL_VALIDATION_FAILED") == 1
    )
    assert grew("kindred_graphql_requests_total", operation="_none", outcome="BAD_REQUEST") == 1
    assert grew("kindred_graphql_request_seconds_count", operation="Me", outcome="ok") == 1
    assert grew("kindred_graphql_request_seconds_bucket", operation="Me", outcome="ok", le="+Inf") == 1
    # The sign-up wrote and the read read: both ran Cypher, and both were timed.
    assert grew("kindred_neo4j_statements_total", access="write") >= 1
    assert grew("kindred_neo4j_statements_total", access="read") >= 1
    assert grew("kindred_neo4j_statement_seconds_count", access="read") >= 1
    assert grew("kindred_neo4j_transactions_total", access="write", outcome="ok") >= 1
    # No label names the user: neither the email, nor the id, nor the uid inside it.
    assert "metrics-ann" not in text
    assert me["me"]["id"] not in text


async def test_an_upload_counts_its_bytes(client: GraphQLClient) -> None:
    token = await client.sign_up("metrics-photo@example.com")
    memory = (
        await client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": "Beach day"}}, token=token)
    )["createMemory"]["id"]
    before, _ = await scrape(client.http)
    made = (await upload(client.http, token, memory, "PHOTO", "beach.png", PNG, "image/png")).json()
    assert "errors" not in made, made
    after, _ = await scrape(client.http)
    assert value(after, "kindred_upload_bytes_total") - value(before, "kindred_upload_bytes_total") == len(
        PNG
    )
    assert value(after, "kindred_uploads_total") - value(before, "kindred_uploads_total") == 1


async def test_operation_names_past_the_bound_are_counted_together(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telemetry import metrics

    monkeypatch.setattr(metrics, "MAX_OPERATIONS", len(metrics._seen))  # the bound is reached now
    before, _ = await scrape(client.http)
    await client.error("query AFreshNameNeverSeenBefore { me { id } }")
    after, text = await scrape(client.http)
    assert "AFreshNameNeverSeenBefore" not in text
    grew = value(
        after, "kindred_graphql_requests_total", operation="_other", outcome="UNAUTHENTICATED"
    ) - value(before, "kindred_graphql_requests_total", operation="_other", outcome="UNAUTHENTICATED")
    assert grew == 1


async def test_only_this_host_reads_the_metrics_without_a_token(app: Starlette) -> None:
    remote = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=remote, base_url="http://kindred.test") as http:
        refused = await http.get("/metrics")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "kindred_" not in refused.text


async def test_with_a_token_set_whoever_sends_it_reads_the_metrics(settings: Settings) -> None:
    own = settings.model_copy(update={"metrics_token": SecretStr("scrape-me-please-0123456789")})
    async with running(own) as client:
        assert (await client.http.get("/metrics")).status_code == 403  # loopback is not enough now
        wrong = {"authorization": "Bearer scrape-me-please-wrong"}
        assert (await client.http.get("/metrics", headers=wrong)).status_code == 403
        right = {"authorization": "Bearer scrape-me-please-0123456789"}
        scraped = await client.http.get("/metrics", headers=right)
    assert scraped.status_code == 200
    assert "kindred_graphql_requests_total" in scraped.text


LAG_COUNT = "kindred_dispatch_lag_seconds_count"


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    with live_only(), LiveServer(live_settings(settings)) as live_server:
        yield live_server


async def test_subscriptions_and_the_dispatchers_lag_are_measured(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        before, _ = await scrape(http)
        token = await sign_up(server, "metrics-live@example.com")
        ws = await Socket.open(server, token)
        await ws.subscribe("1", since=1)
        await post(server, CREATE_RECIPIENT, {"name": "Mia"}, token)
        (delta,) = await ws.deltas(1, within=60)  # a loaded machine may take seconds
        assert delta["kind"] == "RecipientCreated"
        # The consumer times its batch once it has handled it, which is after it sent the delta: the
        # sign-up's event and the recipient's each reach /metrics soon after, not at once.
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            during, _ = await scrape(http)
            lagged = value(during, LAG_COUNT, consumer="live") - value(before, LAG_COUNT, consumer="live")
            if lagged >= 2 or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.1)
        await ws.close()
        deadline = asyncio.get_running_loop().time() + 30  # the server notices the close on its own time
        while True:
            after, _ = await scrape(http)
            closed = value(after, "kindred_subscriptions_open") == value(before, "kindred_subscriptions_open")
            if closed or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.1)
    assert value(during, "kindred_subscriptions_open") - value(before, "kindred_subscriptions_open") == 1
    assert value(during, "kindred_websockets_open") - value(before, "kindred_websockets_open") == 1
    assert value(after, "kindred_subscriptions_open") == value(before, "kindred_subscriptions_open")
    # The sign-up's event and the recipient's reached the live consumer, each timed from its commit.
    assert value(during, LAG_COUNT, consumer="live") - value(before, LAG_COUNT, consumer="live") >= 2
    lag_sum = value(during, "kindred_dispatch_lag_seconds_sum", consumer="live") - value(
        before, "kindred_dispatch_lag_seconds_sum", consumer="live"
    )
    assert 0 < lag_sum < 60


async def test_a_consumer_that_fails_is_counted_under_its_name(graph: Graph) -> None:
    async def failing(services: Services, events: Sequence[Event]) -> None:
        raise ConnectionError("its store is down")

    await owner_with_events(graph, 2)
    name = f"failing-{uuid4().hex[:8]}"
    dispatcher = Dispatcher(
        services_of(graph), [Consumer(name, failing)], poll_seconds=0.2, backoff_seconds=0.05
    )
    await dispatcher.start()
    try:
        for _ in range(200):
            if (REGISTRY.get_sample_value("kindred_dispatch_failures_total", {"consumer": name}) or 0) >= 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await dispatcher.stop()
    assert (REGISTRY.get_sample_value("kindred_dispatch_failures_total", {"consumer": name}) or 0) >= 2
    assert REGISTRY.get_sample_value("kindred_dispatch_delivered_events_total", {"consumer": name}) is None
