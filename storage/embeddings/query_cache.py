"""An embedder that remembers each asker's most recent queries: a search's query, asked again while a
person types, pages or comes back to it, is not embedded again.

Only `query` is kept, and per asker: a cache shared by all users would tell one, by how fast a query
comes back, whether someone else asked the same words lately. `embed` (the dispatcher's batches) and
`embed_now` pass straight through. Vectors are kept as float64 arrays (3 KB each at 384 dimensions, the
values as given); a text's vector depends only on the text and the model, so a kept one is exactly what
embedding it again would answer.
"""

from collections import OrderedDict

import numpy as np

from storage.embeddings import Embedder

DEFAULT_SIZE = 1024


class QueryCache:
    def __init__(self, embedder: Embedder, size: int = DEFAULT_SIZE) -> None:
        self.inner = embedder
        self.model_id, self.dimensions = embedder.model_id, embedder.dimensions
        self._size = size
        self._kept: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()

    async def embed(self, texts: list[str]) -> list[list[float]]:
        return await self.inner.embed(texts)

    async def embed_now(self, texts: list[str]) -> list[list[float]]:
        return await self.inner.embed_now(texts)

    async def query(self, text: str, asker: str) -> list[float]:
        """The vector of one query of this asker's, kept among the most recent `size` asked."""
        if self._size == 0:
            return (await self.inner.embed_now([text]))[0]
        key = (asker, text)
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            return kept.tolist()
        vector = (await self.inner.embed_now([text]))[0]
        self._kept[key] = np.asarray(vector, dtype=np.float64)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return vector

    def missing(self) -> str | None:
        return self.inner.missing()

    async def close(self) -> None:
        self._kept.clear()
        await self.inner.close()
