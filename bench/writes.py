"""./kindred bench writes: sustained mixed writes with the dispatcher on (issue 26).

    ./kindred bench writes [--users 20] [--active N] [--concurrency 8] [--seconds 60] [--json FILE]

One Kindred server (bench/serve_kindred.py, its dispatcher on) on a Neo4j of its own, in a temporary
folder, holding `--users` users made by bench/generate.py at a small size per user (SMALL: 10
recipients with their occasions and gifts, 20 memories, the named concepts and 40 links between them,
192 nodes; 1,000 users are 192,000). Writes go to `--active` of them (drawn with the seed; all by
default): the others are there for what grows with the users (the dispatcher's bookkeeping, indexes).
Each user's first write lays out and embeds the user's whole graph (it has never been), so every
active user gets one createGift first, and the server is left to drain: that warm-up is reported
apart.

Then `--concurrency` clients send, for `--seconds`, a mix in equal parts of createGift (an outcome
and two tags, for one of the user's recipients and occasions: bench/operations.py's), createMemory
(involving one of the user's recipients) and link (a recipient INTERESTED_IN a concept, a new weight
each time), each as a user drawn at random. Reported: writes per second (and per kind), request
latency p50/p99, the lag from each event's commit (its `at`) until every consumer (every Lease,
graph/dispatcher.py) has it in its cursor (p50/p99, polled every LAG_POLL seconds), and the server's
and its Neo4j's CPU per write: process CPU from the start of the run until the dispatcher has every
event and the server has been quiet for a while (so the deferred work counts), divided by the writes.
"""

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.api import SECRET, _p, _wait_until_serving, samples
from bench.generate import load
from bench.machine import cpu_seconds, load_average
from bench.operations import CREATE_GIFT, Operation, Sample, _create_vars, gid
from bench.shape import Size
from bench.speed_ab import Kindred, _kindred, _start
from graph import migrations
from graph.driver import Graph
from localneo4j import LocalNeo4j, free_port

ROOT = Path(__file__).resolve().parent.parent
SMALL = Size(recipients=10, memories=20, concepts=0, concept_links=40)
LAG_POLL = 0.1  # seconds between two looks at the cursors: the lag's resolution
QUIET_CPU = 0.03  # the server is idle when it spends less than this ...
QUIET_SECONDS = 1.5  # ... over this long, with every event delivered

CREATE_MEMORY = """mutation CreateMemory($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"""
LINK = """mutation Link($from: ID!, $to: ID!, $weight: Float) {
  link(from: $from, to: $to, kind: INTERESTED_IN, weight: $weight) { changed }
}"""


def _memory_vars(sample: Sample) -> tuple[dict[str, Any], ...]:
    sample.serial += 1
    memory = {
        "kind": "EPISODIC",
        "content": f"Bench memory {sample.serial}: an afternoon at the market together",
        "recipientIds": [gid("Recipient", random.choice(sample.recipients))],
        "importance": 0.5,
    }
    return {"input": memory}, {}


def _link_vars(sample: Sample) -> tuple[dict[str, Any], ...]:
    recipients = [uid for label, uid in sample.mixed if label == "Recipient"] + sample.recipients
    concepts = [uid for label, uid in sample.mixed if label == "Concept"] + [sample.concept]
    link = {
        "from": gid("Recipient", random.choice(recipients)),
        "to": gid("Concept", random.choice(concepts)),
        "weight": round(random.random(), 3),  # a new weight: the link changes, so an event is written
    }
    return link, {}


def _same(server: str, data: dict[str, Any]) -> Any:
    return data


WRITES = (
    Operation(
        "createGift", "createGift with an outcome and two tags", CREATE_GIFT, None, _create_vars, _same
    ),
    Operation("createMemory", "createMemory involving a recipient", CREATE_MEMORY, None, _memory_vars, _same),
    Operation("link", "a recipient INTERESTED_IN a concept", LINK, None, _link_vars, _same),
)


@dataclass
class Waiting:
    at: float  # its commit, epoch seconds
    derived: bool
    missing: set[str]  # the consumers that do not have it yet


