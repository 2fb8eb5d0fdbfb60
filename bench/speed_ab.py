"""Issue 26, measured side by side in one run on the bench graph (`./kindred bench generate`).

    python -m bench.speed_ab reads  [--rounds 6] [--requests 15] [--setting read_selected|compiled_reads]
    python -m bench.speed_ab writes [--writes 12] [--before <git revision>] [--burst 30] [--burst-rounds 4]
                                    [--before-env KEY=VALUE ...] [--after-env KEY=VALUE ...]

`reads`: two Kindred servers on the same bench Neo4j, alike but for one setting, `--setting`:
KINDRED_READ_SELECTED (true: each level projects only the fields its selection asks for; false: every
property, as before) or KINDRED_COMPILED_READS (true: a query Kindred can express in Cypher is one
statement, answered without per-field resolvers; false: field by field), timed on the nested read,
`me`, the recipients list and the nested read with one computed field per gift (BENCH_READS picks
them: nested, me, recipients, nested_mixed) at concurrency 1 and 8, the two alternating per
cell (operation, concurrency) and the one that goes first turning round by round; the load average is
noted before each cell.

`writes`: createGift on the code of `--before` (extracted with `git archive`) and on this checkout,
each server with its dispatcher on and a Neo4j of its own (copies of the bench store), alternating per
write; for each write, the server's process CPU (user + system) from before the request until its
response (request CPU) and from then until its dispatcher is idle (deferred CPU: the layout and the
embeddings; idle once both consumers' cursors have the owner's last event and the process has spent
no CPU for a while), and the same for its Neo4j. Each sampled user gets one write on each side first,
not counted: the bench graph has never been laid out or embedded, so that first pass is whole on
both sides (reported apart). Then `--burst-rounds` rounds per side (alternating) of `--burst` writes
sent back to back at concurrency 1, as a client that writes steadily does, so each write's derived work
runs beside the writes after it: their latency, and the CPU per write of the server and its Neo4j from
the round's first request until both are quiet again (the derived work counted). `--before-env` and
`--after-env` set one side's environment (a setting, such as KINDRED_DISPATCH_LINGER_SECONDS=0.2):
with `--before HEAD`, the same code both ways but for it.
"""

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.api import SECRET, Client, Server, _wait_until_serving, samples
from bench.generate import DATA, MANIFEST, local_neo4j
from bench.machine import cpu_seconds, load_average, until_quiet
from bench.operations import ME, NESTED, OPERATIONS, Operation, Sample
from graph.driver import Graph
from localneo4j import LocalNeo4j, free_port
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
READ_OPERATIONS = tuple(os.environ.get("BENCH_READS", "nested,me,recipients").split(","))
SETTINGS = {"read_selected": "KINDRED_READ_SELECTED", "compiled_reads": "KINDRED_COMPILED_READS"}
# `me`'s recipients without `me` (which no list compiles): Kindred's alone, so not in bench/operations.py.
RECIPIENTS = Operation(
    "recipients",
    "the first 20 recipients with their relationship",
    ME.replace("query Me {\n  me { id name email }", "query Recipients {"),
    None,
    lambda sample: ({}, {}),
    lambda server, data: [(r["node"]["id"], r["node"]["name"]) for r in data["recipients"]["edges"]],
)
# The nested read with one computed field per gift (its `title`, which a resolver makes): compiled, all
# but that field is the one statement and the field is resolved the usual way for those gifts.
NESTED_MIXED = Operation(
    "nested_mixed",
    "the nested read with one computed field per gift",
    NESTED.replace("query Nested", "query NestedMixed").replace(
        "node { id name outcome", "node { id name title outcome"
    ),
    None,
    lambda sample: ({}, {}),
    lambda server, data: data,
)


class Kindred(Client):
    """Both servers are Kindred: each answers a Kindred document."""

    pids: dict[str, int]

    async def call(self, server: str, operation: Operation, sample: Sample) -> Any:
        body = {"query": operation.kindred, "variables": operation.variables(sample)["kindred"]}
        headers = {"Authorization": f"Bearer {sample.token}"}
        response = await self.http.post(
            f"http://127.0.0.1:{self.ports[server]}/graphql", json=body, headers=headers
        )
        answer = response.json()
        if response.status_code != 200 or answer.get("errors") or "data" not in answer:
            raise RuntimeError(f"{server} {operation.name}: {response.status_code} {str(answer)[:500]}")
        return answer["data"]


def _kindred(name: str, port: int, env: dict[str, str], source: Path) -> Server:
    command = [sys.executable, "-m", "bench.serve_kindred", "--port", str(port)]
    server = Server(name, command, port, {**env, "PYTHONPATH": str(source)})
    return server


