"""Cypher for Memory nodes: who they involve, what they mention; short-term ones expire. And the
relations that reach memories."""

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import concepts
from graph.kinds import MEMORY
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.traversals import Traversal

# The relations that reach memories.
OF_RECIPIENT = Traversal("Recipient", "(p)<-[:INVOLVES]-(n:Memory)", MEMORY)
OF_CONCEPT = Traversal("Concept", "(p)<-[:MENTIONS]-(n:Memory)", MEMORY)


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
) -> Row:
    links = [Link("INVOLVES", "Recipient", recipient) for recipient in recipients]
    return await concepts.create_tagged(
        tx,
        MEMORY,
        owner=owner,
        uid=uid,
        values=values,
        links=links,
        rel="MENTIONS",
        names=mentions,
        concept_type="topic",
    )
