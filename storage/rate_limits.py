"""Rate limits over a moving window, counted in Redis when REDIS_URL is set, else in process.

What is counted is named by a digest, never as given: a user's uid, an email or an address would
otherwise sit in Redis's keys, and outlive an erased account there for as long as its window.
"""

import hashlib
import logging
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.exceptions import RedisError


class RateLimits:
    def __init__(self, redis_url: str | None = None) -> None:
        self._storage: Storage = (
            RedisStorage(f"async+{redis_url}", implementation="redispy") if redis_url else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(self._storage)
        # Redis down: this instance counts on its own meanwhile, so requests go on, still limited.
        self._local = MovingWindowRateLimiter(MemoryStorage())

    async def hit(self, limit: str, *identity: str) -> float | None:
        """Counts one request against `limit` (like "600/minute"); None if allowed, else seconds to wait."""
        item: RateLimitItem = parse(limit)
        identity = _named(identity)
        try:
            return await self._hit(self._limiter, item, identity)
        except (StorageError, RedisError, OSError) as error:
            logging.getLogger("kindred.rate_limits").warning("Redis unreachable (%s): counting here", error)
            return await self._hit(self._local, item, identity)

    @staticmethod
    async def _hit(
        limiter: MovingWindowRateLimiter, item: RateLimitItem, identity: tuple[str, ...]
    ) -> float | None:
        if await limiter.hit(item, *identity):
            return None
        stats = await limiter.get_window_stats(item, *identity)
        return max(stats.reset_time - time.time(), 1.0)

    async def forget(self, limit: str, *identity: str) -> None:
        """Drops what was counted of `identity` against `limit` (an erased user's), here and in Redis."""
        item: RateLimitItem = parse(limit)
        identity = _named(identity)
        await self._limiter.clear(item, *identity)
        await self._local.clear(item, *identity)

    async def over(self, limit: str, *identity: str) -> float | None:
        """Whether `identity` is already over `limit`, without counting a request: the seconds to wait,
        or None."""
        item: RateLimitItem = parse(limit)
        identity = _named(identity)
        try:
            return await self._over(self._limiter, item, identity)
        except (StorageError, RedisError, OSError):
            return await self._over(self._local, item, identity)

    @staticmethod
    async def _over(
        limiter: MovingWindowRateLimiter, item: RateLimitItem, identity: tuple[str, ...]
    ) -> float | None:
        if await limiter.test(item, *identity):
            return None
        stats = await limiter.get_window_stats(item, *identity)
        return max(stats.reset_time - time.time(), 1.0)


def _named(identity: tuple[str, ...]) -> tuple[str, ...]:
    """The kind of what is counted ("user", "email", "ip") as it is, the rest by its digest."""
    kind, *rest = identity
    return (kind, *(hashlib.sha256(part.encode()).hexdigest()[:32] for part in rest))
