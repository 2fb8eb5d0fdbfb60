"""Cypher for gifts: what was given (GAVE), to whom, for what, what came of it, what the outcomes teach
about each relationship (the KNOWS statistics), and the relations that reach gifts and outcomes."""

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from errors import NotFound
from graph import concepts, events, knows, nodes, recipients
from graph.events import EventKind
from graph.kinds import GIFT, OCCASION, OUTCOME
from graph.models import Gave, GiftOutcome
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.properties import for_create
from graph.refs import Ref
from graph.traversals import Traversal

# What an outcome's event keeps of it: its numbers (and whether it was given at all).
_OUTCOME_NUMBERS = ("success", "reaction_intensity", "relationship_impact", "was_given", "would_give_again")

# The relations that reach gifts and outcomes.
OF_RECIPIENT = Traversal("Recipient", "(p)<-[:INTENDED_FOR]-(n:Gift)", GIFT)
OF_OCCASION = Traversal("Occasion", "(p)<-[:GIVEN_FOR]-(n:Gift)", GIFT)
OF_CONCEPT = Traversal("Concept", "(p)<-[:TAGGED_WITH]-(n:Gift)", GIFT)
SIMILAR = Traversal("Gift", "(p)-[:SIMILAR_TO]-(n:Gift)", GIFT)
COMPLEMENTS = Traversal("Gift", "(p)-[:COMPLEMENTS]-(n:Gift)", GIFT)
OUTCOME_OF_GIFT = Traversal("Gift", "(p)-[:HAS_OUTCOME]->(n:GiftOutcome)", OUTCOME)
GIFT_OF_OUTCOME = Traversal("GiftOutcome", "(p)<-[:HAS_OUTCOME]-(n:Gift)", GIFT)


@dataclass
class NewGift:
    """Everything one createGift writes, in one transaction."""

    values: dict[str, Any]
    recipients: list[str] = field(default_factory=list)
    new_recipient: tuple[dict[str, Any], dict[str, Any]] | None = None  # (recipient, knows)
    occasion: str | None = None
    new_occasion: dict[str, Any] | None = None
    gave: dict[str, Any] = field(default_factory=dict)
    outcome: dict[str, Any] | None = None
    tags: list[str] = field(default_factory=list)
    recommendation: str | None = None  # the GiftRecommendation it was chosen from


def condition(
    recipient: str | None = None,
    occasion: str | None = None,
    category: str | None = None,
    tag: str | None = None,
) -> Condition:
    return Condition.of(
        (
            "EXISTS { (n)-[:INTENDED_FOR]->(:Recipient {uid: $recipient, owner: $owner}) }",
            "recipient",
            recipient,
        ),
        ("EXISTS { (n)-[:GIVEN_FOR]->(:Occasion {uid: $occasion, owner: $owner}) }", "occasion", occasion),
        ("n.category = $category", "category", category),
        (
            "EXISTS { (n)-[:TAGGED_WITH]->(:Concept {key: $tag, owner: $owner}) }",
            "tag",
            concepts.key_of(tag),
        ),
    )


async def create(tx: AsyncManagedTransaction, *, owner: str, gift: NewGift) -> Row:
    """The gift with its recipient, occasion, giving, tags and outcome: all written, or (on any error)
    none of it."""
    recipient_uids = list(gift.recipients)
    if gift.new_recipient is not None:
        made = await recipients.create(
            tx, owner=owner, uid=str(uuid4()), recipient=gift.new_recipient[0], knows=gift.new_recipient[1]
        )
        recipient_uids.append(made.uid)
    occasion = gift.occasion
    if gift.new_occasion is not None:
        links = [Link("HAS_OCCASION", "Recipient", uid, outgoing=False) for uid in recipient_uids]
        made = await nodes.create(
            tx, OCCASION, owner=owner, uid=str(uuid4()), values=gift.new_occasion, links=links
        )
        occasion = made.uid
    uid = str(uuid4())
    links = [Link("INTENDED_FOR", "Recipient", r) for r in recipient_uids]
    links += [Link("GIVEN_FOR", "Occasion", occasion)] if occasion else []
    if gift.recommendation:
        links.append(Link("FROM_RECOMMENDATION", "GiftRecommendation", gift.recommendation))
    await concepts.create_tagged(
        tx,
        GIFT,
        owner=owner,
        uid=uid,
        values=gift.values,
        links=links,
        rel="TAGGED_WITH",
        names=gift.tags,
        concept_type="gift_category",
    )
    row = await _gave(tx, owner, uid, gift.gave)
    if gift.outcome is not None:
        await record_outcome(tx, owner=owner, gift=uid, outcome=gift.outcome)
    return row


