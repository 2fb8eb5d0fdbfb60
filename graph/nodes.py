"""The shared machinery for the nodes a user owns, whatever their label: read, page, create, update,
delete and link them, given the `Kind` declared for its label (graph/kinds.py).

Labels and relationship types come only from those declarations (Cypher cannot take them as
parameters); every value travels as a parameter, and every
match carries the owner.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from errors import BadUserInput, Forbidden, NotFound, OutOfScope
from graph import events
from graph.events import EventKind
from graph.kind import Kind, Reads
from graph.kinds import BY_LABEL, RELATIONS, relation
from graph.pages import Condition, Page, Row, Rows
from graph.properties import for_create, for_update
from graph.refs import Ref


@dataclass(frozen=True)
class Link:
    """A relationship to make from (or, not outgoing, to) a node: to another node of the same owner."""

    rel: str
    label: str
    uid: str
    outgoing: bool = True
    props: dict[str, Any] = field(default_factory=dict)

    def pattern(self) -> str:
        """(n) is the node linked from, (m) the other end, [r] the relationship."""
        if not any(self.label in (r.source, r.target) for r in RELATIONS if r.type == self.rel):
            raise ValueError(f"not a relationship of the graph: {self.rel} with {self.label}")
        return f"(n)-[r:{self.rel}]->(m)" if self.outgoing else f"(m)-[r:{self.rel}]->(n)"


async def create(
    tx: AsyncManagedTransaction,
    kind: Kind,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    links: Iterable[Link] = (),
    event: bool = True,
) -> Row:
    """Creates the node and its links in one statement of the caller's transaction; NotFound (so nothing
    is kept) when a linked node is not the owner's. Writes its Event unless the caller writes one."""
    links = list(links)
    for link in links:
        check(kind.label, link)
    props = for_create(kind.model, {**values, "uid": uid, "owner": owner})
    linking, params = _linking(links)
    query = f"""
    CREATE (n:{kind.label}) SET n = $props, n.created_at = datetime(), n.updated_at = datetime()
    {linking}
    RETURN {kind.projection} AS n, {kind.broken} AS broken, [{", ".join(params)}] AS linked
    """
    record = await (await tx.run(query, props=props, owner=owner, **params)).single(strict=True)
    _refuse_missing(kind.label, record["linked"], params)
    kind.refuse_broken(record["broken"])
    if event:
        await events.append(tx, owner, EventKind.created(kind.label), [Ref(kind.label, uid), *refs(links)])
    return kind.row(record["n"])


def _linking(links: list[Link]) -> tuple[str, dict[str, Any]]:
    """CALL subqueries that link `n` to each group of nodes (one per relationship type and direction),
    and the uids of each group as parameters; each subquery counts the nodes it found."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    key = attrgetter("rel", "label", "outgoing")
    for index, (_, grouped) in enumerate(groupby(sorted(links, key=key), key=key)):
        group = list(grouped)
        first = group[0]
        name = f"link_{index}"
        carried = "".join(f", {earlier}" for earlier in params)
        params[name] = [{"uid": link.uid, "props": link.props} for link in group]
        parts.append(f"""
    WITH n{carried}
    CALL (n) {{
      UNWIND ${name} AS link
      MATCH (m:{first.label} {{uid: link.uid, owner: $owner}})
      MERGE {first.pattern()}
      SET r += link.props
      RETURN count(DISTINCT m) AS {name}
    }}""")
    return "".join(parts), params


def _refuse_missing(label: str, linked: list[int], params: dict[str, Any]) -> None:
    for found, group in zip(linked, params.values(), strict=True):
        uids = sorted({item["uid"] for item in group})
        if found < len(uids):
            raise NotFound(f"Not every node linked to this {label} is one of yours.", ids=uids)


def refs(links: list[Link]) -> list[Ref]:
    """The other ends of links, each once."""
    return list(dict.fromkeys(Ref(link.label, link.uid) for link in links))


async def update(
    tx: AsyncManagedTransaction, kind: Kind, *, owner: str, uid: str, values: dict[str, Any]
) -> Row:
    """Sets the given properties (None clears one), keeping the label's invariants; NotFound if the
    node is not the owner's."""
    query = f"""
    {kind.changeable()} WITH n {kind.joins} WHERE {kind.visible}
    SET n += $changes, n.updated_at = datetime()
    RETURN {kind.projection} AS n, {kind.broken} AS broken
    """
    changes = for_update(kind.model, values)
    try:
        record = await (await tx.run(query, uid=uid, owner=owner, changes=changes)).single()
    except ConstraintError as error:
        raise BadUserInput(f"Another {kind.label} of yours already has this name.", field="name") from error
    if record is None:
        await refuse_not_authored(tx, kind, owner=owner, uid=uid)
        raise NotFound(f"No {kind.label} of yours has this id.", id=uid)
    kind.refuse_broken(record["broken"])
    await events.append(tx, owner, EventKind.updated(kind.label), [Ref(kind.label, uid)])
    return kind.row(record["n"])