@dataclass
class Lags:
    """Each event's lag from its commit until every consumer's cursor has it, and until each one's
    does (pure bookkeeping: fed what the graph says at each look). The events the writes made are kept
    apart from those the consumers append in turn (the layout's positions, the mentions' links) or
    scheduled jobs append, which are `derived`."""

    after: dict[str, int] = field(default_factory=dict)  # owner -> the last sequence seen
    waiting: dict[tuple[str, int], Waiting] = field(default_factory=dict)
    lags: list[float] = field(default_factory=list)
    derived: list[float] = field(default_factory=list)
    each: dict[str, list[float]] = field(default_factory=dict)  # consumer -> the writes' events' lags

    def look(
        self,
        owner: str,
        fresh: list[tuple[int, float, bool]],
        cursors: dict[str, int],
        consumers: list[str],
        now: float,
    ) -> None:
        """`fresh`: the owner's events (sequence, commit time, derived) after `after[owner]`;
        `cursors`: each consumer's cursor of the owner (none where it has no event of the owner's)."""
        for sequence, at, derived in fresh:
            self.waiting[(owner, sequence)] = Waiting(at, derived, set(consumers))
            self.after[owner] = max(self.after.get(owner, 0), sequence)
        for key in [key for key in self.waiting if key[0] == owner]:
            event = self.waiting[key]
            for consumer in [name for name in event.missing if cursors.get(name, 0) >= key[1]]:
                event.missing.discard(consumer)
                if not event.derived:
                    self.each.setdefault(consumer, []).append(now - event.at)
            if not event.missing:
                del self.waiting[key]
                (self.derived if event.derived else self.lags).append(now - event.at)

    def owners(self) -> set[str]:
        return {owner for owner, _ in self.waiting}

    def clear(self) -> None:
        self.lags.clear()
        self.derived.clear()
        self.each.clear()


async def _watch(graph: Graph, lags: Lags, touched: set[str], stop: asyncio.Event) -> None:
    """Looks at the events and cursors of the owners written to, every LAG_POLL seconds, until `stop`."""
    query = """
    MATCH (l:Lease) WITH collect(l.name) AS consumers
    UNWIND $owners AS row
    RETURN row.owner AS owner, consumers,
           COLLECT { MATCH (e:Event {owner: row.owner}) WHERE e.sequence > row.after
                     RETURN [e.sequence, e.at.epochMillis,
                             e.actor STARTS WITH 'consumer:' OR e.actor = 'system'] } AS fresh,
           COLLECT { MATCH (c:Cursor {owner: row.owner}) WHERE c.consumer IN consumers
                     RETURN [c.consumer, c.sequence] } AS cursors
    """
    while not stop.is_set():
        owners = touched | lags.owners()
        touched.clear()
        if owners:
            rows = [{"owner": owner, "after": lags.after.get(owner, 0)} for owner in owners]
            async with graph.driver.session() as session:
                records = [record async for record in await session.run(query, owners=rows)]
            now = time.time()
            for record in records:
                fresh = [(int(seq), at / 1000, bool(derived)) for seq, at, derived in record["fresh"]]
                cursors = {name: int(sequence) for name, sequence in record["cursors"]}
                lags.look(record["owner"], fresh, cursors, list(record["consumers"]), now)
        await asyncio.sleep(LAG_POLL)


@dataclass
class Load:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    first_error: str = ""


async def _send(
    client: Kindred, sample_list: list[Sample], seconds: float, concurrency: int, seed: int, touched: set[str]
) -> Load:
    """`concurrency` clients, each sending writes of a kind and as a user drawn at random until the time
    is up."""
    done = Load()
    deadline = time.monotonic() + seconds

    async def client_loop(rng: random.Random) -> None:
        while time.monotonic() < deadline:
            operation, sample = rng.choice(WRITES), rng.choice(sample_list)
            started = time.perf_counter()
            try:
                await client.call("kindred", operation, sample)
            except (RuntimeError, httpx.HTTPError) as error:
                done.errors[operation.name] += 1
                done.first_error = done.first_error or str(error)[:300]
                continue
            done.latencies.setdefault(operation.name, []).append(time.perf_counter() - started)
            touched.add(sample.owner)

    random.seed(seed)  # what the variables draw
    await asyncio.gather(*(client_loop(random.Random(seed * 1000 + i)) for i in range(concurrency)))
    return done


