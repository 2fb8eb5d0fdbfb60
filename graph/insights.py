"""Cypher for Insight nodes: what is known of a person, whom it concerns, what it is derived from. Its
relations, both ways, are walked as graph/kinds.py declares them (`Traversal.along`)."""

from typing import Any

from neo4j import AsyncManagedTransaction

from graph import nodes
from graph.kinds import CONCERNS, DERIVED_FROM, INSIGHT, MEMORY, RECIPIENT
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.traversals import Traversal

# The relations that reach insights, and the nodes an insight's relations reach.
OF_RECIPIENT = Traversal.along(CONCERNS, INSIGHT)
OF_MEMORY = Traversal.along(DERIVED_FROM, INSIGHT)
RECIPIENTS = Traversal.along(CONCERNS, RECIPIENT)
MEMORIES = Traversal.along(DERIVED_FROM, MEMORY)


def condition(
    categories: list[str] | None = None,
    statuses: list[str] | None = None,
    recipient: str | None = None,
) -> Condition:
    return Condition.of(
        ("n.category IN $categories", "categories", categories),
        ("n.status IN $statuses", "statuses", statuses),
        ("EXISTS { (n)-[:CONCERNS]->(:Recipient {uid: $recipient, owner: $owner}) }", "recipient", recipient),
    )


async def create(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    recipients: list[str],
    evidence: list[str],
) -> Row:
    """The insight with whom it concerns and the memories it is derived from; NotFound (nothing
    written) when one of them is not the owner's."""
    links = [
        *(Link(CONCERNS.type, CONCERNS.target, recipient) for recipient in recipients),
        *(Link(DERIVED_FROM.type, DERIVED_FROM.target, memory) for memory in evidence),
    ]
    return await nodes.create(tx, INSIGHT, owner=owner, uid=uid, values=values, links=links)
