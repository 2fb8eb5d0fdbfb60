"""One Neo4j driver, and the managed read and write transactions every query runs in."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar

from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, NotificationMinimumSeverity
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired, TransientError

from graph.events import Event
from telemetry import metrics, tracing

P = ParamSpec("P")
T = TypeVar("T")
# A statement's text in a trace is cut here: the view's and search's run to a few thousand characters.
_TRACED_QUERY_CHARS = 4000
# Each access mode's counters, bound once: a label lookup per statement costs as much again.
_STATEMENTS = {access: metrics.NEO4J_STATEMENTS.labels(access) for access in ("read", "write")}
_STATEMENT_SECONDS = {access: metrics.NEO4J_STATEMENT_SECONDS.labels(access) for access in ("read", "write")}
Work = Callable[Concatenate[AsyncManagedTransaction, P], Awaitable[T]]
# What the driver raises once its retries are spent while Neo4j is down, cut off or too busy: the request
# failed for now, not for good, and the same request may be sent again.
UNAVAILABLE = (ServiceUnavailable, SessionExpired, TransientError)


@dataclass
class Count:
    statements: int = 0


# The counts open in the running task: a task started inside one (gather, a task group) counts into it
# too, while the instance's background work (the dispatcher, the eraser, the scheduler) runs in tasks
# started before, outside every count.
_COUNTS: ContextVar[tuple[Count, ...]] = ContextVar("kindred_statement_counts", default=())


@contextmanager
def counting() -> Iterator[Count]:
    """Counts the Cypher statements run from here on by this task and those it starts: a request's own
    statements, apart from whatever else the process runs meanwhile."""
    count = Count()
    token = _COUNTS.set((*_COUNTS.get(), count))
    try:
        yield count
    finally:
        _COUNTS.reset(token)


class Graph:
    """Runs named query functions in managed transactions, which the driver retries on transient errors.

    Reads go through execute_read, so a neo4j:// URI to a cluster sends them to its followers.
    """

    def __init__(self, driver: AsyncDriver, database: str) -> None:
        self.driver = driver
        self.database = database
        # How many transactions and Cypher statements ran: tests and benchmarks count round trips.
        self.transactions = 0
        self.statements = 0
        # Called with the Events a write transaction wrote, after it commits: how the dispatcher learns of
        # new events at once (its own writes, which write none, do not wake it again).
        self.on_commit: list[Callable[[Sequence[Event]], None]] = []

    @classmethod
    def connect(cls, uri: str, auth: tuple[str, str] | None, database: str) -> "Graph":
        # Notifications (such as "property key does not exist" before any node has it) are for a person
        # writing Cypher at a console, not for a running service's logs.
        driver = AsyncGraphDatabase.driver(
            uri, auth=auth, notifications_min_severity=NotificationMinimumSeverity.OFF
        )
        return cls(driver, database)

    async def read(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        self.transactions += 1
        with _Timed("read"):
            async with self.driver.session(database=self.database) as session:
                return await session.execute_read(self._counted(work, "read"), *args, **kwargs)

    async def write(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        self.transactions += 1
        written: list[list[Event]] = []
        with _Timed("write"):
            async with self.driver.session(database=self.database) as session:
                result = await session.execute_write(self._counted(work, "write", written), *args, **kwargs)
        if written and written[-1]:  # the attempt that committed wrote events
            for listener in self.on_commit:
                listener(written[-1])
        return result

    def _counted(self, work: Work[P, T], access: str, written: list[list[Event]] | None = None) -> Work[P, T]:
        async def counted(tx: AsyncManagedTransaction, *args: P.args, **kwargs: P.kwargs) -> T:
            counting = _CountingTransaction(tx, self, access, getattr(work, "__qualname__", "?"))
            # A proxy of the managed transaction, not one: it forwards everything and counts statements.
            result = await work(counting, *args, **kwargs)  # type: ignore[arg-type]
            if written is not None:
                written.append(counting.appended)
            return result

        return counted

    async def reachable(self, within: float = 5.0) -> str | None:
        """None when Neo4j answers a query, else why it does not. Not retried: a probe must be quick."""
        try:
            async with asyncio.timeout(within), self.driver.session(database=self.database) as session:
                await (await session.run("RETURN 1")).consume()
        except TimeoutError:
            return f"no answer in {within:.0f} s"
        except (DriverError, Neo4jError, OSError) as error:
            return f"{type(error).__name__}: {error}"
        return None

    async def close(self) -> None:
        await self.driver.close()


class _Timed:
    """Counts and times a managed transaction (its retries included) for /metrics."""

    def __init__(self, access: str) -> None:
        self.access = access
        self.start = 0.0

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        metrics.NEO4J_TRANSACTION_SECONDS.labels(self.access).observe(time.perf_counter() - self.start)
        metrics.NEO4J_TRANSACTIONS.labels(self.access, "ok" if kind is None else "error").inc()


class _CountingTransaction:
    """A managed transaction that counts the statements it runs on its graph: every Cypher statement
    Kindred runs passes here, so this is where they are counted, timed and traced."""

    def __init__(self, tx: AsyncManagedTransaction, graph: Graph, access: str, work: str) -> None:
        self._tx = tx
        self._graph = graph
        self._access = access
        self._work = work  # the transaction function's name: a trace's name for the statement
        self.appended: list[Event] = []  # set by graph/events.py when it appends to the log

    async def run(self, query: Any, parameters: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        self._graph.statements += 1
        for count in _COUNTS.get():
            count.statements += 1
        _STATEMENTS[self._access].inc()
        start = time.perf_counter()
        with self._traced(query):
            result = await self._tx.run(query, parameters, **kwargs)
        _STATEMENT_SECONDS[self._access].observe(time.perf_counter() - start)
        return result

    def _traced(self, query: Any) -> Any:
        if not tracing.enabled():  # the attributes are not even built
            return nullcontext()
        attributes = {
            "db.system.name": "neo4j",
            "db.operation.name": self._work,
            "db.query.text": str(query)[:_TRACED_QUERY_CHARS],
            "kindred.access": self._access,
        }
        return tracing.span(f"cypher {self._work}", "client", **attributes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)
