"""Runs the consumers: one task each, woken after commits in this process and by a periodic poll (for
other instances' writes), each behind its lease in Neo4j, each retried with backoff on its own.

A batch that fails is tried again owner by owner, each owner's events by halves, so one event that
always fails (a poison event) holds back only its owner's events after it; the other owners' go on, in
the same pass. Once it is known for poison (dispatch/poison.py) it is set aside: logged, named on the
Event (`parked_by`), and passed over. A pass that delivers nothing and fails (an outage) backs off.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from uuid import uuid4

from dispatch import Consumer, Event, Services
from dispatch.poison import Failures
from graph import dispatcher

logger = logging.getLogger("kindred.dispatch")
OUTAGE_OWNERS = 3  # owners in a row whose first event fails: the consumer's store is down, stop the pass


class LeaseBusy(Exception):
    """Another instance is delivering to this consumer now."""


@dataclass
class Pass:
    """What one delivery to a consumer did: the events it handed over (or set aside), and the owners it
    stopped short for, each with the error of the event that failed (retried on the next pass)."""

    delivered: int = 0
    blocked: dict[str, Exception] = field(default_factory=dict)

    @property
    def error(self) -> Exception | None:
        return next(iter(self.blocked.values()), None)


class Dispatcher:
    def __init__(
        self,
        services: Services,
        consumers: Sequence[Consumer],
        *,
        poll_seconds: float = 5.0,
        lease_seconds: float = 30.0,
        batch: int = 200,
        backoff_seconds: float = 0.5,
        backoff_max_seconds: float = 60.0,
    ) -> None:
        self.services = services
        self.consumers = list(consumers)
        self.holder = str(uuid4())  # this instance, as its leases name it
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self.batch = batch
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.failures: dict[str, int] = defaultdict(int)
        self.delivered: dict[str, int] = defaultdict(int)  # events handed to each consumer, for tests
        self.failed = Failures()
        self._wake = {consumer.name: asyncio.Event() for consumer in self.consumers}
        self._locks = {consumer.name: asyncio.Lock() for consumer in self.consumers}
        self._tasks: list[asyncio.Task[None]] = []

    def wake(self) -> None:
        for event in self._wake.values():
            event.set()

    async def start(self) -> None:
        self.services.graph.on_commit.append(self.wake)
        self._tasks = [asyncio.create_task(self._loop(consumer)) for consumer in self.consumers]
        self.wake()  # what was left pending before this start

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.services.graph.on_commit.remove(self.wake)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def drain(self, within: float = 60.0) -> None:
        """Delivers until every consumer has every event committed so far; a consumer's error is raised.
        Waits (up to `within` seconds) while another instance holds a lease."""
        async with asyncio.timeout(within):
            # A consumer may append events of its own (the layout's PositionsChanged): passes repeat
            # until one delivers nothing, so the consumers before it get those too.
            while True:
                before = sum(self.delivered.values())
                passes = [await self._deliver_when_free(consumer) for consumer in self.consumers]
                if sum(self.delivered.values()) == before:
                    errors = [done.error for done in passes if done.error is not None]
                    if errors:
                        raise errors[0]
                    return

    async def _deliver_when_free(self, consumer: Consumer) -> Pass:
        while True:
            try:
                return await self.deliver(consumer)
            except LeaseBusy:
                await asyncio.sleep(0.05)  # polling another instance's lease, not a test's wait

    async def deliver(self, consumer: Consumer) -> Pass:
        """Hands the consumer its pending events, batch by batch, until none is left but those of the
        owners it stopped short for."""
        graph = self.services.graph
        done = Pass()
        async with self._locks[consumer.name]:
            while True:
                await self._hold(consumer)
                events = await graph.read(
                    dispatcher.pending, consumer=consumer.name, limit=self.batch, skip=list(done.blocked)
                )
                if not events:
                    await graph.write(dispatcher.release, name=consumer.name, holder=self.holder)
                    return done
                handled, blocked = await self._handled(consumer, events)
                if handled:
                    await self._advance(consumer, handled)
                    done.delivered += len(handled)
                done.blocked |= blocked
                if len(blocked) >= OUTAGE_OWNERS and not handled:
                    return done  # what is left waits for the store to be back

    async def _handled(
        self, consumer: Consumer, events: list[Event]
    ) -> tuple[list[Event], dict[str, Exception]]:
        """The events the consumer has now (or that were set aside), and the owners it stopped short
        for, with why."""
        owners = [(owner, list(group)) for owner, group in groupby(events, key=attrgetter("owner"))]
        if len(owners) > 1:
            try:
                await consumer.handle(self.services, events)
                self.failed.succeeded(consumer.name, events)
                return events, {}
            except Exception:
                logger.info("a batch failed in %s: owner by owner", consumer.name, exc_info=True)
        handled: list[Event] = []
        blocked: dict[str, Exception] = {}
        misses = 0
        for owner, group in owners:
            await self._hold(consumer)  # the retries may take long: the lease must still be held
            done, error = await self._run(consumer, group)
            handled += done
            if error is not None:
                blocked[owner] = error
            misses = misses + 1 if not done else 0
            if misses >= OUTAGE_OWNERS:
                break
        return handled, blocked

    async def _run(self, consumer: Consumer, events: list[Event]) -> tuple[list[Event], Exception | None]:
        """The longest run of one owner's events (in order) the consumer handles, found by halves, and
        the error of the event after it, if one failed; a poison event is set aside and passed."""
        try:
            await consumer.handle(self.services, events)
        except Exception as error:
            if len(events) > 1:
                half = len(events) // 2
                done, failure = await self._run(consumer, events[:half])
                if failure is not None:
                    return done, failure
                rest, failure = await self._run(consumer, events[half:])
                return done + rest, failure
            if not self.failed.failed(consumer.name, events[0]):
                return [], error
            await self._set_aside(consumer, events[0], error)
            return events, None
        self.failed.succeeded(consumer.name, events)
        return events, None

    async def _set_aside(self, consumer: Consumer, event: Event, error: Exception) -> None:
        logger.error(
            "consumer %s set aside event %s (%s of %s:%d), which keeps failing while others go through",
            consumer.name,
            event.uid,
            event.kind,
            event.owner,
            event.sequence,
            exc_info=error,
        )
        await self.services.graph.write(dispatcher.park, uid=event.uid, consumer=consumer.name)

    async def _advance(self, consumer: Consumer, handled: list[Event]) -> None:
        self.delivered[consumer.name] += len(handled)
        done: dict[str, int] = {}
        for event in handled:  # each owner's events in sequence order
            done[event.owner] = event.sequence
        # Renewed before moving progress: if another instance took the lease meanwhile, it redoes
        # these events (at least once) and this one moves nothing.
        await self._hold(consumer)
        if not await self.services.graph.write(
            dispatcher.advance, consumer=consumer.name, holder=self.holder, done=done
        ):
            raise LeaseBusy(consumer.name)  # the lease expired mid-batch: its new holder redoes it

    async def _hold(self, consumer: Consumer) -> None:
        graph = self.services.graph
        held = await graph.write(
            dispatcher.acquire, name=consumer.name, holder=self.holder, seconds=self.lease_seconds
        )
        if not held:
            raise LeaseBusy(consumer.name)

    async def _loop(self, consumer: Consumer) -> None:
        wake = self._wake[consumer.name]
        delay = self.poll_seconds
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await wake.wait()
            wake.clear()
            try:
                done = await self.deliver(consumer)
                if done.error is not None and not done.delivered:
                    raise done.error  # nothing went through: the consumer's store is down, back off
                if done.blocked:  # retried at the next commit or poll; the other owners were served
                    logger.warning("consumer %s held back %d owner(s)", consumer.name, len(done.blocked))
                self.failures[consumer.name] = 0
                delay = self.poll_seconds
            except LeaseBusy:
                delay = self.poll_seconds
            except Exception:  # a consumer's failure must not stop it for good, nor the others
                self.failures[consumer.name] += 1
                failures = self.failures[consumer.name]
                delay = min(self.backoff_max_seconds, self.backoff_seconds * 2 ** (failures - 1))
                logger.warning(
                    "consumer %s failed (%d in a row); retrying in %.1f s",
                    consumer.name,
                    failures,
                    delay,
                    exc_info=True,
                )
                # While backing off, commits must not wake it at once: wait out the delay.
                await asyncio.sleep(delay)
                delay = 0
