"""Pub/sub: messages on named channels, fanned out to this instance's subscribers, each with a bounded
queue of its own.

One interface, two implementations: in process (memory.py: one instance) and Redis (redis_pubsub.py:
every instance behind a load balancer). Delivery is best effort by nature of pub/sub: whoever needs
every message keeps a sequence and re-reads its source of truth when told it may have missed some (a
`RESYNC`) or when it sees a gap. A subscriber that does not keep up overflows its queue and is ended
(`Overflowed`); the publisher and the other subscribers never wait for it.
"""

import asyncio
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final


class _Resync:
    def __repr__(self) -> str:
        return "RESYNC"


# What a subscriber receives instead of a message when messages of its channel may have been lost (the
# feed was interrupted, or its subscription became effective only now): re-read the source of truth.
RESYNC: Final = _Resync()


class Overflowed(Exception):
    """The subscriber fell more than its queue's length behind: it is ended, and resumes by sequence."""


class PubSubUnavailable(Exception):
    """The pub/sub service cannot be reached: the message was not published."""


class Subscription:
    """One subscriber's bounded queue on one channel."""

    def __init__(self, channel: str, limit: int) -> None:
        self.channel = channel
        self.limit = limit
        self.overflowed = False
        self.stale = False  # messages may have been lost since it was last told (RESYNC due)
        self._items: deque[bytes | _Resync] = deque()
        self._ready = asyncio.Event()

    def offer(self, item: bytes | _Resync) -> None:
        """Queues without waiting; past the limit, the subscription is over (never the publisher's wait)."""
        if self.overflowed:
            return
        if len(self._items) >= self.limit:
            self.overflowed = True
            self._items.clear()  # what it holds is of no use any more: free it at once
        else:
            self._items.append(item)
        self._ready.set()

    async def get(self) -> bytes | _Resync:
        """The next message (or RESYNC); Overflowed once it fell too far behind."""
        while not self._items and not self.overflowed:
            self._ready.clear()
            await self._ready.wait()
        if self.overflowed:
            raise Overflowed(self.channel)
        return self._items.popleft()


class PubSub(ABC):
    """Publishes to a channel; fans each message out to this instance's subscriptions of it."""

    def __init__(self) -> None:
        self._channels: dict[str, set[Subscription]] = {}

    @abstractmethod
    async def publish(self, channel: str, message: bytes) -> None:
        """Raises PubSubUnavailable when the message could not be handed to the service."""

    async def listened(self, channel: str) -> bool:
        """Whether anyone may be subscribed to the channel (here: a subscriber of this instance)."""
        return bool(self._channels.get(channel))

    @asynccontextmanager
    async def subscribe(self, channel: str, *, limit: int) -> AsyncIterator[Subscription]:
        """A subscription for as long as the block runs. When the block starts, every message published
        from then on reaches it, or (if the service is down) a RESYNC comes once it is back."""
        subscription = Subscription(channel, limit)
        members = self._channels.setdefault(channel, set())
        first = not members
        members.add(subscription)
        try:
            await self._joined(channel, subscription, first)
            yield subscription
        finally:
            members.discard(subscription)
            if not members and self._channels.get(channel) is members:
                del self._channels[channel]
                await self._left(channel)

    async def _joined(self, channel: str, subscription: Subscription, first: bool) -> None:
        """Makes the channel's subscription effective (an implementation's hook)."""
        return None

    async def _left(self, channel: str) -> None:
        """The channel's last local subscriber left (an implementation's hook)."""
        return None

    def _deliver(self, channel: str, item: bytes | _Resync) -> None:
        for subscription in list(self._channels.get(channel, ())):
            subscription.offer(item)

    def subscribers(self, channel: str) -> int:
        return len(self._channels.get(channel, ()))

    async def close(self) -> None:
        """Releases what the implementation holds."""
        return None


__all__ = ["RESYNC", "Overflowed", "PubSub", "PubSubUnavailable", "Subscription"]
