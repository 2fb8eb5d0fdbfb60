"""The dispatcher against the real Neo4j: progress that survives a restart, one deliverer at a time per
consumer (the lease), and a failing consumer that is retried without holding up the others."""

import asyncio
from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from dispatch import Consumer, Event, Services
from dispatch.runner import Dispatcher
from graph import dispatcher as progress
from graph import events
from graph.driver import Graph


async def owner_with_events(graph: Graph, count: int) -> str:
    owner = str(uuid4())
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
    assert failing_calls == [3, 3, 3]  # the same events again until the consumer has them
    assert (await graph.read(progress.cursors, consumer="failing"))[owner] == 3
