"""What each Event changed, as a delta a live client applies: the nodes it added, updated or removed
(with their current fields) and the links it added, updated or removed (type, ends, properties).

The log names nodes, not values, so a delta is read from the graph as it is now: one read transaction
per owner and batch of events (their Events, the nodes they name, the links they name). Reading the
present makes a delta idempotent, like every consumer of the log: replayed twice or late, it says what
the graph holds now, and a node gone since is a removed one. How a delta travels between instances (its
pub/sub channel and JSON) is wire/deltas.py's.

What each kind of event means here: "<Label>Created" adds its first node with every link it has (the
others it names are their ends); "<Label>Updated" updates its nodes; "<Label>Deleted" removes those
it deleted (with their links, which a client drops with a removed node) and updates the rest it names;
"<TYPE>Linked" adds (or, linked again, updates) the link of that type between its two nodes,
"<TYPE>Unlinked" removes it. The layout's "PositionsChanged" says where the nodes it names are now, as
compact placements (uid, x, y, z, community) rather than as updated nodes: it names tens of nodes after
each change, and only their places changed. Any other kind (LoggedOut, ...) updates the nodes it names.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import data_keys, sessions
from graph.events import APPLIED, POSITIONS_CHANGED, Change, EventKind
from graph.kinds import BY_LABEL, ENDS, joins, oriented
from graph.pages import Row
from graph.refs import Ref
from graph.rows import native

# The account's own nodes, which are no Kind: the viewer's User, API keys and sessions, with the fields
# their types show (graph/users.py, graph/api_keys.py, graph/sessions.py); never a password or key hash.
_ACCOUNT = {
    "User": (
        "MATCH (n:User {uid: $owner}) WHERE n.uid IN $uids",
        "n {.uid, .email, .name, .tier, .status, .created_at}",
    ),
    "ApiKey": (
        "MATCH (n:ApiKey {owner: $owner}) WHERE n.uid IN $uids",
        "n {.uid, .name, .prefix, .status, .created_at, .last_used_at, .expires_at, .revoked_at}",
    ),
    "Session": ("MATCH (n:Session {owner: $owner}) WHERE n.uid IN $uids", sessions.public("n")),
}
LABELS = frozenset(BY_LABEL) | frozenset(_ACCOUNT)
REPLAY_PAGE = 100


@dataclass(frozen=True)
class NodeChange:
    """A node an event touched: its fields now (None for a removed one)."""

    label: str
    uid: str
    properties: dict[str, Any] | None = None

    def row(self) -> Row:
        """The node as its domain's queries return it (JSON properties decoded, computed fields kept)."""
        kind = BY_LABEL.get(self.label)
        properties = self.properties or {"uid": self.uid}
        return kind.row(properties) if kind is not None else Row(native(properties))


@dataclass(frozen=True)
class LinkChange:
    """A relationship between two of the owner's nodes, with its properties."""

    type: str
    source: Ref
    target: Ref
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Placement:
    """Where the layout keeps a node now, and its community (None until the layout has reached it)."""

    label: str
    uid: str
    x: float
    y: float
    z: float
    community: int | None


