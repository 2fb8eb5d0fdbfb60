"""The Cypher of the dispatcher: what each consumer has done, what is pending for it, and its lease.

Progress is a (:Cursor {consumer, owner, sequence}) node per consumer and owner: the last event sequence
of that owner the consumer has. Events are numbered per owner without gaps, so "after the cursor" is
exactly what is pending, and the cursor survives a restart with the graph.

A (:Lease {name}) node per consumer says which instance may deliver to it until when: an instance
delivers only while it holds the lease, and moves a cursor only in a transaction that sees it still
holds it, so two instances never deliver the same event at once and a stale holder cannot move progress.
"""

from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.rows import native


@dataclass(frozen=True)
class Event:
    uid: str
    owner: str
    sequence: int
    kind: str
    nodes: tuple[str, ...]


async def acquire(tx: AsyncManagedTransaction, *, name: str, holder: str, seconds: float) -> bool:
    """Takes or renews the lease of `name` for `seconds` if it is free, expired or already `holder`'s."""
    # The first SET takes the node's write lock before its holder is read, so of two instances racing
    # for a free lease the second reads what the first wrote.
    query = """
    MERGE (l:Lease {name: $name})
    SET l.lock = true
    REMOVE l.lock
    WITH l, l.holder IS NULL OR l.holder = $holder OR l.expires_at < datetime() AS free
    FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
      SET l.holder = $holder, l.expires_at = datetime() + duration({milliseconds: $ms}))
    RETURN free
    """
    record = await (await tx.run(query, name=name, holder=holder, ms=int(seconds * 1000))).single(strict=True)
    return bool(record["free"])


async def release(tx: AsyncManagedTransaction, *, name: str, holder: str) -> None:
    query = "MATCH (l:Lease {name: $name, holder: $holder}) SET l.holder = null, l.expires_at = null"
    await (await tx.run(query, name=name, holder=holder)).consume()


async def pending(
    tx: AsyncManagedTransaction, *, consumer: str, limit: int, skip: list[str] | None = None
) -> list[Event]:
    """The oldest `limit` events the consumer does not have yet, by owner and sequence, but those of the
    owners in `skip`."""
    query = """
    MATCH (u:User) WHERE u.event_sequence IS NOT NULL AND NOT u.uid IN $skip
    OPTIONAL MATCH (c:Cursor {consumer: $consumer, owner: u.uid})
    WITH u, coalesce(c.sequence, 0) AS done WHERE u.event_sequence > done
    MATCH (e:Event {owner: u.uid}) WHERE e.sequence > done
    RETURN e {.uid, .owner, .sequence, .kind, .nodes} AS e
    ORDER BY e.owner, e.sequence LIMIT $limit
    """
    result = await tx.run(query, consumer=consumer, limit=limit, skip=skip or [])
    return [_event(native(record["e"])) async for record in result]


async def advance(tx: AsyncManagedTransaction, *, consumer: str, holder: str, done: dict[str, int]) -> bool:
    """Records that the consumer has every event up to done[owner] of each owner, if `holder` still holds
    its lease; a cursor never moves back. False (nothing written) when the lease was lost."""
    query = """
    OPTIONAL MATCH (l:Lease {name: $consumer, holder: $holder})
    WITH l WHERE l IS NOT NULL
    UNWIND keys($done) AS owner
    MERGE (c:Cursor {consumer: $consumer, owner: owner})
    SET c.sequence = CASE WHEN coalesce(c.sequence, 0) < $done[owner] THEN $done[owner] ELSE c.sequence END
    RETURN count(c) AS moved
    """
    result = await tx.run(query, consumer=consumer, holder=holder, done=done)
    record = await result.single()
    return record is not None and record["moved"] == len(done)


async def park(tx: AsyncManagedTransaction, *, uid: str, consumer: str) -> None:
    """Names the consumer on an event it set aside (one that kept failing there), for whoever looks."""
    query = """
    MATCH (e:Event {uid: $uid})
    SET e.parked_by = [name IN coalesce(e.parked_by, []) WHERE name <> $consumer] + $consumer
    """
    await (await tx.run(query, uid=uid, consumer=consumer)).consume()


async def cursors(tx: AsyncManagedTransaction, *, consumer: str) -> dict[str, int]:
    """Each owner's last sequence the consumer has."""
    query = "MATCH (c:Cursor {consumer: $consumer}) RETURN c.owner AS owner, c.sequence AS sequence"
    return {r["owner"]: r["sequence"] async for r in await tx.run(query, consumer=consumer)}


def _event(row: dict[str, Any]) -> Event:
    return Event(row["uid"], row["owner"], row["sequence"], row["kind"], tuple(row["nodes"] or ()))
