"""Cypher for the personal kinds (CycleEntry, IntimacyEntry): their filters, their create with whom they
are about, and the relation that reaches them from a recipient. Both are their author's alone: every
query here, like every query of graph/nodes.py, is scoped to the owner."""

from datetime import date, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import nodes
from graph.kind import Kind
from graph.kinds import CYCLE_ENTRY, CYCLE_OF, INTIMACY_ENTRY, INTIMACY_WITH, RECIPIENT
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.traversals import Traversal

# From a recipient to the entries about them, and from an entry to whom it is about.
CYCLE_OF_RECIPIENT = Traversal.along(CYCLE_OF, CYCLE_ENTRY)
CYCLE_RECIPIENT = Traversal.along(CYCLE_OF, RECIPIENT)
INTIMACY_OF_RECIPIENT = Traversal.along(INTIMACY_WITH, INTIMACY_ENTRY)
INTIMACY_RECIPIENT = Traversal.along(INTIMACY_WITH, RECIPIENT)

_ABOUT = "EXISTS { (n)-[:ABOUT]->(:Recipient {uid: $recipient, owner: $owner}) }"


def cycle_condition(
    since: date | None = None,
    until: date | None = None,
    types: list[str] | None = None,
    recipient: str | None = None,
) -> Condition:
    return Condition.of(
        ("n.date >= $since", "since", since),
        ("n.date <= $until", "until", until),
        ("n.event_type IN $types", "types", types),
        (_ABOUT, "recipient", recipient),
    )


def intimacy_condition(
    since: datetime | None = None,
    until: datetime | None = None,
    types: list[str] | None = None,
    recipient: str | None = None,
) -> Condition:
    return Condition.of(
        ("n.occurred_at >= $since", "since", since),
        ("n.occurred_at <= $until", "until", until),
        ("n.intimacy_type IN $types", "types", types),
        (_ABOUT, "recipient", recipient),
    )


async def create(
    tx: AsyncManagedTransaction,
    kind: Kind,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    about: str | None,
) -> Row:
    """The entry, with whom it is about; NotFound (nothing written) when that person is not the owner's."""
    relation = CYCLE_OF if kind is CYCLE_ENTRY else INTIMACY_WITH
    links = [Link(relation.type, relation.target, about)] if about else []
    return await nodes.create(tx, kind, owner=owner, uid=uid, values=values, links=links)
