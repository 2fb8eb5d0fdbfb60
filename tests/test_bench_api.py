"""The api bench's runner: the order its servers take turns in, the users each request is sent as, a
disturbed cell run again, the peer's `where` setup, and statements counted per request only."""

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import resolvers.context
from app import create_app
from bench import statements
from bench.api_report import Run, raw, report
from bench.cells import Cell, Measured, Runner, Turn, cells, compare, picks
from bench.operations import NESTED, OPERATIONS, Sample
from graph.driver import Graph, counting
from settings import Settings
from tests.client import GraphQLClient
from tests.lifespan import started
from tests.test_recipients import create as create_recipient

SERVERS = ("kindred", "floor", "peer", "peer_where")


def _sample(owner: str) -> Sample:
    return Sample(owner, "token", ["r1", "r2"], "o1", "c1", "g1", [("Recipient", "r1")])


def test_every_server_takes_a_turn_in_every_cell_and_the_first_turn_passes_on() -> None:
    made = cells(OPERATIONS, (1, 8), SERVERS)
    assert [(cell.operation.name, cell.concurrency) for cell in made] == [
        (operation.name, concurrency) for operation in OPERATIONS for concurrency in (1, 8)
    ]
    assert all(sorted(cell.order) == sorted(SERVERS) for cell in made)
    # Consecutive cells: the next server goes first, so each goes first as often as the others.
    assert [cell.order[0] for cell in made[:5]] == ["kindred", "floor", "peer", "peer_where", "kindred"]
    assert made[1].order == ("floor", "peer", "peer_where", "kindred")
    firsts = Counter(cell.order[0] for cell in made)
    assert set(firsts.values()) == {len(made) // len(SERVERS)}


def test_each_request_of_a_cell_is_another_user_while_the_sample_lasts() -> None:
    sample_list = [_sample(f"user-{i}") for i in range(50)]
    chosen = picks(sample_list, 30, random.Random(1))
    assert len({sample.owner for sample in chosen}) == 30
    again = [sample.owner for sample in picks(sample_list, 120, random.Random(1))]
    # Round the whole sample, then round it again in another order.
    assert len(set(again[:50])) == len(set(again[50:100])) == 50 and again[:50] != again[50:100]
    assert len(set(again[100:])) == 20
    assert [s.owner for s in picks(sample_list, 30, random.Random(1))] == [s.owner for s in chosen]


class _Scripted(Runner):
    """A runner whose turns report the loads given, in order (the measuring itself is not under test)."""

    def __init__(self, rises: list[float], margin: float, repeats: int) -> None:
        super().__init__(None, {}, 0, _nothing_due, margin, repeats, 1, log=lambda _: None)  # type: ignore[arg-type]
        self.rises = iter(rises)

    async def turn(self, server: str, cell: Cell, chosen: list[Sample]) -> Turn:
        rise = next(self.rises)
        done = Turn(server, [0.01], [0], 1.0, 0, "", {0: ["same"]})
        done.load_before, done.load_peak = 1.0, 1.0 + rise
        return done


async def _nothing_due() -> int:
    return 0


async def test_a_cell_whose_load_rose_is_run_again_at_most_so_often_and_the_calmest_kept() -> None:
    cell = cells(OPERATIONS[:1], (1,), ("kindred", "floor"))[0]
    users = [_sample("u")]
    calm = await _Scripted([0.1, 0.2], margin=0.5, repeats=2).cell(cell, users)
    assert len(calm.attempts) == 1
    # Disturbed twice, then calm: three attempts, the third kept.
    settled = await _Scripted([0.1, 2.0, 0.9, 0.1, 0.3, 0.2], margin=0.5, repeats=2).cell(cell, users)
    assert len(settled.attempts) == 3 and max(t.rise for t in settled.turns.values()) == pytest.approx(0.3)
    # Always disturbed: one run and two repeats, no more; the least disturbed of them kept.
    noisy = await _Scripted([3.0, 0.1, 0.1, 1.5, 2.0, 2.0], margin=0.5, repeats=2).cell(cell, users)
    assert len(noisy.attempts) == 3 and noisy.turns["kindred"].rise == pytest.approx(0.1)
    assert noisy.turns["floor"].rise == pytest.approx(1.5)


def test_answers_are_compared_request_by_request_with_kindreds() -> None:
    cell = cells(OPERATIONS[:1], (1,), ("kindred", "floor", "peer"))[0]
    turns = {
        "kindred": Turn("kindred", [], [], 1.0, 0, "", {0: ["a"], 1: ["b"], 2: ["c"]}),
        "floor": Turn("floor", [], [], 1.0, 0, "", {0: ["a"], 1: ["b"], 2: ["c"]}),
        "peer": Turn("peer", [], [], 1.0, 0, "", {0: ["a"], 1: ["x"], 2: ["c"]}),
    }
    measured = Measured(cell, turns, [], ["ann", "bob", "cy"])
    compare(measured)
    assert measured.differences == {"floor": 0, "peer": 1}
    assert len(measured.examples) == 1 and "for bob: peer ['x'] != kindred ['b']" in measured.examples[0]


def test_the_where_setup_filters_every_operation_by_its_owner() -> None:
    sample = _sample("owner-1")
    for operation in OPERATIONS:
        if operation.name == "create_gift":  # its filters are in its variables
            continue
        variables = operation.variables(sample)
        assert "$owner" in (operation.document("peer_where") or ""), operation.name
        assert variables["peer_where"] == {**variables["peer"], "owner": "owner-1"}
    create = next(op for op in OPERATIONS if op.name == "create_gift").variables(sample)
    (gift,) = create["peer_where"]["input"]
    for name in ("recipients", "occasion", "tags"):
        assert gift[name]["connect"][0]["where"]["node"]["owner"] == {"eq": "owner-1"}
    # The `@authorization` setup's variables are left as they were: its server filters.
    assert "owner" not in create["peer"]["input"][0]["recipients"]["connect"][0]["where"]["node"]


@pytest.fixture
def counted() -> Iterator[None]:
    statements.install()
    yield
    statements.uninstall()


async def _two_statements(tx: AsyncManagedTransaction) -> None:
    for _ in range(2):
        await (await tx.run("RETURN 1")).consume()


async def test_a_request_counts_its_own_statements_not_the_processes_nor_its_credentials(
    counted: None, settings: Settings
) -> None:
    driver = AsyncGraphDatabase.driver(settings.neo4j_uri or "", auth=None)

    @statements.aside
    async def check_credential() -> None:
        async with driver.session() as session:
            await (await session.run("RETURN 'auth'")).consume()

    async def work(request: Request) -> JSONResponse:
        await check_credential()
        async with driver.session() as session:
            await session.execute_read(_two_statements)
        return JSONResponse({})

    stop = asyncio.Event()

    async def background() -> None:  # the dispatcher's part: started before any request
        while not stop.is_set():
            async with driver.session() as session:
                await (await session.run("RETURN 'background'")).consume()

    app = statements.PerRequest(Starlette(routes=[Route("/work", work)]))
    busy = asyncio.create_task(background())
    before = statements.sent
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.test") as http:
            answers = await asyncio.gather(*(http.get("/work") for _ in range(8)))
    finally:
        stop.set()
        await busy
        await driver.close()
    tallies = [statements.of(answer.headers) for answer in answers]
    assert tallies == [statements.Tally(statements=2, transactions=1, auth=1)] * 8
    assert statements.sent - before > 8 * 3  # the background's were sent meanwhile, counted apart


@pytest.fixture
async def kindred(counted: None, settings: Settings, graph: Graph) -> AsyncIterator[GraphQLClient]:
    """Kindred as bench/serve_kindred.py serves it: its credential check aside, each request counted."""
    original = resolvers.context.problem_with
    resolvers.context.problem_with = statements.aside(original)
    try:
        async with started(statements.PerRequest(create_app(settings, graph))) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
                yield GraphQLClient(http)
    finally:
        resolvers.context.problem_with = original


async def _nested(client: GraphQLClient, token: str) -> tuple[Any, statements.Tally, int]:
    """The bench's nested read: its answer, its tally, and what Kindred's own per-request count saw."""
    with counting() as count:
        response = await client.http.post(
            "/graphql", json={"query": NESTED}, headers={"Authorization": f"Bearer {token}"}
        )
    tally = statements.of(response.headers)
    assert tally is not None and not response.json().get("errors")
    return response.json()["data"], tally, count.statements


async def test_kindreds_nested_read_counts_its_own_statements_and_the_credential_check_apart(
    kindred: GraphQLClient,
) -> None:
    token = await kindred.sign_up("bench-count@example.com")
    for name in ("Ann", "Bob", "Cy"):
        await create_recipient(kindred, token, name)
    await kindred.sign_up("bench-other@example.com")  # another user's statements are not this one's
    data, first, seen = await _nested(kindred, token)
    assert len(data["recipients"]["edges"]) == 3
    # Kindred's own count of the request (graph/driver.py) is the operation's and the credential's.
    assert first.statements + first.auth == seen and first.statements >= 1
    _, again, seen_again = await _nested(kindred, token)
    assert again.statements == first.statements and again.statements + again.auth == seen_again


def test_the_report_gives_p50_and_p99_per_cell_the_repeated_cells_and_the_raw_latencies() -> None:
    measured = []
    for cell in cells(OPERATIONS[:1], (1, 8), SERVERS):
        turns = {}
        for rank, server in enumerate(SERVERS, start=1):  # Kindred 10 ms, the floor 20 ms, ...; two slow
            turns[server] = Turn(server, [0.01 * rank] * 98 + [0.5] * 2, list(range(100)), 2.0, 0, "", {})
        calm = [(server, 1.0, 1.2, 0.0) for server in SERVERS]
        attempts = (
            [[(server, 1.0, 3.5, 0.4) for server in SERVERS], calm] if cell.concurrency == 8 else [calm]
        )
        measured.append(Measured(cell, turns, attempts, [f"user-{i}" for i in range(100)]))
    manifest = {"users": 4, "seed": 13, "nodes": 10, "relationships": 20}
    run = Run(manifest, {}, "machine", SERVERS, (1, 8), 100, 4, 13, 1.0, 2, [])
    text = report(run, measured)
    p50, p99 = text.split("p50 latency")[1].split("p99 latency")
    assert "| 10.0 / 10.0 | 20.0 / 20.0 | 30.0 / 30.0 | 40.0 / 40.0 | 0.50x / 0.50x |" in p50
    assert "| 500.0 / 500.0 | 500.0 / 500.0 |" in p99.split("Per server")[0]
    repeated = text.split("Cells run again")[1].split("Kindred's deferred work")[0]
    assert "me at c=8: kindred 1.00 -> 3.50" in repeated and "at c=1" not in repeated
    data = raw(run, measured)
    assert data["cells"][0]["turns"]["floor"]["latencies_ms"][:2] == [20.0, 20.0]
    assert len(data["cells"][1]["attempts"]) == 2
