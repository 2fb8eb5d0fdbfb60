"""Which embedder a Kindred instance uses: OpenAI when OPENAI_API_KEY is set, else the local model that
KINDRED_EMBEDDER names (minilm, the default, or bge-small-en-v1.5)."""

from settings import Settings
from storage.embeddings import Embedder
from storage.embeddings.bge import BgeSmall
from storage.embeddings.minilm import MiniLM
from storage.embeddings.openai_embedder import OpenAIEmbedder
from storage.embeddings.query_cache import QueryCache


def create_embedder(settings: Settings) -> Embedder:
    """The embedder, with its most recent queries' vectors kept (storage/embeddings/query_cache.py)."""
    return QueryCache(_embedder(settings), settings.query_cache_size)


def _embedder(settings: Settings) -> Embedder:
    if settings.openai_api_key is not None:
        return OpenAIEmbedder(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
            model=settings.openai_embedding_model,
            dimensions=settings.openai_embedding_dimensions,
            batch_size=settings.openai_embedding_batch_size,
            max_retries=settings.openai_max_retries,
            timeout_seconds=settings.openai_timeout_seconds,
        )
    local = BgeSmall if settings.embedder == "bge-small-en-v1.5" else MiniLM
    return local(
        settings.local_embedding_model_dir,
        batch_size=settings.local_embedding_batch_size,
        threads=settings.local_embedding_threads,
    )