async def delete(
    tx: AsyncManagedTransaction, kind: Kind, *, owner: str, uid: str, within: frozenset[str] | None = None
) -> list[str]:
    """Deletes the node and what belonged only to it (its kind's cascade); returns every node deleted
    as "Label:uid". OutOfScope (nothing deleted) when the cascade reaches a kind outside `within` (the
    kinds an API key may write; None: every kind)."""
    deleted = await delete_where(tx, kind, owner=owner, where="n.uid = $uid", within=within, uid=uid)
    if not deleted:
        await refuse_not_authored(tx, kind, owner=owner, uid=uid)
        raise NotFound(f"No {kind.label} of yours has this id.", id=uid)
    return deleted[0]


async def delete_where(
    tx: AsyncManagedTransaction,
    kind: Kind,
    *,
    owner: str,
    where: str,
    within: frozenset[str] | None = None,
    **params: Any,
) -> list[list[str]]:
    """Deletes the owner's nodes of `kind` for which `where` (Cypher on `n`) holds, each with what its
    cascade takes, and writes a Deleted event for each; returns what each names ("Label:uid", the node
    first). The events are written before the nodes go, while what was shared with a couple still is:
    that is how the partner hears of it (graph/events.py)."""
    query = f"""
    MATCH (n:{kind.label} {{owner: $owner}}) WHERE {where}
    SET n.delete_lock = true  // its write lock before its cascade is read
    REMOVE n.delete_lock
    {kind.deletes}
    WITH n, [x IN collect(DISTINCT d) WHERE x IS NOT NULL AND x.owner = $owner] AS owned
    RETURN ["{kind.label}:" + n.uid] + [x IN owned | labels(x)[0] + ":" + x.uid] AS refs,
           [elementId(n)] + [x IN owned | elementId(x)] AS ids
    """
    found = [(record["refs"], record["ids"]) async for record in await tx.run(query, owner=owner, **params)]
    if not found:
        return []
    refuse_outside(within, [ref for refs, _ in found for ref in refs])
    await events.append_all(tx, owner, [(EventKind.deleted(kind.label), refs) for refs, _ in found])
    ids = list(dict.fromkeys(element for _, elements in found for element in elements))
    gone = "UNWIND $ids AS id MATCH (x) WHERE elementId(x) = id DETACH DELETE x"
    await (await tx.run(gone, ids=ids)).consume()
    return [refs for refs, _ in found]


def refuse_outside(within: frozenset[str] | None, refs: list[str]) -> None:
    """OutOfScope when a delete would take nodes of a kind outside `within`: raised before anything is
    written, so the transaction is rolled back whole. What is no kind (a series' buckets) goes with its
    node."""
    if within is None:
        return
    reached = {ref.split(":", 1)[0] for ref in refs} & BY_LABEL.keys()
    outside = sorted(reached - within)
    if outside:
        raise OutOfScope(
            "This API key may not delete this: what goes with it holds kinds it may not write.", kinds=outside
        )


async def link(tx: AsyncManagedTransaction, label: str, *, owner: str, uid: str, to: Link) -> None:
    """Links two of the owner's nodes (once: linking again sets the properties); NotFound otherwise."""
    query = f"""
    MATCH (n:{label} {{uid: $uid, owner: $owner}})
    MATCH (m:{to.label} {{uid: $other, owner: $owner}})
    WITH n, m, NOT EXISTS {{ MATCH {to.pattern()} }} AS created
    MERGE {to.pattern()}
    SET r += $props
    REMOVE r.auto  // a link a client makes is its own: the mentions consumer never removes it
    RETURN count(r) AS linked, created
    """
    check(label, to)
    record = await (await tx.run(query, uid=uid, owner=owner, other=to.uid, props=to.props)).single()
    if record is None or record["linked"] == 0:
        raise NotFound(f"No {label} and {to.label} of yours have these ids.", ids=[uid, to.uid])
    # Whether the link is new or was linked again: live clients tell an added link from an updated one.
    data = json.dumps({"created": record["created"]})
    ends = [Ref(label, uid), Ref(to.label, to.uid)]
    await events.append(tx, owner, EventKind.linked(to.rel), ends, data)
    await _after(tx, label, owner, uid, to)


async def unlink(tx: AsyncManagedTransaction, label: str, *, owner: str, uid: str, to: Link) -> bool:
    query = f"""
    MATCH {to.pattern()}
    WHERE n:{label} AND n.uid = $uid AND n.owner = $owner
      AND m:{to.label} AND m.uid = $other AND m.owner = $owner
    DELETE r
    RETURN count(r) AS removed
    """
    check(label, to)
    record = await (await tx.run(query, uid=uid, owner=owner, other=to.uid)).single(strict=True)
    if record["removed"]:
        ends = [Ref(label, uid), Ref(to.label, to.uid)]
        await events.append(tx, owner, EventKind.unlinked(to.rel), ends)
        await _after(tx, label, owner, uid, to)
    return bool(record["removed"])


