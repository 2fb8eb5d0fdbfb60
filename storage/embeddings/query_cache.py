"""An embedder that remembers its most recent single texts: a search's query, asked again while a person
types, pages or comes back to it, is not embedded again.

Only one-text calls are kept (what search and `similar` ask); a batch (the dispatcher's) passes straight
through, so it neither fills the cache nor evicts the queries. Vectors are kept as float64 arrays (3 KB
each at 384 dimensions, the values as given). A text's vector depends only on the text and the model,
so a kept one is exactly what embedding it again would answer.
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
        self._kept: OrderedDict[str, np.ndarray] = OrderedDict()

    async def embed(self, texts: list[str]) -> list[list[float]]:
        if len(texts) != 1 or self._size == 0:
            return await self.inner.embed(texts)
        text = texts[0]
        kept = self._kept.get(text)
        if kept is not None:
            self._kept.move_to_end(text)
            return [kept.tolist()]
        vector = (await self.inner.embed(texts))[0]
        self._kept[text] = np.asarray(vector, dtype=np.float64)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return [vector]

    def missing(self) -> str | None:
        return self.inner.missing()

    async def close(self) -> None:
        self._kept.clear()
        await self.inner.close()
