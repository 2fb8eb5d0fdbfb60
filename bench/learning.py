"""./kindred bench learning: what each learning consumer costs per event (issue 23, "Measured").

    ./kindred bench learning [--events 20] [--seed 1]

One user of the bench graph's full size (bench/shape.py: 100 people, 500 gifts with their outcomes,
200 memories, 100 concepts) in a throwaway local Neo4j. Each consumer is handed, one at a time (a
delivery of one event: the dearest case, as a batch's events coalesce per owner), `--events` events of
the kinds it learns from, made as a person's writes would name them:

- proposals: MemoryCreated, for memories of the user (the deterministic extractor reads each);
- outcome-preferences: GiftOutcomeCreated, for gifts and their outcomes;
- similarity: RecipientUpdated (it recomputes the owner's SIMILAR_TO links);
- history: RecipientUpdated (a snapshot of that relationship, when its stats moved);
- consolidation (a daily job, not a consumer): one run over the user's memories, a year on (most of them
  fade), then again (nothing changes); per run and per memory.

For each: this process's CPU (the consumer's Python, the driver), Neo4j's CPU (its process, threads
included), statements sent (bench/statements.py counts every `run`) and wall time, per event. The
first pass of each consumer is a warm-up (its first write of what was never learned) and reported apart.
Results go to bench/learning_results.md.
"""

import argparse
import asyncio
import platform
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from bench import statements
from bench.generate import load
from bench.machine import cpu_seconds, load_average
from bench.shape import Size
from dispatch import Event, Services, consolidation, history, outcome_preferences, proposals, similarity
from graph import migrations
from graph.driver import Graph
from graph.events import EventKind
from graph.refs import Ref
from localneo4j import LocalNeo4j, free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "learning_results.md"
Handle = Callable[[Services, Sequence[Event]], Awaitable[None]]


@dataclass
class Cost:
    """What some work cost, per unit."""

    name: str
    units: int
    cpu_ms: float  # this process
    neo4j_cpu_ms: float
    statements: float
    wall_ms: float

    def row(self) -> str:
        return (
            f"| {self.name} | {self.units} | {self.cpu_ms:.1f} | {self.neo4j_cpu_ms:.1f} "
            f"| {self.statements:.1f} | {self.wall_ms:.1f} |"
        )


async def measure(name: str, units: int, work: Callable[[], Awaitable[Any]], neo4j_pid: int) -> Cost:
    sent, cpu, neo4j_cpu, began = (
        statements.sent,
        time.process_time(),
        cpu_seconds(neo4j_pid),
        time.perf_counter(),
    )
    await work()
    n = max(units, 1)
    return Cost(
        name,
        units,
        (time.process_time() - cpu) * 1000 / n,
        (cpu_seconds(neo4j_pid) - neo4j_cpu) * 1000 / n,
        (statements.sent - sent) / n,
        (time.perf_counter() - began) * 1000 / n,
    )


async def _uids(graph: Graph, query: str, owner: str, limit: int) -> list[list[str]]:
    async def read(tx: Any) -> list[list[str]]:
        return [list(r.values()) async for r in await tx.run(query, owner=owner, limit=limit)]

    return await graph.read(read)


def _events(owner: str, kind: EventKind, named: list[list[Ref]]) -> list[Event]:
    return [
        Event(str(uuid4()), owner, i + 1, str(kind), tuple(map(str, refs))) for i, refs in enumerate(named)
    ]