async def _drained(lags: Lags, touched: set[str], pid: int) -> float:
    """Waits until every event seen is with every consumer and the server has gone quiet; returns its
    CPU at that point."""
    while True:
        if not lags.waiting and not touched:
            quiet_from = cpu_seconds(pid)
            await asyncio.sleep(QUIET_SECONDS)
            if cpu_seconds(pid) - quiet_from < QUIET_CPU and not lags.waiting and not touched:
                return quiet_from
        else:
            await asyncio.sleep(0.2)


async def _warm(client: Kindred, sample_list: list[Sample], concurrency: int, touched: set[str]) -> None:
    """One createGift per user, `concurrency` at a time."""
    queue = list(sample_list)

    async def client_loop() -> None:
        while queue:
            sample = queue.pop()
            await client.call("kindred", WRITES[0], sample)
            touched.add(sample.owner)

    await asyncio.gather(*(client_loop() for _ in range(concurrency)))


def per_write(cpu_before: float, cpu_after: float, writes: int) -> float:
    """Milliseconds of CPU per write."""
    return (cpu_after - cpu_before) / writes * 1000 if writes else float("nan")


async def run(users: int, active: int, concurrency: int, seconds: float, seed: int) -> dict[str, Any]:
    active = min(active or users, users)
    result: dict[str, Any] = {"users": users, "active": active, "concurrency": concurrency}
    result |= {"seconds": seconds, "seed": seed}
    with tempfile.TemporaryDirectory(prefix="kindred-writes-") as tmp_name:
        tmp = Path(tmp_name)
        neo4j = LocalNeo4j(tmp / "neo4j", free_port(), heap="1g", pagecache="512m")
        neo4j.start()
        graph = Graph.connect(neo4j.uri, None, "neo4j")
        env = {
            "NEO4J_URI": neo4j.uri,
            "KINDRED_JWT_SECRET": SECRET,
            "KINDRED_DATA_DIR": str(tmp / "data"),
            "KINDRED_DISPATCH_POLL_SECONDS": "1",
        }
        server = _kindred("kindred", free_port(), env, ROOT)
        stop = asyncio.Event()
        try:
            started = time.perf_counter()
            await migrations.apply(graph)
            made = await load(graph, users, seed, size=SMALL)
            result["generate_seconds"] = round(time.perf_counter() - started, 1)
            result["nodes"] = sum(count for name, count in made.items() if not name.isupper())
            print(f"{users} users, {result['nodes']:,} nodes in {result['generate_seconds']} s", flush=True)
            sample_list = await samples(graph, users, active, seed)
            _start(server, tmp / "kindred.log", ROOT)
            assert server.process is not None
            pid, neo4j_pid = server.process.pid, neo4j._running_pid() or 0
            lags, touched = Lags(), set[str]()
            limits = httpx.Limits(max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2)
            async with httpx.AsyncClient(timeout=120, limits=limits) as http:
                await _wait_until_serving(http, server, tmp / "kindred.log")
                client = Kindred(http, {"kindred": server.port})
                watcher = asyncio.create_task(_watch(graph, lags, touched, stop))
                began, cpu = time.perf_counter(), cpu_seconds(pid)
                await _warm(client, sample_list, concurrency, touched)
                await _drained(lags, touched, pid)
                result["warm_up"] = {
                    "seconds": round(time.perf_counter() - began, 1),
                    "server_cpu_ms_per_user": round(per_write(cpu, cpu_seconds(pid), users), 1),
                }
                print(f"warm-up: {result['warm_up']}", flush=True)
                lags.clear()
                result["load_before"] = load_average()
                cpu, neo4j_cpu, began = cpu_seconds(pid), cpu_seconds(neo4j_pid), time.perf_counter()
                done = await _send(client, sample_list, seconds, concurrency, seed, touched)
                wall = time.perf_counter() - began
                result["load_after"] = load_average()
                drained_cpu = await _drained(lags, touched, pid)
                result["drain_seconds"] = round(time.perf_counter() - began - wall, 1)
                server_cpu, neo4j_after = drained_cpu, cpu_seconds(neo4j_pid)
                stop.set()
                await watcher
                async with graph.driver.session() as session:
                    leases = await (await session.run("MATCH (l:Lease) RETURN l.name AS name")).values()
        finally:
            stop.set()
            server.stop()
            await graph.close()
            neo4j.stop()
    writes = sum(len(values) for values in done.latencies.values())
    every = [value for values in done.latencies.values() for value in values]
    result |= {
        "consumers": sorted(name for (name,) in leases),
        "writes": writes,
        "writes_per_second": round(writes / wall, 1),
        "kinds": {
            name: {
                "writes": len(values),
                "per_second": round(len(values) / wall, 1),
                "p50_ms": round(_p(values, 0.5), 1),
                "p99_ms": round(_p(values, 0.99), 1),
            }
            for name, values in sorted(done.latencies.items())
        },
        "errors": dict(done.errors),
        "first_error": done.first_error,
        "p50_ms": round(_p(every, 0.5), 1),
        "p99_ms": round(_p(every, 0.99), 1),
        "events": len(lags.lags),
        "lag_p50_ms": round(_p(lags.lags, 0.5)),
        "lag_p99_ms": round(_p(lags.lags, 0.99)),
        "lag_per_consumer_p50_p99_ms": {
            name: [round(_p(values, 0.5)), round(_p(values, 0.99))]
            for name, values in sorted(lags.each.items())
        },
        "derived_events": len(lags.derived),
        "derived_lag_p50_ms": round(_p(lags.derived, 0.5)) if lags.derived else None,
        "derived_lag_p99_ms": round(_p(lags.derived, 0.99)) if lags.derived else None,
        "server_cpu_ms_per_write": round(per_write(cpu, server_cpu, writes), 1),
        "neo4j_cpu_ms_per_write": round(per_write(neo4j_cpu, neo4j_after, writes), 1),
        "wall_seconds": round(wall, 1),
    }
    return result


