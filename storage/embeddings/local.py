"""What the local embedders (minilm.py, bge.py) share: batches run in worker threads, so the event loop
never waits on the model, in two lanes.

The background's batches (the dispatcher's, the scheduled jobs', a reindex) run one at a time: they are
many, and nobody waits on any one of them. What requests need (a search's query, a recommendation's
candidates) runs in a lane of its own, two batches at a time (a search's one text need not wait for a
recommendation's few dozen): it never queues behind the background's batches. Measured with the
consolidation job embedding an owner's 100,000 memories, a search's query waited for the batch in hand
each time (266 ms at p50 instead of 17 ms). Each model's matrix products use `threads` threads (one by
default), so the lanes' batches share the cores rather than each trying to take them all.
"""

import anyio
import numpy as np


class LocalEmbedder:
    dimensions: int

    def __init__(self, batch_size: int) -> None:
        self._batch_size = batch_size
        self._background = anyio.CapacityLimiter(1)
        self._waited_on = anyio.CapacityLimiter(2)

    async def embed(self, texts: list[str]) -> list[list[float]]:
        return await self._embed(texts, self._background)

    async def embed_now(self, texts: list[str]) -> list[list[float]]:
        return await self._embed(texts, self._waited_on)

    async def _embed(self, texts: list[str], lane: anyio.CapacityLimiter) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = texts[start : start + self._batch_size]
            found = await anyio.to_thread.run_sync(self._embed_batch, batch, limiter=lane)
            vectors.extend(found.tolist())
        return vectors

    def embed_sync(self, texts: list[str]) -> np.ndarray:
        """The vectors as one float32 array (texts x dimensions), in the calling thread (for benchmarks,
        tools)."""
        size = self._batch_size
        batches = [self._embed_batch(texts[i : i + size]) for i in range(0, len(texts), size)]
        return np.concatenate(batches) if batches else np.zeros((0, self.dimensions), np.float32)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        """One batch's vectors (texts x dimensions, L2-normalised), in the calling thread."""
        raise NotImplementedError
