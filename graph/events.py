"""The event log: every change writes its Event in the same transaction, numbered per owner.

An Event names the nodes it touched as "Label:uid" (a Relay global id, before its base64), so the
timeline of a node outlives the node.

The sequence is kept on the User node, so concurrent writes of one owner queue on that node's lock and
every Event gets the next number: no gaps, no repeats, never smaller than one before it.

The same statement marks the owner `dispatch_due` (indexed): the dispatcher reads its pending work from
the owners so marked, not from every user, and unmarks an owner once every consumer has its events
(graph/dispatcher.py).
"""

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from graph.kind import MEMBER_OF, SHARED_WITH
from graph.kinds import BY_LABEL
from graph.pages import Condition, Page, Row, Rows
from graph.refs import Ref
from graph.rows import native, sort_values_of

_FIELDS = "n {.uid, .sequence, .kind, .nodes, .at, .data, .actor}"
SORTS = {"sequence": "n.sequence"}


class Change(StrEnum):
    """What an event did to its subject: a node of a label, or a link of a type."""

    CREATED = "Created"
    UPDATED = "Updated"
    DELETED = "Deleted"
    LINKED = "Linked"
    UNLINKED = "Unlinked"


# Longest first where one ends with another ("Unlinked" before "Linked").
_CHANGES = (Change.UNLINKED, Change.LINKED, Change.CREATED, Change.UPDATED, Change.DELETED)


@dataclass(frozen=True)
class EventKind:
    """An Event's kind: a subject (a label, or a link type) and its change, stored as "<subject><change>"
    ("GiftCreated", "INTENDED_FORLinked"); or, with no change, a name of its own ("PositionsChanged",
    "LoggedOut"). Writers build one with the constructors, readers `parse` the stored text."""

    subject: str
    change: Change | None = None

    def __str__(self) -> str:
        return self.subject + self.change if self.change is not None else self.subject

    @classmethod
    def created(cls, label: str) -> "EventKind":
        return cls(label, Change.CREATED)

    @classmethod
    def updated(cls, label: str) -> "EventKind":
        return cls(label, Change.UPDATED)

    @classmethod
    def deleted(cls, label: str) -> "EventKind":
        return cls(label, Change.DELETED)

    @classmethod
    def linked(cls, rel: str) -> "EventKind":
        return cls(rel, Change.LINKED)

    @classmethod
    def unlinked(cls, rel: str) -> "EventKind":
        return cls(rel, Change.UNLINKED)

    @classmethod
    def named(cls, name: str) -> "EventKind":
        """A kind that is no change of a subject: LoggedOut, PositionsChanged, ..."""
        return cls(name)

    @staticmethod
    def parse(text: str) -> "EventKind":
        """The kind a stored text names (the log holds a few dozen distinct ones: parsed once each)."""
        return _parse(text)


@cache
def _parse(text: str) -> EventKind:
    for change in _CHANGES:
        if text.endswith(change) and len(text) > len(change):
            return EventKind(text.removesuffix(change), change)
    return EventKind(text)


# The kinds of no subject's change, each written in one place.
USER_SIGNED_UP = EventKind.named("UserSignedUp")
LOGGED_OUT = EventKind.named("LoggedOut")
LOGGED_OUT_EVERYWHERE = EventKind.named("LoggedOutEverywhere")
POSITIONS_CHANGED = EventKind.named("PositionsChanged")  # the layout's (dispatch/layout.py)
CONFLICT_TRANSCRIBED = EventKind.named("ConflictTranscribed")
API_KEY_REVOKED = EventKind.named("ApiKeyRevoked")
OCCASION_UPCOMING = EventKind.named("OccasionUpcoming")  # the announcer's (dispatch/announce.py)
# What Kindred learned by itself (a consumer's or a scheduled job's write, no person's), naming the nodes
# it changed: the live deltas read each as an update of those nodes, as they read OccasionUpcoming. The
# consumers that derive from what a person wrote (embeddings, the layout, extraction, learning) pass over
# them: no text or link changed, and what is learned must never wake what learns.
MEMORY_FADED = EventKind.named("MemoryFaded")  # consolidation: memories whose importance faded away
MEMORY_REVIVED = EventKind.named("MemoryRevived")  # ... and faded ones that rose again
MEMORY_MERGED = EventKind.named("MemoryMerged")  # consolidation: near-duplicates and what they went into
RELATIONSHIP_SNAPSHOT = EventKind.named("RelationshipSnapshotTaken")  # history: a snapshot of KNOWS
LEARNED = frozenset({MEMORY_FADED, MEMORY_REVIVED, MEMORY_MERGED, RELATIONSHIP_SNAPSHOT})
LEARNED_NODES_PER_EVENT = 100  # a learned event names at most this many nodes (a delta a client can take)
LOGGED_IN = EventKind.named("LoggedIn")
SESSION_ENDED = EventKind.named("SessionEnded")
# Growth credited (graph/growth.py), naming the person and the cards credited: the live deltas read it as
# an update of those cards (their growth and evolution changed); no text or link changed, so what derives
# from those (embeddings, the layout) passes over it.
GROWTH_RECORDED = EventKind.named("GrowthRecorded")
# In a couple member's log, naming a node their partner shared with the couple (or shared until now) and
# just changed, shared, unshared or deleted: the one event of a log that names a node its owner did not
# author. The live deltas read it through its kind's scope (present while shared, else removed); what
# derives from the owner's own nodes (their vectors, their layout) passes over it.
SHARED_NODE_CHANGED = EventKind.named("SharedNodeChanged")