@dataclass(frozen=True)
class Delta:
    """What one Event changed."""

    owner: str
    sequence: int
    kind: str
    at: datetime
    added: tuple[NodeChange, ...] = ()
    updated: tuple[NodeChange, ...] = ()
    removed: tuple[NodeChange, ...] = ()
    links_added: tuple[LinkChange, ...] = ()
    links_updated: tuple[LinkChange, ...] = ()
    links_removed: tuple[LinkChange, ...] = ()
    positions: tuple[Placement, ...] = ()  # the layout's moves (PositionsChanged)

    def touches(self, ref: Ref) -> bool:
        """Whether this delta concerns the node (as a node, or as an end of a link)."""
        return not self.about(ref).empty()

    def empty(self) -> bool:
        """Whether it says nothing of any node or link (all of it was left out by a filter)."""
        nodes = (*self.added, *self.updated, *self.removed, *self.positions)
        return not nodes and not (*self.links_added, *self.links_updated, *self.links_removed)

    def about(self, ref: Ref) -> "Delta":
        """The part of this delta that concerns one node."""
        return self._kept(
            lambda label, uid: (label, uid) == ref, lambda link: ref in (link.source, link.target)
        )

    def within(self, labels: frozenset[str]) -> "Delta":
        """The part of this delta about nodes of these labels, and the links that touch one."""
        return self._kept(
            lambda label, uid: label in labels,
            lambda link: link.source.label in labels or link.target.label in labels,
        )

    def only(self, labels: frozenset[str]) -> "Delta":
        """The part of this delta about nodes of these labels, and the links between two of them (what an
        API key limited to these kinds may hear of)."""
        return self._kept(
            lambda label, uid: label in labels,
            lambda link: link.source.label in labels and link.target.label in labels,
        )

    def without(self, refs: set[Ref]) -> "Delta":
        """This delta with nothing of these nodes: neither them nor a link touching one."""
        return self._kept(
            lambda label, uid: Ref(label, uid) not in refs,
            lambda link: link.source not in refs and link.target not in refs,
        )

    def _kept(self, node: Callable[[str, str], bool], link: Callable[[LinkChange], bool]) -> "Delta":
        def nodes(changes: tuple[NodeChange, ...]) -> tuple[NodeChange, ...]:
            return tuple(n for n in changes if node(n.label, n.uid))

        def links(changes: tuple[LinkChange, ...]) -> tuple[LinkChange, ...]:
            return tuple(x for x in changes if link(x))

        return Delta(
            self.owner,
            self.sequence,
            self.kind,
            self.at,
            nodes(self.added),
            nodes(self.updated),
            nodes(self.removed),
            links(self.links_added),
            links(self.links_updated),
            links(self.links_removed),
            tuple(p for p in self.positions if node(p.label, p.uid)),
        )


async def newest(tx: AsyncManagedTransaction, *, owner: str) -> int:
    """The owner's last event sequence (0 before any)."""
    query = "MATCH (u:User {uid: $owner}) RETURN coalesce(u.event_sequence, 0) AS sequence"
    record = await (await tx.run(query, owner=owner)).single()
    return record["sequence"] if record is not None else 0


async def deltas(
    tx: AsyncManagedTransaction, *, owner: str, after: int, until: int | None = None, limit: int = REPLAY_PAGE
) -> list[Delta]:
    """The deltas of the owner's events after `after` (up to `until`, at most `limit`), by sequence."""
    # Read-locked first: each event is read with its transaction's changes whole (APPLIED says why).
    query = f"""
    MATCH (u:User {{uid: $owner}}) {APPLIED}
    MATCH (e:Event {{owner: $owner}}) WHERE e.sequence > $after AND ($until IS NULL OR e.sequence <= $until)
    RETURN e.sequence AS sequence, e.kind AS kind, e.nodes AS nodes, e.at AS at, e.data AS data
    ORDER BY e.sequence LIMIT $limit
    """
    result = await tx.run(query, owner=owner, after=after, until=until, limit=limit)
    plans = [_Plan.of(record) async for record in result]
    wanted_nodes = {ref for plan in plans for ref in plan.reads()}
    wanted_links = {link for plan in plans for link in plan.linked}
    created = {ref for plan in plans for ref in plan.added}
    found_nodes = await _nodes(tx, owner, wanted_nodes)
    found_links = await _links(tx, owner, wanted_links, created)
    return [plan.delta(owner, found_nodes, found_links) for plan in plans]


# A link as the log names it: (type, source, target).
LinkKey = tuple[str, Ref, Ref]


