"""Cypher for the nodes a user owns, whatever their label: create with links, update, delete, read, page.

Labels and relationship types come only from the whitelists below (Cypher cannot take them as
parameters); every value travels as a parameter, and every match carries the owner.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from errors import BadUserInput, NotFound
from graph import events
from graph.models import Concept, Conflict, Gift, GiftOutcome, Memory, Occasion, Recipient
from graph.occasions import NEXT_OCCURRENCE
from graph.pages import Condition, Page, Rows
from graph.properties import for_create, for_update, from_graph
from graph.rows import native

MODELS: dict[str, Any] = {
    "Occasion": Occasion,
    "Concept": Concept,
    "Gift": Gift,
    "GiftOutcome": GiftOutcome,
    "Memory": Memory,
    "Conflict": Conflict,
    "Recipient": Recipient,
}
# How concepts relate to each other (seed 004's knowledge graph).
CONCEPT_LINKS = (
    "RELATED_TO",
    "PART_OF",
    "EVOLVED_FROM",
    "INSPIRED_BY",
    "CONTRADICTS",
    "SUPPORTS",
    "REFERENCES",
)
# Each relationship type and the labels it joins, from and to.
ENDS = {
    "HAS_OCCASION": ("Recipient", "Occasion"),
    "INTENDED_FOR": ("Gift", "Recipient"),
    "GIVEN_FOR": ("Gift", "Occasion"),
    "HAS_OUTCOME": ("Gift", "GiftOutcome"),
    "SIMILAR_TO": ("Gift", "Gift"),
    "COMPLEMENTS": ("Gift", "Gift"),
    "INTERESTED_IN": ("Recipient", "Concept"),
    "TAGGED_WITH": ("Gift", "Concept"),
    "MENTIONS": ("Memory", "Concept"),
    "ABOUT": ("Conflict", "Concept"),
    "INVOLVES": ("Memory", "Recipient"),
    "WITH": ("Conflict", "Recipient"),
    **dict.fromkeys(CONCEPT_LINKS, ("Concept", "Concept")),
}
RELATIONSHIPS = frozenset(ENDS)
# What is computed, not stored, and read with every node of a label.
_COMPUTED = {
    "Occasion": f"next_occurrence: {NEXT_OCCURRENCE}",
    "Gift": "gave: [(:User {uid: n.owner})-[v:GAVE]->(n) | properties(v)][0]",
}
# What of a label is out of sight: short-term memories past their time.
VISIBLE = {"Memory": "(n.expires_at IS NULL OR n.expires_at > datetime())"}
# What goes with a node when it is deleted: what belonged only to it.
_CASCADE = {"Gift": "OPTIONAL MATCH (n)-[:HAS_OUTCOME]->(d:GiftOutcome {owner: $owner})"}


@dataclass(frozen=True)
class Link:
    """A relationship to make from (or, not outgoing, to) a node: to another node of the same owner."""

    rel: str
    label: str
    uid: str
    outgoing: bool = True
    props: dict[str, Any] = field(default_factory=dict)

    def pattern(self) -> str:
        _check(self.label, self.rel)
        return f"(n)-[r:{self.rel}]->(m)" if self.outgoing else f"(m)-[r:{self.rel}]->(n)"


def node_row(label: str, record: Any, key: str = "n") -> dict[str, Any]:
    return from_graph(MODELS[label], record[key])


def projection(label: str) -> str:
    """The properties of `n`, and what is computed for its label, as one map."""
    computed = _COMPUTED.get(label)
    return f"n {{.*, {computed}}}" if computed else "properties(n)"


async def create(
    tx: AsyncManagedTransaction,
    label: str,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    links: Iterable[Link] = (),
) -> dict[str, Any]:
    """Creates the node and its links in the caller's transaction; NotFound (so nothing is kept) when a
    linked node is not the owner's."""
    _check(label)
    props = for_create(MODELS[label], {**values, "uid": uid, "owner": owner})
    query = f"CREATE (n:{label}) SET n = $props, n.created_at = datetime(), n.updated_at = datetime()"
    await (await tx.run(query, props=props)).consume()
    refs = [f"{label}:{uid}"]
    for link in links:
        await add_link(tx, label, owner=owner, uid=uid, link=link)
        refs.append(f"{link.label}:{link.uid}")
    await events.append(tx, owner, f"{label}Created", refs)
    return await _read_one(tx, label, owner, uid)


async def update(
    tx: AsyncManagedTransaction, label: str, *, owner: str, uid: str, values: dict[str, Any]
) -> dict[str, Any]:
    _check(label)
    query = f"""
    MATCH (n:{label} {{uid: $uid, owner: $owner}})
    SET n += $changes, n.updated_at = datetime()
    RETURN {projection(label)} AS n
    """
    changes = for_update(MODELS[label], values)
    try:
        record = await (await tx.run(query, uid=uid, owner=owner, changes=changes)).single()
    except ConstraintError as error:
        raise BadUserInput(f"Another {label} of yours already has this name.", field="name") from error
    if record is None:
        raise NotFound(f"No {label} of yours has this id.", id=uid)
    await events.append(tx, owner, f"{label}Updated", [f"{label}:{uid}"])
    return node_row(label, record)