def _start(server: Server, log: Path, cwd: Path) -> None:
    with log.open("w") as out:
        server.process = subprocess.Popen(
            server.command, env={**os.environ, **server.env}, stdout=out, stderr=subprocess.STDOUT, cwd=cwd
        )


async def reads(rounds: int, requests: int, users: int, seed: int, setting: str) -> None:
    import json

    manifest = json.loads(MANIFEST.read_text())
    neo4j = local_neo4j(0, "1g")
    neo4j.start()
    servers: list[Server] = []
    try:
        graph = Graph.connect(neo4j.uri, None, "neo4j")
        sample_list = await samples(graph, manifest.get("loaded_users", manifest["users"]), users, seed)
        await graph.close()
        with tempfile.TemporaryDirectory() as tmp:
            env = {"NEO4J_URI": neo4j.uri, "KINDRED_JWT_SECRET": SECRET, "KINDRED_DATA_DIR": tmp}
            env["KINDRED_DISPATCH"] = "false"  # reads only: nothing deferred to run beside them
            servers = [
                _kindred("selected", free_port(), {**env, SETTINGS[setting]: "true"}, ROOT),
                _kindred("whole", free_port(), {**env, SETTINGS[setting]: "false"}, ROOT),
            ]
            limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
            async with httpx.AsyncClient(timeout=120, limits=limits) as http:
                for server in servers:
                    _start(server, DATA / f"{server.name}.log", ROOT)
                for server in servers:
                    await _wait_until_serving(http, server, DATA / f"{server.name}.log")
                client = Kindred(http, {server.name: server.port for server in servers})
                client.pids = {server.name: server.process.pid for server in servers if server.process}
                await _reads_timed(client, sample_list, rounds, requests, SETTINGS[setting])
    finally:
        for server in servers:
            server.stop()
        neo4j.stop()


async def _reads_timed(
    client: Kindred, sample_list: list[Sample], rounds: int, requests: int, setting: str
) -> None:
    import random

    from bench.api import load

    operations = [op for op in (*OPERATIONS, RECIPIENTS, NESTED_MIXED) if op.name in READ_OPERATIONS]
    for operation in operations:  # the same answers both ways, on every sample
        for sample in sample_list:
            answers = [await client.call(name, operation, sample) for name in ("selected", "whole")]
            assert answers[0] == answers[1], (operation.name, sample.owner)
            # warm both: plans cached, documents parsed
            for name in ("selected", "whole"):
                await client.call(name, operation, sample)
    rng = random.Random(26)
    latencies: dict[tuple[str, str, int], list[float]] = {}
    loads: dict[tuple[str, int], list[float]] = {}
    cpus: dict[tuple[str, str, int], list[float]] = {}  # the server process's CPU per request, per cell
    for round_number in range(rounds):
        order = ("selected", "whole") if round_number % 2 == 0 else ("whole", "selected")
        for operation in operations:
            for concurrency in (1, 8):
                loads.setdefault((operation.name, concurrency), []).append(load_average())
                for name in order:
                    cpu = cpu_seconds(client.pids[name])
                    found, _, errors = await load(
                        client, name, operation, sample_list, concurrency, requests * concurrency, rng
                    )
                    assert errors == 0
                    latencies.setdefault((name, operation.name, concurrency), []).extend(found)
                    spent = (cpu_seconds(client.pids[name]) - cpu) / len(found)
                    cpus.setdefault((name, operation.name, concurrency), []).append(spent)
        print(f"  round {round_number + 1}/{rounds} (load {load_average():.1f})", flush=True)
    print(
        f"\n| operation | concurrency | {setting}=false: p50 / p99 ms, server CPU ms per request "
        f"| {setting}=true: p50 / p99 ms, server CPU ms per request | true / false (p50; CPU) "
        "| load average |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for operation in operations:
        for concurrency in (1, 8):
            whole = latencies[("whole", operation.name, concurrency)]
            selected = latencies[("selected", operation.name, concurrency)]
            cell_loads = loads[(operation.name, concurrency)]
            cpu_whole = statistics.median(cpus[("whole", operation.name, concurrency)])
            cpu_selected = statistics.median(cpus[("selected", operation.name, concurrency)])
            print(
                f"| {operation.name} | {concurrency} | {_ms(whole, 0.5)} / {_ms(whole, 0.99)}, "
                f"{cpu_whole * 1000:.1f} | {_ms(selected, 0.5)} / {_ms(selected, 0.99)}, "
                f"{cpu_selected * 1000:.1f} "
                f"| {statistics.median(selected) / statistics.median(whole):.2f}x; "
                f"{cpu_selected / cpu_whole:.2f}x | {min(cell_loads):.1f}-{max(cell_loads):.1f} |"
            )
    print(f"\n{len(whole)} requests per cell and side; {len(sample_list)} users sampled.")


def _extract(revision: str, into: Path) -> None:
    """The code of a git revision, as files (no worktree, nothing of the repository changed)."""
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)


