"""Many nodes and links of one owner in a few statements (UNWIND), and their Events in one more: for
loading a whole graph at once (the demo seed), where one statement per node costs a round trip each.

Properties pass through each kind's model as every write's do; labels and types come only from the
kinds' declarations. What derives from what is written (the KNOWS gift statistics) is the caller's to
refresh, once, with graph/knows.py.
"""

import json
from collections.abc import Sequence
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import events
from graph.events import EventKind
from graph.kind import Kind
from graph.kinds import RELATIONS
from graph.models import Gave, Knows
from graph.properties import for_create
from graph.refs import Ref

# A link to write: source uid, target uid, the relationship's properties.
Edge = tuple[str, str, dict[str, Any]]


async def create_all(
    tx: AsyncManagedTransaction, kind: Kind, *, owner: str, rows: Sequence[tuple[str, dict[str, Any]]]
) -> list[Ref]:
    """Creates a node of the kind for each (uid, values); returns their refs (their Events are the
    caller's: `announce` names them with what they were linked to)."""
    query = f"""
    UNWIND $rows AS row
    CREATE (n:{kind.label}) SET n = row, n.created_at = datetime(), n.updated_at = datetime()
    RETURN count(n) AS made
    """
    props = [for_create(kind.model, {**values, "uid": uid, "owner": owner}) for uid, values in rows]
    record = await (await tx.run(query, rows=props)).single(strict=True)
    assert record["made"] == len(rows)
    return [Ref(kind.label, uid) for uid, _ in rows]


async def link_all(
    tx: AsyncManagedTransaction,
    rel: str,
    *,
    owner: str,
    edges: Sequence[Edge],
    between: tuple[str, str] | None = None,
) -> None:
    """Links each pair of the owner's nodes with `rel` (declared between their labels: `between` names
    them where the type joins more than one pair); an end that is not the owner's is an error, and the
    whole transaction with it."""
    pairs = {(r.source, r.target) for r in RELATIONS if r.type == rel}  # drawn or not (a message's IN)
    if between is None and len(pairs) == 1:
        (between,) = pairs
    if between is None or between not in pairs:
        raise ValueError(f"{rel} is declared between {sorted(pairs)}: say which pair")
    source, target = between
    query = f"""
    UNWIND $edges AS edge
    MATCH (a:{source} {{uid: edge[0], owner: $owner}})
    MATCH (b:{target} {{uid: edge[1], owner: $owner}})
    MERGE (a)-[r:{rel}]->(b)
    SET r += edge[2]
    RETURN count(r) AS linked
    """
    rows = [[a, b, props] for a, b, props in edges]
    record = await (await tx.run(query, owner=owner, edges=rows)).single(strict=True)
    if record["linked"] != len(edges):
        raise ValueError(f"{len(edges) - record['linked']} {rel} links have an end that is not the owner's")


async def knows_all(
    tx: AsyncManagedTransaction, *, owner: str, rows: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """The owner's KNOWS relationship to each recipient (uid, properties)."""
    await _from_user(
        tx, "KNOWS", "Recipient", owner, [(uid, for_create(Knows, knows)) for uid, knows in rows]
    )


async def gave_all(
    tx: AsyncManagedTransaction, *, owner: str, rows: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """How the owner gave each gift (uid, GAVE's properties)."""
    await _from_user(tx, "GAVE", "Gift", owner, [(uid, for_create(Gave, gave)) for uid, gave in rows])


async def _from_user(
    tx: AsyncManagedTransaction, rel: str, label: str, owner: str, rows: list[tuple[str, dict[str, Any]]]
) -> None:
    query = f"""
    MATCH (u:User {{uid: $owner}})
    UNWIND $rows AS row
    MATCH (n:{label} {{uid: row[0], owner: $owner}})
    CREATE (u)-[r:{rel}]->(n) SET r = row[1]
    RETURN count(r) AS made
    """
    record = await (await tx.run(query, owner=owner, rows=[[uid, props] for uid, props in rows])).single(
        strict=True
    )
    if record["made"] != len(rows):
        raise ValueError(f"{len(rows) - record['made']} {label} nodes are not the owner's")


async def announce(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    created: Sequence[tuple[Ref, Sequence[Ref]]] = (),
    linked: Sequence[tuple[str, Ref, Ref]] = (),
) -> None:
    """The Events of what was written, as one write of each would have them: a Created event per node
    (naming the nodes it was made linked to) and a Linked event per link made on its own."""
    if created:
        changes = [(EventKind.created(ref.label), [ref, *ends]) for ref, ends in created]
        await events.append_all(tx, owner, changes)
    if linked:
        changes = [(EventKind.linked(rel), [a, b]) for rel, a, b in linked]
        await events.append_all(tx, owner, changes, json.dumps({"created": True}))