async def delete(tx: AsyncManagedTransaction, label: str, *, owner: str, uid: str) -> list[str]:
    """Deletes the node and what belonged only to it; returns them as "Label:uid"."""
    _check(label)
    cascade = _CASCADE.get(label, "WITH n, null AS d")
    query = f"""
    MATCH (n:{label} {{uid: $uid, owner: $owner}})
    {cascade}
    WITH n, [x IN collect(DISTINCT d) WHERE x IS NOT NULL] AS owned
    WITH n, owned, ["{label}:" + n.uid] + [x IN owned | labels(x)[0] + ":" + x.uid] AS refs
    FOREACH (x IN owned | DETACH DELETE x)
    DETACH DELETE n
    RETURN refs
    """
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    if record is None:
        raise NotFound(f"No {label} of yours has this id.", id=uid)
    await events.append(tx, owner, f"{label}Deleted", record["refs"])
    return record["refs"]


async def add_link(tx: AsyncManagedTransaction, label: str, *, owner: str, uid: str, link: Link) -> None:
    """Links two of the owner's nodes (once: linking again sets the properties); NotFound otherwise."""
    query = f"""
    MATCH (n:{label} {{uid: $uid, owner: $owner}})
    MATCH (m:{link.label} {{uid: $other, owner: $owner}})
    MERGE {link.pattern()}
    SET r += $props
    RETURN count(r) AS linked
    """
    params = dict(uid=uid, owner=owner, other=link.uid, props=link.props)
    record = await (await tx.run(query, params)).single()
    if record is None or record["linked"] == 0:
        raise NotFound(f"No {label} and {link.label} of yours have these ids.", ids=[uid, link.uid])


async def link(tx: AsyncManagedTransaction, label: str, *, owner: str, uid: str, link: Link) -> None:
    await add_link(tx, label, owner=owner, uid=uid, link=link)
    await events.append(tx, owner, f"{link.rel}Linked", [f"{label}:{uid}", f"{link.label}:{link.uid}"])


async def unlink(tx: AsyncManagedTransaction, label: str, *, owner: str, uid: str, link: Link) -> bool:
    query = f"""
    MATCH {link.pattern()}
    WHERE n:{label} AND n.uid = $uid AND n.owner = $owner
      AND m:{link.label} AND m.uid = $other AND m.owner = $owner
    DELETE r
    RETURN count(r) AS removed
    """
    record = await (await tx.run(query, uid=uid, owner=owner, other=link.uid)).single(strict=True)
    if record["removed"]:
        await events.append(tx, owner, f"{link.rel}Unlinked", [f"{label}:{uid}", f"{link.label}:{link.uid}"])
    return bool(record["removed"])


async def by_uids(
    tx: AsyncManagedTransaction, label: str, *, owner: str, uids: list[str]
) -> list[dict[str, Any]]:
    _check(label)
    visible = VISIBLE.get(label, "true")
    query = f"""
    MATCH (n:{label} {{owner: $owner}}) WHERE n.uid IN $uids AND {visible}
    RETURN {projection(label)} AS n
    """
    return [node_row(label, record) async for record in await tx.run(query, owner=owner, uids=uids)]


async def page(tx: AsyncManagedTransaction, label: str, *, owner: str, where: Condition, page: Page) -> Rows:
    _check(label)
    keyset, order, params = page.clauses("n.uid")
    query = f"""
    MATCH (n:{label} {{owner: $owner}}) WHERE {where.text} AND {keyset} AND {VISIBLE.get(label, "true")}
    RETURN {projection(label)} AS n, {page.sort} AS sort ORDER BY {order} LIMIT $page_limit
    """
    result = await tx.run(query, owner=owner, **where.params, **params)
    rows = [{"node": node_row(label, record), "sort": native(record["sort"])} async for record in result]
    return Rows.of(rows, page)


async def count(tx: AsyncManagedTransaction, label: str, *, owner: str, where: Condition) -> int:
    _check(label)
    visible = VISIBLE.get(label, "true")
    query = f"MATCH (n:{label} {{owner: $owner}}) WHERE {where.text} AND {visible} RETURN count(n) AS total"
    return (await (await tx.run(query, owner=owner, **where.params)).single(strict=True))["total"]


async def _read_one(tx: AsyncManagedTransaction, label: str, owner: str, uid: str) -> dict[str, Any]:
    query = f"MATCH (n:{label} {{uid: $uid, owner: $owner}}) RETURN {projection(label)} AS n"
    return node_row(label, await (await tx.run(query, uid=uid, owner=owner)).single(strict=True))


def _check(label: str, rel: str | None = None) -> None:
    if label not in MODELS or (rel is not None and rel not in RELATIONSHIPS):
        raise ValueError(f"not a label or relationship of the graph: {label} {rel}")