# Who makes the changes of the running task: "Session:<uid>" or "ApiKey:<uid>" (the credential of the
# request, set once it is confirmed: schema/admission.py), or "consumer:<name>" (around each delivery of
# the dispatcher: dispatch/runner.py). A context variable, not a parameter, so that every write, present
# and future, records its actor without being told; a write outside all of them is the system's.
SYSTEM_ACTOR = "system"
_ACTOR: ContextVar[str | None] = ContextVar("kindred_event_actor", default=None)


@contextmanager
def acting_as(actor: str | None) -> Iterator[None]:
    """The Events written inside name `actor` as whoever made them."""
    token = _ACTOR.set(actor)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def set_actor(actor: str | None) -> str | None:
    """Sets the actor for the rest of the running task (for hooks that cannot wrap it in a `with`);
    returns the one it replaces, to be set back."""
    previous = _ACTOR.get()
    _ACTOR.set(actor)
    return previous


def current_actor() -> str:
    return _ACTOR.get() or SYSTEM_ACTOR


@dataclass(frozen=True)
class Event:
    """An Event as the dispatcher hands it to consumers: in its stored form (`EventKind.parse` reads its
    kind, `Ref.parse` its nodes)."""

    uid: str
    owner: str
    sequence: int
    kind: str
    nodes: tuple[str, ...]
    # When it was written (seconds since the epoch): the dispatcher's lag is measured from it.
    at: float | None = field(default=None, compare=False)


# What an event is written with: its kind and nodes as types, or (as tests and tools write) as text.
Kind = EventKind | str
Nodes = Sequence[Ref | str]


async def append(
    tx: AsyncManagedTransaction, owner: str, kind: Kind, nodes: Nodes, data: str | None = None
) -> int:
    """Writes one Event in the caller's transaction; returns its sequence number."""
    return (await append_all(tx, owner, [(kind, nodes)], data))[0]


async def append_all(
    tx: AsyncManagedTransaction, owner: str, changes: Sequence[tuple[Kind, Nodes]], data: str | None = None
) -> list[int]:
    """Writes an Event for each (kind, nodes) in one statement of the caller's transaction, numbered in
    order; returns their sequence numbers.

    This is also the one place a couple member hears of a change they did not make: the same statement
    finds, of the nodes the events name, each that is shared with a couple (or shared through what it
    belongs to), and each other member of it gets a SharedNodeChanged naming those (their live stream
    reads them through their kind's scope: updated while shared, removed once not). A node is read as it
    is at this point of the transaction, so a write that ends a share or deletes a node appends its
    events before it does (graph/nodes.py's delete_where, graph/couples.py)."""
    sequences, told = await _written(tx, owner, changes, data, _named(changes))
    for member, refs in sorted(told.items()):
        await _written(tx, member, [(SHARED_NODE_CHANGED, sorted(refs))], None, {})
    return sequences


# The kinds of event that are no news to a partner: a partner's own (written here), and the layout's
# moves of the author's picture, which the partner's view does not draw by (graph/view.py).
_UNTOLD = frozenset({str(SHARED_NODE_CHANGED), str(POSITIONS_CHANGED)})
# The kinds a partner may read a node of (graph/kind.py's `widened`): only their nodes can be news.
_WIDENED = {label: kind for label, kind in BY_LABEL.items() if kind.widened}


