"""OpenTelemetry traces of requests, resolvers and Cypher statements: off unless an exporter is set
(OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_TRACES_EXPORTER other than
`none`), and then only with the optional `otel` extra installed (opentelemetry-sdk and its OTLP
exporter). While off, `span` is a no-op context manager: no OpenTelemetry import, nothing allocated.

Spans carry no user data: a request's method, route and request id; a resolver's type, field and path
(never its arguments); a statement's transaction function, access mode and Cypher text (parameterized:
the values stay out of it)."""

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from typing import Any

logger = logging.getLogger("kindred.tracing")
_tracer: Any = None  # an opentelemetry Tracer once enabled


def wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for traces, as OpenTelemetry's own variables say."""
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none" or environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    endpoint = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return bool(exporter or endpoint)


def enabled() -> bool:
    return _tracer is not None


def enable(tracer_provider: Any = None) -> None:
    """Traces from now on, through this provider (the SDK's, built from the environment, by default)."""
    global _tracer  # one tracer per process, as OpenTelemetry's own global
    if tracer_provider is None:
        tracer_provider = _provider_from_environment()
    _tracer = tracer_provider.get_tracer("kindred")


def disable() -> None:
    global _tracer
    _tracer = None


def enable_if_wanted() -> bool:
    """Turns tracing on when the environment asks for it; says so (or why not) in the log."""
    if not wanted():
        return False
    try:
        enable()
    except ImportError:
        logger.error(
            "an OpenTelemetry exporter is set but the SDK is missing: pip install 'kindred[otel]'; "
            "traces are off"
        )
        return False
    logger.info("OpenTelemetry traces are on")
    return True


def _provider_from_environment() -> Any:
    """The SDK's provider with the exporter OTEL_TRACES_EXPORTER names (otlp by default, or console),
    batched; the OTLP exporter reads its endpoint and headers from OpenTelemetry's variables."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    name = os.environ.get("OTEL_TRACES_EXPORTER", "otlp").split(",")[0].strip().lower() or "otlp"
    exporter: SpanExporter
    if name == "console":
        exporter = ConsoleSpanExporter()
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "kindred")})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def span(name: str, kind: str = "internal", **attributes: Any) -> Any:
    """A span around a block, a child of the current one; a no-op while tracing is off."""
    if _tracer is None:
        return nullcontext()
    return _span(name, kind, attributes)


@contextmanager
def _span(name: str, kind: str, attributes: dict[str, Any]) -> Iterator[Any]:
    from opentelemetry.trace import SpanKind

    kinds = {"server": SpanKind.SERVER, "client": SpanKind.CLIENT, "internal": SpanKind.INTERNAL}
    clean = {key: value for key, value in attributes.items() if value is not None}
    with _tracer.start_as_current_span(name, kind=kinds[kind], attributes=clean) as current:
        yield current


def request_span(name: str, headers: Mapping[str, str], **attributes: Any) -> Any:
    """A server span for a request, continuing the caller's trace when it sent a W3C `traceparent`."""
    if _tracer is None:
        return nullcontext()
    from opentelemetry import context, propagate

    @contextmanager
    def continued() -> Iterator[Any]:
        token = context.attach(propagate.extract(dict(headers)))
        try:
            with _span(name, "server", attributes) as current:
                yield current
        finally:
            context.detach(token)

    return continued()
