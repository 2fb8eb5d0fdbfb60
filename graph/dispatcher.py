"""The Cypher of the dispatcher: what each consumer has done, what is pending for it, and its lease.

Progress is a (:Cursor {consumer, owner, sequence}) node per consumer and owner: the last event sequence
of that owner the consumer has. Events are numbered per owner without gaps, so "after the cursor" is
exactly what is pending, and the cursor survives a restart with the graph.

Pending work is found from the owners marked `dispatch_due` (indexed; set when an event is appended,
graph/events.py), never from every user: an owner stays marked until every consumer's cursor has its
last event. "Every consumer" is every Lease: a consumer seen for the first time (enlist) marks every
owner with events due, so it gets the whole log, as a new derived store must. A consumer taken out of
service for good must have its Lease deleted, or the owners it leaves behind stay marked.

A (:Lease {name}) node per consumer says which instance may deliver to it until when: an instance
delivers only while it holds the lease, and moves a cursor only in a transaction that sees it still
holds it, so two instances never deliver the same event at once and a stale holder cannot move progress.
"""

from typing import Any

from neo4j import AsyncManagedTransaction

from graph.events import APPLIED, Event
from graph.rows import native

# A consumer is known by its Lease. One seen for the first time has every owner's whole log pending: each
# owner with events is marked due (once per new consumer: a pass over the users).
_NEW_CONSUMER = "MATCH (u:User) WHERE u.event_sequence IS NOT NULL SET u.dispatch_due = true"


# Whether some known consumer has not had every event of the owner `u` yet.
_BEHIND = """EXISTS {
      MATCH (l:Lease)
      WHERE coalesce(COLLECT { MATCH (c:Cursor {consumer: l.name, owner: u.uid}) RETURN c.sequence }[0], 0)
            < coalesce(u.event_sequence, 0)
    }"""


async def resweep(tx: AsyncManagedTransaction) -> None:
    """Makes the marks true of every owner, whatever wrote them (at an instance's start: a pass over the
    users): due where some consumer is behind, as an instance of an earlier version appends without the
    mark during a rolling deploy; not due where every consumer has the whole log, as a log emptied since
    (a demo started afresh) would leave its owner marked for good. Each owner is locked before it is read,
    as an append locks it, so a mark an append sets meanwhile stays; only owners whose mark changes are
    written."""
    query = f"""
    MATCH (u:User) WHERE u.event_sequence IS NOT NULL OR u.dispatch_due IS NOT NULL
    WITH u WHERE {_BEHIND} <> coalesce(u.dispatch_due, false)
    CALL (u) {{
      SET u.dispatch_lock = true
      REMOVE u.dispatch_lock
      SET u.dispatch_due = CASE WHEN {_BEHIND} THEN true END
    }}
    """
    await (await tx.run(query)).consume()


async def enlist(tx: AsyncManagedTransaction, *, name: str) -> None:
    """Makes the consumer known (its Lease, held by nobody yet), before it looks for pending events."""
    query = """
    MERGE (l:Lease {name: $name})
    ON CREATE SET l.created = true
    WITH l, l.created IS NOT NULL AS created
    REMOVE l.created
    RETURN created
    """
    if (await (await tx.run(query, name=name)).single(strict=True))["created"]:
        await (await tx.run(_NEW_CONSUMER)).consume()


async def acquire(tx: AsyncManagedTransaction, *, name: str, holder: str, seconds: float) -> bool:
    """Takes or renews the lease of `name` for `seconds` if it is free, expired or already `holder`'s."""
    # The first SET takes the node's write lock before its holder is read, so of two instances racing
    # for a free lease the second reads what the first wrote.
    query = """
    MERGE (l:Lease {name: $name})
    ON CREATE SET l.created = true
    SET l.lock = true
    REMOVE l.lock
    WITH l, l.created IS NOT NULL AS created,
         l.holder IS NULL OR l.holder = $holder OR l.expires_at < datetime() AS free
    REMOVE l.created
    FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
      SET l.holder = $holder, l.expires_at = datetime() + duration({milliseconds: $ms}))
    RETURN free, created
    """
    record = await (await tx.run(query, name=name, holder=holder, ms=int(seconds * 1000))).single(strict=True)
    if record["created"]:  # enlisted meanwhile, and its Lease deleted since
        await (await tx.run(_NEW_CONSUMER)).consume()
    return bool(record["free"])


async def release(tx: AsyncManagedTransaction, *, name: str, holder: str) -> None:
    query = "MATCH (l:Lease {name: $name, holder: $holder}) SET l.holder = null, l.expires_at = null"
    await (await tx.run(query, name=name, holder=holder)).consume()


