"""Cypher for Conflict nodes: with a recipient, about topics; and the relations that reach conflicts."""

from typing import Any

from neo4j import AsyncManagedTransaction

from graph import concepts
from graph.kinds import CONFLICT
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.traversals import Traversal

# The relations that reach conflicts.
OF_RECIPIENT = Traversal("Recipient", "(p)<-[:WITH]-(n:Conflict)", CONFLICT)
OF_CONCEPT = Traversal("Concept", "(p)<-[:ABOUT]-(n:Conflict)", CONFLICT)


def condition(
    statuses: list[str] | None = None,
    severity_min: float | None = None,
    severity_max: float | None = None,
    topic: str | None = None,
    recipient: str | None = None,
) -> Condition:
    return Condition.of(
        ("n.status IN $statuses", "statuses", statuses),
        ("n.severity >= $severity_min", "severity_min", severity_min),
        ("n.severity <= $severity_max", "severity_max", severity_max),
        ("EXISTS { (n)-[:ABOUT]->(:Concept {key: $topic, owner: $owner}) }", "topic", concepts.key_of(topic)),
        ("EXISTS { (n)-[:WITH]->(:Recipient {uid: $recipient, owner: $owner}) }", "recipient", recipient),
    )


async def create(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    recipient: str,
    topics: list[str],
) -> Row:
    return await concepts.create_tagged(
        tx,
        CONFLICT,
        owner=owner,
        uid=uid,
        values=values,
        links=[Link("WITH", "Recipient", recipient)],
        rel="ABOUT",
        names=topics,
        concept_type="topic",
    )
