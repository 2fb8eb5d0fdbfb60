"""./kindred bench api: Kindred served as users run it, timed beside its floor and its peer on one graph.

On the graph `./kindred bench generate` made (bench/.data), three servers, each its own process on a
real port: Kindred (uvicorn, app.create_app), the floor (bench/floor.py: the same reads as hand-written
Cypher behind a minimal Starlette endpoint) and the peer (bench/neo4j_graphql: the Neo4j GraphQL Library
on Apollo Server). This process is the load: httpx, at concurrency 1 and 8, every operation of
bench/operations.py for users and ids drawn with a fixed seed, the servers taking turns round by round
so that the machine's drift hits all alike.

It first checks the three give the same answers on a sample, then counts each operation's Cypher
statements (each server counts its driver's `run` calls; the runner reads the count before and after
sequential calls), then times. Writes bench/results.md.

    ./kindred bench api [--rounds 5] [--requests 20] [--users 8]
"""

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
from neo4j import AsyncManagedTransaction

from auth.tokens import issue_token
from bench.generate import DATA, MANIFEST, local_neo4j
from bench.operations import OPERATIONS, Operation, Sample
from bench.shape import email_of
from graph.driver import Graph
from graph.kinds import CONCEPT_LINKS
from graph.occasions import NEXT_OCCURRENCE
from localneo4j import free_port

HERE = Path(__file__).resolve().parent
PEER_DIR = HERE / "neo4j_graphql"
RESULTS = HERE / "results.md"
# Signs the bench users' tokens, for all three servers: a throwaway graph's, meant to be known.
SECRET = "kindred-bench-secret-that-is-long-enough-for-hs256"  # noqa: S105
SERVERS = ("kindred", "floor", "peer")
TITLES = {"kindred": "Kindred", "floor": "hand-written Cypher (Starlette)", "peer": "@neo4j/graphql (Apollo)"}
CONCURRENCIES = (1, 8)


