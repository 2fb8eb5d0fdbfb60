"""The dispatcher against the real Neo4j: progress that survives a restart, one deliverer at a time per
consumer (the lease), a failing consumer that is retried without holding up the others, and bookkeeping
that costs a few transactions per commit, however many users there are."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

import app
from dispatch import Consumer, Event, Handles, Services, every_kind
from dispatch.poison import POISON_ATTEMPTS
from dispatch.runner import Dispatcher
from graph import dispatcher as progress
from graph import events, migrations
from graph.driver import Graph
from graph.view import POSITIONS_CHANGED
from settings import Settings
from tests.client import ME, GraphQLClient
from tests.conftest import client_of
from tests.lifespan import started


async def owner_with_events(graph: Graph, count: int, owner: str | None = None) -> str:
    owner = owner or str(uuid4())
    async with graph.driver.session() as session:
        await session.run("CREATE (:User {uid: $uid})", uid=owner)
    for i in range(count):
        await graph.write(events.append, owner, "MemoryCreated", [f"Memory:{owner}-{i}"])
    return owner


class Recording:
    """A consumer that records what it gets, and whether it ever got an event another call had too."""

    def __init__(self, name: str, gate: asyncio.Event | None = None, handles: Handles = every_kind) -> None:
        self.name = name
        self.handles = handles
        self.kinds: list[str] = []
        self.seen: list[str] = []
        self.in_flight: set[str] = set()
        self.overlaps = 0
        self.gate = gate
        self.entered = asyncio.Event()

    def consumer(self) -> Consumer:
        return Consumer(self.name, self.handle, self.handles)

    async def handle(self, services: Services, batch: Sequence[Event]) -> None:
        uids = {event.uid for event in batch}
        self.overlaps += len(uids & self.in_flight)
        self.in_flight |= uids
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        self.seen.extend(event.uid for event in batch)
        self.kinds.extend(event.kind for event in batch)
        self.in_flight -= uids


def services(graph: Graph) -> Any:
    return Services(graph, embedder=None, vectors=None)  # type: ignore[arg-type]  # unused here


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


async def test_an_event_that_always_fails_holds_back_no_other_owner_and_is_set_aside(graph: Graph) -> None:
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
    with pytest.raises(ValueError):
        await runner.drain()
    # The other owner's events are not held back, nor the poisoned owner's before the poison.
    assert sorted(seen) == sorted([f"{poisoned}:1", f"{other}:1", f"{other}:2"])
    for _ in range(POISON_ATTEMPTS):
        with contextlib.suppress(ValueError):
            await runner.drain()
    assert seen[-1] == f"{poisoned}:3"  # set aside at last, and what came after it delivered
    assert len(alone) == POISON_ATTEMPTS and len(set(alone)) == 1
    cursors = await graph.read(progress.cursors, consumer="poisoned")
    assert cursors == {poisoned: 3, other: 2}
    assert await parked(graph) == [{"nodes": [poison], "by": ["poisoned"]}]


async def test_a_node_that_breaks_the_consumer_in_events_in_a_row_holds_back_only_its_owner(
    graph: Graph,
) -> None:
    # The consumers re-read the nodes an event names: a node they fail on fails each event naming it.
    poisoned = await owner_with_events(graph, 1, owner="0-poisoned")
    bad = f"Memory:{poisoned}-bad"
    await graph.write(events.append, poisoned, "MemoryCreated", [bad])
    await graph.write(events.append, poisoned, "MemoryUpdated", [bad])  # the same node, edited
    other = await owner_with_events(graph, 2, owner="1-other")
    seen: list[str] = []

    async def handle(s: Services, batch: Sequence[Event]) -> None:
        if any(bad in event.nodes for event in batch):
            raise ValueError("this node breaks the consumer")
        seen.extend(f"{event.owner}:{event.sequence}" for event in batch)

    runner = Dispatcher(services(graph), [Consumer("poisoned", handle)], backoff_seconds=0.01)
    with pytest.raises(ValueError):
        await runner.drain()
    assert f"{other}:1" in seen and f"{other}:2" in seen
    for i in range(POISON_ATTEMPTS * 2):  # while others' changes go on arriving
        await graph.write(events.append, other, "MemoryCreated", [f"Memory:{other}-later-{i}"])
        with contextlib.suppress(ValueError):
            await runner.drain()
    cursors = await graph.read(progress.cursors, consumer="poisoned")
    assert cursors == {poisoned: 3, other: 2 + POISON_ATTEMPTS * 2}
    assert [row["nodes"] for row in await parked(graph)] == [[bad], [bad]]


async def parked(graph: Graph) -> list[dict]:
    async with graph.driver.session() as session:
        query = """MATCH (e:Event) WHERE e.parked_by IS NOT NULL
                   RETURN e.nodes AS nodes, e.parked_by AS by ORDER BY e.sequence"""
        return [record.data() async for record in await session.run(query)]


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
    assert await parked(graph) == []


async def due(graph: Graph) -> list[str]:
    """The owners marked as having events some consumer does not have yet."""
    async with graph.driver.session() as session:
        query = "MATCH (u:User) WHERE u.dispatch_due = true RETURN u.uid AS uid ORDER BY uid"
        return [record["uid"] async for record in await session.run(query)]


async def test_a_consumer_is_given_only_the_kinds_it_handles_and_passes_over_the_others(graph: Graph) -> None:
    owner = await owner_with_events(graph, 1)
    picky = Recording("picky", handles=lambda kind: kind != POSITIONS_CHANGED)
    every = Recording("every")
    runner = Dispatcher(services(graph), [picky.consumer(), every.consumer()], poll_seconds=3600)
    await runner.start()
    try:
        await until(runner.idle)
        await graph.write(events.append, owner, POSITIONS_CHANGED, [f"Memory:{owner}-0"])
        await until(runner.idle)
        # Not woken by a kind it does not handle: it has not even passed over it yet.
        assert await graph.read(progress.cursors, consumer="picky") == {owner: 1}
        assert await graph.read(progress.cursors, consumer="every") == {owner: 2}
        assert await due(graph) == [owner]
        await graph.write(events.append, owner, "MemoryUpdated", [f"Memory:{owner}-0"])
        await until(runner.idle)
    finally:
        await runner.stop()
    assert picky.kinds == ["MemoryCreated", "MemoryUpdated"]
    assert every.kinds == ["MemoryCreated", POSITIONS_CHANGED, "MemoryUpdated"]
    assert await graph.read(progress.cursors, consumer="picky") == {owner: 3}
    assert await due(graph) == []  # every consumer has every event of it


async def test_consumers_that_finish_together_move_their_cursors_in_one_transaction(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await owner_with_events(graph, 1)
    gate = asyncio.Event()
    recordings = [Recording(name, gate) for name in ("together-a", "together-b", "together-c")]
    moves: list[list[str]] = []
    advance = progress.advance

    async def counted(tx: Any, **kwargs: Any) -> Any:
        moves.append(sorted(kwargs["moves"]))
        return await advance(tx, **kwargs)

    monkeypatch.setattr(progress, "advance", counted)
    runner = Dispatcher(services(graph), [r.consumer() for r in recordings], poll_seconds=3600)
    await runner.start()
    try:
        for recording in recordings:
            await asyncio.wait_for(recording.entered.wait(), 30)
        gate.set()  # all three finish at once
        await until(runner.idle)
    finally:
        await runner.stop()
    # One transaction for the three (the driver may run it again on a transient error).
    assert moves and all(names == ["together-a", "together-b", "together-c"] for names in moves)
    for recording in recordings:
        assert await graph.read(progress.cursors, consumer=recording.name) == {owner: 1}
    assert await due(graph) == []


async def test_commits_within_the_linger_are_one_batch_and_the_runner_is_busy_meanwhile(
    graph: Graph,
) -> None:
    owner = await owner_with_events(graph, 1)
    batches: list[list[str]] = []

    async def handle(services: Services, batch: Sequence[Event]) -> None:
        batches.append([event.kind for event in batch])

    linger = 3.0  # long beside three writes, even on a loaded machine
    runner = Dispatcher(
        services(graph), [Consumer("lingering", handle, every_kind)], poll_seconds=3600, linger_seconds=linger
    )
    await runner.start()
    try:
        await until(runner.idle)
        assert batches == [["MemoryCreated"]]  # what was pending at the start
        for kind in ("MemoryUpdated", "MemoryUpdated", "MemoryDeleted"):  # a burst
            await graph.write(events.append, owner, kind, [f"Memory:{owner}-0"])
        await asyncio.sleep(linger / 3)
        assert batches == [["MemoryCreated"]]
        assert not runner.idle()  # lingering counts as busy: a test or a drain waits for it
        await until(runner.idle)
    finally:
        await runner.stop()
    assert batches[1:] == [["MemoryUpdated", "MemoryUpdated", "MemoryDeleted"]]
    assert await graph.read(progress.cursors, consumer="lingering") == {owner: 4}


async def test_a_drain_over_many_batches_takes_its_lease_once(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    await owner_with_events(graph, 7, owner="0-first")
    await owner_with_events(graph, 7, owner="1-second")
    taken: list[str] = []
    acquire = progress.acquire

    async def counted(tx: Any, **kwargs: Any) -> bool:
        taken.append(kwargs["name"])
        return await acquire(tx, **kwargs)

    monkeypatch.setattr(progress, "acquire", counted)
    recording = Recording("once")
    await Dispatcher(services(graph), [recording.consumer()], batch=3).drain()
    assert len(recording.seen) == 14
    assert taken == ["once"]


async def test_a_consumer_added_later_gets_every_event_before_it(graph: Graph) -> None:
    owner = await owner_with_events(graph, 2)
    first = Recording("first")
    await Dispatcher(services(graph), [first.consumer()]).drain()
    assert await due(graph) == []
    later = Recording("later")  # a new consumer: its lease is new, so every owner is due for it
    await Dispatcher(services(graph), [first.consumer(), later.consumer()]).drain()
    assert len(later.seen) == 2 and len(first.seen) == 2
    assert await graph.read(progress.cursors, consumer="later") == {owner: 2}
    assert await due(graph) == []


async def test_events_pending_before_migration_9_are_delivered_after_it(graph: Graph) -> None:
    behind = await owner_with_events(graph, 3, owner="0-behind")
    caught_up = await owner_with_events(graph, 2, owner="1-caught-up")
    # As a database before version 9 holds them: a consumer's lease and cursors, and no owner marked.
    async with graph.driver.session() as session:
        await session.run(
            """CREATE (:Lease {name: 'old'}), (:Cursor {consumer: 'old', owner: $behind, sequence: 1}),
                      (:Cursor {consumer: 'old', owner: $caught_up, sequence: 2})""",
            behind=behind,
            caught_up=caught_up,
        )
        await session.run("MATCH (u:User) REMOVE u.dispatch_due")
        await session.run("MATCH (m:Migration {version: 9}) DELETE m")
    assert await migrations.apply(graph) == [9]
    assert await due(graph) == [behind]
    old = Recording("old")
    await Dispatcher(services(graph), [old.consumer()]).drain()
    assert len(old.seen) == 2
    assert await graph.read(progress.cursors, consumer="old") == {behind: 3, caught_up: 2}
    assert await due(graph) == []


async def until(condition: Callable[[], bool], within: float = 60) -> None:
    for _ in range(int(within / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("never came to pass")


MEMORY = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"


@pytest.fixture
async def kindred(
    settings: Settings, graph: Graph, tmp_path: Path
) -> AsyncIterator[tuple[GraphQLClient, Dispatcher]]:
    """An app with its dispatcher on and app.CONSUMERS (embeddings, live, documents, layout, mentions,
    similarity, history), which polls
    only when the test says: what is counted is what a commit causes."""
    own = settings.model_copy(
        # A request's auth state is read once per TTL: once, within this test (so in no count).
        update={
            "data_dir": tmp_path,
            "dispatch": True,
            "dispatch_poll_seconds": 3600,
            "auth_state_ttl_seconds": 3600,
            # No scheduled job's pass among what is counted (each reads every owner's graph).
            "schedule": False,
        }
    )
    async with started(app.create_app(own, graph)) as manager, client_of(manager.app) as client:
        dispatcher = manager._state["dispatcher"]
        # Renewed once half of it has run out, whatever the commits: never, within this test.
        dispatcher.lease_seconds = 3600
        yield client, dispatcher


async def settle(graph: Graph, dispatcher: Dispatcher, email: str) -> None:
    """Until every consumer has every event of the user: what the commits woke, then the poll of the
    consumers left with events to pass over (kinds they do not handle, which do not wake them)."""
    await until(dispatcher.idle)
    async with graph.driver.session() as session:  # not counted: the graph's own transactions are
        query = """MATCH (u:User {email: $email}) MATCH (c:Cursor {owner: u.uid})
                   WHERE c.sequence < u.event_sequence RETURN collect(c.consumer) AS behind"""
        behind = (await (await session.run(query, email=email)).single(strict=True))["behind"]
    dispatcher.wake(*behind)
    await until(dispatcher.idle)
    async with graph.driver.session() as session:
        query = """MATCH (u:User {email: $email}) OPTIONAL MATCH (c:Cursor {owner: u.uid})
                   WHERE c.sequence = u.event_sequence RETURN u.dispatch_due AS due, count(c) AS done"""
        record = await (await session.run(query, email=email)).single(strict=True)
    assert record["done"] == len(app.CONSUMERS) and record["due"] is None


async def others_with_events_delivered(graph: Graph, count: int) -> None:
    async with graph.driver.session() as session:
        await session.run(
            """UNWIND range(1, $count) AS i
               CREATE (u:User {uid: 'other-' + i, email: 'other-' + i + '@example.com', event_sequence: 3})
               WITH u UNWIND range(1, 3) AS sequence
               CREATE (:Event {uid: u.uid + '-' + sequence, owner: u.uid, sequence: sequence,
                               kind: 'MemoryCreated', nodes: []})
               WITH DISTINCT u UNWIND $consumers AS consumer
               CREATE (:Cursor {consumer: consumer, owner: u.uid, sequence: 3})""",
            count=count,
            consumers=[consumer.name for consumer in app.CONSUMERS],
        )


async def test_a_memory_costs_a_few_transactions_however_many_users_there_are(
    kindred: tuple[GraphQLClient, Dispatcher], graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, dispatcher = kindred
    advances: list[list[str]] = []  # the consumers each advance moved
    advance = progress.advance

    async def counted(tx: Any, **kwargs: Any) -> Any:
        advances.append(sorted(kwargs["moves"]))
        return await advance(tx, **kwargs)

    monkeypatch.setattr(progress, "advance", counted)
    email = "cost@example.com"
    token = await client.sign_up(email)
    await client.data(ME, token=token)
    await settle(graph, dispatcher, email)

    async def cost_of_a_memory(content: str) -> tuple[int, int, int]:
        """Every transaction from the mutation until every consumer has its events (the mutation's, and
        the layout's PositionsChanged after it): the mutation, each consumer's own reads and writes,
        and the dispatcher's bookkeeping; then how many of them were advances, and how many consumers'
        cursors they moved."""
        before, advances_before = graph.transactions, len(advances)
        await client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": content}}, token=token)
        await settle(graph, dispatcher, email)
        moved = advances[advances_before:]
        return graph.transactions - before, len(moved), sum(len(names) for names in moved)

    alone, alone_advances, alone_moved = await cost_of_a_memory("The first walk along the river")
    await others_with_events_delivered(graph, 200)
    among_many, many_advances, many_moved = await cost_of_a_memory("The second walk along the river")
    # 1 mutation; embeddings: 1 read (its text, and its couple text in the same transaction: a memory
    # may be shared, graph/couple_texts.py), 1 write, 1 advance; live: 1 advance for the memory, 1 for the
    # PositionsChanged; layout: 1 read, 1 write (with its PositionsChanged), 1 advance; mentions: 1 write
    # (its text names no one: nothing written but the read), 1 advance; proposals: 1 read (nothing
    # proposed, nothing to withdraw: no write), 1 advance; and one poll each (a transaction) for
    # embeddings, layout, documents, mentions, proposals, outcome-preferences, similarity and history,
    # which pass over what they do not handle; and after each advance that goes on reading, the read of
    # what is pending next in a transaction of its own (8 more: in the advance's own transaction, two
    # consumers each write-locked an owner the other's read waited for, and Neo4j found them deadlocked).
    # Before (a lease taken 4 times a batch, every consumer woken by every commit, a read for each wake,
    # pending work found by a scan of every user) it was 70, with five consumers fewer.
    # The advances of consumers that finish together are one transaction (runner._Cursors): how many
    # form depends on the consumers' timing, never more than one a consumer moved, so the rest is
    # compared exactly.
    assert alone - alone_advances == among_many - many_advances
    assert alone_moved == many_moved and alone_advances <= alone_moved and many_advances <= many_moved
    assert alone <= 29 and among_many <= 29


async def test_a_start_marks_what_an_earlier_version_left_unmarked_and_unmarks_what_is_whole(
    graph: Graph,
) -> None:
    """During a rolling deploy an earlier version appends without marking its owner due; a log emptied
    since (a demo started afresh) leaves its owner marked: an instance's start makes both marks true."""
    unmarked = await owner_with_events(graph, 2)
    stuck = await owner_with_events(graph, 1)
    async with graph.driver.session() as session:
        await session.run("MERGE (:Lease {name: 'sweep-test'})")
        await session.run("MATCH (u:User {uid: $u}) REMOVE u.dispatch_due", u=unmarked)
        await session.run("CREATE (:Cursor {consumer: 'sweep-test', owner: $u, sequence: 1})", u=stuck)
    # Every other consumer known to this graph has the stuck owner's log whole too.
    async with graph.driver.session() as session:
        await session.run(
            "MATCH (l:Lease) WHERE l.name <> 'sweep-test' "
            "MERGE (c:Cursor {consumer: l.name, owner: $u}) SET c.sequence = 1",
            u=stuck,
        )
    await graph.write(progress.resweep)
    async with graph.driver.session() as session:
        found = await session.run(
            "MATCH (u:User) WHERE u.uid IN $uids RETURN u.uid AS uid, u.dispatch_due AS due",
            uids=[unmarked, stuck],
        )
        due = {record["uid"]: record["due"] async for record in found}
    assert due == {unmarked: True, stuck: None}
    pending = await graph.read(progress.pending, consumer="sweep-test", limit=10)
    assert [event.sequence for event in pending if event.owner == unmarked] == [1, 2]
