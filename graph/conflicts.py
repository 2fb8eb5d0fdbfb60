"""Cypher for Conflict nodes (seed 002): with a recipient, about topics."""

from typing import Any

from neo4j import AsyncManagedTransaction

from graph import concepts, owned
from graph.owned import Link
from graph.pages import Condition

SORTS = {"started_at": "n.started_at", "severity": "coalesce(n.severity, 0.0)"}


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
) -> dict[str, Any]:
    await owned.create(
        tx, "Conflict", owner=owner, uid=uid, values=values, links=[Link("WITH", "Recipient", recipient)]
    )
    await concepts.tag(tx, "Conflict", owner=owner, uid=uid, rel="ABOUT", names=topics, concept_type="topic")
    return (await owned.by_uids(tx, "Conflict", owner=owner, uids=[uid]))[0]
