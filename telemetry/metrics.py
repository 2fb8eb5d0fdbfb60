"""Kindred's Prometheus metrics, in prometheus_client's default registry (beside its process metrics:
resident memory, CPU, open files). Served at /metrics (web/metrics.py).

No label ever names a user, an id or anything a client typed freely: an operation's name is a label only
while it looks like a name and only for the first MAX_OPERATIONS distinct names (then `_other`), so a
client cannot grow the series without bound."""

import re
import threading

from prometheus_client import Counter, Gauge, Histogram

# Latency buckets (seconds) from a fast cached read to a slow upload.
_REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_STATEMENT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
_LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

GRAPHQL_REQUESTS = Counter(
    "kindred_graphql_requests",
    "GraphQL requests over HTTP, by operation name and outcome (ok, or the first error's code).",
    ["operation", "outcome"],
)
GRAPHQL_SECONDS = Histogram(
    "kindred_graphql_request_seconds",
    "Time to answer a GraphQL request over HTTP, by operation name and outcome.",
    ["operation", "outcome"],
    buckets=_REQUEST_BUCKETS,
)
NEO4J_STATEMENTS = Counter(
    "kindred_neo4j_statements", "Cypher statements run, by transaction access (read or write).", ["access"]
)
NEO4J_STATEMENT_SECONDS = Histogram(
    "kindred_neo4j_statement_seconds",
    "Time from sending a Cypher statement to Neo4j's first answer (its records may stream after).",
    ["access"],
    buckets=_STATEMENT_BUCKETS,
)
COMPILED_READS = Counter(
    "kindred_compiled_reads",
    "Queries answered in one compiled statement (compiled), in one with some fields resolved field by "
    "field (partial), or wholly field by field although asked (fallback, or error when the statement "
    "failed).",
    ["outcome"],
)
NEO4J_TRANSACTIONS = Counter(
    "kindred_neo4j_transactions",
    "Managed transactions, by access and outcome (ok or error), retries included in their time.",
    ["access", "outcome"],
)
NEO4J_TRANSACTION_SECONDS = Histogram(
    "kindred_neo4j_transaction_seconds",
    "Time of a whole managed transaction (its statements, records, commit and the driver's retries).",
    ["access"],
    buckets=_REQUEST_BUCKETS,
)
DISPATCH_LAG = Histogram(
    "kindred_dispatch_lag_seconds",
    "From an Event's commit to its delivery to a consumer (handled, not merely passed over).",
    ["consumer"],
    buckets=_LAG_BUCKETS,
)
DISPATCH_DELIVERED = Counter("kindred_dispatch_delivered_events", "Events a consumer handled.", ["consumer"])
DISPATCH_FAILURES = Counter(
    "kindred_dispatch_failures",
    "Delivery passes of a consumer that ended with an error (its store down, or an event that failed).",
    ["consumer"],
)
DISPATCH_PARKED = Counter(
    "kindred_dispatch_parked_events", "Events a consumer set aside as poison.", ["consumer"]
)
SUBSCRIPTIONS_OPEN = Gauge("kindred_subscriptions_open", "Operations running on WebSockets now.")
WEBSOCKETS_OPEN = Gauge("kindred_websockets_open", "GraphQL WebSocket connections open now.")
UPLOAD_BYTES = Counter("kindred_upload_bytes", "Bytes of the files uploaded and recorded as Documents.")
UPLOADS = Counter("kindred_uploads", "Files uploaded and recorded as Documents.")

MAX_OPERATIONS = 200
OTHER_OPERATION = "_other"
ANONYMOUS_OPERATION = "_anonymous"
UNPARSED_OPERATION = "_none"  # refused before it was a GraphQL operation (a body that is not one)
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_seen: set[str] = set()
_seen_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    """The label an operation is counted under: its name while the names stay few."""
    if name is None:
        return ANONYMOUS_OPERATION
    if not _NAME.fullmatch(name):
        return OTHER_OPERATION
    with _seen_lock:
        if name in _seen:
            return name
        if len(_seen) >= MAX_OPERATIONS:
            return OTHER_OPERATION
        _seen.add(name)
        return name


def observe_request(operation: str | None, outcome: str, seconds: float) -> None:
    label = operation_label(operation)
    GRAPHQL_REQUESTS.labels(label, outcome).inc()
    GRAPHQL_SECONDS.labels(label, outcome).observe(seconds)


def record_upload(size: int) -> None:
    UPLOADS.inc()
    UPLOAD_BYTES.inc(size)
