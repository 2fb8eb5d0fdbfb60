"""How `./kindred bench api` times its servers: cell by cell (an operation at a concurrency), each server
in turn within a cell, the order turning cell by cell, each server idle before its turn, the machine's
load watched during each turn and a disturbed cell run again.

A turn sends one server the cell's requests, each as a different sampled user (the same users in the
same order for every server of the cell), and keeps each request's latency, its statements (from the
response's headers where the server counts them per request, else from its process-wide count before
and after) and what is compared of its answer; after the cell the servers' answers are compared request
by request.
"""

import asyncio
import math
import os
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from bench.machine import QUIET_CPU, LoadWatch, cpu_seconds, until_quiet
from bench.operations import Operation, Sample
from bench.statements import Tally

# Neo4j's own threads spend a little CPU even when nothing is asked of it: quiet below this (of 1.5 s).
NEO4J_QUIET_CPU = 0.15


@dataclass(frozen=True)
class Cell:
    operation: Operation
    concurrency: int
    order: tuple[str, ...]  # the servers, in the order they take their turns


def cells(
    operations: Sequence[Operation], concurrencies: Sequence[int], servers: Sequence[str]
) -> list[Cell]:
    """Every operation at every concurrency, each server taking its turn in every cell, the first turn
    passing to the next server cell by cell (so no server always follows another's work)."""
    made: list[Cell] = []
    for operation in operations:
        for concurrency in concurrencies:
            first = len(made) % len(servers)
            made.append(Cell(operation, concurrency, tuple(servers[first:]) + tuple(servers[:first])))
    return made


def picks(sample_list: Sequence[Sample], count: int, rng: random.Random) -> list[Sample]:
    """A cell's `count` requests' users: all different while the sample lasts (then round again, in
    another order), so no user's caches are warmed by the requests just before."""
    chosen: list[Sample] = []
    while len(chosen) < count:
        chosen += rng.sample(list(sample_list), len(sample_list))
    return chosen[:count]


@dataclass
class Turn:
    server: str
    latencies: list[float]  # seconds, of the requests answered, in the order they were sent
    requests: list[int]  # the index of each of those requests in the cell's
    wall: float  # seconds the turn took
    errors: int
    first_error: str
    answers: dict[int, Any]  # request index -> what is compared of its answer
    statements: float | None = None  # per request: the operation's own
    transactions: float | None = None
    auth: float | None = None  # per request: the credential's check (Kindred's auth-state cache)
    load_before: float = 0.0
    load_peak: float = 0.0
    others: float = 0.0  # cores other processes than the bench's kept busy during the turn
    settle: float = 0.0  # seconds waited for the server to be idle before the turn
    deferred_cpu: float | None = None  # the server's CPU after the turn until idle (Kindred's writes)

    @property
    def rise(self) -> float:
        return self.load_peak - self.load_before


@dataclass
class Measured:
    cell: Cell
    turns: dict[str, Turn]  # the attempt kept: the least disturbed
    attempts: list[list[tuple[str, float, float, float]]]  # per attempt: (server, before, peak, others)
    users: list[str]  # each request's user
    differences: dict[str, int] = field(default_factory=dict)  # server -> requests answered otherwise
    examples: list[str] = field(default_factory=list)


class Caller(Protocol):
    """What a turn needs of the runner's client."""

    async def counted(self, server: str, operation: Operation, sample: Sample) -> tuple[Any, Tally | None]:
        """One request's data (raises on errors) and its tally, where the server answers one."""

    async def statements(self, server: str) -> int:
        """The statements the server's process has sent so far."""


