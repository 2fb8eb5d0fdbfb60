"""The Redis cache: shared by every instance of Kindred behind a load balancer."""

from redis.asyncio import Redis


class RedisCache:
    def __init__(self, redis: Redis, namespace: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._namespace = namespace
        self._ttl = ttl_seconds

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(f"{self._namespace}:{key}")
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str) -> None:
        await self._redis.set(f"{self._namespace}:{key}", value, ex=self._ttl)

    async def close(self) -> None:
        await self._redis.aclose()
