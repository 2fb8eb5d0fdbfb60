"""Cypher for Memory nodes: who they involve, what they mention; short-term ones expire. And the
relations that reach memories."""

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import concepts, events
from graph.events import EventKind
from graph.kinds import MEMORY
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.traversals import Traversal

# The relations that reach memories.
OF_RECIPIENT = Traversal("Recipient", "(p)<-[:INVOLVES]-(n:Memory)", MEMORY)
OF_CONCEPT = Traversal("Concept", "(p)<-[:MENTIONS]-(n:Memory)", MEMORY)


def condition(
    kinds: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    recipient: str | None = None,
    concept: str | None = None,
    tag: str | None = None,
) -> Condition:
    return Condition.of(
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
    )


async def create(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    recipients: list[str],
    mentions: list[str],
) -> Row:
    links = [Link("INVOLVES", "Recipient", recipient) for recipient in recipients]
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
    query = f"""
    MATCH (n:Memory {{owner: $owner}}) WHERE n.uid IN $uids AND n.expires_at <= $now
    {MEMORY.deletes}
    WITH n, [x IN collect(DISTINCT d) WHERE x IS NOT NULL AND x.owner = $owner] AS owned
    WITH n, owned, ["Memory:" + n.uid] + [x IN owned | labels(x)[0] + ":" + x.uid] AS refs
    FOREACH (x IN owned | DETACH DELETE x)
    DETACH DELETE n
    RETURN refs
    """
    result = await tx.run(query, owner=owner, uids=uids, now=now)
    deleted = [record["refs"] async for record in result]
    if deleted:
        await events.append_all(tx, owner, [(EventKind.deleted(MEMORY.label), refs) for refs in deleted])
    return len(deleted)