@dataclass
class Runner:
    caller: Caller
    pids: dict[str, int]  # server -> its process
    neo4j_pid: int
    due: Callable[[], Awaitable[int]]  # Kindred's owners with events not yet with every consumer
    margin: float  # a cell whose load rose by more than this in a turn is run again ...
    repeats: int  # ... at most this many times
    settle_within: float  # seconds at most to wait for a server to be idle
    log: Callable[[str], None] = print

    async def settle(self, server: str) -> float:
        """Waits until the server is idle: for Kindred, its dispatcher's consumers have every event (its
        deferred work done); for all, the server's process and Neo4j quiet. Returns the seconds waited."""
        started = time.monotonic()
        while server == "kindred" and time.monotonic() - started < self.settle_within:
            if not await self.due():
                break
            await asyncio.sleep(0.2)
        left = max(self.settle_within - (time.monotonic() - started), 1.0)
        pids = [self.pids[server], self.neo4j_pid]
        await until_quiet(pids, cpu=[QUIET_CPU, NEO4J_QUIET_CPU], within=left)
        return time.monotonic() - started

    async def turn(self, server: str, cell: Cell, chosen: list[Sample]) -> Turn:
        settled = await self.settle(server)
        operation = cell.operation
        counted_before = await self.caller.statements(server)
        timed: list[tuple[int, float]] = []
        answers: dict[int, Any] = {}
        tallies: list[Tally] = []
        errors: list[str] = []

        async def worker(first: int) -> None:
            for index in range(first, len(chosen), cell.concurrency):
                started = time.perf_counter()
                try:
                    data, tally = await self.caller.counted(server, operation, chosen[index])
                except (RuntimeError, httpx.HTTPError) as error:
                    errors.append(str(error)[:300])
                    continue
                timed.append((index, time.perf_counter() - started))
                answers[index] = data
                if tally is not None:
                    tallies.append(tally)

        watched = [os.getpid(), *self.pids.values(), self.neo4j_pid]  # the bench's own processes
        async with LoadWatch(watched) as watch:
            began = time.perf_counter()
            await asyncio.gather(*(worker(first) for first in range(cell.concurrency)))
            wall = time.perf_counter() - began
        answered_cpu = cpu_seconds(self.pids[server])
        timed.sort()
        latencies, requests = [latency for _, latency in timed], [index for index, _ in timed]
        done = Turn(server, latencies, requests, wall, len(errors), errors[0] if errors else "", {})
        done.settle = settled
        done.answers = {index: operation.compared(server, data) for index, data in answers.items()}
        done.load_before, done.load_peak, done.others = watch.before, watch.peak, watch.others
        self._count(done, tallies, await self.caller.statements(server) - counted_before, len(chosen))
        if operation.writes and server == "kindred":  # its deferred work, counted here
            done.settle += await self.settle(server)
            done.deferred_cpu = cpu_seconds(self.pids[server]) - answered_cpu
        return done

    @staticmethod
    def _count(done: Turn, tallies: list[Tally], counted: int, requests: int) -> None:
        """Statements per request: from the requests' own tallies where the server answers them, else
        the process's count over the turn (a server that runs nothing but the requests: the peer)."""
        if tallies:
            done.statements = sum(t.statements for t in tallies) / len(tallies)
            done.transactions = sum(t.transactions for t in tallies) / len(tallies)
            done.auth = sum(t.auth for t in tallies) / len(tallies)
        elif requests:
            done.statements = counted / requests

    async def cell(self, cell: Cell, chosen: list[Sample]) -> Measured:
        """The cell's turns, run again while a turn's load rose by more than the margin (at most
        `repeats` times); the least disturbed attempt is kept."""
        attempts: list[dict[str, Turn]] = []
        for attempt in range(self.repeats + 1):
            turns = {server: await self.turn(server, cell, chosen) for server in cell.order}
            attempts.append(turns)
            rise = max(turn.rise for turn in turns.values())
            if rise <= self.margin:
                break
            if attempt < self.repeats:
                self.log(f"    load rose by {rise:.2f} (margin {self.margin}): again")
        kept = min(attempts, key=lambda turns: max(turn.rise for turn in turns.values()))
        loads = [[(s, t.load_before, t.load_peak, t.others) for s, t in turns.items()] for turns in attempts]
        measured = Measured(cell, kept, loads, [sample.owner for sample in chosen])
        compare(measured)
        return measured


def compare(measured: Measured) -> None:
    """Counts, per server, the requests whose answer differs from Kindred's for the same user."""
    reference = measured.turns.get("kindred")
    if reference is None:
        return
    for server, turn in measured.turns.items():
        if server == "kindred":
            continue
        differing = [
            index
            for index, seen in turn.answers.items()
            if index in reference.answers and reference.answers[index] != seen
        ]
        measured.differences[server] = len(differing)
        for index in differing[:2]:
            measured.examples.append(
                f"{measured.cell.operation.name} (c={measured.cell.concurrency}) for "
                f"{measured.users[index]}: {server} {str(turn.answers[index])[:200]} "
                f"!= kindred {str(reference.answers[index])[:200]}"
            )


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank) in milliseconds; NaN for none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)] * 1000
