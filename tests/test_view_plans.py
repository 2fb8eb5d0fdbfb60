"""The view's, the layout's and search's statements are planned at start (graph/plans.py): the first
graphView and search after a restart find Neo4j's plans made, start and readiness never wait for them, and a
shutdown stops them."""

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import AsyncManagedTransaction

from app import create_app
from graph import plans
from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import client_of
from tests.lifespan import started
from tests.test_view import concept, link

FIRST_VIEW = "{ graphView(maxNodes: 2) { totalCount nodes { id } links { id } } }"
FIRST_SEARCH = '{ search(query: "tea") { node { id } } }'


async def _fresh_plans(graph: Graph) -> None:
    """Neo4j as after a restart: no plan cached, and its query statistics collected from now on."""

    async def fresh(tx: AsyncManagedTransaction) -> None:
        # Indexes resampled, then the plans cleared: statistics that moved after the writes (sampled in
        # the background) would have Neo4j plan a statement again when a request runs it.
        await (await tx.run("CALL db.prepareForReplanning(120)")).consume()

    async with graph.driver.session() as session:
        await session.execute_write(fresh)
        for call in ("db.stats.stop", "db.stats.clear", "db.stats.collect"):
            await (await session.run(f"CALL {call}('QUERIES')")).consume()


async def _compile_seconds(graph: Graph) -> dict[str, list[tuple[str, float]]]:
    """Each statement Neo4j ran since `_fresh_plans`, by its text: who ran it (the `owner` parameter) and
    how long it took to plan, each time."""
    async with graph.driver.session() as session:
        rows = await (await session.run("CALL db.stats.retrieve('QUERIES')")).data()
    found: dict[str, list[tuple[str, float]]] = {}
    for row in rows:
        data: dict[str, Any] = row["data"]
        for run in data["invocations"]:
            owner = (run.get("params") or {}).get("owner")
            found.setdefault(data["query"], []).append((owner, run["elapsedCompileTimeInUs"] / 1e6))
    return found


def warming(settings: Settings, data: Path) -> Settings:
    """Settings for an app that warms the plans, with its own data folder: the suite's session app may hold
    the vector store's files in the shared one (qdrant-edge locks its write-ahead log)."""
    return settings.model_copy(update={"warm_plans": True, "data_dir": data})


async def test_the_first_view_and_search_after_a_start_find_their_statements_planned(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    # Written first, by an app that plans nothing: Neo4j plans a statement again when its statistics
    # have moved far since it was planned.
    writing = warming(settings, tmp_path).model_copy(update={"warm_plans": False, "dispatch": True})
    async with started(create_app(writing, graph)) as manager, client_of(manager.app) as client:
        token = await client.sign_up("first-view@example.com")
        ids = [await concept(client, token, name) for name in ("tea", "cake", "jam")]
        await link(client, token, ids[0], ids[1])
        await link(client, token, ids[1], ids[2])
        await manager._state["dispatcher"].drain()  # their texts kept for search, and their vectors
    await _fresh_plans(graph)
    async with started(create_app(warming(settings, tmp_path), graph)) as manager:
        assert await manager._state["plans"] == len(plans.statements())  # every one planned, none failed
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
            view = (await GraphQLClient(http).data(FIRST_VIEW, token=token))["graphView"]
            found = (await GraphQLClient(http).data(FIRST_SEARCH, token=token))["search"]
    assert view["totalCount"] == 3 and len(view["nodes"]) <= 2  # cut and folded: both statements ran
    assert [hit["node"]["id"] for hit in found][:1] == ids[:1]  # found by its word: both statements ran
    planned = await _compile_seconds(graph)
    mine = [runs for runs in planned.values() if any(owner not in (plans.OWNER, None) for owner, _ in runs)]
    warmed = [runs for runs in mine if any(owner == plans.OWNER for owner, _ in runs)]
    ran = [(text[:60], runs) for text, runs in planned.items()]
    # The view's two statements, each of one text, and search's two (the words' matches, the fields).
    assert len(warmed) == 4, f"warmed: {ran}"
    for runs in warmed:
        # Planned by a warm-up (the same text and parameter types: the suite's own app may have planned it
        # first, and this app's then found it); the request only looked it up.
        warm_up = max(seconds for owner, seconds in runs if owner == plans.OWNER)
        (request,) = [seconds for owner, seconds in runs if owner != plans.OWNER]
        assert request < warm_up / 5, f"planned again by the request: {runs}"


async def test_a_shutdown_stops_the_warm_up_and_readiness_never_waits_for_it(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    await _fresh_plans(graph)  # so there is planning left to do when the app stops
    async with started(create_app(warming(settings, tmp_path), graph)) as manager:
        task = manager._state["plans"]
        assert task is not None
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
            ready = await http.get("/health/ready")
            assert ready.status_code == 200, ready.text
            running = not task.done()
    assert task.done()
    assert task.cancelled() or not running  # stopped where it was, without an error


async def test_the_warm_up_can_be_turned_off(settings: Settings, graph: Graph) -> None:
    off = settings.model_copy(update={"warm_plans": False})
    async with started(create_app(off, graph)) as manager:
        assert manager._state["plans"] is None


async def test_the_warm_up_gives_up_when_statements_keep_failing(
    graph: Graph, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def statement(name: str, cypher: str) -> tuple[str, plans.Statement]:
        async def run(tx: AsyncManagedTransaction) -> None:
            ran.append(name)
            await (await tx.run(cypher)).consume()

        return name, run

    broken = "RETURN no_such_variable"  # refused by Neo4j as a database-wide fault would refuse them all
    found = [statement("first", "RETURN 1"), *(statement(f"broken {i}", broken) for i in range(4))]
    monkeypatch.setattr(plans, "statements", lambda: [*found, statement("last", "RETURN 1")])
    with caplog.at_level(logging.WARNING, logger="kindred.plans"):
        assert await plans.warm(graph) == 1
    assert ran == ["first", "broken 0", "broken 1", "broken 2"]  # stopped at the third in a row
    tracebacks = [record for record in caplog.records if record.exc_info]
    assert len(tracebacks) == 1, caplog.text  # the error's traceback once, not once per statement