@dataclass
class _Plan:
    """What one event says changed, before the graph is read."""

    sequence: int
    kind: str
    at: datetime
    added: list[Ref] = field(default_factory=list)
    updated: list[Ref] = field(default_factory=list)
    linked: list[LinkKey] = field(default_factory=list)  # added, or updated when it existed already
    relinked: bool = False
    unlinked: list[LinkKey] = field(default_factory=list)

    @classmethod
    def of(cls, record: Any) -> "_Plan":
        refs = [Ref.parse(text) for text in record["nodes"] or () if Ref.names_one(text)]
        plan = cls(record["sequence"], record["kind"], native(record["at"]))
        kind = EventKind.parse(plan.kind)
        if kind.change in _LINK_CHANGES and kind.subject in ENDS and len(refs) == 2:
            key = _oriented(kind.subject, refs[0], refs[1])
            if kind.change == Change.UNLINKED:
                plan.unlinked.append(key)
            else:
                plan.linked.append(key)
                plan.relinked = not _data(record["data"]).get("created", True)
        elif kind.change == Change.CREATED and refs:
            plan.added.append(refs[0])  # the others it names are the ends of its links
        else:
            # Deleted, Updated and any other kind alike: what is gone (or out of sight) comes out removed,
            # and what stays (the node a deleted Document was attached to) comes out updated.
            plan.updated = refs
        return plan

    def reads(self) -> list[Ref]:
        return [*self.added, *self.updated]

    def delta(
        self, owner: str, nodes: dict[Ref, dict[str, Any]], links: dict[LinkKey, dict[str, Any]]
    ) -> Delta:
        # A label this module does not know has no fields to show, and is left out.
        added = [_change(ref, nodes.get(ref)) for ref in self.added if _known(ref)]
        updated = [_change(ref, nodes.get(ref)) for ref in self.updated if _known(ref)]
        # What the event added or updated but is gone (or out of sight) now reads as removed.
        gone = [c for c in added + updated if c.properties is None]
        removed = gone
        present = [LinkChange(*key, links[key]) for key in self.linked if key in links]
        vanished = [LinkChange(*key) for key in self.linked if key not in links]
        if EventKind.parse(self.kind) == POSITIONS_CHANGED:
            placed = tuple(_placement(c) for c in updated if c.properties is not None)
            return Delta(owner, self.sequence, self.kind, self.at, removed=tuple(gone), positions=placed)
        # A node made by this event: every link it has now is one it did not have before.
        made = {Ref(change.label, change.uid) for change in added}
        joined = [LinkChange(*key, props) for key, props in links.items() if made & {key[1], key[2]}]
        return Delta(
            owner,
            self.sequence,
            self.kind,
            self.at,
            added=tuple(c for c in added if c.properties is not None),
            updated=tuple(c for c in updated if c.properties is not None),
            removed=tuple(dict.fromkeys(removed)),
            links_added=tuple(joined + ([] if self.relinked else present)),
            links_updated=tuple(present if self.relinked else []),
            links_removed=tuple([LinkChange(*key) for key in self.unlinked] + vanished),
        )


_LINK_CHANGES = (Change.LINKED, Change.UNLINKED)


def _oriented(rel: str, one: Ref, other: Ref) -> LinkKey:
    """The link from its source to its target, as the relationship type's ends say (graph/kinds.py)."""
    if oriented(rel, one.label, other.label) is False:
        return rel, other, one
    return rel, one, other


def _known(ref: Ref) -> bool:
    return ref.label in LABELS


def _placement(change: NodeChange) -> Placement:
    """Where a node the layout moved is kept (the layout keeps all of x, y and z at once)."""
    properties = change.properties or {}
    x, y, z = (float(properties.get(f"view_{axis}") or 0.0) for axis in "xyz")
    return Placement(change.label, change.uid, x, y, z, properties.get("view_community"))


def _change(ref: Ref, properties: dict[str, Any] | None) -> NodeChange:
    return NodeChange(ref.label, ref.uid, properties)


def _data(data: Any) -> dict[str, Any]:
    try:
        parsed = json.loads(data) if isinstance(data, str) else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