def report(result: dict[str, Any]) -> str:
    lines = [
        f"Sustained writes: {result['users']} users ({result['nodes']:,} nodes), written to as "
        f"{result['active']} of them, concurrency "
        f"{result['concurrency']}, {result['wall_seconds']} s, dispatcher on "
        f"(consumers: {', '.join(result['consumers'])}); load average {result['load_before']:.1f} before, "
        f"{result['load_after']:.1f} after.",
        "",
        "| writes | per second | latency p50 / p99 ms |",
        "| --- | --- | --- |",
    ]
    for name, kind in result["kinds"].items():
        lines.append(f"| {name} | {kind['per_second']} | {kind['p50_ms']} / {kind['p99_ms']} |")
    lines += [
        f"| **all** ({result['writes']}) | **{result['writes_per_second']}** "
        f"| {result['p50_ms']} / {result['p99_ms']} |",
        "",
        "| commit to every consumer, p50 / p99 ms | events consumers and jobs appended, p50 / p99 ms "
        "| server CPU ms per write (with deferred) | Neo4j CPU ms per write | drain after the run, s |",
        "| --- | --- | --- | --- | --- |",
        f"| {result['lag_p50_ms']} / {result['lag_p99_ms']} ({result['events']} events) "
        f"| {result['derived_lag_p50_ms']} / {result['derived_lag_p99_ms']} "
        f"({result['derived_events']} events) "
        f"| {result['server_cpu_ms_per_write']} | {result['neo4j_cpu_ms_per_write']} "
        f"| {result['drain_seconds']} |",
        "",
        "Lag from commit per consumer, p50 / p99 ms: "
        + "; ".join(
            f"{name} {p50} / {p99}" for name, (p50, p99) in result["lag_per_consumer_p50_p99_ms"].items()
        )
        + ".",
        "",
        f"Warm-up (one createGift per user, its whole graph laid out and embedded): "
        f"{result['warm_up']['seconds']} s, {result['warm_up']['server_cpu_ms_per_user']} ms server CPU a "
        f"user. Graph made in {result['generate_seconds']} s. Lag polled every {LAG_POLL} s."
        + (f" Errors: {result['errors']} (first: {result['first_error']})" if result["errors"] else ""),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument(
        "--active", type=int, default=0, help="users written to, drawn from --users (default: all)"
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", type=Path, help="also write the results here, as JSON")
    args = parser.parse_args()
    result = asyncio.run(run(args.users, args.active, args.concurrency, args.seconds, args.seed))
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
