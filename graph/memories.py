"""Cypher for Memory nodes: who they involve, what they mention; short-term ones expire. And the
relations that reach memories."""

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from errors import NotFound
from graph import concepts, events, nodes
from graph.events import EventKind
from graph.kinds import MEMORY, RESTS_ON
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.properties import for_update
from graph.refs import Ref
from graph.traversals import Traversal

# The relations that reach memories.
OF_RECIPIENT = Traversal("Recipient", "(p)<-[:INVOLVES]-(n:Memory)", MEMORY)
OF_CONCEPT = Traversal("Concept", "(p)<-[:MENTIONS]-(n:Memory)", MEMORY)
REFERS_TO = "REFERS_TO"

# A memory's evidence and what it refers to, by the label of each (Memory.derivedFrom, .refersTo); and
# the memories derived from or referring to a node of each label (their `memories`, `referringMemories`).
DERIVED_FROM = Traversal.each(MEMORY, RESTS_ON, towards=False)
DERIVED = Traversal.each(MEMORY, RESTS_ON, towards=True)
REFERRED = Traversal.each(MEMORY, REFERS_TO, towards=False)
REFERRING = Traversal.each(MEMORY, REFERS_TO, towards=True)


def condition(
    kinds: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    recipient: str | None = None,
    concept: str | None = None,
    tag: str | None = None,
    skill: str | None = None,
    statuses: list[str] | None = None,
    merged: bool | None = None,
) -> Condition:
    """A list's filter. With no `statuses`, only what the viewer wrote or confirmed (MEMORY.listed)."""
    return Condition.of(
        ("n.status IN $statuses", "statuses", statuses or None),
        (MEMORY.listed, "listed", None if statuses else True),
        ("(n.merged_at IS NOT NULL) = $merged", "merged", merged),
        ("n.kind IN $kinds", "kinds", kinds),
        ("coalesce(n.happened_at, n.created_at) >= $since", "since", since),
        ("coalesce(n.happened_at, n.created_at) <= $until", "until", until),
        ("EXISTS { (n)-[:INVOLVES]->(:Recipient {uid: $recipient, owner: $owner}) }", "recipient", recipient),
        (
            "EXISTS { (n)-[:MENTIONS]->(:Concept {key: $concept, owner: $owner}) }",
            "concept",
            concepts.key_of(concept),
        ),
        ("$tag IN n.tags", "tag", tag),
        ("toLower(n.skill) = $skill", "skill", skill.lower() if skill else None),
    )


async def create(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    recipients: list[str],
    mentions: list[str],
    evidence: Sequence[Ref] = (),
    refers: Sequence[Ref] = (),
) -> Row:
    """The memory with whom it involves, what it mentions (concepts made where new), what it is derived
    from and what it refers to; NotFound (nothing written) when one of those is not the owner's."""
    links = [
        *(Link("INVOLVES", "Recipient", recipient) for recipient in recipients),
        *(Link(RESTS_ON, ref.label, ref.uid) for ref in dict.fromkeys(evidence)),
        *(Link(REFERS_TO, ref.label, ref.uid) for ref in dict.fromkeys(refers)),
    ]
    if values.get("proficiency") is not None:  # its skill history starts with its first level
        values = {**values, "proficiency_levels": [values["proficiency"]], "proficiency_dates": [_now()]}
    return await concepts.create_tagged(
        tx,
        MEMORY,
        owner=owner,
        uid=uid,
        values=values,
        links=links,
        rel="MENTIONS",
        names=mentions,
        concept_type="topic",
    )


async def expired(tx: AsyncManagedTransaction, *, now: datetime, limit: int) -> list[tuple[str, str]]:
    """Up to `limit` memories (owner, uid) whose time ran out by `now`, by owner: what the purge deletes."""
    query = """
    MATCH (n:Memory) WHERE n.expires_at <= $now
    RETURN n.owner AS owner, n.uid AS uid ORDER BY owner LIMIT $limit
    """
    return [(r["owner"], r["uid"]) async for r in await tx.run(query, now=now, limit=limit)]


async def purge(tx: AsyncManagedTransaction, *, owner: str, uids: list[str], now: datetime) -> int:
    """Deletes these memories of the owner that are still expired by `now` (with their links and what
    their kind cascades to), each with its Deleted event, as deleting it through the API would."""
    where = "n.uid IN $uids AND n.expires_at <= $now"
    deleted = await nodes.delete_where(tx, MEMORY, owner=owner, where=where, uids=uids, now=now)
    return len(deleted)


async def update(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    evidence: Sequence[Ref] | None = None,
    refers: Sequence[Ref] | None = None,
) -> Row:
    """Sets the given properties (None clears one), keeping the kind's rules; a new proficiency is
    appended to the skill history with the time; what it is derived from and refers to become exactly
    `evidence` and `refers` where given. NotFound if the memory is not the owner's."""
    # The first SET takes the node's write lock before its proficiency is read: of two changes at once,
    # each appends its own entry to the history, none is lost.
    query = f"""
    MATCH (n:Memory {{uid: $uid, owner: $owner}}) WHERE {MEMORY.visible}
    SET n.updated_at = datetime()
    WITH n, n.proficiency AS before
    SET n += $changes
    WITH n, before
    FOREACH (_ IN CASE WHEN n.proficiency IS NOT NULL AND n.proficiency <> coalesce(before, -1.0)
                  THEN [1] ELSE [] END |
      SET n.proficiency_levels = coalesce(n.proficiency_levels, []) + n.proficiency,
          n.proficiency_dates = coalesce(n.proficiency_dates, [])
                                + (datetime().epochSeconds * 1000000 + datetime().microsecond))
    RETURN n.uid AS uid, {MEMORY.broken} AS broken
    """
    changes = for_update(MEMORY.model, values)
    record = await (await tx.run(query, uid=uid, owner=owner, changes=changes)).single()
    if record is None:
        await nodes.refuse_not_authored(tx, MEMORY, owner=owner, uid=uid)
        raise NotFound("No Memory of yours has this id.", id=uid)
    await events.append(tx, owner, EventKind.updated(MEMORY.label), [Ref(MEMORY.label, uid)])
    for rel, targets in ((RESTS_ON, evidence), (REFERS_TO, refers)):
        if targets is not None:
            await nodes.relink(tx, MEMORY, owner=owner, uid=uid, rel=rel, targets=list(targets))
    # Its rules read its links too (a note refers to one node): checked once they are what was given.
    broken = record["broken"] if refers is None else await _broken(tx, owner, uid)
    MEMORY.refuse_broken(broken)
    rows = await nodes.by_uids(tx, MEMORY, owner=owner, uids=[uid])
    return rows[0]


async def _broken(tx: AsyncManagedTransaction, owner: str, uid: str) -> list[int]:
    query = f"MATCH (n:Memory {{uid: $uid, owner: $owner}}) RETURN {MEMORY.broken} AS broken"
    return (await (await tx.run(query, uid=uid, owner=owner)).single(strict=True))["broken"]


def _now() -> int:
    """Now, as the skill history keeps its times: microseconds since the epoch."""
    return time.time_ns() // 1000
