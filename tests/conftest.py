"""One fixture per real service: the project's own local Neo4j over Bolt, in a throwaway folder."""

import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from app import create_app
from graph import migrations
from graph.driver import Graph
from localneo4j import LocalNeo4j
from settings import Settings
from tests.client import GraphQLClient


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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
    )


@pytest.fixture(scope="session")
async def graph(settings: Settings) -> AsyncIterator[Graph]:
    assert settings.neo4j_uri is not None
    graph = Graph.connect(settings.neo4j_uri, None, settings.neo4j_database)
    await migrations.apply(graph)
    yield graph
    await graph.close()


@pytest.fixture(autouse=True)
async def empty_graph(graph: Graph) -> None:
    """Each test starts from a graph holding no data (the schema and its migrations stay)."""
    async with graph.driver.session() as session:
        await session.run("MATCH (n) WHERE NOT n:Migration DETACH DELETE n")


@pytest.fixture(scope="session")
async def app(settings: Settings, graph: Graph) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with LifespanManager(application) as manager:
        yield manager.app  # type: ignore[misc]


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
        yield GraphQLClient(http)


@pytest.fixture
def project_dir() -> Path:
    return Path(__file__).resolve().parent.parent
