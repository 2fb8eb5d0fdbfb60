"""Liveness and readiness apart: live answers while the process does, ready only while Neo4j answers,
every migration is recorded, the vector store answers and the embedder has embedded, and not once a
shutdown has begun; its body names what failed."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app import create_app
from graph import migrations
from graph.driver import Graph
from localneo4j import free_port
from settings import Settings
from tests.client import GraphQLClient
from tests.lifespan import started
from web.readiness import Readiness


async def until_ready(http: httpx.AsyncClient) -> httpx.Response:
    """/health/ready once it says ready, as a load balancer waits for it (the embedder's model loads in
    the background at start: seconds on a loaded machine)."""
    for _ in range(120):
        ready = await http.get("/health/ready")
        if ready.status_code == 200:
            return ready
        await asyncio.sleep(0.5)
    return ready


@pytest.fixture
async def instance(
    settings: Settings, graph: Graph, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Readiness]]:
    """An app of its own: its own folder, as the suite's app holds the embedded vector store's."""
    own = settings.model_copy(update={"data_dir": tmp_path})
    async with started(create_app(own, graph)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
            await until_ready(http)
            yield http, manager._state["readiness"]


async def test_ready_and_live_when_everything_answers(client: GraphQLClient) -> None:
    ready = await until_ready(client.http)
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "failed": [],
        "checks": {"neo4j": "ok", "migrations": "ok", "vectors": "ok", "embedder": "ok"},
    }
    live = await client.http.get("/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (await client.http.get("/health")).json() == {"status": "ok", "neo4j": "reachable"}


async def test_without_neo4j_it_is_live_but_not_ready(
    instance: tuple[httpx.AsyncClient, Readiness],
) -> None:
    http, readiness = instance
    answering = readiness.graph
    readiness.graph = Graph.connect(f"bolt://127.0.0.1:{free_port()}", None, "neo4j")  # nothing listens
    try:
        ready = await http.get("/health/ready")
        live = await http.get("/health/live")
    finally:
        await readiness.graph.close()
        readiness.graph = answering
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["migrations", "neo4j"]
    assert body["checks"]["vectors"] == body["checks"]["embedder"] == "ok"
    assert live.status_code == 200


async def test_a_migration_not_recorded_is_not_ready(
    instance: tuple[httpx.AsyncClient, Readiness], graph: Graph
) -> None:
    http, _ = instance
    async with graph.driver.session() as session:
        await session.run("MATCH (m:Migration {version: 9}) DELETE m")
    try:
        ready = await http.get("/health/ready")
    finally:
        await migrations.apply(graph)  # records it again (its statements change nothing twice)
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["migrations"]
    assert ready.json()["checks"]["migrations"] == "not applied: [9]"


async def test_an_embedder_that_cannot_embed_is_not_ready(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    unreachable = settings.model_copy(
        update={
            "data_dir": tmp_path,
            "openai_api_key": SecretStr("sk-test"),
            "openai_base_url": f"http://127.0.0.1:{free_port()}/v1",
            "openai_max_retries": 0,
            "openai_timeout_seconds": 1,
        }
    )
    async with started(create_app(unreachable, graph)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
            ready = await http.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["embedder"]


async def test_once_a_shutdown_begins_it_is_no_longer_ready(
    instance: tuple[httpx.AsyncClient, Readiness],
) -> None:
    http, readiness = instance
    await readiness.shutdown.begin()
    ready = await http.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["shutdown"]
    assert (await http.get("/health/live")).status_code == 200
