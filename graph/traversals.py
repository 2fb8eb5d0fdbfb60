"""Cypher for walking from many nodes at once: one query per level of a GraphQL selection, not per row.

Each traversal is a fixed pattern from a parent `p` to neighbours `n` (and the relationship `e`); a batch
returns one keyset page of neighbours for every parent asked for.
"""

from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.models import Knows, Recipient
from graph.owned import VISIBLE, node_row, projection
from graph.pages import Page, Rows
from graph.properties import from_graph
from graph.rows import native


@dataclass(frozen=True)
class Traversal:
    parent: str
    pattern: str  # from (p) to (n) through [e]
    label: str  # the label of n


TRAVERSALS = {
    "recipient.occasions": Traversal("Recipient", "(p)-[e:HAS_OCCASION]->(n:Occasion)", "Occasion"),
    "recipient.gifts": Traversal("Recipient", "(p)<-[e:INTENDED_FOR]-(n:Gift)", "Gift"),
    "recipient.interests": Traversal("Recipient", "(p)-[e:INTERESTED_IN]->(n:Concept)", "Concept"),
    "recipient.memories": Traversal("Recipient", "(p)<-[e:INVOLVES]-(n:Memory)", "Memory"),
    "recipient.conflicts": Traversal("Recipient", "(p)<-[e:WITH]-(n:Conflict)", "Conflict"),
    "occasion.recipients": Traversal("Occasion", "(p)<-[e:HAS_OCCASION]-(n:Recipient)", "Recipient"),
    "occasion.gifts": Traversal("Occasion", "(p)<-[e:GIVEN_FOR]-(n:Gift)", "Gift"),
    "gift.recipients": Traversal("Gift", "(p)-[e:INTENDED_FOR]->(n:Recipient)", "Recipient"),
    "gift.occasions": Traversal("Gift", "(p)-[e:GIVEN_FOR]->(n:Occasion)", "Occasion"),
    "gift.outcomes": Traversal("Gift", "(p)-[e:HAS_OUTCOME]->(n:GiftOutcome)", "GiftOutcome"),
    "gift.similar": Traversal("Gift", "(p)-[e:SIMILAR_TO]-(n:Gift)", "Gift"),
    "gift.complements": Traversal("Gift", "(p)-[e:COMPLEMENTS]-(n:Gift)", "Gift"),
    "gift.tags": Traversal("Gift", "(p)-[e:TAGGED_WITH]->(n:Concept)", "Concept"),
    "concept.recipients": Traversal("Concept", "(p)<-[e:INTERESTED_IN]-(n:Recipient)", "Recipient"),
    "concept.memories": Traversal("Concept", "(p)<-[e:MENTIONS]-(n:Memory)", "Memory"),
    "concept.gifts": Traversal("Concept", "(p)<-[e:TAGGED_WITH]-(n:Gift)", "Gift"),
    "concept.conflicts": Traversal("Concept", "(p)<-[e:ABOUT]-(n:Conflict)", "Conflict"),
    "memory.recipients": Traversal("Memory", "(p)-[e:INVOLVES]->(n:Recipient)", "Recipient"),
    "memory.concepts": Traversal("Memory", "(p)-[e:MENTIONS]->(n:Concept)", "Concept"),
    "conflict.recipients": Traversal("Conflict", "(p)-[e:WITH]->(n:Recipient)", "Recipient"),
    "conflict.topics": Traversal("Conflict", "(p)-[e:ABOUT]->(n:Concept)", "Concept"),
}
# What neighbours may be ordered by, for every traversal.
SORTS = {"created_at": "n.created_at", "name": "coalesce(n.name, n.content, n.summary, n.uid)"}


async def neighbours(
    tx: AsyncManagedTransaction, name: str, *, owner: str, parents: list[str], page: Page
) -> dict[str, Rows]:
    """A page of neighbours for each parent uid (every parent present, an empty page where there are none)."""
    traversal = TRAVERSALS[name]
    keyset, order, params = page.clauses("n.uid")
    to_recipient = traversal.label == "Recipient"
    knows = "OPTIONAL MATCH (:User {uid: $owner})-[k:KNOWS]->(n)" if to_recipient else ""
    knows_row = "properties(k)" if to_recipient else "null"
    query = f"""
    UNWIND $parents AS parent
    CALL (parent) {{
      MATCH (p:{traversal.parent} {{uid: parent, owner: $owner}})
      MATCH {traversal.pattern}
      WHERE n.owner = $owner AND {keyset} AND {VISIBLE.get(traversal.label, "true")}
      {knows}
      RETURN {projection(traversal.label)} AS n, properties(e) AS e, {knows_row} AS k, {page.sort} AS sort
      ORDER BY {order} LIMIT $page_limit
    }}
    RETURN parent, collect({{n: n, e: e, k: k, sort: sort}}) AS rows
    """
    result = await tx.run(query, owner=owner, parents=parents, **params)
    found = {record["parent"]: record["rows"] async for record in result}
    return {
        parent: Rows.of([_row(traversal.label, row) for row in found.get(parent, [])], page)
        for parent in parents
    }


async def counts(tx: AsyncManagedTransaction, name: str, *, owner: str, parents: list[str]) -> dict[str, int]:
    traversal = TRAVERSALS[name]
    query = f"""
    UNWIND $parents AS parent
    OPTIONAL MATCH (p:{traversal.parent} {{uid: parent, owner: $owner}})
    OPTIONAL MATCH {traversal.pattern} WHERE n.owner = $owner AND {VISIBLE.get(traversal.label, "true")}
    RETURN parent, count(DISTINCT n) AS total
    """
    result = await tx.run(query, owner=owner, parents=parents)
    return {record["parent"]: record["total"] async for record in result}


def _row(label: str, row: dict[str, Any]) -> dict[str, Any]:
    edge, row = native(row["e"]), {**row, "sort": native(row["sort"])}
    if label == "Recipient":
        return {
            "recipient": from_graph(Recipient, row["n"]),
            "knows": from_graph(Knows, row["k"]),
            "edge": edge,
            "sort": row["sort"],
        }
    return {"node": node_row(label, row, "n"), "edge": edge, "sort": row["sort"]}
