"""The 3D view's costs: the full layout of 1k, 10k and 100k nodes, placing one new node in a 10k graph,
and graphView's latency for a 200-node view of 1k nodes and a 2,000-node view of 10k, each a median
of --runs.

The graphs are planted partitions (communities of 20-200 nodes, about 6 links a node inside and one
across), the shape of a person's world at scale. The layout is timed alone and with its analytics
(Leiden and PageRank, which the consumer runs beside it). graphView runs through Kindred's schema in
process against a throwaway local Neo4j holding one user's 10k nodes, laid out by the layout consumer.

The browser part serves Kindred on a 2,000-node graph (planted like the others, laid out) and opens
/explore in Debian's headless chromium (software GL, as on a machine without a GPU): the time from the
login click to the first picture, and the frame times while the camera turns round the picture.

    ./kindred bench view [--sizes 1000 10000 100000] [--runs 3] [--view-runs 9] [--parts view browser ...]
"""

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import numpy as np
import uvicorn
from neo4j import AsyncManagedTransaction

from app import create_app
from auth import passwords
from dispatch import layout as consumer
from graph import migrations, users
from graph.driver import Graph
from layout import analytics, forces
from localneo4j import LocalNeo4j, free_port
from resolvers.context import Context
from schema import build_schema
from settings import Settings

PROJECT = Path(__file__).resolve().parent.parent
VIEW = """query ($max: Int!) { graphView(maxNodes: $max) { totalCount
  nodes { id label name x y z size community colourKey evolution members }
  links { id source target type weight } } }"""


