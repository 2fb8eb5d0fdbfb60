"""The event log: every change writes an Event in its own transaction, numbered per owner.

An Event names the nodes it touched as "Label:uid" (a Relay global id, before its base64), so the
timeline of a node outlives the node.

The sequence is kept on the User node, so concurrent writes of one owner queue on that node's lock and
every Event gets the next number: no gaps, no repeats, never smaller than one before it.
"""

from typing import Any
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from graph.rows import native

_FIELDS = "e {.uid, .sequence, .kind, .nodes, .at, .data}"


async def append(
    tx: AsyncManagedTransaction, owner: str, kind: str, nodes: list[str], data: str | None = None
) -> int:
    """Writes one Event in the caller's transaction; returns its sequence number."""
    query = """
    MATCH (u:User {uid: $owner})
    SET u.event_sequence = coalesce(u.event_sequence, 0) + 1
    CREATE (e:Event {uid: $uid, owner: $owner, sequence: u.event_sequence, kind: $kind, nodes: $nodes,
                     data: $data, at: datetime()})
    RETURN e.sequence AS sequence
    """
    params = dict(owner=owner, uid=str(uuid4()), kind=kind, nodes=nodes, data=data)
    record = await (await tx.run(query, params)).single(strict=True)
    return record["sequence"]


async def after(tx: AsyncManagedTransaction, owner: str, sequence: int, limit: int) -> list[dict[str, Any]]:
    query = f"""
    MATCH (e:Event {{owner: $owner}}) WHERE e.sequence > $sequence
    RETURN {_FIELDS} AS event ORDER BY e.sequence LIMIT $limit
    """
    result = await tx.run(query, owner=owner, sequence=sequence, limit=limit)
    return [native(record["event"]) async for record in result]


async def of_node(
    tx: AsyncManagedTransaction, owner: str, ref: str, sequence: int, limit: int
) -> list[dict[str, Any]]:
    """The timeline of one node ("Label:uid"): the events that touched it, oldest first."""
    query = f"""
    MATCH (e:Event {{owner: $owner}}) WHERE $ref IN e.nodes AND e.sequence > $sequence
    RETURN {_FIELDS} AS event ORDER BY e.sequence LIMIT $limit
    """
    result = await tx.run(query, owner=owner, ref=ref, sequence=sequence, limit=limit)
    return [native(record["event"]) async for record in result]
