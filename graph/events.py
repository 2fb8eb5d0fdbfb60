"""The event log: every change writes its Event in the same transaction, numbered per owner.

An Event names the nodes it touched as "Label:uid" (a Relay global id, before its base64), so the
timeline of a node outlives the node.

The sequence is kept on the User node, so concurrent writes of one owner queue on that node's lock and
every Event gets the next number: no gaps, no repeats, never smaller than one before it.

The same statement marks the owner `dispatch_due` (indexed): the dispatcher reads its pending work from
the owners so marked, not from every user, and unmarks an owner once every consumer has its events
(graph/dispatcher.py).
"""

from dataclasses import dataclass
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from graph.pages import Condition, Page, Row, Rows
from graph.rows import native, sort_values_of

_FIELDS = "n {.uid, .sequence, .kind, .nodes, .at, .data}"
SORTS = {"sequence": "n.sequence"}


@dataclass(frozen=True)
class Event:
    """An Event as the dispatcher hands it to consumers."""

    uid: str
    owner: str
    sequence: int
    kind: str
    nodes: tuple[str, ...]


async def append(
    tx: AsyncManagedTransaction, owner: str, kind: str, nodes: list[str], data: str | None = None
) -> int:
    """Writes one Event in the caller's transaction; returns its sequence number."""
    return (await append_all(tx, owner, [(kind, nodes)], data))[0]


async def append_all(
    tx: AsyncManagedTransaction, owner: str, changes: list[tuple[str, list[str]]], data: str | None = None
) -> list[int]:
    """Writes an Event for each (kind, nodes) in one statement of the caller's transaction, numbered in
    order; returns their sequence numbers."""
    # The write lock on the User node is taken (by the first SET) before the sequence is read, so two
    # transactions of one owner can never read the same number.
    query = """
    MATCH (u:User {uid: $owner})
    SET u.event_lock = true
    WITH u, coalesce(u.event_sequence, 0) AS base
    SET u.event_sequence = base + size($changes), u.dispatch_due = true
    REMOVE u.event_lock
    WITH base
    UNWIND range(0, size($changes) - 1) AS i
    CREATE (e:Event {uid: $changes[i].uid, owner: $owner, sequence: base + i + 1, kind: $changes[i].kind,
                     nodes: $changes[i].nodes, data: $data, at: datetime()})
    RETURN collect(e.sequence) AS sequences
    """
    made = [(str(uuid4()), kind, list(nodes)) for kind, nodes in changes]
    rows = [{"uid": uid, "kind": kind, "nodes": nodes} for uid, kind, nodes in made]
    record = await (await tx.run(query, owner=owner, changes=rows, data=data)).single(strict=True)
    sequences: list[int] = record["sequences"]
    # Given to the dispatcher after the commit (graph/driver.py): it wakes the consumers of these kinds,
    # and may hand the events over without reading them back.
    appended = [
        Event(uid, owner, sequence, kind, tuple(nodes))
        for (uid, kind, nodes), sequence in zip(made, sequences, strict=True)
    ]
    tx.appended = [*getattr(tx, "appended", ()), *appended]  # type: ignore[attr-defined]
    return sequences


def condition(node: str | None = None, after_sequence: int | None = None) -> Condition:
    """Events that touched one node ("Label:uid"), and those after a sequence number."""
    return Condition.of(
        ("$node IN n.nodes", "node", node),
        ("n.sequence > $after_sequence", "after_sequence", after_sequence),
    )


async def page(tx: AsyncManagedTransaction, *, owner: str, where: Condition, page: Page) -> Rows:
    """A page of the owner's events, by sequence."""
    keyset, order, params = page.clauses("n.uid")
    query = f"""
    MATCH (n:Event {{owner: $owner}}) WHERE {where.text} AND {keyset}
    RETURN {_FIELDS} AS n, {page.sort_values} AS sort ORDER BY {order} LIMIT $page_limit
    """
    result = await tx.run(query, owner=owner, **where.params, **params)
    return Rows.of(
        [Row(native(record["n"]), sort_values_of(record["sort"])) async for record in result], page
    )


async def count(tx: AsyncManagedTransaction, *, owner: str, where: Condition) -> int:
    query = f"MATCH (n:Event {{owner: $owner}}) WHERE {where.text} RETURN count(n) AS total"
    return (await (await tx.run(query, owner=owner, **where.params)).single(strict=True))["total"]


async def by_uids(tx: AsyncManagedTransaction, *, owner: str, uids: list[str]) -> list[Row]:
    query = f"MATCH (n:Event {{owner: $owner}}) WHERE n.uid IN $uids RETURN {_FIELDS} AS n"
    return [Row(native(record["n"])) async for record in await tx.run(query, owner=owner, uids=uids)]
