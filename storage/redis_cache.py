"""The Redis cache: shared by every instance of Kindred behind a load balancer."""

from redis.asyncio import Redis


class RedisCache:
    def __init__(self, redis: Redis, namespace: str, ttl_seconds: float) -> None:
        self._redis = redis
        self._namespace = namespace
        # In milliseconds, so a TTL below a second (the auth state's, in tests) is kept as asked.
        self._ttl_ms = max(int(ttl_seconds * 1000), 1)

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(f"{self._namespace}:{key}")
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str) -> None:
        await self._redis.set(f"{self._namespace}:{key}", value, px=self._ttl_ms)

    async def delete(self, key: str) -> None:
        await self._redis.delete(f"{self._namespace}:{key}")

    async def close(self) -> None:
        await self._redis.aclose()
