"""./kindred bench generate --users N [--seed S]: a graph in Kindred's shape, loaded straight into Neo4j.

Per user (bench/shape.py): 100 recipients with their KNOWS, 2 occasions and 5 gifts with outcomes each,
200 memories, 100 concepts with their links, a conflict for one recipient in ten. 1,000 users is about
1.6 million nodes and 3.9 million relationships; `--users 20` is the quick size. The same seed gives the
same graph. The app's migrations run first, so its constraints and indexes hold while it loads.

The load goes around GraphQL on purpose: batched `UNWIND` writes, a few thousand rows a transaction.
It uses a local Neo4j of its own in bench/.data/neo4j (emptied first, on a free port), and writes
bench/.data/manifest.json (what was made, how long it took) for `./kindred bench api`.
"""

import argparse
import asyncio
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from neo4j import AsyncManagedTransaction

from auth.passwords import hash_password
from bench.shape import FULL, PASSWORD, Maker, Size, UserGraph, user_graph
from graph import migrations
from graph.driver import Graph
from localneo4j import LocalNeo4j, free_port

# KINDRED_BENCH_DATA: another folder, to keep graphs of two sizes side by side.
DATA = Path(os.environ.get("KINDRED_BENCH_DATA", Path(__file__).resolve().parent / ".data")).resolve()
MANIFEST = DATA / "manifest.json"
BATCH_ROWS = 5_000
USERS_PER_CHUNK = 10  # made in memory together, then written label by label


# The 1.6-million-node store (1.2 GB) fits in the page cache, so reads are not timed off the disk.
PAGECACHE = "3g"


def local_neo4j(port: int, heap: str) -> LocalNeo4j:
    return LocalNeo4j(DATA / "neo4j", port or free_port(), heap=heap, pagecache=PAGECACHE)


Progress = Callable[[int, Counter[str]], None]


async def load(
    graph: Graph,
    users: int,
    seed: int,
    start: int = 0,
    progress: Progress | None = None,
    size: Size = FULL,
) -> Counter[str]:
    """Writes the graphs of users `start` to `users` - 1 (each of `size`); returns how many nodes of
    each label and relationships of each type it wrote. `progress(users done, written)` after each chunk."""
    password_hash = await hash_password(PASSWORD)
    made: Counter[str] = Counter()
    for first in range(start, users, USERS_PER_CHUNK):
        last = min(users, first + USERS_PER_CHUNK)
        chunk = [user_graph(seed, index, password_hash, size) for index in range(first, last)]
        made += await _write_chunk(graph, chunk)
        if progress is not None:
            progress(last, made)
    return made


async def forget_from(graph: Graph, seed: int, start: int) -> None:
    """Deletes what a load stopped in the middle of a chunk left of users from `start` on."""
    for index in range(start, start + USERS_PER_CHUNK):
        await graph.write(_forget_user, Maker(seed, index).uid())


async def _forget_user(tx: AsyncManagedTransaction, uid: str) -> None:
    for label in migrations.OWNED_LABELS:
        await (await tx.run(f"MATCH (n:{label} {{owner: $uid}}) DETACH DELETE n", uid=uid)).consume()
    await (await tx.run("MATCH (u:User {uid: $uid}) DETACH DELETE u", uid=uid)).consume()


async def _write_chunk(graph: Graph, chunk: list[UserGraph]) -> Counter[str]:
    made: Counter[str] = Counter()
    await _batched(graph, _create_nodes, "User", [user.user for user in chunk])
    made["User"] += len(chunk)
    labels = sorted({label for user in chunk for label in user.nodes})
    for label in labels:
        rows = [row for user in chunk for row in user.nodes.get(label, [])]
        await _batched(graph, _create_nodes, label, rows)
        made[label] += len(rows)
    types = sorted({rel for user in chunk for rel in user.rels})
    for rel in types:
        ends = next(user.rels[rel][:2] for user in chunk if rel in user.rels)
        rows = [row for user in chunk for row in user.rels.get(rel, ("", "", []))[2]]
        for at in range(0, len(rows), BATCH_ROWS):
            await graph.write(_create_rels, rel, ends, rows[at : at + BATCH_ROWS])
        made[rel] += len(rows)
    return made


async def _batched(graph: Graph, work: Any, label: str, rows: list[dict[str, Any]]) -> None:
    for at in range(0, len(rows), BATCH_ROWS):
        await graph.write(work, label, rows[at : at + BATCH_ROWS])


