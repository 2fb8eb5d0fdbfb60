"""Cypher for Memory nodes (seed 001's kinds, seed 004's memory units): who they involve, what they
mention; short-term ones expire."""

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import concepts, owned
from graph.owned import Link
from graph.pages import Condition

SORTS = {
    "happened_at": "coalesce(n.happened_at, n.created_at)",
    "importance": "coalesce(n.importance, 0.0)",
    "created_at": "n.created_at",
}


def condition(
    kinds: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    recipient: str | None = None,
    concept: str | None = None,
    tag: str | None = None,
) -> Condition:
    return Condition.of(
        ("n.kind IN $kinds", "kinds", kinds),
        ("coalesce(n.happened_at, n.created_at) >= $since", "since", since),
        ("coalesce(n.happened_at, n.created_at) <= $until", "until", until),
        ("EXISTS { (n)-[:INVOLVES]->(:Recipient {uid: $recipient, owner: $owner}) }", "recipient", recipient),
        (
            "EXISTS { (n)-[:MENTIONS]->(:Concept {key: $concept, owner: $owner}) }",
            "concept",
            concepts.key_of(concept),
        ),
        ("$tag IN n.tags", "tag", tag),
    )


async def create(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    recipients: list[str],
    mentions: list[str],
) -> dict[str, Any]:
    links = [Link("INVOLVES", "Recipient", recipient) for recipient in recipients]
    await owned.create(tx, "Memory", owner=owner, uid=uid, values=values, links=links)
    await concepts.tag(
        tx, "Memory", owner=owner, uid=uid, rel="MENTIONS", names=mentions, concept_type="topic"
    )
    return (await owned.by_uids(tx, "Memory", owner=owner, uids=[uid]))[0]