@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    def start(self, log: Path) -> None:
        with log.open("w") as out:
            self.process = subprocess.Popen(
                self.command, env={**os.environ, **self.env}, stdout=out, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@dataclass
class Timings:
    latencies: dict[tuple[str, str, int], list[float]] = field(default_factory=dict)
    busy: dict[tuple[str, str, int], float] = field(default_factory=dict)  # wall seconds under load
    errors: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def add(self, key: tuple[str, str, int], latencies: list[float], wall: float, errors: int) -> None:
        self.latencies.setdefault(key, []).extend(latencies)
        self.busy[key] = self.busy.get(key, 0.0) + wall
        self.errors[key] = self.errors.get(key, 0) + errors


class Client:
    """Sends one operation to one server as that server takes it; returns its data (raises on errors)."""

    def __init__(self, http: httpx.AsyncClient, ports: dict[str, int]) -> None:
        self.http = http
        self.ports = ports

    async def call(self, server: str, operation: Operation, sample: Sample) -> Any:
        variables = operation.variables(sample)[server]
        headers = {"Authorization": f"Bearer {sample.token}"}
        base = f"http://127.0.0.1:{self.ports[server]}"
        if server == "kindred":
            body: dict[str, Any] = {"query": operation.kindred, "variables": variables}
            response = await self.http.post(f"{base}/graphql", json=body, headers=headers)
        elif server == "peer":
            body = {"query": operation.peer, "variables": variables}
            response = await self.http.post(f"{base}/", json=body, headers=headers)
        else:
            response = await self.http.post(
                f"{base}/op/{operation.name}", json={"variables": variables}, headers=headers
            )
        answer = response.json()
        if response.status_code != 200 or answer.get("errors") or "data" not in answer:
            raise RuntimeError(f"{server} {operation.name}: {response.status_code} {str(answer)[:500]}")
        return answer["data"]

    async def statements(self, server: str) -> tuple[int, int | None]:
        """(statements sent, transactions run where the server counts them) so far."""
        base = f"http://127.0.0.1:{self.ports[server]}"
        if server == "peer":
            response = await self.http.post(f"{base}/", json={"query": "{ bench_statements }"})
            return int(response.json()["data"]["bench_statements"]), None
        counted = (await self.http.get(f"{base}/bench/statements")).json()
        return int(counted["statements"]), counted["transactions"]


async def _sample_ids(tx: AsyncManagedTransaction, email: str, rng_seed: int) -> dict[str, Any]:
    query = """
    MATCH (u:User {email: $email})
    CALL (u) { MATCH (u)-[:KNOWS]->(r:Recipient) RETURN collect(r.uid) AS recipients }
    CALL (u) { MATCH (g:Gift {owner: u.uid}) RETURN collect(g.uid)[0..50] AS gifts }
    CALL (u) { MATCH (m:Memory {owner: u.uid}) RETURN collect(m.uid)[0..50] AS memories }
    CALL (u) {
      MATCH (c:Concept {owner: u.uid}) WHERE EXISTS { (c)-[:RELATED_TO|PART_OF|SUPPORTS]-(:Concept) }
      RETURN collect(c.uid) AS concepts
    }
    RETURN u.uid AS owner, recipients, gifts, memories, concepts
    """
    record = await (await tx.run(query, email=email)).single(strict=True)
    return record.data()


async def _occasion_of(tx: AsyncManagedTransaction, recipient: str) -> str:
    query = """
    MATCH (:Recipient {uid: $uid})-[:HAS_OCCASION]->(o:Occasion) RETURN o.uid AS uid ORDER BY uid LIMIT 1
    """
    return (await (await tx.run(query, uid=recipient)).single(strict=True))["uid"]


async def samples(graph: Graph, users: int, count: int, seed: int) -> list[Sample]:
    """`count` generated users (drawn with `seed`), each with ids of theirs drawn the same way."""
    rng = random.Random(seed)
    chosen = rng.sample(range(users), min(count, users))
    made = []
    for index in chosen:
        ids = await graph.read(_sample_ids, email_of(index), seed)
        recipients = rng.sample(ids["recipients"], 2)
        mixed = [("Recipient", uid) for uid in rng.sample(ids["recipients"], 3)]
        mixed += [("Gift", uid) for uid in rng.sample(ids["gifts"], 3)]
        mixed += [("Memory", uid) for uid in rng.sample(ids["memories"], 2)]
        mixed += [("Concept", uid) for uid in rng.sample(ids["concepts"], 2)]
        made.append(
            Sample(
                owner=ids["owner"],
                token=issue_token(ids["owner"], 0, SECRET, 24 * 3600),
                recipients=recipients,
                occasion=await graph.read(_occasion_of, recipients[0]),
                concept=rng.choice(ids["concepts"]),
                gift=rng.choice(ids["gifts"]),
                mixed=mixed,
            )
        )
    return made


async def check_answers(client: Client, sample_list: list[Sample]) -> list[str]:
    """Where the servers' answers differ on the first samples, for every operation."""
    problems = []
    for sample in sample_list[:3]:
        for operation in OPERATIONS:
            seen = {
                server: operation.same(server, await client.call(server, operation, sample))
                for server in SERVERS
            }
            if not seen["kindred"]:
                problems.append(f"{operation.name}: Kindred's answer is empty for {sample.owner}")
            for server in ("floor", "peer"):
                if seen[server] != seen["kindred"]:
                    problems.append(
                        f"{operation.name} for {sample.owner}: {server} {str(seen[server])[:300]} "
                        f"!= kindred {str(seen['kindred'])[:300]}"
                    )
    return problems


async def count_statements(
    client: Client, sample_list: list[Sample], calls: int = 4
) -> dict[tuple[str, str], str]:
    """Statements per operation (and transactions, where counted), over `calls` sequential calls."""
    counted = {}
    for server in SERVERS:
        for operation in OPERATIONS:
            before = await client.statements(server)
            for at in range(calls):
                await client.call(server, operation, sample_list[at % len(sample_list)])
            after = await client.statements(server)
            text = f"{(after[0] - before[0]) / calls:g}"
            if after[1] is not None and before[1] is not None:
                text += f" in {(after[1] - before[1]) / calls:g} tx"
            counted[(server, operation.name)] = text
    return counted


async def load(
    client: Client,
    server: str,
    operation: Operation,
    sample_list: list[Sample],
    concurrency: int,
    requests: int,
    rng: random.Random,
) -> tuple[list[float], float, int]:
    """`requests` calls, `concurrency` at a time; (latencies in seconds, wall seconds, errors)."""
    picks = [rng.choice(sample_list) for _ in range(requests)]
    latencies: list[float] = []
    errors = 0

    async def worker(share: list[Sample]) -> None:
        nonlocal errors
        for sample in share:
            started = time.perf_counter()
            try:
                await client.call(server, operation, sample)
            except (RuntimeError, httpx.HTTPError):
                errors += 1
                continue
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker(picks[i::concurrency]) for i in range(concurrency)))
    return latencies, time.perf_counter() - started, errors


