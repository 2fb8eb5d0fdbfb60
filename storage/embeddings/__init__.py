"""The embedder interface: texts in, one unit-length vector per text out, from one named model.

`model_id` and `dimensions` name the vector space: the vector store keeps the vectors of each space in
collections of their own, so vectors of two models (or two sizes of one model) never mix.
"""

from typing import Protocol


class EmbeddingsUnavailable(Exception):
    """The embedding service could not be reached or refused (after its retries): try again later."""


class Embedder(Protocol):
    model_id: str
    dimensions: int

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector (a list of `dimensions` floats, L2-normalised) per text, in the order given."""
        ...

    async def close(self) -> None: ...
