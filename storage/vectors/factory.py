"""Which vector store a Kindred instance uses: a Qdrant server when QDRANT_URL is set, else embedded."""

from settings import Settings
from storage.vectors import VectorSpace, VectorStore
from storage.vectors.edge_store import EdgeStore
from storage.vectors.qdrant_client_store import QdrantStore


def create_vector_store(settings: Settings, space: VectorSpace) -> VectorStore:
    if settings.qdrant_url:
        api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return QdrantStore.server(settings.qdrant_url, space, api_key, settings.qdrant_timeout_seconds)
    if settings.embedded_vectors == "local":
        return QdrantStore.local(settings.vectors_dir / "qdrant-local", space)
    return EdgeStore(settings.vectors_dir / "edge", space)