async def consumer_costs(graph: Graph, owner: str, count: int, pid: int) -> list[Cost]:
    services = Services(graph, embedder=None, vectors=None)  # type: ignore[arg-type]  # the graph alone
    memories = await _uids(graph, "MATCH (m:Memory {owner: $owner}) RETURN m.uid LIMIT $limit", owner, count)
    outcomes = await _uids(
        graph,
        "MATCH (g:Gift {owner: $owner})-[:HAS_OUTCOME]->(o:GiftOutcome) RETURN o.uid, g.uid LIMIT $limit",
        owner,
        count,
    )
    people = await _uids(graph, "MATCH (r:Recipient {owner: $owner}) RETURN r.uid LIMIT $limit", owner, count)
    cases: list[tuple[str, Handle, list[Event]]] = [
        (
            "proposals",
            proposals.handle,
            _events(owner, EventKind.created("Memory"), [[Ref("Memory", m)] for (m,) in memories]),
        ),
        (
            "outcome-preferences",
            outcome_preferences.handle,
            _events(
                owner,
                EventKind.created("GiftOutcome"),
                [[Ref("GiftOutcome", o), Ref("Gift", g)] for o, g in outcomes],
            ),
        ),
        (
            "similarity",
            similarity.handle,
            _events(owner, EventKind.updated("Recipient"), [[Ref("Recipient", r)] for (r,) in people]),
        ),
        (
            "history",
            history.handle,
            _events(owner, EventKind.updated("Recipient"), [[Ref("Recipient", r)] for (r,) in people]),
        ),
    ]
    costs = []
    for name, handle, events in cases:

        async def deliver(handle: Handle = handle, events: list[Event] = events) -> None:
            for event in events:  # one event a delivery
                await handle(services, [event])

        costs.append(await measure(f"{name}, first pass (warm-up)", len(events), deliver, pid))
        costs.append(await measure(name, len(events), deliver, pid))
    return costs


async def consolidation_costs(graph: Graph, owner: str, memories: int, pid: int) -> list[Cost]:
    services = Services(graph, embedder=None, vectors=None)  # type: ignore[arg-type]
    later = datetime.now(UTC) + timedelta(days=365)
    changed: list[int] = []

    async def run() -> None:
        changed.append(await consolidation.consolidate(services, owner, later))

    first = await measure("consolidation, a run a year on, per memory", memories, run, pid)
    again = await measure("consolidation, the same run again (nothing moves), per memory", memories, run, pid)
    first.name += f" ({changed[0]} faded)"
    return [first, again]


async def run(count: int, seed: int) -> str:
    statements.install()
    with tempfile.TemporaryDirectory(prefix="kindred-learning-") as folder:
        neo4j = LocalNeo4j(Path(folder) / "neo4j", free_port(), heap="1g", pagecache="512m")
        neo4j.start()
        graph = Graph.connect(neo4j.uri, None, "neo4j")
        try:
            await migrations.apply(graph)
            made = await load(graph, 1, seed, size=Size())
            owner = (await _uids(graph, "MATCH (u:User) RETURN u.uid LIMIT $limit", "", 1))[0][0]
            pid = neo4j.status().pid
            assert pid is not None
            costs = await consumer_costs(graph, owner, count, pid)
            costs += await consolidation_costs(graph, owner, made["Memory"], pid)
        finally:
            await graph.close()
            neo4j.stop()
    return report(costs, made, count)


def report(costs: list[Cost], made: Any, count: int) -> str:
    lines = [
        "# The learning consumers' cost per event",
        "",
        f"`./kindred bench learning --events {count}`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, on "
        f"{platform.node()} ({platform.machine()}, Python {platform.python_version()}), load average "
        f"{load_average():.1f} at the end (the machine is shared: CPU is the steadier figure, wall time "
        "is not).",
        "",
        f"One user of the bench graph's full size: {made['Recipient']} people, {made['Gift']} gifts, "
        f"{made['GiftOutcome']} outcomes, {made['Memory']} memories, {made['Concept']} concepts. Each "
        "consumer handed one event a delivery (a batch's events coalesce per owner, so this is the "
        "dearest case).",
        "",
        "| work | events | Python CPU ms | Neo4j CPU ms | statements | wall ms |",
        "| --- | --- | --- | --- | --- | --- |",
        *(cost.row() for cost in costs),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    text = asyncio.run(run(args.events, args.seed))
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
