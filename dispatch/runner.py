"""Runs the consumers: one task each, woken after commits in this process and by a periodic poll (for
other instances' writes), each behind its lease in Neo4j, each retried with backoff on its own.

A batch that fails is tried again owner by owner, each owner's events by halves, so one event that
always fails (a poison event) holds back only its owner's events after it; the other owners' go on, in
the same pass. Once it is known for poison (dispatch/poison.py) it is set aside: logged, named on the
Event (`parked_by`), and passed over. A pass that delivers nothing and fails (an outage) backs off.

The bookkeeping a commit costs is a small constant, whatever the number of users:
- a consumer wakes only for the event kinds it `handles`, and passes over the others (its cursor moves
  past them) in its next pass;
- its lease is taken when there is work, renewed only once half of it has run out, and let go when a
  whole poll finds nothing to do, when it backs off, at the end of drain() and at stop();
- while it holds the lease, this instance alone moves the consumer's cursors, so it knows those it
  moved: the events its own commits wrote are handed over as they are, unread, when they follow a
  cursor it knows. Anything else (another instance's events, a gap, an owner it does not know, a batch
  that failed) is read from the owners marked due (graph/dispatcher.py), as it is at every poll;
- the cursors of the consumers that finish about together move in one transaction (`_Cursors`).
"""

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from typing import Any
from uuid import uuid4

from dispatch import Consumer, Event, Services
from dispatch.poison import Failures
from graph import dispatcher
from graph.driver import Graph
from graph.events import acting_as
from telemetry import metrics

logger = logging.getLogger("kindred.dispatch")
OUTAGE_OWNERS = 3  # owners in a row whose first event fails: the consumer's store is down, stop the pass
KNOWN_OWNERS = 10_000  # cursors kept in memory per consumer (the least recently moved are forgotten)


class LeaseBusy(Exception):
    """Another instance is delivering to this consumer now."""


@dataclass
class Pass:
    """What one delivery to a consumer did: the events it handed over (or set aside), those it passed
    over (kinds it does not handle), and the owners it stopped short for, each with the error of the
    event that failed (retried on the next pass)."""

    delivered: int = 0
    passed: int = 0
    blocked: dict[str, Exception] = field(default_factory=dict)

    @property
    def error(self) -> Exception | None:
        return next(iter(self.blocked.values()), None)


@dataclass
class _State:
    """One consumer's side of this instance."""

    wake: asyncio.Event = field(default_factory=asyncio.Event)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    inbox: list[Event] | None = field(
        default_factory=list
    )  # committed here since its last pass; None: too many
    known: dict[str, int] = field(default_factory=dict)  # owner -> cursor, as moved under the lease held now
    held_until: float = 0.0  # (event loop clock) when the lease it holds runs out, at the earliest
    read_at: float = float("-inf")  # when a pass last read the graph
    must_read: bool = False  # a poll is asked for, or an owner was held back: the next pass reads
    enlisted: bool = False  # its Lease is known to exist: owners are marked due for it

    def holds(self, now: float) -> bool:
        return now < self.held_until

    def lost(self) -> None:
        """The lease is no longer this instance's: another may move the cursors from now on."""
        self.held_until = 0.0
        self.known.clear()

    def know(self, cursors: dict[str, int]) -> None:
        for owner, sequence in cursors.items():
            self.known.pop(owner, None)  # re-inserted last: the dict's order is the order of use
            self.known[owner] = sequence
        while len(self.known) > KNOWN_OWNERS:
            del self.known[next(iter(self.known))]

    def take_inbox(self) -> list[Event] | None:
        inbox, self.inbox = self.inbox, []
        return inbox


