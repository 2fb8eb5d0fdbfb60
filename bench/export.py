"""How long exportAccount's archive and `./kindred import` take for an account of about 5,000 nodes
(bench/erasure.py's account: 1,250 recipients, 1,250 memories each involving one, their 2,500 Events):
the exporter (dispatch/exports.py) builds the archive as the app runs it; the account is erased; the
archive is imported into a new account of the same email (archive/imports.py), against a throwaway
local Neo4j and the filesystem blobs.

    python -m bench.export
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from uuid import uuid4

from archive.imports import import_archive
from bench.erasure import DIMENSIONS, _account
from dispatch import Services
from dispatch.erasure import Eraser, Keyed
from dispatch.exports import Exporter
from graph import erasure, exports, migrations, users
from graph.driver import Graph
from localneo4j import LocalNeo4j, free_port
from storage.blobs.filesystem import FilesystemBlobStore
from storage.embeddings.minilm import MiniLM
from storage.memory_cache import MemoryCache
from storage.rate_limits import RateLimits
from storage.vectors import VectorSpace
from storage.vectors.edge_store import EdgeStore

EMAIL = "bench@example.com"


async def measure(folder: Path) -> dict[str, float]:
    server = LocalNeo4j(folder / "neo4j", free_port(), heap="512m")
    server.start()
    graph = Graph.connect(server.uri, None, "neo4j")
    vectors = EdgeStore(folder / "vectors", VectorSpace("bench", DIMENSIONS))
    blobs = FilesystemBlobStore(folder / "blobs")
    services = Services(graph, MiniLM(), vectors, blobs=blobs)
    try:
        await migrations.apply(graph)
        uid = await _user(graph)
        nodes = await _account(graph, vectors, blobs, uid)
        await graph.write(exports.create, owner=uid, uid=str(uuid4()), days=1)
        exporter = Exporter(services, folder, "bench")
        started = time.perf_counter()
        assert await exporter.build_pending() == 1
        export_seconds = time.perf_counter() - started
        (row,) = await graph.read(exports.of_owner, owner=uid, limit=1)
        archive = folder / "archive.zip"
        with archive.open("wb") as out:
            async for chunk in blobs.read(row["storage_key"]):
                out.write(chunk)
        await graph.write(erasure.begin, uid)
        keyed = Keyed(MemoryCache(60), MemoryCache(60), RateLimits(), "600/minute", "10/minute")
        await Eraser(services, keyed).erase_pending()
        await _user(graph)
        started = time.perf_counter()
        done = await import_archive(graph, blobs, folder, str(archive), EMAIL)
        import_seconds = time.perf_counter() - started
        return {
            "nodes": nodes,
            "archive_bytes": row["size"],
            "export_seconds": round(export_seconds, 2),
            "import_seconds": round(import_seconds, 2),
            "imported_nodes": done.nodes,
            "imported_events": done.events,
        }
    finally:
        await vectors.close()
        await graph.close()
        server.stop()


async def _user(graph: Graph) -> str:
    uid = str(uuid4())
    await graph.write(
        users.create_user,
        uid=uid,
        email=EMAIL,
        name="Bench",
        password_hash="never logs in",  # noqa: S106
    )
    return uid


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(asyncio.run(measure(Path(folder))))


if __name__ == "__main__":
    main()