async def record_outcome(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    gift: str,
    outcome: dict[str, Any],
) -> Row:
    """Sets the gift's outcome (replacing an earlier one) and updates, in the same transaction, the
    statistics of the viewer's relationship to everyone it was for."""
    query = f"""
    MATCH (g:Gift {{uid: $gift, owner: $owner}})
    OPTIONAL MATCH (g)-[:HAS_OUTCOME]->(old:GiftOutcome)
    DETACH DELETE old
    WITH DISTINCT g
    CREATE (g)-[:HAS_OUTCOME]->(n:GiftOutcome)
    SET n = $props, n.created_at = datetime(), n.updated_at = datetime()
    RETURN {OUTCOME.projection} AS n, [(g)-[:INTENDED_FOR]->(r:Recipient) | r.uid] AS recipients
    """
    uid = str(uuid4())
    props = for_create(GiftOutcome, {**outcome, "uid": uid, "owner": owner})
    record = await (await tx.run(query, gift=gift, owner=owner, props=props)).single()
    if record is None:
        raise NotFound("No gift of yours has this id.", id=gift)
    await knows.refresh(tx, owner=owner, recipients=record["recipients"])
    refs = [Ref("GiftOutcome", uid), Ref("Gift", gift)]
    # The numbers of an outcome, kept with its event: the log then tells how gifts went over time.
    numbers = {key: props.get(key) for key in _OUTCOME_NUMBERS if props.get(key) is not None}
    await events.append(tx, owner, EventKind.created("GiftOutcome"), refs, json.dumps(numbers))
    return OUTCOME.row(record["n"])


async def record_outcome_of(
    tx: AsyncManagedTransaction, *, owner: str, gift: str, outcome: dict[str, Any]
) -> Row:
    """record_outcome, then the gift as it reads, in the same transaction."""
    await record_outcome(tx, owner=owner, gift=gift, outcome=outcome)
    return (await nodes.by_uids(tx, GIFT, owner=owner, uids=[gift]))[0]


async def delete(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, within: frozenset[str] | None = None
) -> list[str]:
    """Deletes the gift and its outcome; the statistics of its recipients no longer count it. Nothing
    when that reaches a kind outside `within` (graph/nodes.py `delete`)."""
    query = """
    MATCH (:Gift {uid: $uid, owner: $owner})-[:INTENDED_FOR]->(r:Recipient) RETURN collect(r.uid) AS rs
    """
    recipients_of = (await (await tx.run(query, uid=uid, owner=owner)).single(strict=True))["rs"]
    deleted = await nodes.delete(tx, GIFT, owner=owner, uid=uid, within=within)
    await knows.refresh(tx, owner=owner, recipients=recipients_of)
    return deleted


async def _gave(tx: AsyncManagedTransaction, owner: str, gift: str, gave: dict[str, Any]) -> Row:
    """How the owner gave the gift (GAVE); returns the gift as it now reads."""
    query = f"""
    MATCH (u:User {{uid: $owner}}), (n:Gift {{uid: $gift, owner: $owner}})
    MERGE (u)-[v:GAVE]->(n)
    SET v = $gave
    RETURN {GIFT.projection} AS n
    """
    record = await (await tx.run(query, owner=owner, gift=gift, gave=for_create(Gave, gave))).single(
        strict=True
    )
    return GIFT.row(record["n"])
