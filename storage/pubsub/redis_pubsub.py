"""Pub/sub through Redis: what one instance publishes reaches the subscribers of every instance.

Each instance holds one subscribing connection, whatever its number of subscribers, and subscribes to a
channel while at least one of its subscribers listens to it. When that connection drops (Redis
restarted, the network), a task reconnects with backoff and subscribes again; every subscriber of a
channel then gets a RESYNC once the channel is effective again, since what was published meanwhile is
lost to it.
"""

import asyncio
import contextlib
import logging
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import PubSub as RedisClientPubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from storage.pubsub import RESYNC, PubSub, PubSubUnavailable, Subscription

logger = logging.getLogger("kindred.pubsub")
PREFIX = "kindred:live:"
# Subscribed on every connection, so the connection always has a subscription to read from.
_CONTROL = PREFIX + "-"


class RedisPubSub(PubSub):
    def __init__(
        self,
        url: str,
        *,
        confirm_seconds: float = 2.0,
        backoff_seconds: float = 0.1,
        backoff_max_seconds: float = 5.0,
    ) -> None:
        super().__init__()
        self._url = url
        self._confirm_seconds = confirm_seconds
        self._backoff = (backoff_seconds, backoff_max_seconds)
        # Publishing fails fast when Redis is down: the dispatcher retries with its own backoff.
        self._publisher = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, retry=_no_retry())
        self._connection: RedisClientPubSub | None = None  # the subscribing connection, while it is up
        self._effective: dict[str, asyncio.Event] = {}  # per channel: Redis has confirmed the SUBSCRIBE
        self._reader: asyncio.Task[None] | None = None
        self._sending = asyncio.Lock()

    async def publish(self, channel: str, message: bytes) -> None:
        try:
            await self._publisher.publish(PREFIX + channel, message)
        except (RedisError, OSError) as error:
            raise PubSubUnavailable(f"{type(error).__name__}: {error}") from error

    async def listened(self, channel: str) -> bool:
        """Whether any instance subscribes to the channel; when Redis cannot say, yes."""
        try:
            counts = await self._publisher.pubsub_numsub(PREFIX + channel)
        except (RedisError, OSError) as error:
            raise PubSubUnavailable(f"{type(error).__name__}: {error}") from error
        return bool(counts and counts[0][1])

    async def _joined(self, channel: str, subscription: Subscription, first: bool) -> None:
        if self._reader is None:
            self._reader = asyncio.create_task(self._read())
        effective = self._effective.setdefault(channel, asyncio.Event())
        if effective.is_set():
            return
        if first:
            await self._send("subscribe", channel)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._confirm_seconds):
                await effective.wait()
        if not effective.is_set():
            subscription.stale = True  # Redis is down: a RESYNC comes once the channel is effective

    async def _left(self, channel: str) -> None:
        self._effective.pop(channel, None)
        await self._send("unsubscribe", channel)

    async def _send(self, command: str, channel: str) -> None:
        """SUBSCRIBE or UNSUBSCRIBE on the subscribing connection if it is up (else the reader subscribes
        to every channel with subscribers when it reconnects)."""
        async with self._sending:  # the reader's (re)subscribing holds it too: no channel falls between
            connection = self._connection
            if connection is None:
                return
            try:
                await getattr(connection, command)(PREFIX + channel)
            except (RedisError, OSError):
                logger.info("pub/sub connection lost while sending %s", command)

    async def _read(self) -> None:
        delay, most = self._backoff
        while True:
            client = Redis.from_url(self._url, socket_connect_timeout=1, retry=_no_retry())
            connection = client.pubsub()
            try:
                async with self._sending:
                    await connection.subscribe(_CONTROL, *(PREFIX + channel for channel in self._channels))
                    self._connection = connection
                delay = self._backoff[0]
                while True:
                    self._handle(await connection.get_message(timeout=None))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # any failure of the connection: reconnect, and resync after
                logger.warning("pub/sub connection to Redis lost (%s); reconnecting", type(error).__name__)
            finally:
                self._interrupted()
                with contextlib.suppress(Exception):
                    await connection.aclose()
                    await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, most)

    def _handle(self, message: dict[str, Any] | None) -> None:
        if message is None:
            return
        name = message["channel"].decode() if isinstance(message["channel"], bytes) else message["channel"]
        if not name.startswith(PREFIX) or name == _CONTROL:
            return
        channel = name.removeprefix(PREFIX)
        kind = message["type"]
        if kind == "message":
            self._deliver(channel, message["data"])
        elif kind == "subscribe" and channel in self._effective:
            self._effective[channel].set()
            for subscription in list(self._channels.get(channel, ())):
                if subscription.stale:
                    subscription.stale = False
                    subscription.offer(RESYNC)
        elif kind == "unsubscribe" and channel in self._effective:
            # Unsubscribed while a new subscriber joined: lost until the SUBSCRIBE after it is confirmed.
            self._effective[channel].clear()
            for subscription in self._channels.get(channel, ()):
                subscription.stale = True

    def _interrupted(self) -> None:
        self._connection = None
        for channel, effective in self._effective.items():
            effective.clear()
            for subscription in self._channels.get(channel, ()):
                subscription.stale = True

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._publisher.aclose()


def _no_retry() -> Retry:
    return Retry(NoBackoff(), 0)
