"""Search's storage side: the local embedder's time per text, and each embedded vector store's upsert
throughput and owner-filtered search latency at 10k and 100k points (384 dimensions).

Each figure is the median of --runs runs; a run fills a fresh store in a temporary folder. Points are
spread over --owners owners (so an owner's filter keeps 1/owners of them) and every search is filtered by
one owner, as Kindred's are. Vectors are random unit vectors: the latency of a brute-force or indexed
search does not depend on what they mean.

    python -m bench.search [--sizes 10000 100000] [--engines edge local] [--runs 3] [--owners 10]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from qdrant_client import AsyncQdrantClient

from storage.embeddings.minilm import DIMENSIONS, MiniLM
from storage.vectors import VectorPoint, VectorSpace, VectorStore
from storage.vectors.edge_store import EdgeStore
from storage.vectors.qdrant_client_store import QdrantStore

SPACE = VectorSpace("bench/random", DIMENSIONS)
ENGINES: dict[str, Callable[[Path], VectorStore]] = {
    "edge": lambda folder: EdgeStore(folder, SPACE),
    "local": lambda folder: QdrantStore.local(folder, SPACE),
    # Local mode without its on-disk persistence (which costs ~20 ms a point): the same brute-force
    # search, filled fast enough to measure that search at 100k.
    "local-memory": lambda folder: QdrantStore(AsyncQdrantClient(location=":memory:"), SPACE, False),
}
BATCH = 256
SENTENCES = [
    "Mom has been getting into gardening since she retired, especially heirloom tomatoes",
    "We argued about who forgot to book the restaurant for our anniversary dinner",
    "A hand-knitted scarf in dark green, which he wore all winter",
    "Hiking in the Alps with Sam in the summer of 2019, the hut near Zermatt",
    "She prefers experiences to things: concert tickets went down far better than the necklace",
    "Dad's 70th birthday is coming up in March and he keeps saying he wants nothing",
    "Our weekly call on Sundays, where she tells me about her book club",
    "He is learning to cook Thai food and asked for a good wok",
]


def embedder_times(runs: int) -> dict[str, float]:
    """Milliseconds per text at batch 1 and batch 32 (the model loaded beforehand)."""
    model = MiniLM(batch_size=32)
    texts = [f"{SENTENCES[i % len(SENTENCES)]} ({i})" for i in range(64)]
    model.embed_sync(texts[:2])
    one, many = [], []
    for _ in range(runs):
        started = time.perf_counter()
        for text in texts[:16]:
            model.embed_sync([text])
        one.append((time.perf_counter() - started) / 16 * 1000)
        started = time.perf_counter()
        model.embed_sync(texts)
        many.append((time.perf_counter() - started) / len(texts) * 1000)
    return {"batch 1": statistics.median(one), "batch 32": statistics.median(many)}


async def vector_run(
    engine: str, size: int, owners: int, queries: int, seed: int
) -> tuple[float, list[float]]:
    """One fresh store filled with `size` points: upserts per second, and each search's milliseconds."""
    rng = np.random.default_rng(seed)
    owner_ids = [str(uuid.uuid4()) for _ in range(owners)]
    with tempfile.TemporaryDirectory(prefix="kindred-bench-") as folder:
        store = ENGINES[engine](Path(folder))
        await store.ensure("memories")
        started = time.perf_counter()
        for start in range(0, size, BATCH):
            await store.upsert("memories", _points(rng, owner_ids, start, min(BATCH, size - start)))
        rate = size / (time.perf_counter() - started)
        latencies = []
        for index in range(queries):
            query = _unit(rng, 1)[0].tolist()
            started = time.perf_counter()
            hits = await store.search(["memories"], query, owner=owner_ids[index % owners], limit=10)
            latencies.append((time.perf_counter() - started) * 1000)
            assert len(hits) == 10
        await store.close()
    return rate, latencies


def _points(rng: np.random.Generator, owners: list[str], start: int, count: int) -> list[VectorPoint]:
    vectors = _unit(rng, count)
    return [
        VectorPoint(
            uid=str(uuid.uuid4()),
            owner=owners[(start + i) % len(owners)],
            label="Memory",
            text=SENTENCES[(start + i) % len(SENTENCES)],
            vector=vectors[i].tolist(),
        )
        for i in range(count)
    ]


def _unit(rng: np.random.Generator, count: int) -> np.ndarray:
    vectors = rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def vectors(engines: list[str], sizes: list[int], runs: int, owners: int, queries: int) -> None:
    print(f"\nvector stores: {DIMENSIONS} dims, {owners} owners, searches filtered by owner, top 10")
    print(f"{'engine':<14}{'points':>9}{'upserts/s':>12}{'search p50 ms':>15}{'p99 ms':>9}")
    for size in sizes:
        for engine in engines:
            rates, p50s, p99s = [], [], []
            for run in range(runs):
                rate, latencies = await vector_run(engine, size, owners, queries, seed=run)
                rates.append(rate)
                p50s.append(statistics.median(latencies))
                p99s.append(_percentile(latencies, 0.99))
            print(
                f"{engine:<14}{size:>9}{statistics.median(rates):>12.0f}"
                f"{statistics.median(p50s):>15.2f}{statistics.median(p99s):>9.2f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--engines", nargs="+", choices=sorted(ENGINES), default=["edge", "local"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--owners", type=int, default=10)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--skip-embedder", action="store_true")
    arguments = parser.parse_args()
    if not arguments.skip_embedder:
        times = embedder_times(arguments.runs)
        print("local embedder (all-MiniLM-L6-v2 on numpy), ms per text:")
        for batch, milliseconds in times.items():
            print(f"  {batch:<9}{milliseconds:8.2f}")
    # qdrant-client's local mode warns past 20,000 points: measuring that is the point here.
    warnings.filterwarnings("ignore", message="Local mode is not recommended")
    options = arguments.runs, arguments.owners, arguments.queries
    asyncio.run(vectors(arguments.engines, arguments.sizes, *options))


if __name__ == "__main__":
    main()