def planted(n: int, seed: int = 1) -> forces.Links:
    """n nodes in communities of 20-200, about 6 links a node inside its community and 1 across."""
    rng = np.random.default_rng(seed)
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(int(rng.integers(20, 201)))
    sizes[-1] -= sum(sizes) - n
    start = np.repeat(np.cumsum([0, *sizes[:-1]]), sizes)
    size = np.repeat(sizes, sizes)
    inside = rng.integers(0, n, 3 * n)
    partner = start[inside] + rng.integers(0, size[inside])
    across = rng.integers(0, n, (n // 2, 2))
    sources = np.concatenate([inside, across[:, 0]])
    targets = np.concatenate([partner, across[:, 1]])
    keep = sources != targets
    return forces.Links(sources[keep], targets[keep], np.ones(int(keep.sum())))


def timed(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def layouts(sizes: list[int], runs: int) -> None:
    for n in sizes:
        links = planted(n)
        groups = analytics.communities(n, links, seed=1)
        analysis = timed(lambda: (analytics.communities(n, links, 1), analytics.importance(n, links)), runs)  # noqa: B023
        full = timed(lambda: forces.full(n, links, groups, seed=1), runs)  # noqa: B023
        print(
            f"full layout, {n:>7,} nodes, {len(links.sources):>7,} links: {full:7.2f} s "
            f"(+ Leiden and PageRank {analysis:6.2f} s; {len(set(groups.tolist()))} communities)",
            flush=True,
        )


def incremental(runs: int, n: int = 10_000) -> None:
    links = planted(n)
    groups = analytics.communities(n, links, seed=1)
    positions = forces.full(n, links, groups, seed=1)
    known = np.ones(n + 1, dtype=bool)
    known[n] = False
    grown = forces.Links(
        np.concatenate([links.sources, [n, n, n]]),
        np.concatenate([links.targets, [0, 1, 2]]),
        np.concatenate([links.weights, [1.0, 1.0, 1.0]]),
    )
    placed = np.vstack([positions, np.zeros((1, 3))])
    moved: list[np.ndarray] = []
    seconds = timed(lambda: moved.append(forces.place(placed, known, grown, seed=2)[1]), runs)
    print(
        f"one node placed in {n:,} (its 2-hop neighbourhood relaxed, {len(moved[-1])} nodes moved): "
        f"{seconds * 1000:7.1f} ms",
        flush=True,
    )


async def view_latency(runs: int, cases: tuple[tuple[int, int], ...] = ((1000, 200), (10_000, 2000))) -> None:
    """graphView of `budget` nodes out of `n`, for each case, each its own user in one throwaway Neo4j."""
    with tempfile.TemporaryDirectory(prefix="kindred-bench-view-") as folder:
        server = LocalNeo4j(Path(folder), free_port(), heap="1g")
        server.start()
        graph = Graph.connect(server.uri, None, "neo4j")
        try:
            await migrations.apply(graph)
            for n, budget in cases:
                await _view_case(graph, runs, n, budget)
        finally:
            await graph.close()
            server.stop()


async def _view_case(graph: Graph, runs: int, n: int, budget: int) -> None:
    owner = str(uuid4())
    await graph.write(
        users.create_user,
        uid=owner,
        email=f"view{n}@bench.example",
        name="Bench",
        password_hash="never logs in",  # noqa: S106
    )
    await _fill(graph, owner, planted(n), n)
    start = time.perf_counter()
    await consumer.refresh(graph, owner)
    print(
        f"the layout consumer's first pass over {n:,} nodes in Neo4j: {time.perf_counter() - start:.2f} s",
        flush=True,
    )
    settings = Settings(_env_file=None, max_cost=10**9)
    schema = build_schema(settings)
    times, statements = [], []
    for _ in range(runs + 1):  # the first plans the statements: not counted
        context = Context(None, None, settings, graph, "bench", viewer_uid=owner)
        before = graph.statements
        start = time.perf_counter()
        result = await schema.execute(VIEW, variable_values={"max": budget}, context_value=context)
        times.append(time.perf_counter() - start)
        statements.append(graph.statements - before)
        assert not result.errors, result.errors
        assert result.data is not None and len(result.data["graphView"]["nodes"]) <= budget
    print(
        f"graphView of {budget:,} nodes out of {n:,}: {statistics.median(times[1:]) * 1000:7.1f} ms "
        f"(median of {runs}; {statistics.median(statements):.0f} Cypher statements)",
        flush=True,
    )


async def _fill(graph: Graph, owner: str, links: forces.Links, n: int) -> None:
    uids = [str(uuid4()) for _ in range(n)]
    for low in range(0, n, 5000):
        rows = [
            {"uid": uid, "name": f"concept {low + i}", "key": f"concept {low + i}"}
            for i, uid in enumerate(uids[low : low + 5000])
        ]
        await graph.write(_concepts, owner=owner, rows=rows)
    pairs = [
        {"a": uids[a], "b": uids[b]}
        for a, b in zip(links.sources.tolist(), links.targets.tolist(), strict=True)
    ]
    for low in range(0, len(pairs), 10_000):
        await graph.write(_links, owner=owner, rows=pairs[low : low + 10_000])


async def _concepts(tx: AsyncManagedTransaction, *, owner: str, rows: list[dict]) -> None:
    query = """UNWIND $rows AS row CREATE (c:Concept {uid: row.uid, owner: $owner, name: row.name,
               key: row.key, concept_type: 'interest', created_at: datetime(), updated_at: datetime()})"""
    await (await tx.run(query, owner=owner, rows=rows)).consume()


async def _links(tx: AsyncManagedTransaction, *, owner: str, rows: list[dict]) -> None:
    query = """UNWIND $rows AS row
               MATCH (a:Concept {uid: row.a, owner: $owner}) MATCH (b:Concept {uid: row.b, owner: $owner})
               CREATE (a)-[:RELATED_TO]->(b)"""
    await (await tx.run(query, owner=owner, rows=rows)).consume()


async def browser(n: int = 2000, seconds: float = 8.0) -> None:
    """The explorer's time to first picture and frame time for `n` nodes, in headless chromium."""
    project = PROJECT
    with tempfile.TemporaryDirectory(prefix="kindred-bench-explore-") as folder:
        server = LocalNeo4j(Path(folder) / "neo4j", free_port(), heap="1g")
        server.start()
        graph = Graph.connect(server.uri, None, "neo4j")
        try:
            await migrations.apply(graph)
            owner, email, password = str(uuid4()), "explore@bench.example", "explore bench password"
            hashed = await passwords.hash_password(password)
            await graph.write(users.create_user, uid=owner, email=email, name="Bench", password_hash=hashed)
            await _fill(graph, owner, planted(n), n)
            await consumer.refresh(graph, owner)
            settings = Settings(
                _env_file=None, neo4j_uri=server.uri, data_dir=Path(folder), dispatch=False, max_cost=10**9
            )
            with _served(settings) as base:
                process = await asyncio.create_subprocess_exec(
                    "node",
                    str(project / "bench" / "explore_frames.cjs"),
                    f"{base}/explore",
                    email,
                    password,
                    str(Path(folder) / "chromium"),
                    str(seconds),
                    stdout=asyncio.subprocess.PIPE,
                    env={**os.environ, "NODE_PATH": str(project / "web" / "explore" / "node_modules")},
                )
                out, _ = await process.communicate()
            word, _, rest = out.decode().strip().partition(" ")
            if word != "FRAMES":
                raise RuntimeError(out.decode())
            found = json.loads(rest)
            print(
                f"/explore with {found['nodes']:,} nodes and {found['links']:,} links in headless chromium: "
                f"first picture {found['firstPictureMs']:,} ms after the login click; turning the camera, "
                f"frame time median {found['medianMs']:.1f} ms, 95th percentile {found['p95Ms']:.1f} ms "
                f"({found['frames']} frames)",
                flush=True,
            )
        finally:
            await graph.close()
            server.stop()


@contextmanager
def _served(settings: Settings) -> Iterator[str]:
    """Kindred on a free port, served by uvicorn in a thread of its own (with its own Neo4j driver)."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("Kindred did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--view-runs", type=int, default=9)
    parts = ("layouts", "incremental", "view", "browser")
    parser.add_argument("--parts", nargs="+", choices=parts, default=list(parts), help="what to time")
    args = parser.parse_args()
    if "layouts" in args.parts:
        layouts(args.sizes, args.runs)
    if "incremental" in args.parts:
        incremental(max(args.runs, 5))
    if "view" in args.parts:
        asyncio.run(view_latency(args.view_runs))
    if "browser" in args.parts:
        asyncio.run(browser())


if __name__ == "__main__":
    main()
