"""Redis pub/sub when REDIS_URL is set (every instance sees every message), in process otherwise."""

from storage.pubsub import PubSub
from storage.pubsub.memory import MemoryPubSub
from storage.pubsub.redis_pubsub import RedisPubSub


def create_pubsub(redis_url: str | None) -> PubSub:
    return RedisPubSub(redis_url) if redis_url else MemoryPubSub()