def _named(changes: Sequence[tuple[Kind, Nodes]]) -> dict[str, list[str]]:
    """The uids, by label, of the nodes of widened kinds these changes name (those a partner may read)."""
    by_label: dict[str, set[str]] = {}
    for kind, nodes in changes:
        if str(kind) in _UNTOLD:
            continue
        for node in nodes:
            ref = node if isinstance(node, Ref) else Ref.parse(str(node))
            if ref.uid and ref.label in _WIDENED:
                by_label.setdefault(ref.label, set()).add(ref.uid)
    return {label: sorted(uids) for label, uids in sorted(by_label.items())}


def _told_branch(label: str, index: int) -> str:
    """A query body returning (member, "Label:uid") for each node of `label` named in $told_<index>
    that is shared (or, `shared_through`, shared through what it belongs to) with a couple, for each
    member of it other than the writer ($owner): whom its change is news to. The writer must be its
    author or a member of that couple, so no one's write ever reaches a couple it has no part in."""
    kind = _WIDENED[label]
    through = "MATCH " + kind.shared_through.replace("(n)", "(x)", 1) if kind.shared_through else ""
    shared = "via" if kind.shared_through else "x"
    return f"""UNWIND $told_{index} AS uid
      MATCH (x:{label} {{uid: uid}}) {through}
      MATCH ({shared})-[:{SHARED_WITH}]->(c:Couple)<-[:{MEMBER_OF}]-(m:User)
      WHERE m.uid <> $owner AND (x.owner = $owner OR EXISTS {{ (:User {{uid: $owner}})-[:{MEMBER_OF}]->(c) }})
      RETURN m.uid AS member, '{label}:' + x.uid AS ref"""


async def _written(
    tx: AsyncManagedTransaction,
    owner: str,
    changes: Sequence[tuple[Kind, Nodes]],
    data: str | None,
    named: dict[str, list[str]],
) -> tuple[list[int], dict[str, set[str]]]:
    """Writes the events; returns their sequence numbers and, of the `named` nodes (uids by label), those
    to tell each other couple member of (member -> "Label:uid"), found in the same statement: no round
    trip more for a write that names no shared node."""
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
                     nodes: $changes[i].nodes, data: $data, actor: $actor, at: datetime()})
    WITH collect(e.sequence) AS sequences
    """
    if named:
        branches = " UNION ".join(_told_branch(label, index) for index, label in enumerate(named))
        query += f"""OPTIONAL CALL () {{ {branches} }}
    RETURN sequences, collect(CASE WHEN member IS NOT NULL THEN [member, ref] END) AS told"""
    else:
        query += "RETURN sequences, [] AS told"
    made = [(str(uuid4()), str(kind), [str(node) for node in nodes]) for kind, nodes in changes]
    rows = [{"uid": uid, "kind": kind, "nodes": nodes} for uid, kind, nodes in made]
    params: dict[str, Any] = {"owner": owner, "changes": rows, "data": data, "actor": current_actor()}
    params |= {f"told_{index}": uids for index, uids in enumerate(named.values())}
    record = await (await tx.run(query, params)).single(strict=True)
    sequences: list[int] = record["sequences"]
    # Given to the dispatcher after the commit (graph/driver.py): it wakes the consumers of these kinds,
    # and may hand the events over without reading them back.
    written_at = time.time()
    appended = [
        Event(uid, owner, sequence, kind, tuple(nodes), written_at)
        for (uid, kind, nodes), sequence in zip(made, sequences, strict=True)
    ]
    tx.appended = [*getattr(tx, "appended", ()), *appended]  # type: ignore[attr-defined]
    told: dict[str, set[str]] = {}
    for member, ref in record["told"]:
        told.setdefault(member, set()).add(ref)
    return sequences, told


async def append_learned(
    tx: AsyncManagedTransaction, owner: str, kind: EventKind, nodes: Sequence[Ref]
) -> None:
    """Events of a LEARNED kind naming these nodes, at most LEARNED_NODES_PER_EVENT each (none for none),
    in the caller's transaction."""
    step = LEARNED_NODES_PER_EVENT
    chunks = [nodes[start : start + step] for start in range(0, len(nodes), step)]
    if chunks:
        await append_all(tx, owner, [(kind, chunk) for chunk in chunks])


def condition(node: Ref | None = None, after_sequence: int | None = None) -> Condition:
    """Events that touched one node, and those after a sequence number."""
    return Condition.of(
        ("$node IN n.nodes", "node", None if node is None else str(node)),
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