class Dispatcher:
    def __init__(
        self,
        services: Services,
        consumers: Sequence[Consumer],
        *,
        poll_seconds: float = 5.0,
        linger_seconds: float = 0.0,
        lease_seconds: float = 30.0,
        batch: int = 200,
        backoff_seconds: float = 0.5,
        backoff_max_seconds: float = 60.0,
    ) -> None:
        self.services = services
        self.consumers = list(consumers)
        self.holder = str(uuid4())  # this instance, as its leases name it
        self.poll_seconds = poll_seconds
        self.linger_seconds = linger_seconds
        self.lease_seconds = lease_seconds
        self.batch = batch
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.failures: dict[str, int] = defaultdict(int)
        # Events each consumer has now, handed over or passed over (for tests).
        self.delivered: dict[str, int] = defaultdict(int)
        self.failed = Failures()
        self._states = {consumer.name: _State() for consumer in self.consumers}
        self._tasks: list[asyncio.Task[None]] = []
        self._cursors = _Cursors(services.graph, self.holder)
        self._stopping = False  # set by stop(): a delivery ends after the batch it is in

    def wake(self, *names: str) -> None:
        """Has these consumers (all by default) look for pending events now, as their poll does."""
        for name in names or self._states:
            self._states[name].must_read = True
            self._states[name].wake.set()

    def idle(self) -> bool:
        """No consumer is delivering, and none is woken."""
        return all(not state.lock.locked() and not state.wake.is_set() for state in self._states.values())

    def _committed(self, events: Sequence[Event]) -> None:
        """After a commit in this process: its events go to every consumer's inbox, and the consumers
        that handle one of their kinds wake (the others pass over them in their next pass)."""
        for consumer in self.consumers:
            state = self._states[consumer.name]
            if state.inbox is not None:
                state.inbox.extend(events)
                if len(state.inbox) > self.batch:
                    state.inbox = None  # too many to hold: its next pass reads them
            if any(consumer.handles(event.kind) for event in events):
                state.wake.set()

    async def start(self) -> None:
        self._stopping = False
        await self.services.graph.write(dispatcher.resweep)
        self.services.graph.on_commit.append(self._committed)
        self._tasks = [asyncio.create_task(self._loop(consumer)) for consumer in self.consumers]
        self.wake()  # what was left pending before this start

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Stops delivering: a consumer in the middle of a batch finishes it and moves its cursors
        (waited for up to `grace_seconds`, then cancelled: delivery is at least once, so the next
        holder redoes a cancelled batch), then the leases are let go."""
        self._stopping = True
        with contextlib.suppress(ValueError):
            self.services.graph.on_commit.remove(self._committed)
        try:
            async with asyncio.timeout(grace_seconds):
                for state in self._states.values():
                    await state.lock.acquire()  # held until the tasks are gone: no batch starts
        except TimeoutError:
            logger.warning("a consumer was still delivering %.0f s after shutdown began", grace_seconds)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self._cursors.settled(within=5)  # the moves asked for before the loops went
        self._stopping = False  # its loops are gone: a drain asked for after the stop delivers in full
        for state in self._states.values():
            if state.lock.locked():
                state.lock.release()
        for consumer in self.consumers:
            await self._let_go(consumer)  # another instance takes over at once

    async def drain(self, within: float = 60.0) -> None:
        """Delivers until every consumer has every event committed so far; a consumer's error is raised.
        Waits (up to `within` seconds) while another instance holds a lease. Lets the leases go after."""
        try:
            async with asyncio.timeout(within):
                # A consumer may append events of its own (the layout's PositionsChanged): passes repeat
                # until one delivers nothing, so the consumers before it get those too.
                while True:
                    before = self._progress()
                    passes = [await self._deliver_when_free(consumer) for consumer in self.consumers]
                    if self.services.extractions is not None:  # what a consumer handed on, done too
                        await self.services.extractions.drain()
                    if self._progress() == before:
                        errors = [done.error for done in passes if done.error is not None]
                        if errors:
                            raise errors[0]
                        return
        finally:
            await self._release_all()

    def _progress(self) -> int:
        extractions = self.services.extractions
        return sum(self.delivered.values()) + (extractions.completed if extractions is not None else 0)

    async def _deliver_when_free(self, consumer: Consumer) -> Pass:
        while True:
            try:
                return await self.deliver(consumer)
            except LeaseBusy:
                await asyncio.sleep(0.05)  # polling another instance's lease, not a test's wait

    async def deliver(self, consumer: Consumer, *, read: bool = True) -> Pass:
        """Hands the consumer its pending events, batch by batch, until none is left but those of the
        owners it stopped short for. With read=False (woken by this instance's commits) it hands over
        what those commits wrote without reading the graph, when the cursors it knows show that nothing
        comes before it; else it reads, as it does at least once every poll_seconds."""
        state = self._states[consumer.name]
        done = Pass()
        async with state.lock:
            if not state.enlisted:  # once per consumer and instance
                await self.services.graph.write(dispatcher.enlist, name=consumer.name)
                state.enlisted = True
            loop = asyncio.get_running_loop()
            read = read or state.must_read or loop.time() - state.read_at >= self.poll_seconds
            state.must_read = False
            events = self._direct(state, state.take_inbox(), loop.time())
            from_graph = events is None or (read and not events)
            if from_graph:
                events = await self._read(consumer, skip=[])
            while events and not self._stopping:
                # Read on after this batch when the poll must, or when the read was cut at the limit.
                more = len(events) >= self.batch if from_graph else read
                progress, handled = await self._batch(consumer, events, done)
                outage = len(done.blocked) >= OUTAGE_OWNERS and not handled
                more = more and not outage  # what is left waits for the store to be back
                if progress:
                    events = await self._advance(consumer, progress, more, skip=list(done.blocked))
                else:
                    events = await self._read(consumer, skip=list(done.blocked)) if more else []
                from_graph = True
            if done.blocked:
                state.must_read = True  # retried at the next commit or poll
        return done

    def _direct(self, state: _State, inbox: list[Event] | None, now: float) -> list[Event] | None:
        """The inbox's events the consumer does not have yet, when each follows a cursor this instance
        knows; None when it cannot tell (the graph is read instead)."""
        if inbox is None or not state.holds(now):
            return None
        events: list[Event] = []
        by_owner = sorted(inbox, key=attrgetter("owner", "sequence"))
        for owner, group in groupby(by_owner, key=attrgetter("owner")):
            last = state.known.get(owner)
            if last is None:
                return None
            for event in group:
                if event.sequence <= last:
                    continue  # a read delivered it already
                if event.sequence != last + 1:
                    return None  # another instance's events come between
                events.append(event)
                last = event.sequence
        return events

    async def _read(self, consumer: Consumer, skip: list[str]) -> list[Event]:
        """What is pending for the consumer. The lease is taken only when there is something to deliver,
        so an idle poll writes nothing; then it is read again, under the lease, for what the last holder
        left."""
        state = self._states[consumer.name]
        held = state.holds(asyncio.get_running_loop().time())
        events = await self._pending(consumer, skip)
        if events and not held:
            await self._hold(consumer)
            events = await self._pending(consumer, skip)
        return events

    async def _pending(self, consumer: Consumer, skip: list[str]) -> list[Event]:
        self._states[consumer.name].read_at = asyncio.get_running_loop().time()
        return await self.services.graph.read(
            dispatcher.pending, consumer=consumer.name, limit=self.batch, skip=skip
        )

    async def _batch(
        self, consumer: Consumer, events: list[Event], done: Pass
    ) -> tuple[dict[str, int], list[Event]]:
        """Hands the events of the kinds it handles to the consumer; how far each owner's cursor may
        move (past what it handled or passes over, up to the first it failed on), and what it handled."""
        handed = [event for event in events if consumer.handles(event.kind)]
        handled, blocked = await self._handled(consumer, handed) if handed else ([], {})
        done.blocked |= blocked
        finished = {event.uid for event in handled}
        progress: dict[str, int] = {}
        stopped: set[str] = set()
        passed = 0
        for event in events:  # by owner, then sequence
            if event.owner in stopped:
                continue
            if event.uid not in finished and consumer.handles(event.kind):
                stopped.add(event.owner)  # failed (or not reached): it and what follows come again
                continue
            progress[event.owner] = event.sequence
            passed += event.uid not in finished
        _observe_lag(consumer.name, handled)
        done.delivered += len(handled)
        done.passed += passed
        self.delivered[consumer.name] += len(handled) + passed
        return progress, handled

    async def _handled(
        self, consumer: Consumer, events: list[Event]
    ) -> tuple[list[Event], dict[str, Exception]]:
        """The events the consumer has now (or that were set aside), and the owners it stopped short
        for, with why."""
        owners = [(owner, list(group)) for owner, group in groupby(events, key=attrgetter("owner"))]
        if len(owners) > 1:
            try:
                await _handle(consumer, self.services, events)
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
            await _handle(consumer, self.services, events)
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
        metrics.DISPATCH_PARKED.labels(consumer.name).inc()

    async def _advance(
        self, consumer: Consumer, progress: dict[str, int], read: bool, skip: list[str]
    ) -> list[Event]:
        """Moves the cursors (in a transaction that sees the lease still held) and, when asked, then
        reads what is pending next. Not in one transaction: moving the cursors write-locks the owners
        moved, and reading what is pending read-locks every owner due, so two consumers doing both at
        once each held an owner the other waited for (Neo4j's DeadlockDetected, seen under load)."""
        state = self._states[consumer.name]
        # Renewed if it runs out soon: if another instance took the lease meanwhile, it redoes these
        # events (at least once) and this one moves nothing.
        await self._hold(consumer)
        moved = await self._cursors.move(consumer.name, progress)
        if moved is None:
            state.lost()
            raise LeaseBusy(consumer.name)  # the lease expired mid-batch: its new holder redoes it
        state.know(moved)
        return await self._pending(consumer, skip) if read else []

    async def _hold(self, consumer: Consumer) -> None:
        """Makes sure the lease is held: taken if it is not, renewed once half of it has run out."""
        state = self._states[consumer.name]
        now = asyncio.get_running_loop().time()
        if now < state.held_until - self.lease_seconds / 2:
            return
        held = await self.services.graph.write(
            dispatcher.acquire, name=consumer.name, holder=self.holder, seconds=self.lease_seconds
        )
        if not held:
            state.lost()
            raise LeaseBusy(consumer.name)
        if not state.holds(now):  # not held a moment ago: another instance may have moved the cursors
            state.known.clear()
        # From before the request: the lease runs (in Neo4j's time) from when it was written, later.
        state.held_until = now + self.lease_seconds

    async def _release(self, consumer: Consumer) -> None:
        state = self._states[consumer.name]
        async with state.lock:
            if not state.held_until:
                return
            state.lost()
            await self.services.graph.write(dispatcher.release, name=consumer.name, holder=self.holder)

    async def _release_all(self) -> None:
        for consumer in self.consumers:
            await self._release(consumer)

    async def _let_go(self, consumer: Consumer) -> None:
        """Releases the lease if Neo4j answers soon; else it expires on its own."""
        try:
            async with asyncio.timeout(5):
                await self._release(consumer)
        except Exception:
            logger.warning("the lease of %s was not released; it expires", consumer.name, exc_info=True)

    async def _loop(self, consumer: Consumer) -> None:
        state = self._states[consumer.name]
        delay = self.poll_seconds
        while True:
            polled = False
            try:
                async with asyncio.timeout(delay):
                    await state.wake.wait()
            except TimeoutError:
                polled = True
            if not polled and self.linger_seconds:
                # The commits of a burst meanwhile join this pass; still woken, so not idle.
                await asyncio.sleep(self.linger_seconds)
            state.wake.clear()
            try:
                done = await self.deliver(consumer, read=polled)
                if done.error is not None and not done.delivered:
                    raise done.error  # nothing went through: the consumer's store is down, back off
                if done.blocked:  # retried at the next commit or poll; the other owners were served
                    metrics.DISPATCH_FAILURES.labels(consumer.name).inc()
                    logger.warning("consumer %s held back %d owner(s)", consumer.name, len(done.blocked))
                if polled and not (done.delivered or done.passed):
                    await self._release(consumer)  # a whole poll with nothing to do: let another take it
                self.failures[consumer.name] = 0
                delay = self.poll_seconds
            except LeaseBusy:
                delay = self.poll_seconds
            except Exception:  # a consumer's failure must not stop it for good, nor the others
                metrics.DISPATCH_FAILURES.labels(consumer.name).inc()
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
                # Another instance may try meanwhile (at its poll), as this one cannot for a while.
                await self._let_go(consumer)
                # While backing off, commits must not wake it at once: wait out the delay.
                await asyncio.sleep(delay)
                delay = 0


class _Cursors:
    """Moves the consumers' cursors, several consumers' in one transaction (a group commit): while one
    transaction is written, the moves asked for meanwhile wait, and go together in the next. The
    consumers a commit woke finish about together, and each move write-locks the owner: one by one
    they queued behind each other and before the owner's next write, a commit (and a flush of the
    transaction log) each. A write that fails (its retries spent) fails every consumer in it, each then
    backing off as it would have alone."""

    def __init__(self, graph: Graph, holder: str) -> None:
        self.graph = graph
        self.holder = holder
        self._asked: dict[str, tuple[dict[str, int], asyncio.Future[dict[str, int] | None]]] = {}
        self._writing: asyncio.Task[None] | None = None

    async def move(self, consumer: str, done: dict[str, int]) -> dict[str, int] | None:
        """The consumer's cursors once moved to `done` (each owner's last event it has); None when its
        lease was lost (nothing moved). A consumer asks for one move at a time (under its lock)."""
        moved: asyncio.Future[dict[str, int] | None] = asyncio.get_running_loop().create_future()
        if consumer in self._asked:  # an ask left from a pass that was cancelled: its moves go too
            earlier, _ = self._asked[consumer]
            done = {owner: max(earlier.get(owner, 0), done.get(owner, 0)) for owner in {*earlier, *done}}
        self._asked[consumer] = (done, moved)
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write())
        return await moved

    async def settled(self, within: float) -> None:
        """Once every move asked for so far is written (or failed), or `within` seconds have passed."""
        if self._writing is not None:  # it raises nothing: a failed write fails the moves that asked
            await asyncio.wait([self._writing], timeout=within)

    async def _write(self) -> None:
        asked: dict[str, tuple[dict[str, int], asyncio.Future[dict[str, int] | None]]] = {}
        try:
            while self._asked:
                asked, self._asked = self._asked, {}
                try:
                    moved = await self.graph.write(
                        dispatcher.advance,
                        holder=self.holder,
                        moves={name: done for name, (done, _) in asked.items()},
                    )
                except Exception as error:  # each consumer that asked fails as its own write would have
                    _fail(asked, error)
                    continue
                for name, (_, future) in asked.items():
                    if not future.done():  # not when the consumer's task was cancelled meanwhile
                        future.set_result(moved[name])
        except BaseException as error:  # cancelled: no consumer may wait for a write that will not come
            _fail({**asked, **self._asked}, LeaseBusy(f"the cursors were not moved: {error!r}"))
            self._asked = {}
            raise


def _fail(asked: dict[str, tuple[dict[str, int], asyncio.Future[Any]]], error: Exception) -> None:
    for _, future in asked.values():
        if not future.done():
            future.set_exception(error)


def _observe_lag(consumer: str, events: list[Event]) -> None:
    """From each event's commit to now, when the consumer has it (for /metrics)."""
    if not events:
        return
    now = time.time()
    lag, delivered = metrics.DISPATCH_LAG.labels(consumer), metrics.DISPATCH_DELIVERED.labels(consumer)
    for event in events:
        if event.at is not None:
            lag.observe(max(0.0, now - event.at))
    delivered.inc(len(events))


async def _handle(consumer: Consumer, services: Services, events: Sequence[Event]) -> None:
    """The consumer's handling of these events; whatever it writes names it as the actor."""
    with acting_as(f"consumer:{consumer.name}"):
        await consumer.handle(services, events)
