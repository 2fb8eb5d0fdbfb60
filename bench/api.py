"""./kindred bench api: Kindred served as users run it, timed beside its floor and its peer on one graph.

On the graph `./kindred bench generate` made (bench/.data), four servers, each its own process on a real
port: Kindred (uvicorn, app.create_app, its dispatcher on), the floor (bench/floor.py: the same reads as
hand-written Cypher behind a minimal Starlette endpoint) and the peer (bench/neo4j_graphql: the Neo4j
GraphQL Library on Apollo Server) in its two setups, `@authorization` on the JWT and plain `where`
filters. This process is the load: httpx, at concurrency 1 and 8, the operations of bench/operations.py,
each request as another of the users sampled across the graph (a fixed seed).

It first checks the servers give the same answers on a few users, then times cell by cell
(bench/cells.py: per operation and concurrency, each server in turn, idle before it, the load watched and
a disturbed cell run again), comparing every request's answer with Kindred's for the same user. Writes
bench/results.md and its raw data, bench/results.json (bench/api_report.py).

    ./kindred bench api [--samples 200] [--users 0 (all)] [--margin 1.0] [--repeats 2] [--out FILE]
"""

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
from neo4j import AsyncManagedTransaction

from auth.tokens import issue_token
from bench import statements
from bench.api_report import Run, raw, report
from bench.cells import Measured, Runner, cells, picks
from bench.generate import DATA, MANIFEST, local_neo4j
from bench.machine import load_average
from bench.operations import OPERATIONS, Operation, Sample
from bench.shape import email_of
from graph.dispatcher import owners_due
from graph.driver import Graph
from graph.kinds import CONCEPT_LINKS
from graph.occasions import NEXT_OCCURRENCE
from localneo4j import free_port

HERE = Path(__file__).resolve().parent
PEER_DIR = HERE / "neo4j_graphql"
RESULTS = HERE / "results.md"
# Signs the bench users' tokens, for all three servers: a throwaway graph's, meant to be known.
SECRET = "kindred-bench-secret-that-is-long-enough-for-hs256"  # noqa: S105
SERVERS = ("kindred", "floor", "peer", "peer_where")
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

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


class Client:
    """Sends one operation to one server as that server takes it; returns its data (raises on errors)."""

    def __init__(self, http: httpx.AsyncClient, ports: dict[str, int]) -> None:
        self.http = http
        self.ports = ports

    async def call(self, server: str, operation: Operation, sample: Sample) -> Any:
        return (await self.counted(server, operation, sample))[0]

    async def counted(
        self, server: str, operation: Operation, sample: Sample
    ) -> tuple[Any, statements.Tally | None]:
        """The answer's data, and the statements the server ran for it where it counts them per request."""
        variables = operation.variables(sample)[server]
        headers = {"Authorization": f"Bearer {sample.token}"}
        base = f"http://127.0.0.1:{self.ports[server]}"
        if server == "floor":
            body: dict[str, Any] = {"variables": variables}
            response = await self.http.post(f"{base}/op/{operation.name}", json=body, headers=headers)
        else:
            body = {"query": operation.document(server), "variables": variables}
            path = "/graphql" if server == "kindred" else "/"
            response = await self.http.post(f"{base}{path}", json=body, headers=headers)
        answer = response.json()
        if response.status_code != 200 or answer.get("errors") or "data" not in answer:
            raise RuntimeError(f"{server} {operation.name}: {response.status_code} {str(answer)[:500]}")
        return answer["data"], statements.of(response.headers)

    async def statements(self, server: str) -> int:
        """The statements the server's process has sent so far."""
        base = f"http://127.0.0.1:{self.ports[server]}"
        if server.startswith("peer"):
            response = await self.http.post(f"{base}/", json={"query": "{ bench_statements }"})
            return int(response.json()["data"]["bench_statements"])
        return int((await self.http.get(f"{base}/bench/statements")).json()["statements"])


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
    """`count` generated users (drawn with `seed`; all of them for 0), each with ids of theirs drawn the
    same way."""
    rng = random.Random(seed)
    chosen = rng.sample(range(users), min(count, users) if count else users)
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


