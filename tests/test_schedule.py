"""Scheduled work: a job runs once a period across instances and restarts; the purge deletes what has
expired everywhere (Neo4j, search, graphView, subscribers); occasions are announced once, ahead."""

import asyncio
import base64
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import create_app, jobs
from dispatch import HOURLY, Job, Services, announce, purge
from dispatch.runner import Dispatcher
from dispatch.schedule import Scheduler
from graph.driver import Graph
from settings import Settings
from storage.vectors import VectorStore
from tests.client import GraphQLClient
from tests.conftest import LiveServer, client_of
from tests.lifespan import started
from tests.live import Socket, live_only, live_settings, post, sign_up

MEMORY = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id expiresAt } }"
MEMORIES = "{ memories { totalCount nodes { content } } }"
SEARCH = "query ($q: String!) { search(query: $q, kinds: [MEMORY]) { node { id } } }"
VIEW = "{ graphView { nodes { id } } }"
OCCASION = "mutation ($input: CreateOccasionInput!) { createOccasion(input: $input) { id } }"
DAY = 86400.0


class Clock:
    """A clock a test moves: a day passes in a line."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def counting(name: str, every: float, runs: list[str]) -> Job:
    async def run(services: Services, now: float) -> int:
        runs.append(name)
        return 1

    return Job(name, every, run)


def services_of(graph: Graph) -> Services:
    return Services(graph, None, None)  # type: ignore[arg-type]  # the jobs here use the graph alone


async def test_two_instances_run_a_job_once_a_period_between_them(graph: Graph) -> None:
    runs: list[str] = []
    clock = Clock(1_000 * HOURLY + 10)
    one = Scheduler(services_of(graph), [counting("tally", HOURLY, runs)], clock=clock)
    two = Scheduler(services_of(graph), [counting("tally", HOURLY, runs)], clock=clock)
    for _ in range(3):
        await one.run_due()
        await two.run_due()
    assert runs == ["tally"]
    clock.now += HOURLY / 2  # the same hour still
    await two.run_due()
    await one.run_due()
    assert runs == ["tally"]
    clock.now += HOURLY  # the next hour: whichever asks first runs it, the other does not
    await two.run_due()
    await one.run_due()
    assert runs == ["tally", "tally"]
    assert (one.runs["tally"], two.runs["tally"]) == (1, 1)


async def test_a_restart_in_the_same_period_does_not_run_it_again(graph: Graph) -> None:
    runs: list[str] = []
    clock = Clock(500 * DAY + 3600)
    before = Scheduler(services_of(graph), [counting("daily", DAY, runs)], clock=clock)
    assert await before.run_due() == {"daily": 1}
    clock.now += 3 * 3600
    after = Scheduler(services_of(graph), [counting("daily", DAY, runs)], clock=clock)  # a new process
    assert await after.run_due() == {}
    clock.now += DAY
    assert await after.run_due() == {"daily": 1}
    assert runs == ["daily", "daily"]


async def test_a_failed_run_is_tried_again_in_the_same_period(graph: Graph) -> None:
    attempts: list[float] = []

    async def flaky(services: Services, now: float) -> int:
        attempts.append(now)
        if len(attempts) == 1:
            raise RuntimeError("the store was away")
        return 1

    scheduler = Scheduler(services_of(graph), [Job("flaky", HOURLY, flaky)], clock=Clock(7 * HOURLY))
    assert await scheduler.run_due() == {}
    assert await scheduler.run_due() == {"flaky": 1}
    assert await scheduler.run_due() == {}
    assert len(attempts) == 2


async def test_an_app_with_its_scheduler_on_runs_every_job_once_a_period(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    own = settings.model_copy(update={"data_dir": tmp_path, "schedule": True, "schedule_tick_seconds": 0.2})
    names = {job.name for job in jobs(own)}
    query = "MATCH (s:Schedule) WHERE s.finished_at IS NOT NULL RETURN collect(s.name) AS names"
    async with started(create_app(own, graph)):
        deadline = time.monotonic() + 120
        finished: set[str] = set()
        while finished != names and time.monotonic() < deadline:
            async with graph.driver.session() as session:
                finished = set((await (await session.run(query)).single(strict=True))["names"])
            await asyncio.sleep(0.2)
    assert finished == names


@dataclass
class Instance:
    client: GraphQLClient
    dispatcher: Dispatcher
    vectors: VectorStore
    services: Services


@pytest.fixture
async def kindred(settings: Settings, graph: Graph, tmp_path: Path) -> AsyncIterator[Instance]:
    """An app with its dispatcher (embeddings, live) and its own vectors; its scheduler off: the test runs
    one with a clock it moves."""
    own = settings.model_copy(update={"data_dir": tmp_path, "dispatch": True, "schedule": False})
    app = create_app(own, graph)
    async with started(app) as manager, client_of(manager.app) as client:
        state = manager._state
        services = Services(graph, state["embedder"], state["vectors"])
        yield Instance(client, state["dispatcher"], state["vectors"], services)


async def remember(client: GraphQLClient, token: str, content: str, **extra: object) -> str:
    made = await client.data(MEMORY, {"input": {"content": content, **extra}}, token=token)
    return str(made["createMemory"]["id"])


def uid_of(global_id: str) -> str:
    return base64.b64decode(global_id).decode().partition(":")[2]


async def memory_uids(graph: Graph) -> set[str]:
    async with graph.driver.session() as session:
        return {r["uid"] async for r in await session.run("MATCH (m:Memory) RETURN m.uid AS uid")}


async def test_the_purge_deletes_expired_memories_from_neo4j_search_and_the_view(
    kindred: Instance, graph: Graph
) -> None:
    ann = await kindred.client.sign_up("purge-ann@example.com")
    bob = await kindred.client.sign_up("purge-bob@example.com")
    parked = await remember(kindred.client, ann, "Parked the bicycle by the harbour", kind="SHORT_TERM")
    kept = await remember(kindred.client, ann, "Sailing on the harbour with Lena", kind="EPISODIC")
    bobs = await remember(kindred.client, bob, "Bicycle lock code is on the fridge", kind="SHORT_TERM")
    bobs_later = await remember(
        kindred.client, bob, "Bicycle repair shop opens Monday", kind="SHORT_TERM", ttlHours=720
    )
    await kindred.dispatcher.drain()
    assert await kindred.vectors.count("memory") == 4
    # Two days on: Ann's and Bob's 24-hour memories have expired, Bob's 30-day one has not.
    clock = Clock(time.time() + 2 * DAY)
    scheduler = Scheduler(kindred.services, [Job.of(purge)], clock=clock)
    assert await scheduler.run_due() == {"purge": 2}
    await kindred.dispatcher.drain()

    left = await memory_uids(graph)
    assert left == {uid_of(kept), uid_of(bobs_later)}
    assert uid_of(parked) not in left and uid_of(bobs) not in left
    assert await kindred.vectors.count("memory") == 2
    found = await kindred.client.data(SEARCH, {"q": "bicycle harbour"}, token=ann)
    assert [hit["node"]["id"] for hit in found["search"]] == [kept]
    view = await kindred.client.data(VIEW, token=ann)
    drawn = {node["id"] for node in view["graphView"]["nodes"]}
    assert kept in drawn and parked not in drawn
    bob_sees = await kindred.client.data(MEMORIES, token=bob)
    assert bob_sees["memories"]["nodes"] == [{"content": "Bicycle repair shop opens Monday"}]
    # The same hour again: nothing more runs.
    assert await scheduler.run_due() == {}


async def test_graph_view_leaves_out_an_expired_memory_before_the_purge(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("view-expired@example.com")
    short = await remember(client, token, "Umbrella left at the cafe", kind="SHORT_TERM")
    lasting = await remember(client, token, "Our wedding by the lake", kind="EPISODIC")
    drawn = {node["id"] for node in (await client.data(VIEW, token=token))["graphView"]["nodes"]}
    assert {short, lasting} <= drawn
    async with graph.driver.session() as session:  # a day cannot pass in a test: its clock is moved
        query = "MATCH (m:Memory {uid: $uid}) SET m.expires_at = datetime() - duration('PT1S')"
        await session.run(query, uid=uid_of(short))
    drawn = {node["id"] for node in (await client.data(VIEW, token=token))["graphView"]["nodes"]}
    assert lasting in drawn and short not in drawn


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    with live_only(), LiveServer(live_settings(settings)) as live_server:
        yield live_server


async def event_kinds(graph: Graph, owner_token_email: str) -> list[str]:
    query = """
    MATCH (u:User {email: $email}) MATCH (e:Event {owner: u.uid}) RETURN e.kind AS kind ORDER BY e.sequence
    """
    async with graph.driver.session() as session:
        return [r["kind"] async for r in await session.run(query, email=owner_token_email)]


async def test_subscribers_hear_the_purge_and_an_occasion_once_ahead(
    server: LiveServer, graph: Graph
) -> None:
    ann = await sign_up(server, "live-purge-ann@example.com")
    bob = await sign_up(server, "live-purge-bob@example.com")
    today = datetime.now(UTC).date()
    made = await post(server, MEMORY, {"input": {"kind": "SHORT_TERM", "content": "Keys under the mat"}}, ann)
    parked = made["createMemory"]["id"]
    soon = {"name": "Lena's birthday", "kind": "BIRTHDAY", "date": (today + timedelta(days=5)).isoformat()}
    occasion = (await post(server, OCCASION, {"input": soon}, ann))["createOccasion"]["id"]
    later = {"name": "Far off", "kind": "BIRTHDAY", "date": (today + timedelta(days=40)).isoformat()}
    await post(server, OCCASION, {"input": later}, ann)
    bobs_soon = {"name": "Bob's day", "kind": "BIRTHDAY", "date": (today + timedelta(days=20)).isoformat()}
    await post(server, OCCASION, {"input": bobs_soon}, bob)
    bob_before = await event_kinds(graph, "live-purge-bob@example.com")

    ws = await Socket.open(server, ann)
    await ws.subscribe("1", since=len(await event_kinds(graph, "live-purge-ann@example.com")))
    clock = Clock(time.time() + 2 * DAY)  # two days on: the memory expired, the birthday three days off
    jobs = [Job.of(purge), Job(announce.NAME, announce.EVERY, announce.job(notice_days=7))]
    scheduler = Scheduler(services_of(graph), jobs, clock=clock)
    assert await scheduler.run_due() == {"purge": 1, "announce-occasions": 1}

    deltas = await ws.deltas(2, within=60)
    by_kind = {delta["kind"]: delta for delta in deltas}
    assert by_kind["MemoryDeleted"]["nodesRemoved"] == [{"id": parked, "label": "Memory"}]
    assert by_kind["OccasionUpcoming"]["nodesUpdated"] == [{"__typename": "Occasion", "id": occasion}]

    clock.now += DAY  # the next day: the birthday is still ahead, but announced already
    assert await scheduler.run_due() == {"purge": 0, "announce-occasions": 0}
    kinds = await event_kinds(graph, "live-purge-ann@example.com")
    assert kinds.count("OccasionUpcoming") == 1
    # Bob's occasion is twenty days off and he had nothing expired: his log is as it was.
    assert await event_kinds(graph, "live-purge-bob@example.com") == bob_before
    await ws.close()
