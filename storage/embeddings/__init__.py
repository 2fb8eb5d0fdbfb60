"""The embedder interface: texts in, one unit-length vector per text out, from one named model.

`model_id` and `dimensions` name the vector space: the vector store keeps the vectors of each space in
collections of their own, so vectors of two models (or two sizes of one model) never mix.
"""

from typing import Protocol


class EmbeddingsUnavailable(Exception):
    """The embedding service could not be reached or refused (after its retries): try again later."""


class ModelMissing(EmbeddingsUnavailable):
    """The embedder's model is not installed here: nothing embeds until it is (and the server restarts)."""


class Embedder(Protocol):
    model_id: str
    dimensions: int

    async def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector (a list of `dimensions` floats, L2-normalised) per text, in the order given."""
        ...

    async def embed_now(self, texts: list[str]) -> list[list[float]]:
        """The same vectors as `embed`, for a request someone waits on (a search's query): never queued
        behind the background's batches (the dispatcher's, the scheduled jobs')."""
        ...

    def missing(self) -> str | None:
        """Why it cannot embed at all on this server (its model is not installed: what to install), or
        None. Checked at start, so a server that cannot search says so at once."""
        ...

    async def close(self) -> None: ...
