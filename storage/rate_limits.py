"""Rate limits over a moving window, counted in Redis when REDIS_URL is set, else in process."""

import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter


class RateLimits:
    def __init__(self, redis_url: str | None = None) -> None:
        self._storage: Storage = (
            RedisStorage(f"async+{redis_url}", implementation="redispy") if redis_url else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(self._storage)

    async def hit(self, limit: str, *identity: str) -> float | None:
        """Counts one request against `limit` (like "600/minute"); None if allowed, else seconds to wait."""
        item: RateLimitItem = parse(limit)
        if await self._limiter.hit(item, *identity):
            return None
        stats = await self._limiter.get_window_stats(item, *identity)
        return max(stats.reset_time - time.time(), 1.0)

    async def over(self, limit: str, *identity: str) -> float | None:
        """Whether `identity` is already over `limit`, without counting a request: the seconds to wait,
        or None."""
        item: RateLimitItem = parse(limit)
        if await self._limiter.test(item, *identity):
            return None
        stats = await self._limiter.get_window_stats(item, *identity)
        return max(stats.reset_time - time.time(), 1.0)