async def _create_nodes(tx: AsyncManagedTransaction, label: str, rows: list[dict[str, Any]]) -> None:
    # Labels cannot be parameters; they come from bench/shape.py's own constants.
    encoded, temporals = _encode(rows)
    query = f"UNWIND $rows AS row CREATE (n:{label}) SET n = row.props {_set_temporals('n', temporals)}"
    await (await tx.run(query, rows=encoded)).consume()


async def _create_rels(
    tx: AsyncManagedTransaction, rel: str, ends: tuple[str, str], rows: list[dict[str, Any]]
) -> None:
    # Both ends by their uid: each label's unique constraint is the index that finds them.
    encoded, temporals = _encode([row["props"] for row in rows])
    for row, sent in zip(rows, encoded, strict=True):
        sent |= {"a": row["a"], "b": row["b"]}
    query = f"""
    UNWIND $rows AS row
    MATCH (a:{ends[0]} {{uid: row.a}})
    MATCH (b:{ends[1]} {{uid: row.b}})
    CREATE (a)-[r:{rel}]->(b) SET r = row.props {_set_temporals("r", temporals)}
    """
    await (await tx.run(query, rows=encoded)).consume()


def _encode(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Rows with their dates as ISO text and datetimes as epoch milliseconds, which the driver sends many
    times faster than its temporal types; Cypher makes them native Date and DateTime again."""
    temporals: dict[str, str] = {}
    encoded = []
    for row in rows:
        props: dict[str, Any] = {}
        times: dict[str, int | str] = {}
        for name, value in row.items():
            if isinstance(value, datetime):
                times[name] = int(value.timestamp() * 1000)
                temporals[name] = "datetime"
            elif isinstance(value, date):
                times[name] = value.isoformat()
                temporals[name] = "date"
            else:
                props[name] = value
        encoded.append({"props": props, "t": times})
    return encoded, temporals


def _set_temporals(variable: str, temporals: dict[str, str]) -> str:
    made = {"datetime": "datetime({epochMillis: row.t.%s})", "date": "date(row.t.%s)"}
    return "".join(
        f", {variable}.{name} = CASE WHEN row.t.{name} IS NULL THEN null ELSE {made[kind] % name} END"
        for name, kind in sorted(temporals.items())
    )


async def main(users: int, seed: int, port: int, heap: str, resume: bool) -> None:
    server = local_neo4j(port, heap)
    if server.status().running:
        server.stop()
    before = json.loads(MANIFEST.read_text()) if resume and MANIFEST.exists() else None
    if before is not None and before["seed"] != seed:
        raise SystemExit(f"The graph there was made with seed {before['seed']}: resume with that seed.")
    if before is None:
        shutil.rmtree(server.home, ignore_errors=True)
    start = before["loaded_users"] if before else 0
    DATA.mkdir(parents=True, exist_ok=True)
    server.start()
    try:
        graph = Graph.connect(server.uri, None, "neo4j")
        await migrations.apply(graph)
        if before is not None:
            await forget_from(graph, seed, start)
        started = time.perf_counter()
        earlier = Counter(before["counts"]) if before else Counter()
        spent = before["load_seconds"] if before else 0.0

        def progress(done: int, made: Counter[str]) -> None:
            # After every chunk, so a load stopped half-way can go on with --resume.
            seconds = spent + time.perf_counter() - started
            _write_manifest(users, done, seed, earlier + made, seconds)
            print(f"  {done}/{users} users, {seconds:.0f} s", flush=True)

        await load(graph, users, seed, start, progress)
        await graph.close()
    finally:
        server.stop()
    manifest = json.loads(MANIFEST.read_text())
    print(
        f"{users} users (seed {seed}): {manifest['nodes']:,} nodes, {manifest['relationships']:,} "
        f"relationships in {manifest['load_seconds']} s; into {server.home}"
    )


def _write_manifest(users: int, done: int, seed: int, counts: Counter[str], seconds: float) -> None:
    manifest = {
        "users": users,
        "loaded_users": done,
        "seed": seed,
        "nodes": sum(count for name, count in counts.items() if not name.isupper()),
        "relationships": sum(count for name, count in counts.items() if name.isupper()),
        "load_seconds": round(seconds, 1),
        "counts": dict(sorted(counts.items())),
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2))


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--port", type=int, default=0, help="Bolt port of the bench Neo4j (default: a free one)"
    )
    parser.add_argument("--heap", default="3g")
    parser.add_argument("--resume", action="store_true", help="go on with a load that was stopped")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments(parser)
    args = parser.parse_args()
    asyncio.run(main(args.users, args.seed, args.port, args.heap, args.resume))