async def _nodes(tx: AsyncManagedTransaction, owner: str, refs: set[Ref]) -> dict[Ref, dict[str, Any]]:
    """The current properties of the owner's nodes named, in one statement: a branch per label."""
    by_label: dict[str, list[str]] = {}
    for label, uid in refs:
        if label in LABELS:  # only known labels reach the text of the query
            by_label.setdefault(label, []).append(uid)
    if not by_label:
        return {}
    branches: list[str] = []
    params: dict[str, Any] = {}
    for index, (label, uids) in enumerate(sorted(by_label.items())):
        params[f"uids_{index}"] = uids
        if label in BY_LABEL:
            kind = BY_LABEL[label]
            if kind.widened:  # a partner's node shared with the owner's couple reads too (its scope)
                match = f"MATCH (n:{label}) WHERE n.uid IN $uids_{index} AND {kind.scope()} {kind.joins}"
                match += f" WITH * WHERE {kind.visible}"
            else:
                match = f"MATCH (n:{label} {{owner: $owner}}) {kind.joins} WHERE n.uid IN $uids_{index}"
                match += f" AND {kind.visible}"
            projection = kind.projection
        else:
            match, projection = _ACCOUNT[label]
            match = match.replace("$uids", f"$uids_{index}")
        branches.append(f"{match} RETURN '{label}' AS label, n.uid AS uid, {projection} AS n")
    query = "CALL () { " + " UNION ALL ".join(branches) + " } RETURN label, uid, n"
    result = await tx.run(query, owner=owner, **params)
    found = {Ref(record["label"], record["uid"]): native(record["n"]) async for record in result}
    sealed = {label for label in by_label if label in BY_LABEL and BY_LABEL[label].sensitive}
    # A personal kind's are left out always; another's as the owner chose.
    hidden = {label for label in sealed if BY_LABEL[label].personal}
    if sealed - hidden and not await data_keys.shows_sensitive(tx, owner):
        hidden = sealed
    for ref, properties in found.items() if hidden else ():
        for name in BY_LABEL[ref.label].sensitive if ref.label in hidden else ():
            properties.pop(name, None)
    return found


async def _links(
    tx: AsyncManagedTransaction, owner: str, keys: set[LinkKey], around: set[Ref]
) -> dict[LinkKey, dict[str, Any]]:
    """The properties of the links named that exist now, and every link of the nodes `around`, in one
    statement: a branch per type and ends, and one per label around."""
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for rel, source, target in keys:
        if joins(rel, source.label, target.label):  # only the graph's own types reach the text
            groups.setdefault((rel, source.label, target.label), []).append(
                {"a": source.uid, "b": target.uid}
            )
    centers: dict[str, list[str]] = {}
    for label, uid in around:
        if label in BY_LABEL:
            centers.setdefault(label, []).append(uid)
    if not groups and not centers:
        return {}
    branches: list[str] = []
    params: dict[str, Any] = {"types": sorted(ENDS)}
    for index, ((rel, source_label, target_label), pairs) in enumerate(sorted(groups.items())):
        params[f"pairs_{index}"] = pairs
        branches.append(
            f"UNWIND $pairs_{index} AS p "
            f"MATCH (a:{source_label} {{uid: p.a, owner: $owner}})-[r:{rel}]->"
            f"(b:{target_label} {{uid: p.b, owner: $owner}}) "
            f"RETURN '{rel}' AS type, '{source_label}' AS source_label, p.a AS source, "
            f"'{target_label}' AS target_label, p.b AS target, properties(r) AS props"
        )
    for index, (label, uids) in enumerate(sorted(centers.items())):
        params[f"centers_{index}"] = uids
        branches.append(
            f"UNWIND $centers_{index} AS uid "
            f"MATCH (n:{label} {{uid: uid, owner: $owner}})-[r]-(m {{owner: $owner}}) "
            "WHERE type(r) IN $types "
            "WITH r, startNode(r) AS a, endNode(r) AS b "
            "RETURN type(r) AS type, labels(a)[0] AS source_label, a.uid AS source, "
            "labels(b)[0] AS target_label, b.uid AS target, properties(r) AS props"
        )
    query = (
        "CALL () { " + " UNION ALL ".join(branches) + " } "
        "RETURN type, source_label, source, target_label, target, props"
    )
    result = await tx.run(query, owner=owner, **params)
    found: dict[LinkKey, dict[str, Any]] = {}
    async for r in result:
        key = (r["type"], Ref(r["source_label"], r["source"]), Ref(r["target_label"], r["target"]))
        found[key] = native(r["props"])
    return found
