"""The dispatcher against the real Neo4j: progress that survives a restart, one deliverer at a time per
consumer (the lease), and a failing consumer that is retried without holding up the others."""

import asyncio
from collections.abc import Sequence
from typing import Any
from uuid import uuid4

import pytest

from dispatch import Consumer, Event, Services
from dispatch.runner import POISON_ATTEMPTS, Dispatcher
from graph import dispatcher as progress
from graph import events
from graph.driver import Graph


async def owner_with_events(graph: Graph, count: int, owner: str | None = None) -> str:
    owner = owner or str(uuid4())
    async with graph.driver.session() as session:
        await session.run("CREATE (:User {uid: $uid})", uid=owner)
    for i in range(count):
        await graph.write(events.append, owner, "MemoryCreated", [f"Memory:{owner}-{i}"])
    return owner


class Recording:
    """A consumer that records what it gets, and whether it ever got an event another call had too."""

    def __init__(self, name: str, gate: asyncio.Event | None = None) -> None:
        self.name = name
        self.seen: list[str] = []
        self.in_flight: set[str] = set()
        self.overlaps = 0
        self.gate = gate
        self.entered = asyncio.Event()

    def consumer(self) -> Consumer:
        return Consumer(self.name, self.handle)

    async def handle(self, services: Services, batch: Sequence[Event]) -> None:
        uids = {event.uid for event in batch}
        self.overlaps += len(uids & self.in_flight)
        self.in_flight |= uids
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        self.seen.extend(event.uid for event in batch)
        self.in_flight -= uids


def services(graph: Graph) -> Any:
    return Services(graph, embedder=None, vectors=None)  # type: ignore[arg-type]


async def test_progress_survives_a_restart_and_only_new_events_come_after_it(graph: Graph) -> None:
    owner = await owner_with_events(graph, 5)
    first = Recording("restart")
    await Dispatcher(services(graph), [first.consumer()]).drain()
    assert len(first.seen) == 5
    assert (await graph.read(progress.cursors, consumer="restart"))[owner] == 5
    await graph.write(events.append, owner, "MemoryCreated", ["Memory:later"])
    again = Recording("restart")  # a new instance: nothing in memory is shared
    await Dispatcher(services(graph), [again.consumer()]).drain()
    assert len(again.seen) == 1
    assert set(again.seen).isdisjoint(first.seen)


async def test_two_dispatchers_on_one_graph_never_deliver_an_event_at_once(graph: Graph) -> None:
    await owner_with_events(graph, 30)
    gate = asyncio.Event()
    recording = Recording("lease", gate)
    one = Dispatcher(services(graph), [recording.consumer()], batch=10)
    two = Dispatcher(services(graph), [recording.consumer()], batch=10)
    both = asyncio.gather(one.drain(), two.drain())
    await asyncio.wait_for(recording.entered.wait(), 30)  # one of them is inside the consumer
    # Only the instance inside the consumer holds the lease: the other cannot take it.
    held = [
        await graph.write(progress.acquire, name="lease", holder=d.holder, seconds=30) for d in (one, two)
    ]
    assert sorted(held) == [False, True]
    gate.set()
    await both
    assert recording.overlaps == 0
    assert len(recording.seen) == len(set(recording.seen)) == 30


async def test_a_failing_consumer_is_retried_with_backoff_and_blocks_no_other(graph: Graph) -> None:
    owner = await owner_with_events(graph, 3)
    healthy, delivered = Recording("healthy"), asyncio.Event()
    failing_calls: list[int] = []
    recovered = asyncio.Event()

    async def healthy_handle(s: Services, batch: Sequence[Event]) -> None:
        await healthy.handle(s, batch)
        delivered.set()

    async def failing(s: Services, batch: Sequence[Event]) -> None:
        failing_calls.append(len(batch))
        if len(failing_calls) < 3:
            raise ConnectionError("the derived store is down")
        recovered.set()

    runner = Dispatcher(
        services(graph),
        [Consumer("failing", failing), Consumer("healthy", healthy_handle)],
        backoff_seconds=0.01,
    )
    await runner.start()
    try:
        await asyncio.wait_for(delivered.wait(), 30)
        await asyncio.wait_for(recovered.wait(), 30)
        await runner.drain()  # waits for the delivery under way to record its progress
    finally:
        await runner.stop()
    assert len(healthy.seen) == 3
    # The batch, then its first event alone (which fails too: the store is down), then the batch again.
    assert failing_calls == [3, 1, 3]
    assert (await graph.read(progress.cursors, consumer="failing"))[owner] == 3


async def test_an_event_that_always_fails_is_set_aside_and_holds_back_no_other(graph: Graph) -> None:
    # Events come by owner, then sequence: the poisoned owner's come first, before everyone else's.
    poisoned = await owner_with_events(graph, 3, owner="0-poisoned")
    other = await owner_with_events(graph, 2, owner="1-other")
    poison = f"Memory:{poisoned}-1"  # the poisoned owner's second event names it
    alone: list[str] = []
    seen: list[str] = []

    async def handle(s: Services, batch: Sequence[Event]) -> None:
        if any(poison in event.nodes for event in batch):
            if len(batch) == 1:
                alone.append(batch[0].uid)
            raise ValueError("this node breaks the consumer")
        seen.extend(f"{event.owner}:{event.sequence}" for event in batch)

    runner = Dispatcher(services(graph), [Consumer("poisoned", handle)], backoff_seconds=0.01)
    for _ in range(POISON_ATTEMPTS - 1):
        with pytest.raises(ValueError):
            await runner.drain()
    assert seen == [f"{poisoned}:1"]  # until it is known for poison, nothing after it passes
    await runner.drain()  # the last of its attempts: set aside, and the rest delivered
    assert seen == [f"{poisoned}:1", f"{poisoned}:3", f"{other}:1", f"{other}:2"]
    assert len(alone) == len(set(alone)) * POISON_ATTEMPTS
    cursors = await graph.read(progress.cursors, consumer="poisoned")
    assert cursors == {poisoned: 3, other: 2}
    async with graph.driver.session() as session:
        query = "MATCH (e:Event) WHERE e.parked_by IS NOT NULL RETURN e.nodes AS nodes, e.parked_by AS by"
        parked = [record.data() async for record in await session.run(query)]
    assert parked == [{"nodes": [poison], "by": ["poisoned"]}]


async def test_a_consumer_whose_store_is_down_sets_nothing_aside(graph: Graph) -> None:
    owner = await owner_with_events(graph, 3)
    down = True

    async def handle(s: Services, batch: Sequence[Event]) -> None:
        if down:
            raise ConnectionError("the derived store is down")

    runner = Dispatcher(services(graph), [Consumer("down", handle)], backoff_seconds=0.01)
    for _ in range(POISON_ATTEMPTS * 2):
        with pytest.raises(ConnectionError):
            await runner.drain()
    assert await graph.read(progress.cursors, consumer="down") == {}
    down = False
    await runner.drain()
    assert await graph.read(progress.cursors, consumer="down") == {owner: 3}
    async with graph.driver.session() as session:
        query = "MATCH (e:Event) WHERE e.parked_by IS NOT NULL RETURN count(e) AS parked"
        assert (await (await session.run(query)).single(strict=True))["parked"] == 0