async def check_answers(
    client: Client, sample_list: list[Sample], operations: Sequence[Operation] = OPERATIONS
) -> list[str]:
    """Where the servers' answers differ on the first samples, for every operation."""
    problems = []
    for at, sample in enumerate(sample_list[:3]):
        started = time.monotonic()
        for operation in operations:
            seen = {
                server: operation.compared(server, await client.call(server, operation, sample))
                for server in SERVERS
            }
            if not seen["kindred"]:
                problems.append(f"{operation.name}: Kindred's answer is empty for {sample.owner}")
            for server in SERVERS[1:]:
                if seen[server] != seen["kindred"]:
                    problems.append(
                        f"{operation.name} for {sample.owner}: {server} {str(seen[server])[:300]} "
                        f"!= kindred {str(seen['kindred'])[:300]}"
                    )
        took = time.monotonic() - started
        print(f"  user {at + 1}: {len(operations)} operations on every server in {took:.1f} s", flush=True)
    return problems


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


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


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
        *(
            Server(
                name,
                ["node", str(PEER_DIR / "server.mjs"), "--port", str(ports[name]), "--mode", mode],
                ports[name],
                peer_env,
            )
            for name, mode in (("peer", "authorization"), ("peer_where", "where"))
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


async def main(args: argparse.Namespace) -> tuple[Run, list[Measured]]:
    if not MANIFEST.exists():
        raise SystemExit("No bench graph yet: run ./kindred bench generate --users 20 first.")
    manifest = json.loads(MANIFEST.read_text())
    operations = [op for op in OPERATIONS if not args.operations or op.name in args.operations.split(",")]
    machine = _machine()
    neo4j = local_neo4j(0, args.heap)
    neo4j.start()
    servers: list[Server] = []
    try:
        graph = Graph.connect(neo4j.uri, None, "neo4j")
        users = manifest.get("loaded_users", manifest["users"])
        sample_list = await samples(graph, users, args.users, args.seed)
        versions = await _versions(graph)
        with tempfile.TemporaryDirectory() as tmp:
            servers = _servers(neo4j.uri, Path(tmp))
            limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
            async with httpx.AsyncClient(timeout=300, limits=limits) as http:
                for server in servers:
                    server.start(DATA / f"{server.name}.log")
                for server in servers:
                    await _wait_until_serving(http, server, DATA / f"{server.name}.log")
                client = Client(http, {server.name: server.port for server in servers})
                runner = Runner(
                    client,
                    {server.name: server.pid for server in servers},
                    neo4j.status().pid or 0,
                    lambda: graph.read(owners_due),
                    args.margin,
                    args.repeats,
                    args.settle,
                )
                # Kindred's dispatcher first catches up with the graph's events (on a graph it has never
                # served: every owner's whole log), or the check's requests wait on its locks.
                await _idle(runner)
                print("checking answers ...", flush=True)
                problems = await check_answers(client, sample_list, operations)
                for problem in problems:
                    print("  differs:", problem)
                measured = await _timed(runner, operations, sample_list, args.samples, args.seed)
        await graph.close()
    finally:
        for server in servers:
            server.stop()
        neo4j.stop()
    return Run(
        manifest,
        versions,
        machine,
        SERVERS,
        CONCURRENCIES,
        args.samples,
        len(sample_list),
        args.seed,
        args.margin,
        args.repeats,
        problems,
        args.settle,
    ), measured


def write(out: Path, run: Run, measured: list[Measured]) -> None:
    """The table, and its raw data beside it."""
    out.write_text(report(run, measured))
    out.with_suffix(".json").write_text(json.dumps(raw(run, measured), indent=1) + "\n")
    print(out.read_text())


async def _timed(
    runner: Runner, operations: list[Operation], sample_list: list[Sample], requests: int, seed: int
) -> list[Measured]:
    """Every cell in turn, each with its own draw of users."""
    await _idle(runner)  # the check's writes' deferred work done
    rng = random.Random(seed)
    measured = []
    for cell in cells(operations, CONCURRENCIES, SERVERS):
        print(f"  {cell.operation.name} at c={cell.concurrency} ({', '.join(cell.order)})", flush=True)
        measured.append(await runner.cell(cell, picks(sample_list, requests, rng)))
    print(f"timed (load {load_average():.1f})", flush=True)
    return measured


async def _idle(runner: Runner) -> None:
    print("waiting for every server to be idle ...", flush=True)
    for server in SERVERS:
        print(f"  {server}: idle after {await runner.settle(server):.1f} s", flush=True)


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--samples", type=int, default=200, help="requests per server and cell, at each concurrency"
    )
    parser.add_argument(
        "--users", type=int, default=0, help="how many generated users are sampled (0: all of them)"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--heap", default="3g")
    parser.add_argument(
        "--margin", type=float, default=1.0, help="a cell whose load average rose by more is run again"
    )
    parser.add_argument("--repeats", type=int, default=2, help="how many times a cell is run again at most")
    parser.add_argument(
        "--settle", type=float, default=600, help="seconds at most to wait for a server to be idle"
    )
    parser.add_argument("--operations", default="", help="only these (comma-separated names)")
    parser.add_argument("--out", default=str(RESULTS), help="the markdown; its raw data beside it (.json)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments(parser)
    args = parser.parse_args()
    write(Path(args.out), *asyncio.run(main(args)))
