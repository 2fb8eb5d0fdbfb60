"""Cypher for the shortest path between two nodes a user may read, through such nodes only: their own,
and what a partner shared with their couple (graph/kinds.py's `readable_in`)."""

from typing import Any

from neo4j import AsyncManagedTransaction

from graph.kinds import DOMAIN_LABELS, readable_in, shared_list

MAX_LENGTH = 8


async def shortest(
    tx: AsyncManagedTransaction, *, owner: str, source: tuple[str, str], target: tuple[str, str]
) -> dict[str, Any] | None:
    """The nodes ("Label", uid) and relationships of a shortest path, or None when there is none."""
    if source[0] not in DOMAIN_LABELS or target[0] not in DOMAIN_LABELS:
        return None
    query = f"""
    {shared_list()}
    MATCH (a:{source[0]} {{uid: $source}}) WHERE {readable_in("a")}
    MATCH (b:{target[0]} {{uid: $target}}) WHERE {readable_in("b")}
    MATCH path = shortestPath((a)-[*..{MAX_LENGTH}]-(b))
    WHERE all(n IN nodes(path) WHERE {readable_in("n")})
    RETURN [n IN nodes(path) | [labels(n)[0], n.uid]] AS nodes,
           [r IN relationships(path) | [type(r), startNode(r).uid, endNode(r).uid]] AS steps
    """
    record = await (await tx.run(query, source=source[1], target=target[1], owner=owner)).single()
    if record is None:
        return None
    return {
        "nodes": [tuple(node) for node in record["nodes"]],
        "steps": [tuple(step) for step in record["steps"]],
    }
