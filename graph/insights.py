"""Cypher for Insight nodes: what is known of a person, whom it concerns, what it is derived from. Its
relations, both ways, are walked as graph/kinds.py declares them (`Traversal.along`, `Traversal.each`)."""

from collections.abc import Sequence
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import nodes
from graph.kinds import CONCERNS, INSIGHT, LEARNED_FROM, RECIPIENT, RECOMMENDATION, RESTS_ON
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.refs import Ref
from graph.traversals import Traversal

# The relations that reach insights, and the nodes an insight's relations reach: its evidence by the
# label of each (Insight.evidence, .memories), and the insights derived from a node of each label (their
# `insights`).
OF_RECIPIENT = Traversal.along(CONCERNS, INSIGHT)
RECIPIENTS = Traversal.along(CONCERNS, RECIPIENT)
DERIVED_FROM = Traversal.each(INSIGHT, RESTS_ON, towards=False)
DERIVED = Traversal.each(INSIGHT, RESTS_ON, towards=True)
# The recommendations whose reactions a learned preference counts, and back.
REACTIONS = Traversal.along(LEARNED_FROM, RECOMMENDATION)
LEARNED = Traversal.along(LEARNED_FROM, INSIGHT)


def condition(
    categories: list[str] | None = None,
    statuses: list[str] | None = None,
    recipient: str | None = None,
    about_viewer: bool | None = None,
) -> Condition:
    return Condition.of(
        ("n.category IN $categories", "categories", categories),
        ("n.status IN $statuses", "statuses", statuses),
        ("EXISTS { (n)-[:CONCERNS]->(:Recipient {uid: $recipient, owner: $owner}) }", "recipient", recipient),
        ("n.about_viewer = $about_viewer", "about_viewer", about_viewer),
    )


async def create(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    recipients: list[str],
    evidence: Sequence[Ref],
) -> Row:
    """The insight with whom it concerns and what it is derived from (nodes of any INSIGHT_EVIDENCE
    label); NotFound (nothing written) when one of them is not the owner's."""
    links = [
        *(Link(CONCERNS.type, CONCERNS.target, recipient) for recipient in recipients),
        *(Link(RESTS_ON, ref.label, ref.uid) for ref in dict.fromkeys(evidence)),
    ]
    return await nodes.create(tx, INSIGHT, owner=owner, uid=uid, values=values, links=links)


async def update(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    evidence: Sequence[Ref] | None = None,
) -> Row:
    """Sets the given properties (None clears one); what it is derived from becomes exactly `evidence`
    where given. NotFound (nothing written) if the insight, or one of its evidence, is not the owner's."""
    row = await nodes.update(tx, INSIGHT, owner=owner, uid=uid, values=values)
    if evidence is None:
        return row
    await nodes.relink(tx, INSIGHT, owner=owner, uid=uid, rel=RESTS_ON, targets=list(evidence))
    return row