async def _after(tx: AsyncManagedTransaction, label: str, owner: str, uid: str, to: Link) -> None:
    """What the relation keeps true besides the link itself (its `after`), in the same transaction."""
    source, target = (label, to.label) if to.outgoing else (to.label, label)
    declared = relation(to.rel, source, target)
    if declared is not None and declared.after is not None:
        ends = (uid, to.uid) if to.outgoing else (to.uid, uid)
        await declared.after(tx, owner=owner, source=ends[0], target=ends[1])


async def relink(
    tx: AsyncManagedTransaction, kind: Kind, *, owner: str, uid: str, rel: str, targets: list[Ref]
) -> None:
    """Makes the node's links of type `rel` exactly those to `targets` (each of the owner's nodes, else
    NotFound): removes the others and makes the missing, with an Event for each link made or removed."""
    links = [Link(rel, target.label, target.uid) for target in dict.fromkeys(targets)]
    for link in links:
        check(kind.label, link)
    node = f"(n:{kind.label} {{uid: $uid, owner: $owner}})"
    had_query = f"MATCH {node}-[:{rel}]->(m) RETURN collect(labels(m)[0] + ':' + m.uid) AS had"
    had = set((await (await tx.run(had_query, uid=uid, owner=owner)).single(strict=True))["had"])
    keep = {str(target) for target in targets}
    removed = sorted(had - keep)
    if removed:
        query = f"MATCH {node}-[r:{rel}]->(m) WHERE labels(m)[0] + ':' + m.uid IN $removed DELETE r"
        await (await tx.run(query, uid=uid, owner=owner, removed=removed)).consume()
    if links:
        linking, params = _linking(links)
        query = f"MATCH {node} {linking} RETURN [{', '.join(params)}] AS linked"
        record = await (await tx.run(query, uid=uid, owner=owner, **params)).single(strict=True)
        _refuse_missing(kind.label, record["linked"], params)
    source = Ref(kind.label, uid)
    made = [ref for ref in refs(links) if str(ref) not in had]
    added = [(EventKind.linked(rel), [source, ref]) for ref in made]
    if added:
        await events.append_all(tx, owner, added, json.dumps({"created": True}))
    if removed:
        await events.append_all(tx, owner, [(EventKind.unlinked(rel), [source, gone]) for gone in removed])


async def by_uids(tx: AsyncManagedTransaction, kind: Kind, *, owner: str, uids: list[str]) -> list[Row]:
    if kind.widened:  # found by uid, then scoped: the owner's or shared with the viewer's couple
        match = f"MATCH (n:{kind.label}) WHERE n.uid IN $uids AND {kind.scope()} {kind.joins}"
        query = f"{match} WITH * WHERE {kind.visible} RETURN collect({kind.projection}) AS rows"
    else:
        query = f"""
    MATCH (n:{kind.label} {{owner: $owner}}) {kind.joins} WHERE n.uid IN $uids AND {kind.visible}
    RETURN collect({kind.projection}) AS rows
    """
    record = await (await tx.run(query, owner=owner, uids=uids)).single(strict=True)
    return [kind.row(node) for node in record["rows"]]


async def page(
    tx: AsyncManagedTransaction, kind: Kind, *, owner: str, where: Condition, page: Page, reads: Reads = None
) -> Rows:
    """One keyset page of the owner's nodes of `kind` that `where` holds for, each projected to what
    the selection `reads` (every property when None)."""
    keyset, order, params = page.clauses("n.uid")
    query = f"""
    {kind.scoped} {kind.joins}
    WHERE {where.text} AND {keyset} AND {kind.visible}
    WITH * ORDER BY {order} LIMIT $page_limit
    RETURN collect([{kind.projection_of(reads)}, {page.sort_values}]) AS rows
    """
    record = await (await tx.run(query, owner=owner, **where.params, **params)).single(strict=True)
    return Rows.of([kind.row(*row) for row in record["rows"]], page)


async def count(tx: AsyncManagedTransaction, kind: Kind, *, owner: str, where: Condition) -> int:
    query = f"""
    {kind.scoped} {kind.joins} WHERE {where.text} AND {kind.visible}
    RETURN count(n) AS total
    """
    return (await (await tx.run(query, owner=owner, **where.params)).single(strict=True))["total"]


async def refuse_not_authored(tx: AsyncManagedTransaction, kind: Kind, *, owner: str, uid: str) -> None:
    """Forbidden when the viewer may read the node (a partner shared it with them) but did not author
    it: only its author changes or deletes what they shared. Else nothing (the caller's NotFound)."""
    if not kind.shareable:
        return
    query = f"MATCH (n:{kind.label} {{uid: $uid}}) WHERE {kind.scope()} RETURN n.owner = $owner AS own"
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    if record is not None and not record["own"]:
        raise Forbidden(
            f"This {kind.label} was shared with you by your partner: only its author changes it.", id=uid
        )


def check(label: str, link: Link) -> None:
    """A link from a node of `label` must join labels a relation is declared between, that way round
    (one the view does not draw too: a memory DERIVED_FROM a document)."""
    ends = (label, link.label) if link.outgoing else (link.label, label)
    if relation(link.rel, *ends) is None:
        raise ValueError(f"{link.rel} does not join {ends[0]} to {ends[1]}")
