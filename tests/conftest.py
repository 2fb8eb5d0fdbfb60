"""One fixture per real service: the project's own local Neo4j over Bolt, in a throwaway folder."""

import asyncio
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from neo4j import AsyncManagedTransaction
from starlette.applications import Starlette

from app import create_app
from graph import migrations
from graph.driver import Graph
from localneo4j import LocalNeo4j, free_port
from settings import Settings
from tests.client import GraphQLClient
from tests.differential import DIFFERENTIAL, DifferentialClient
from tests.lifespan import started
from tests.served import Served


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    server = LocalNeo4j(tmp_path_factory.mktemp("neo4j"), free_port(), heap="768m")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def settings(neo4j_server: LocalNeo4j, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        _env_file=None,
        NEO4J_URI=neo4j_server.uri,
        data_dir=tmp_path_factory.mktemp("data"),
        jwt_secret="a-test-secret-that-is-long-enough-for-hs256",
        # The suite sends many requests from one address; tests of the limits set their own.
        rate_limit_per_ip="100000/minute",
        rate_limit_per_user="100000/minute",
        rate_limit_per_email="100000/minute",
        # Embedding every node the suite writes would cost minutes: the search tests run their own.
        dispatch=False,
        # No scheduled jobs unless a test asks: the session's app would otherwise run every job each minute
        # (each test empties the graph, the jobs' claims with it) in the tests' own event loop, over the
        # tests' data, holding their locks whenever the machine's load puts them.
        schedule=False,
        # A request re-reads its credential's state (two statements) once the cached one is older than
        # this; a test counting a request's statements on a busy machine would count them too. The
        # tests of the expiry set their own.
        auth_state_ttl_seconds=3600,
        # No background planning of the view's statements in every app the suite starts: each test empties
        # the graph, so Neo4j would plan them again and again beside the tests. tests/test_view_plans.py
        # turns it on.
        warm_plans=False,
    )


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server (Debian's package), on a free port, keeping nothing on disk."""
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not _answers(port):
        assert process.poll() is None and time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=30)


def _answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
async def graph(settings: Settings) -> AsyncIterator[Graph]:
    assert settings.neo4j_uri is not None
    graph = Graph.connect(settings.neo4j_uri, None, settings.neo4j_database)
    await migrations.apply(graph)
    yield graph
    await graph.close()


@pytest.fixture(autouse=True)
async def empty_graph(graph: Graph) -> None:
    """Each test starts from a graph holding no data (the schema and its migrations stay). Retried as a
    managed transaction: an earlier test's dispatcher may still be writing, and a deadlock with it is
    transient."""

    async def empty(tx: AsyncManagedTransaction) -> None:
        await (await tx.run("MATCH (n) WHERE NOT n:Migration DETACH DELETE n")).consume()

    async with graph.driver.session() as session:
        await session.execute_write(empty)


@pytest.fixture(scope="session")
async def app(settings: Settings, graph: Graph) -> AsyncIterator[Starlette]:
    application = create_app(settings, graph)
    # Starting takes seconds (the embedder's weights, the vector store); far more on a loaded machine.
    async with started(application) as manager:
        yield manager.app  # type: ignore[misc]  # the app with its lifespan state, typed as any ASGI app


@pytest.fixture
async def client(app: Starlette, settings: Settings) -> AsyncIterator[GraphQLClient]:
    if DIFFERENTIAL:  # every query sent both ways, read as selected and read whole (tests/differential.py)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
            yield DifferentialClient(http, settings)
        return
    async with client_of(app) as graphql_client:
        yield graphql_client


@asynccontextmanager
async def client_of(app: Starlette) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
        yield GraphQLClient(http)


@asynccontextmanager
async def running(settings: Settings, graph: Graph | None = None) -> AsyncIterator[GraphQLClient]:
    """A client of an app of its own, with these settings (and this graph when given)."""
    lifespan = started(create_app(settings, graph))
    async with lifespan as manager, client_of(manager.app) as client:
        yield client


class LiveServer(Served):
    """Kindred served by uvicorn on a real port, in a thread with its own event loop and Neo4j driver.

    Instances whose dispatchers run on one graph must share one pub/sub: the live consumer's lease and
    cursors are the graph's, so an instance publishing into a pub/sub of its own (another Redis, or its
    process's) takes deltas that the other instances' subscribers then never hear. Serving such a pair at
    once fails here, at once, instead of as a subscriber that waits in vain on a loaded machine.
    """

    dispatching: ClassVar[dict[int, str]] = {}  # id of each running dispatching server -> its pub/sub

    def __init__(self, settings: Settings) -> None:
        super().__init__(create_app(settings))
        self.settings = settings
        self.pubsub = (settings.redis_url or f"in-process:{id(self)}") if settings.dispatch else None

    @property
    def url(self) -> str:
        return f"{self.base}/graphql"

    def __enter__(self) -> "LiveServer":
        if self.pubsub is not None:
            others = set(LiveServer.dispatching.values()) - {self.pubsub}
            assert not others, f"a dispatching server with another pub/sub ({others}) is still running"
            LiveServer.dispatching[id(self)] = self.pubsub
        try:
            super().__enter__()
        except BaseException:
            LiveServer.dispatching.pop(id(self), None)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        super().__exit__(*exc_info)
        LiveServer.dispatching.pop(id(self), None)

    def dispatch_report(self) -> str:
        """What its dispatcher is doing, for a test that waited for it in vain: each consumer's lease as
        this instance knows it, its failures in a row, and what its task awaits now (read from another
        thread: a glimpse, not a consistent snapshot)."""
        dispatcher = self.server.lifespan.state.get("dispatcher")
        if dispatcher is None:
            return "no dispatcher"
        lines = []
        for consumer, task in zip(dispatcher.consumers, dispatcher._tasks, strict=False):
            state = dispatcher._states[consumer.name]
            lines.append(
                f"{consumer.name}: held_until={state.held_until:.1f} locked={state.lock.locked()} "
                f"woken={state.wake.is_set()} failures={dispatcher.failures[consumer.name]} "
                f"delivered={dispatcher.delivered[consumer.name]} done={task.done()} "
                f"awaiting {_awaited(task)}"
            )
        return "\n".join(lines)


def _awaited(task: asyncio.Task[Any]) -> str:
    """The chain of coroutines a task awaits, outermost first, each at its line."""
    chain, awaited = [], task.get_coro()
    while awaited is not None and hasattr(awaited, "cr_frame") and awaited.cr_frame is not None:
        frame = awaited.cr_frame
        chain.append(f"{frame.f_code.co_name}:{frame.f_lineno}")
        awaited = awaited.cr_await
    if awaited is not None:
        chain.append(type(awaited).__name__)
    return " > ".join(chain)


@pytest.fixture
def project_dir() -> Path:
    return Path(__file__).resolve().parent.parent