def _ms(values: list[float], q: float) -> str:
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f}"


@dataclass
class Side:
    name: str
    server: Server
    neo4j: LocalNeo4j
    graph: Graph
    requests: list[float]
    deferred: list[float]
    neo4j_cpu: list[float]
    first: list[float]  # deferred CPU of the first (whole) pass per user
    # Back to back: each write's latency, and per round the server's and its Neo4j's CPU per write
    # from the round's first request until both are quiet again (its derived work counted).
    back_to_back: list[float] = field(default_factory=list)
    round_cpu: list[float] = field(default_factory=list)
    round_neo4j_cpu: list[float] = field(default_factory=list)


async def writes(
    count: int, users: int, seed: int, before: str, rounds: int, burst: int, envs: dict[str, dict[str, str]]
) -> None:
    import json

    manifest = json.loads(MANIFEST.read_text())
    create = next(op for op in OPERATIONS if op.name == "create_gift")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "before-src"
        source.mkdir()
        await asyncio.to_thread(_extract, before, source)
        sides: list[Side] = []
        try:
            for name, code in (("before", source), ("after", ROOT)):
                store = tmp / f"{name}-neo4j"
                shutil.copytree(DATA / "neo4j", store, ignore=shutil.ignore_patterns("*.pid", "*.log"))
                neo4j = LocalNeo4j(store, free_port(), heap="1g", pagecache="512m")
                neo4j.start()
                env = {
                    "NEO4J_URI": neo4j.uri,
                    "KINDRED_JWT_SECRET": SECRET,
                    "KINDRED_DATA_DIR": str(tmp / f"{name}-data"),
                    "KINDRED_DISPATCH_POLL_SECONDS": "1",
                    **envs[name],
                }
                server = _kindred(name, free_port(), env, code)
                _start(server, tmp / f"{name}.log", code)
                graph = Graph.connect(neo4j.uri, None, "neo4j")
                sides.append(Side(name, server, neo4j, graph, [], [], [], []))
            sample_list = await samples(
                sides[0].graph, manifest.get("loaded_users", manifest["users"]), users, seed
            )
            async with httpx.AsyncClient(timeout=600) as http:
                for side in sides:
                    await _wait_until_serving(http, side.server, tmp / f"{side.name}.log")
                client = Kindred(http, {side.name: side.server.port for side in sides})
                for sample in sample_list:  # the first pass of each user: whole on both sides
                    for side in sides:
                        _, deferred, _ = await _one_write(client, side, create, sample)
                        side.first.append(deferred)
                print("first writes done", flush=True)
                for index in range(count):
                    sample = sample_list[index % len(sample_list)]
                    order = sides if index % 2 == 0 else sides[::-1]
                    for side in order:
                        request, deferred, neo4j_cpu = await _one_write(client, side, create, sample)
                        side.requests.append(request)
                        side.deferred.append(deferred)
                        side.neo4j_cpu.append(neo4j_cpu)
                    print(f"  write {index + 1}/{count} (load {load_average():.1f})", flush=True)
                for round_number in range(rounds):
                    order = sides if round_number % 2 == 0 else sides[::-1]
                    for side in order:
                        await _back_to_back(client, side, create, sample_list, burst)
                    print(
                        f"  back to back {round_number + 1}/{rounds} (load {load_average():.1f})", flush=True
                    )
        finally:
            for side in sides:
                side.server.stop()
                await side.graph.close()
                side.neo4j.stop()
    print(
        "\n| code | request CPU ms (p50) | deferred CPU ms (p50 / max) | Neo4j CPU ms per write (p50) "
        "| first write of a user: deferred CPU ms (p50) |"
    )
    print("| --- | --- | --- | --- | --- |")
    for side in sides:
        print(
            f"| {side.name} | {_ms(side.requests, 0.5)} | {_ms(side.deferred, 0.5)} / "
            f"{max(side.deferred) * 1000:.0f} | {_ms(side.neo4j_cpu, 0.5)} | {_ms(side.first, 0.5)} |"
        )
    print(f"\n{count} writes per side after one first write per user, {len(sample_list)} users.")
    if not rounds:
        return
    print(
        "\n| code | back to back: latency ms (p50 / p99) | server CPU ms per write | Neo4j CPU ms per write |"
    )
    print("| --- | --- | --- | --- |")
    for side in sides:
        print(
            f"| {side.name} | {_ms(side.back_to_back, 0.5)} / {_ms(side.back_to_back, 0.99)} "
            f"| {_ms(side.round_cpu, 0.5)} | {_ms(side.round_neo4j_cpu, 0.5)} |"
        )
    print(
        f"\n{rounds} rounds of {burst} writes per side at concurrency 1, one after another, the sides "
        "alternating per round; CPU per write: the median round's, from its first request until the "
        "server and its Neo4j are quiet again."
    )