async def measure(
    client: Client, sample_list: list[Sample], rounds: int, requests: int, seed: int
) -> Timings:
    timings = Timings()
    rng = random.Random(seed)
    for round_number in range(rounds):
        # Each round every server in turn, the order turning round by round.
        order = SERVERS[round_number % 3 :] + SERVERS[: round_number % 3]
        for server in order:
            for operation in OPERATIONS:
                for concurrency in CONCURRENCIES:
                    count = requests * concurrency
                    latencies, wall, errors = await load(
                        client, server, operation, sample_list, concurrency, count, rng
                    )
                    timings.add((server, operation.name, concurrency), latencies, wall, errors)
        print(f"  round {round_number + 1}/{rounds} done", flush=True)
    return timings


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def _ratio(kindred: float, other: float) -> str:
    # Below 1, two decimals: Kindred faster than the other by more than ten times still shows.
    ratio = kindred / other
    return f"{ratio:.1f}x" if ratio >= 1 else f"{ratio:.2f}x"


def _median(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else float("nan")


def _servers(neo4j_uri: str, tmp: Path) -> list[Server]:
    env = {"NEO4J_URI": neo4j_uri, "KINDRED_JWT_SECRET": SECRET, "KINDRED_DATA_DIR": str(tmp)}
    peer_env = {
        **env,
        "BENCH_NEXT_OCCURRENCE": " ".join(NEXT_OCCURRENCE.split()),
        "BENCH_CONCEPT_LINKS": "|".join(CONCEPT_LINKS),
    }
    python = sys.executable
    ports = {name: free_port() for name in SERVERS}
    return [
        Server(
            "kindred",
            [python, "-m", "bench.serve_kindred", "--port", str(ports["kindred"])],
            ports["kindred"],
            env,
        ),
        Server("floor", [python, "-m", "bench.floor", "--port", str(ports["floor"])], ports["floor"], env),
        Server(
            "peer",
            ["node", str(PEER_DIR / "server.mjs"), "--port", str(ports["peer"])],
            ports["peer"],
            peer_env,
        ),
    ]


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def _wait_until_serving(http: httpx.AsyncClient, server: Server, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited:\n{_tail(log)}")
        try:
            await http.get(f"http://127.0.0.1:{server.port}/", timeout=1)
            return
        except httpx.HTTPError:
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{server.name} did not listen in 120 s:\n{_tail(log)}")


async def _versions(graph: Graph) -> dict[str, str]:
    async def neo4j_version(tx: AsyncManagedTransaction) -> str:
        record = await (
            await tx.run(
                "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS v, edition AS e"
            )
        ).single(strict=True)
        return f"{record['v']} {record['e']}"

    def npm(package: str) -> str:
        return json.loads((PEER_DIR / "node_modules" / package / "package.json").read_text())["version"]

    return {
        "Neo4j": await graph.read(neo4j_version),
        "Python": platform.python_version(),
        "strawberry-graphql": metadata.version("strawberry-graphql"),
        "neo4j (Python driver)": metadata.version("neo4j"),
        "Node.js": _node_version(),
        "@neo4j/graphql": npm("@neo4j/graphql"),
        "@apollo/server": npm("@apollo/server"),
        "neo4j-driver (JS)": npm("neo4j-driver"),
    }


def _node_version() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()


def _machine() -> str:
    memory = next(
        line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    kib = int(memory.split()[1])
    load = os.getloadavg()[0]
    gib = kib / 1024 / 1024
    return f"{os.cpu_count()} CPUs (nproc), {gib:.1f} GiB memory, load average {load:.1f} at the start"


def report(
    manifest: dict[str, Any],
    versions: dict[str, str],
    machine: str,
    timings: Timings,
    statements: dict[tuple[str, str], str],
    problems: list[str],
    rounds: int,
    requests: int,
) -> str:
    lines = [
        "# Benchmark: Kindred beside hand-written Cypher and the Neo4j GraphQL Library",
        "",
        "Written by `./kindred bench api` (bench/api.py); the graph by `./kindred bench generate`.",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine}",
        f"- Graph: {manifest.get('loaded_users', manifest['users']):,} users (seed {manifest['seed']}): "
        f"{manifest['nodes']:,} nodes, "
        f"{manifest['relationships']:,} relationships, loaded in {manifest['load_seconds']} s",
        f"- Load: {rounds} rounds, servers alternating round by round; per round, server and operation "
        f"{requests} requests at concurrency 1 and {requests * 8} at concurrency 8",
        "- Versions: " + ", ".join(f"{name} {version}" for name, version in versions.items()),
        "",
        "Median latency in ms at concurrency 1 / 8 (on a shared machine the ratios count, not the times):",
        "",
        "| operation | Kindred | floor: hand-written Cypher | @neo4j/graphql | Kindred / floor "
        "| Kindred / @neo4j/graphql |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for operation in OPERATIONS:
        med = {
            (s, c): _median(timings.latencies.get((s, operation.name, c), []))
            for s in SERVERS
            for c in CONCURRENCIES
        }
        cells = [f"{med[(s, 1)]:.1f} / {med[(s, 8)]:.1f}" for s in SERVERS]
        ratios = [
            f"{_ratio(med[('kindred', 1)], med[(s, 1)])} / {_ratio(med[('kindred', 8)], med[(s, 8)])}"
            for s in ("floor", "peer")
        ]
        lines.append(f"| {operation.title} | " + " | ".join(cells + ratios) + " |")
    lines += [
        "",
        "Per server: p99 latency in ms at concurrency 1 / 8, throughput at concurrency 8 (requests a "
        "second), "
        "Cypher statements per operation, errors:",
        "",
        "| operation | server | p99 c=1 / c=8 | throughput c=8 | statements | errors |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for operation in OPERATIONS:
        for server in SERVERS:
            keys = [(server, operation.name, c) for c in CONCURRENCIES]
            p99 = " / ".join(f"{_p(timings.latencies.get(k, []), 0.99):.1f}" for k in keys)
            done = len(timings.latencies.get(keys[1], []))
            throughput = done / timings.busy[keys[1]] if timings.busy.get(keys[1]) else float("nan")
            errors = sum(timings.errors.get(k, 0) for k in keys)
            lines.append(
                f"| {operation.name} | {TITLES[server]} | {p99} | {throughput:.0f} | "
                f"{statements.get((server, operation.name), '-')} | {errors} |"
            )
    lines += [
        "",
        "How it is measured: each server is its own process on 127.0.0.1 (Kindred: uvicorn serving "
        "`app.create_app`, one worker; the floor: uvicorn and Starlette; the peer: Node.js and Apollo "
        "Server); "
        "the load comes from the runner's process (httpx, asyncio). Statements are counted in each server "
        "process by wrapping its Neo4j driver's `run` (transactions and sessions), read before and after "
        "sequential calls. Each server authenticates the same HS256 bearer JWT; the peer restricts every "
        "node type to its owner with `@authorization` filters on the JWT's subject. The peer has no "
        "shortestPath of its own: a `@cypher` query field stands in for it. createGift: Kindred writes the "
        "gift, its giving, links, outcome, tags, the Event and the relationship's statistics; the floor does "
        "the same in one statement (of the statistics, the count and the average); the peer's nested "
        "create writes the gift, its GAVE, links and outcome, "
        "but no Event and no statistics.",
        "",
        "Answers checked equal on a sample (the same ids and names for the same user): "
        + ("all equal." if not problems else f"{len(problems)} differences:"),
    ]
    lines += [f"- {problem}" for problem in problems]
    return "\n".join(lines) + "\n"


async def main(rounds: int, requests: int, user_count: int, seed: int, heap: str) -> None:
    if not MANIFEST.exists():
        raise SystemExit("No bench graph yet: run ./kindred bench generate --users 20 first.")
    manifest = json.loads(MANIFEST.read_text())
    machine = _machine()
    neo4j = local_neo4j(0, heap)
    neo4j.start()
    servers: list[Server] = []
    try:
        graph = Graph.connect(neo4j.uri, None, "neo4j")
        sample_list = await samples(graph, manifest.get("loaded_users", manifest["users"]), user_count, seed)
        versions = await _versions(graph)
        with tempfile.TemporaryDirectory() as tmp:
            servers = _servers(neo4j.uri, Path(tmp))
            limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
            async with httpx.AsyncClient(timeout=120, limits=limits) as http:
                for server in servers:
                    server.start(DATA / f"{server.name}.log")
                for server in servers:
                    await _wait_until_serving(http, server, DATA / f"{server.name}.log")
                client = Client(http, {server.name: server.port for server in servers})
                print("checking answers ...", flush=True)
                problems = await check_answers(client, sample_list)
                for problem in problems:
                    print("  differs:", problem)
                statements = await count_statements(client, sample_list)
                print("timing ...", flush=True)
                timings = await measure(client, sample_list, rounds, requests, seed)
        await graph.close()
    finally:
        for server in servers:
            server.stop()
        neo4j.stop()
    RESULTS.write_text(report(manifest, versions, machine, timings, statements, problems, rounds, requests))
    print(RESULTS.read_text())


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--requests", type=int, default=20, help="per round, server and operation at c=1 (x8 at c=8)"
    )
    parser.add_argument(
        "--users", type=int, default=8, help="how many generated users the load is spread over"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--heap", default="3g")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments(parser)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.requests, args.users, args.seed, args.heap))
