"""The Redis cache: shared by every instance of Kindred behind a load balancer."""

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger("kindred.cache")


class RedisCache:
    def __init__(self, redis: Redis, namespace: str, ttl_seconds: float) -> None:
        self._redis = redis
        self._namespace = namespace
        # In milliseconds, so a TTL below a second (the auth state's, in tests) is kept as asked.
        self._ttl_ms = max(int(ttl_seconds * 1000), 1)

    # Redis down: a read misses (what is cached is read from its source, Neo4j) and a write is skipped,
    # so requests go on; what was cached before expires with its TTL.
    async def get(self, key: str) -> str | None:
        try:
            value = await self._redis.get(f"{self._namespace}:{key}")
        except (RedisError, OSError) as error:
            logger.warning("Redis unreachable (%s): %s read from its source", error, self._namespace)
            return None
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str) -> None:
        try:
            await self._redis.set(f"{self._namespace}:{key}", value, px=self._ttl_ms)
        except (RedisError, OSError) as error:
            logger.warning("Redis unreachable (%s): %s not cached", error, self._namespace)

    async def replace(self, key: str, value: str) -> None:
        try:
            await self._redis.set(f"{self._namespace}:{key}", value, px=self._ttl_ms, xx=True)
        except (RedisError, OSError) as error:
            logger.warning("Redis unreachable (%s): %s not cached", error, self._namespace)

    async def delete(self, key: str) -> None:
        try:
            await self._redis.delete(f"{self._namespace}:{key}")
        except (RedisError, OSError) as error:
            logger.warning("Redis unreachable (%s): %s not forgotten", error, self._namespace)

    async def delete_prefix(self, prefix: str) -> None:
        """Unlike the others, raises when Redis is down: an erasure must not pass over what it could not
        delete (it is tried again)."""
        pattern = f"{self._namespace}:{_escaped(prefix)}*"
        async for key in self._redis.scan_iter(match=pattern, count=500):
            await self._redis.delete(key)

    async def close(self) -> None:
        await self._redis.aclose()


def _escaped(text: str) -> str:
    """`text` matched literally by a SCAN pattern."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
