"""How long deleteAccount's erasure takes for an account of about 5,000 nodes: 1,250 recipients, 1,250
memories each involving one, their 2,500 Events, 1,250 vector points and a few blobs, erased by the
eraser (dispatch/erasure.py) as the app runs it, against a throwaway local Neo4j, the embedded vectors
and the filesystem blobs.

    python -m bench.erasure [--batch 1000]
"""

import argparse
import asyncio
import io
import random
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from dispatch import Services
from dispatch.erasure import Eraser, Keyed
from graph import bulk, erasure, migrations, users
from graph.bulk import Edge
from graph.driver import Graph
from graph.kinds import MEMORY, RECIPIENT
from graph.refs import Ref
from localneo4j import LocalNeo4j, free_port
from storage.blobs.filesystem import FilesystemBlobStore
from storage.embeddings.minilm import MiniLM
from storage.memory_cache import MemoryCache
from storage.rate_limits import RateLimits
from storage.vectors import VectorPoint, VectorSpace
from storage.vectors.edge_store import EdgeStore

PEOPLE = 1_250
DIMENSIONS = 384


async def measure(folder: Path, batch: int) -> dict[str, float]:
    server = LocalNeo4j(folder / "neo4j", free_port(), heap="512m")
    server.start()
    graph = Graph.connect(server.uri, None, "neo4j")
    vectors = EdgeStore(folder / "vectors", VectorSpace("bench", DIMENSIONS))
    blobs = FilesystemBlobStore(folder / "blobs")
    try:
        await migrations.apply(graph)
        uid = str(uuid4())
        await graph.write(
            users.create_user,
            uid=uid,
            email="bench@example.com",
            name="Bench",
            password_hash="never logs in",  # noqa: S106
        )
        nodes = await _account(graph, vectors, blobs, uid)
        await graph.write(erasure.begin, uid)
        keyed = Keyed(MemoryCache(60), MemoryCache(60), RateLimits(), "600/minute", "10/minute")
        eraser = Eraser(Services(graph, MiniLM(), vectors, blobs=blobs), keyed, batch=batch)
        started = time.perf_counter()
        assert await eraser.erase_pending() == 1
        seconds = time.perf_counter() - started
        return {"nodes": nodes, "batch": batch, "seconds": round(seconds, 2)}
    finally:
        await vectors.close()
        await graph.close()
        server.stop()


async def _account(graph: Graph, vectors: EdgeStore, blobs: FilesystemBlobStore, uid: str) -> int:
    people = [(str(uuid4()), {"name": f"Person {i}"}) for i in range(PEOPLE)]
    memories = [(str(uuid4()), {"kind": "episodic", "content": f"Memory {i}"}) for i in range(PEOPLE)]
    for start in range(0, PEOPLE, 500):
        chunk_people, chunk_memories = people[start : start + 500], memories[start : start + 500]

        async def write(
            tx: AsyncManagedTransaction,
            p: list[tuple[str, dict[str, Any]]] = chunk_people,
            m: list[tuple[str, dict[str, Any]]] = chunk_memories,
        ) -> None:
            made = await bulk.create_all(tx, RECIPIENT, owner=uid, rows=p)
            remembered = await bulk.create_all(tx, MEMORY, owner=uid, rows=m)
            edges: list[Edge] = [(memory, person, {}) for (memory, _), (person, _) in zip(m, p, strict=True)]
            await bulk.link_all(tx, "INVOLVES", owner=uid, edges=edges)
            created = [(ref, ()) for ref in made] + [
                (ref, (Ref("Recipient", person),)) for ref, (person, _) in zip(remembered, p, strict=True)
            ]
            await bulk.announce(tx, owner=uid, created=created)

        await graph.write(write)
    await vectors.ensure("memory")
    noise = random.Random(7)
    points = [
        VectorPoint(
            owner=uid,
            uid=memory,
            label="Memory",
            text=values["content"],
            vector=[noise.random() for _ in range(DIMENSIONS)],
        )
        for memory, values in memories
    ]
    await vectors.upsert("memory", points)
    for i in range(5):
        await blobs.put(uid, io.BytesIO(f"bench blob {i}".encode() * 1000))
    return 1 + 2 * PEOPLE + 2 * PEOPLE  # the User, the nodes, their Events


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--batch", type=int, default=1000, help="nodes per transaction (the default's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(asyncio.run(measure(Path(folder), args.batch)))


if __name__ == "__main__":
    main()
