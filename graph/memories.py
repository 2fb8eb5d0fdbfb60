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
    parts, params = [], {}
    if kinds:
        parts.append("n.kind IN $kinds")
        params["kinds"] = kinds
    if since is not None:
        parts.append("coalesce(n.happened_at, n.created_at) >= $since")
        params["since"] = since
    if until is not None:
        parts.append("coalesce(n.happened_at, n.created_at) <= $until")
        params["until"] = until
    if recipient:
        parts.append("EXISTS { (n)-[:INVOLVES]->(:Recipient {uid: $recipient, owner: $owner}) }")
        params["recipient"] = recipient
    if concept:
        parts.append("EXISTS { (n)-[:MENTIONS]->(:Concept {key: $concept, owner: $owner}) }")
        params["concept"] = concepts.key(concept)
    if tag:
        parts.append("$tag IN n.tags")
        params["tag"] = tag
    return Condition(" AND ".join(parts) or "true", params)


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
