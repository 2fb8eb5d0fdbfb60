"""OpenTelemetry traces: off unless an exporter is set; when on, a request's span, its resolvers' and
its Cypher statements', in one trace that continues the caller's."""

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from settings import Settings
from telemetry import tracing
from tests.client import GraphQLClient
from tests.conftest import running

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    yield exported
    tracing.disable()
    provider.shutdown()


def named(spans: tuple[ReadableSpan, ...], prefix: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name.startswith(prefix)]


async def test_a_request_its_resolver_and_its_statements_are_spans_of_one_trace(
    settings: Settings, exporter: InMemorySpanExporter
) -> None:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.enable(provider)
    async with running(settings) as client:  # built while tracing is on
        token = await client.sign_up("traced@example.com", password="a password never traced")
        exporter.clear()
        traceparent = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"
        answer = await client.http.post(
            "/graphql",
            json={"query": "query Me { me { email } }"},
            headers={"authorization": f"Bearer {token}", "traceparent": traceparent},
        )
    assert answer.json() == {"data": {"me": {"email": "traced@example.com"}}}
    spans = exporter.get_finished_spans()
    (request,) = named(spans, "POST /graphql")
    (operation,) = named(spans, "graphql Me")
    (resolver,) = named(spans, "resolve Query.me")
    statements = named(spans, "cypher ")
    assert statements
    assert all(span.context.trace_id == int(CALLER_TRACE, 16) for span in spans)  # the caller's trace
    assert operation.parent is not None and operation.parent.span_id == request.context.span_id
    assert resolver.parent is not None and resolver.parent.span_id == operation.context.span_id
    under_resolver = [
        s for s in statements if s.parent is not None and s.parent.span_id == resolver.context.span_id
    ]
    assert under_resolver, [(s.name, s.parent) for s in statements]
    assert under_resolver[0].attributes is not None
    assert "MATCH" in str(under_resolver[0].attributes["db.query.text"])
    assert request.attributes is not None and request.attributes["http.response.status_code"] == 200
    # Parameterized: no value a user sent, nor their token, is in any span.
    everything = repr([(span.name, dict(span.attributes or {})) for span in spans])
    assert "traced@example.com" not in everything
    assert token not in everything


async def test_nothing_is_traced_while_tracing_is_off(
    client: GraphQLClient, exporter: InMemorySpanExporter
) -> None:
    assert not tracing.enabled()
    token = await client.sign_up("untraced@example.com")
    await client.data("query Me { me { email } }", token=token)
    assert exporter.get_finished_spans() == ()


def test_only_an_exporter_set_in_the_environment_turns_tracing_on() -> None:
    assert not tracing.wanted({})
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert tracing.wanted({"OTEL_TRACES_EXPORTER": "console"})
    assert not tracing.wanted(
        {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}
    )
    assert not tracing.wanted({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"})