async def pending(
    tx: AsyncManagedTransaction, *, consumer: str, limit: int, skip: list[str] | None = None
) -> list[Event]:
    """The oldest `limit` events the consumer does not have yet, by owner and sequence, of the owners
    marked due but those in `skip`. Every kind: the consumer passes over those it does not handle."""
    # Both hinted: without them the planner may scan every User by uid, or every event of an owner.
    # The owner's node is read-locked first (APPLIED, in graph/events.py, says why), owners in uid order
    # as `advance` write-locks them, so the two never wait on each other in a cycle.
    query = f"""
    MATCH (u:User) USING INDEX u:User(dispatch_due) WHERE u.dispatch_due = true AND NOT u.uid IN $skip
    WITH u ORDER BY u.uid
    {APPLIED}
    OPTIONAL MATCH (c:Cursor {{consumer: $consumer, owner: u.uid}})
    WITH u, coalesce(c.sequence, 0) AS done WHERE u.event_sequence > done
    MATCH (e:Event {{owner: u.uid}}) USING INDEX e:Event(owner, sequence) WHERE e.sequence > done
    RETURN e {{.uid, .owner, .sequence, .kind, .nodes, at: e.at.epochMillis}} AS e
    ORDER BY e.owner, e.sequence LIMIT $limit
    """
    result = await tx.run(query, consumer=consumer, limit=limit, skip=skip or [])
    rows = [native(record["e"]) async for record in result]
    return [_event(row) for row in rows]


def _event(row: dict[str, Any]) -> Event:
    at = row["at"] / 1000 if row["at"] is not None else None
    return Event(row["uid"], row["owner"], row["sequence"], row["kind"], tuple(row["nodes"] or ()), at)


async def advance(
    tx: AsyncManagedTransaction, *, holder: str, moves: dict[str, dict[str, int]]
) -> dict[str, dict[str, int] | None]:
    """Records, for each consumer whose lease `holder` still holds, that it has every event up to
    moves[consumer][owner] of each owner (a cursor never moves back), and unmarks the owners every
    consumer now has whole. Returns each consumer's cursors as they now are; None for a consumer whose
    lease was lost (nothing written for it). Several consumers in one transaction: one commit for the
    cursors a commit's events moved, not one per consumer."""
    query = """
    UNWIND keys($moves) AS consumer
    WITH consumer ORDER BY consumer
    OPTIONAL MATCH (l:Lease {name: consumer, holder: $holder})
    WITH consumer, l WHERE l IS NOT NULL
    CALL (consumer) {
      UNWIND keys($moves[consumer]) AS owner
      MERGE (c:Cursor {consumer: consumer, owner: owner})
      SET c.sequence = CASE WHEN coalesce(c.sequence, 0) < $moves[consumer][owner]
                            THEN $moves[consumer][owner] ELSE c.sequence END
      RETURN collect([owner, c.sequence]) AS cursors
    }
    RETURN consumer, cursors
    """
    result = await tx.run(query, holder=holder, moves=moves)
    moved: dict[str, dict[str, int] | None] = dict.fromkeys(moves)
    async for record in result:
        moved[record["consumer"]] = {owner: sequence for owner, sequence in record["cursors"]}
    owners = sorted({owner for cursors in moved.values() if cursors for owner in cursors})
    # The owner's node is locked (by the first SET) before the other cursors and its last sequence are
    # read: an append (which takes the same lock) lands before or after, never in between, and of two
    # consumers catching up at once the second sees the first's cursor. In owner order, so two such
    # transactions lock owners in the same order.
    unmark = """
    UNWIND $owners AS owner
    MATCH (u:User {uid: owner}) WHERE u.dispatch_due = true
    SET u.dispatch_lock = true
    REMOVE u.dispatch_lock
    WITH u WHERE NOT EXISTS {
      MATCH (l:Lease) WHERE NOT EXISTS {
        MATCH (c:Cursor {consumer: l.name, owner: u.uid}) WHERE c.sequence >= u.event_sequence
      }
    }
    REMOVE u.dispatch_due
    """
    if owners:
        await (await tx.run(unmark, owners=owners)).consume()
    return moved


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


async def owners_due(tx: AsyncManagedTransaction) -> int:
    """How many owners have an event some consumer has not had yet: none once the dispatcher is idle."""
    query = "MATCH (u:User) WHERE u.dispatch_due = true RETURN count(u) AS due"
    return int((await (await tx.run(query)).single(strict=True))["due"])
