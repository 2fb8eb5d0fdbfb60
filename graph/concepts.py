"""Cypher for Concept nodes: one per name per user, and the typed links between them (seed 004)."""

from typing import Any
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from graph import events, owned
from graph.owned import CONCEPT_LINKS, Link, node_row
from graph.pages import Condition

SORTS = {"name": "n.key", "created_at": "n.created_at"}
MAX_DEPTH = 4


def key(name: str) -> str:
    """What makes two names one concept: case and surrounding space do not count."""
    return " ".join(name.split()).lower()


def key_of(name: str | None) -> str | None:
    """The key of a name given to filter by, if one was given."""
    return key(name) if name else None


def condition(types: list[str] | None = None, name_contains: str | None = None) -> Condition:
    return Condition.of(
        ("n.concept_type IN $types", "types", types),
        ("n.key CONTAINS $name", "name", key_of(name_contains)),
    )


async def ensure(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    name: str,
    concept_type: str = "interest",
    description: str | None = None,
) -> dict[str, Any]:
    """The owner's concept of this name, made if there is none (the constraint keeps it to one)."""
    query = """
    MERGE (n:Concept {owner: $owner, key: $key})
    ON CREATE SET n.uid = $uid, n.name = $name, n.concept_type = $type, n.description = $description,
                  n.created_at = datetime(), n.updated_at = datetime(), n._created = true
    WITH n, coalesce(n._created, false) AS created
    REMOVE n._created
    RETURN properties(n) AS n, created
    """
    params = dict(
        owner=owner,
        key=key(name),
        uid=str(uuid4()),
        name=" ".join(name.split()),
        type=concept_type,
        description=description,
    )
    record = await (await tx.run(query, params)).single(strict=True)
    row = node_row("Concept", record)
    if record["created"]:
        await events.append(tx, owner, "ConceptCreated", [f"Concept:{row['uid']}"])
    return row


async def neighbours(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, depth: int, types: list[str]
) -> list[dict[str, Any]]:
    """Concepts within `depth` links of this one (any direction), nearest first, with their distance."""
    rels = "|".join(t for t in types if t in CONCEPT_LINKS) or "|".join(CONCEPT_LINKS)
    depth = max(1, min(depth, MAX_DEPTH))
    query = f"""
    MATCH (c:Concept {{uid: $uid, owner: $owner}})
    MATCH path = (c)-[:{rels}*1..{depth}]-(n:Concept {{owner: $owner}})
    WHERE n <> c AND all(x IN nodes(path) WHERE x.owner = $owner)
    WITH n, min(length(path)) AS distance
    RETURN properties(n) AS n, distance ORDER BY distance, n.key
    """
    result = await tx.run(query, uid=uid, owner=owner)
    return [{"node": node_row("Concept", record), "distance": record["distance"]} async for record in result]


async def tag(
    tx: AsyncManagedTransaction,
    label: str,
    *,
    owner: str,
    uid: str,
    rel: str,
    names: list[str],
    concept_type: str,
) -> None:
    """Links the node to the owner's concepts of these names (made where missing), in the caller's
    transaction."""
    for name in names:
        concept = await ensure(tx, owner=owner, name=name, concept_type=concept_type)
        await owned.add_link(tx, label, owner=owner, uid=uid, link=Link(rel, "Concept", concept["uid"]))
