"""Cypher for Recipient nodes, the viewer's KNOWS relationship to each, and the relations that reach
recipients from other nodes."""

from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import events, nodes
from graph.events import EventKind
from graph.kinds import RECIPIENT
from graph.models import Knows, Recipient
from graph.pages import Condition, Row
from graph.properties import for_create, for_update
from graph.refs import Ref
from graph.traversals import Traversal

# The relations that reach recipients.
OF_OCCASION = Traversal("Occasion", "(p)<-[:HAS_OCCASION]-(n:Recipient)", RECIPIENT)
OF_GIFT = Traversal("Gift", "(p)-[:INTENDED_FOR]->(n:Recipient)", RECIPIENT)
OF_CONCEPT = Traversal("Concept", "(p)<-[:INTERESTED_IN]-(n:Recipient)", RECIPIENT)
OF_MEMORY = Traversal("Memory", "(p)-[:INVOLVES]->(n:Recipient)", RECIPIENT)
OF_CONFLICT = Traversal("Conflict", "(p)-[:WITH]->(n:Recipient)", RECIPIENT)


@dataclass(frozen=True)
class RecipientFilter:
    relationship_kinds: tuple[str, ...] = ()
    importance_min: int | None = None
    importance_max: int | None = None
    name_contains: str | None = None

    def where(self) -> Condition:
        named = "(toLower(n.name) CONTAINS $name OR toLower(coalesce(n.nickname, '')) CONTAINS $name)"
        return Condition.of(
            ("k.relationship_type IN $kinds", "kinds", list(self.relationship_kinds)),
            ("k.importance >= $importance_min", "importance_min", self.importance_min),
            ("k.importance <= $importance_max", "importance_max", self.importance_max),
            (named, "name", self.name_contains.lower() if self.name_contains else None),
        )


async def create(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, recipient: dict[str, Any], knows: dict[str, Any]
) -> Row:
    query = f"""
    MATCH (u:User {{uid: $owner}})
    CREATE (u)-[k:KNOWS]->(n:Recipient)
    SET n = $recipient, n.created_at = datetime(), n.updated_at = datetime(), k = $knows
    RETURN {RECIPIENT.projection} AS n
    """
    props = for_create(Recipient, {**recipient, "uid": uid, "owner": owner})
    result = await tx.run(query, owner=owner, recipient=props, knows=for_create(Knows, knows))
    record = await result.single(strict=True)
    await events.append(tx, owner, EventKind.created("Recipient"), [Ref("Recipient", uid)])
    return RECIPIENT.row(record["n"])


async def update(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, recipient: dict[str, Any], knows: dict[str, Any]
) -> Row | None:
    query = f"""
    MATCH (n:Recipient {{uid: $uid, owner: $owner}}) {RECIPIENT.joins}
    SET n += $recipient, n.updated_at = datetime(), k += $knows
    RETURN {RECIPIENT.projection} AS n
    """
    params = dict(
        owner=owner, uid=uid, recipient=for_update(Recipient, recipient), knows=for_update(Knows, knows)
    )
    record = await (await tx.run(query, params)).single()
    if record is None:
        return None
    await events.append(tx, owner, EventKind.updated("Recipient"), [Ref("Recipient", uid)])
    return RECIPIENT.row(record["n"])


async def delete(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, within: frozenset[str] | None = None
) -> list[str]:
    """Deletes the recipient and what only belonged to them; returns every node deleted (nothing when
    that reaches a kind outside `within`: graph/nodes.py `delete`)."""
    return await nodes.delete(tx, RECIPIENT, owner=owner, uid=uid, within=within)