async def _back_to_back(
    client: Kindred, side: Side, create: Operation, sample_list: list[Sample], burst: int
) -> None:
    """`burst` createGifts sent one after another as the sampled users in turn, as a client that
    writes steadily does: each write's derived work runs beside the writes after it."""
    pid = side.server.process.pid if side.server.process else 0
    neo4j_pid = side.neo4j._running_pid() or 0
    await until_quiet([pid, neo4j_pid])
    cpu, neo4j_cpu = cpu_seconds(pid), cpu_seconds(neo4j_pid)
    for index in range(burst):
        started = time.perf_counter()
        await client.call(side.name, create, sample_list[index % len(sample_list)])
        side.back_to_back.append(time.perf_counter() - started)
    for sample in sample_list:
        await _idle(side, sample.owner, pid, quiet=False)
    await until_quiet([pid, neo4j_pid])  # once: its poll's CPU is not counted once per user
    side.round_cpu.append((cpu_seconds(pid) - cpu) / burst)
    side.round_neo4j_cpu.append((cpu_seconds(neo4j_pid) - neo4j_cpu) / burst)


async def _one_write(
    client: Kindred, side: Side, create: Operation, sample: Sample
) -> tuple[float, float, float]:
    """(request CPU, deferred CPU, Neo4j CPU) of one createGift on one side, in seconds."""
    pid = side.server.process.pid if side.server.process else 0
    neo4j_pid = side.neo4j._running_pid() or 0
    await _idle(side, sample.owner, pid, consumers=False)
    cpu, neo4j_cpu = cpu_seconds(pid), cpu_seconds(neo4j_pid)
    await client.call(side.name, create, sample)
    answered = cpu_seconds(pid)
    idle_cpu = await _idle(side, sample.owner, pid)
    return answered - cpu, idle_cpu - answered, cpu_seconds(neo4j_pid) - neo4j_cpu


async def _idle(side: Side, owner: str, pid: int, consumers: bool = True, quiet: bool = True) -> float:
    """Waits until the layout and embeddings consumers have the owner's last event (with `consumers`)
    and the process has been quiet for a while; returns its CPU when it went quiet."""
    query = """
    MATCH (u:User {uid: $owner})
    RETURN u.event_sequence AS last,
           COLLECT { MATCH (c:Cursor {owner: $owner}) WHERE c.consumer IN ['layout', 'embeddings']
                     RETURN c.sequence } AS reached
    """
    while True:
        async with side.graph.driver.session() as session:
            record = await (await session.run(query, owner=owner)).single(strict=True)
        if not consumers or (len(record["reached"]) == 2 and min(record["reached"]) >= record["last"]):
            return await until_quiet([pid]) if quiet else 0.0
        await asyncio.sleep(0.2)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=["reads", "writes"])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--writes", type=int, default=12)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--before", default="main")
    parser.add_argument("--setting", choices=sorted(SETTINGS), default="read_selected")
    for side in ("before", "after"):
        parser.add_argument(
            f"--{side}-env",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help=f"writes: the {side} server's",
        )
    parser.add_argument("--burst", type=int, default=30, help="writes: back-to-back writes a round")
    parser.add_argument("--burst-rounds", type=int, default=4, help="writes: back-to-back rounds a side")
    args = parser.parse_args()
    if args.what == "reads":
        asyncio.run(reads(args.rounds, args.requests, args.users, args.seed, args.setting))
    else:
        envs = {
            side: dict(pair.split("=", 1) for pair in getattr(args, f"{side}_env"))
            for side in ("before", "after")
        }
        known = {f"KINDRED_{name.upper()}" for name in Settings.model_fields} | {"NEO4J_URI"}
        unknown = sorted({key for env in envs.values() for key in env} - known)
        if unknown:  # Settings ignores what it does not know: a typo would measure nothing
            parser.error(f"no such setting: {', '.join(unknown)}")
        asyncio.run(
            writes(args.writes, args.users, args.seed, args.before, args.burst_rounds, args.burst, envs)
        )
