"""OpenAI embeddings (or any server that speaks its /v1/embeddings), through the `openai` package.

Rate limits (429) and server errors are retried by the client itself, with exponential backoff that
honours Retry-After, up to `max_retries` times; what still fails is raised as EmbeddingsUnavailable, so
the caller (the dispatcher) retries the whole delivery later instead of losing it.
"""

from typing import Any

import openai
from openai import AsyncOpenAI

from storage.embeddings import EmbeddingsUnavailable

# Only the text-embedding-3 family can be shortened with the `dimensions` parameter.
_SHORTENABLE = ("text-embedding-3-",)


class OpenAIEmbedder:
    def __init__(
        self,
        *,
        api_key: str,
        model: str = "text-embedding-3-small",
        dimensions: int = 1536,
        base_url: str | None = None,
        batch_size: int = 512,
        max_retries: int = 5,
        timeout_seconds: float = 30,
    ) -> None:
        self.model_id = f"openai/{model}"
        self.dimensions = dimensions
        self._model = model
        self._batch_size = batch_size
        self._client = AsyncOpenAI(
            api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout_seconds
        )

    async def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors.extend(await self._embed_batch(texts[start : start + self._batch_size]))
        return vectors

    async def embed_now(self, texts: list[str]) -> list[list[float]]:
        return await self.embed(texts)  # each call is a request of its own: there is no queue to skip

    async def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        extra: dict[str, Any] = (
            {"dimensions": self.dimensions} if self._model.startswith(_SHORTENABLE) else {}
        )
        try:
            response = await self._client.embeddings.create(
                model=self._model, input=texts, encoding_format="float", **extra
            )
        except (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError) as error:
            raise EmbeddingsUnavailable(f"OpenAI embeddings unavailable: {error}") from error
        rows = sorted(response.data, key=lambda row: row.index)
        if len(rows) != len(texts) or any(len(row.embedding) != self.dimensions for row in rows):
            raise EmbeddingsUnavailable(
                f"OpenAI answered {len(rows)} vectors for {len(texts)} texts,"
                f" or not all of {self.dimensions} dimensions"
            )
        return [list(row.embedding) for row in rows]

    def missing(self) -> str | None:
        return None  # the model is the service's: an outage is EmbeddingsUnavailable, at each call

    async def close(self) -> None:
        await self._client.close()
