"""Runs the consumers: one task each, woken after commits in this process and by a periodic poll (for
other instances' writes), each behind its lease in Neo4j, each retried with backoff on its own.

A batch that fails is tried again one event at a time, so one event that always fails (a poison event)
holds back only the events after it. Once it has failed POISON_ATTEMPTS times alone and the consumer
then handles the event after it (so the fault is the event's, not the consumer's store being down), it
is set aside: logged, named on the Event (`parked_by`), and passed over.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from uuid import uuid4

from dispatch import Consumer, Event, Services
from graph import dispatcher

logger = logging.getLogger("kindred.dispatch")
POISON_ATTEMPTS = 5


class LeaseBusy(Exception):
    """Another instance is delivering to this consumer now."""


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
        self.attempts: dict[tuple[str, str], int] = defaultdict(int)  # (consumer, event uid) -> failures
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
                for consumer in self.consumers:
                    await self._deliver_when_free(consumer)
                if sum(self.delivered.values()) == before:
                    return

    async def _deliver_when_free(self, consumer: Consumer) -> None:
        while True:
            try:
                return await self.deliver(consumer)
            except LeaseBusy:
                await asyncio.sleep(0.05)  # polling another instance's lease, not a test's wait

    async def deliver(self, consumer: Consumer) -> None:
        """Hands the consumer its pending events, batch by batch, until none is left."""
        graph = self.services.graph
        async with self._locks[consumer.name]:
            while True:
                await self._hold(consumer)
                events = await graph.read(dispatcher.pending, consumer=consumer.name, limit=self.batch)
                if not events:
                    await graph.write(dispatcher.release, name=consumer.name, holder=self.holder)
                    return
                handled, failure = await self._handled(consumer, events)
                if handled:
                    await self._advance(consumer, handled)
                if failure is not None:
                    raise failure

    async def _handled(self, consumer: Consumer, events: list[Event]) -> tuple[list[Event], Exception | None]:
        """The events the consumer has now (or that were set aside), a prefix of `events`, and the error
        that stopped it short, if one did."""
        if len(events) > 1:
            try:
                await consumer.handle(self.services, events)
                return events, None
            except Exception:
                logger.info("a batch failed in %s: one event at a time", consumer.name, exc_info=True)
        done: list[Event] = []
        while len(done) < len(events):
            event, after = events[len(done)], events[len(done) + 1 : len(done) + 2]
            try:
                await consumer.handle(self.services, [event])
            except Exception as error:
                key = (consumer.name, event.uid)
                self.attempts[key] += 1
                poison = self.attempts[key] >= POISON_ATTEMPTS and bool(after)
                if not poison or not await self._passed_over(consumer, event, after[0], error):
                    return done, error
                done += [event, after[0]]
                continue
            self.attempts.pop((consumer.name, event.uid), None)
            done.append(event)
        return done, None

    async def _passed_over(self, consumer: Consumer, event: Event, after: Event, error: Exception) -> bool:
        """Sets a poison event aside if the event after it goes through (handled here); False if that
        fails too: then the consumer's store is down, and the event is no poison."""
        try:
            await consumer.handle(self.services, [after])
        except Exception:
            return False
        del self.attempts[consumer.name, event.uid]
        self.attempts.pop((consumer.name, after.uid), None)
        logger.error(
            "consumer %s set aside event %s (%s of %s:%d) after %d failures",
            consumer.name,
            event.uid,
            event.kind,
            event.owner,
            event.sequence,
            POISON_ATTEMPTS,
            exc_info=error,
        )
        await self.services.graph.write(dispatcher.park, uid=event.uid, consumer=consumer.name)
        return True

    async def _advance(self, consumer: Consumer, handled: list[Event]) -> None:
        self.delivered[consumer.name] += len(handled)
        done = {event.owner: event.sequence for event in handled}  # in sequence order per owner
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
                await self.deliver(consumer)
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
