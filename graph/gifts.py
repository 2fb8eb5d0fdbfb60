"""Cypher for gifts: what was given (GAVE), to whom, for what, what came of it, and what the outcomes
teach about each relationship (the KNOWS statistics)."""

from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from errors import NotFound
from graph import concepts, owned, recipients
from graph.models import Gave
from graph.owned import Link
from graph.pages import Condition
from graph.properties import for_create

SORTS = {"created_at": "n.created_at", "name": "n.name", "price": "coalesce(n.price_cents, -1)"}
# An outcome at or above this success teaches what works for someone; below the other, what does not.
GOOD, POOR = 0.7, 0.4


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


async def create(tx: AsyncManagedTransaction, *, owner: str, gift: NewGift) -> dict[str, Any]:
    """The gift with its recipient, occasion, giving, tags and outcome: all written, or (on any error)
    none of it."""
    recipient_uids = list(gift.recipients)
    if gift.new_recipient is not None:
        uid = str(uuid4())
        await recipients.create(
            tx, owner=owner, uid=uid, recipient=gift.new_recipient[0], knows=gift.new_recipient[1]
        )
        recipient_uids.append(uid)
    occasion = gift.occasion
    if gift.new_occasion is not None:
        occasion = str(uuid4())
        links = [Link("HAS_OCCASION", "Recipient", uid, outgoing=False) for uid in recipient_uids]
        await owned.create(tx, "Occasion", owner=owner, uid=occasion, values=gift.new_occasion, links=links)
    gift_uid = str(uuid4())
    links = [Link("INTENDED_FOR", "Recipient", uid) for uid in recipient_uids]
    links += [Link("GIVEN_FOR", "Occasion", occasion)] if occasion else []
    await owned.create(tx, "Gift", owner=owner, uid=gift_uid, values=gift.values, links=links)
    await _gave(tx, owner, gift_uid, gift.gave)
    for name in gift.tags:
        concept = await concepts.ensure(tx, owner=owner, name=name, concept_type="gift_category")
        await owned.add_link(
            tx, "Gift", owner=owner, uid=gift_uid, link=Link("TAGGED_WITH", "Concept", concept["uid"])
        )
    if gift.outcome is not None:
        await record_outcome(tx, owner=owner, gift=gift_uid, outcome=gift.outcome)
    return (await owned.by_uids(tx, "Gift", owner=owner, uids=[gift_uid]))[0]


async def record_outcome(
    tx: AsyncManagedTransaction, *, owner: str, gift: str, outcome: dict[str, Any]
) -> dict[str, Any]:
    """Sets the gift's outcome (replacing an earlier one) and updates, in the same transaction, the
    statistics of the viewer's relationship to everyone it was for."""
    query = """
    MATCH (g:Gift {uid: $gift, owner: $owner})
    OPTIONAL MATCH (g)-[:HAS_OUTCOME]->(old:GiftOutcome)
    DETACH DELETE old
    RETURN count(g) AS found
    """
    if (await (await tx.run(query, gift=gift, owner=owner)).single(strict=True))["found"] == 0:
        raise NotFound("No gift of yours has this id.", id=gift)
    link = Link("HAS_OUTCOME", "Gift", gift, outgoing=False)
    row = await owned.create(tx, "GiftOutcome", owner=owner, uid=str(uuid4()), values=outcome, links=[link])
    await refresh_knows(tx, owner=owner, recipients=await _recipients_of(tx, owner, gift))
    return row


async def refresh_knows(tx: AsyncManagedTransaction, *, owner: str, recipients: list[str]) -> None:
    """Recomputes, from the outcomes themselves, the gift statistics on KNOWS for these recipients."""
    query = """
    UNWIND $recipients AS recipient
    MATCH (:User {uid: $owner})-[k:KNOWS]->(r:Recipient {uid: recipient, owner: $owner})
    CALL (r) {
      OPTIONAL MATCH (r)<-[:INTENDED_FOR]-(g:Gift {owner: $owner})-[:HAS_OUTCOME]->(o:GiftOutcome)
      WHERE o.was_given
      WITH g, o ORDER BY o.success DESC
      RETURN count(o) AS given, avg(o.success) AS average,
             collect(CASE WHEN o.success >= $good THEN g.category END) AS good,
             collect(CASE WHEN o.success < $poor THEN g.category END) AS poor
    }
    SET k.gifts_given_count = given, k.average_gift_success = average,
        k.preferred_gift_types = [i IN range(0, size(good) - 1) WHERE NOT good[i] IN good[0..i] | good[i]],
        k.failed_gift_types = [i IN range(0, size(poor) - 1) WHERE NOT poor[i] IN poor[0..i] | poor[i]]
    """
    await (await tx.run(query, recipients=recipients, owner=owner, good=GOOD, poor=POOR)).consume()


async def _recipients_of(tx: AsyncManagedTransaction, owner: str, gift: str) -> list[str]:
    query = (
        "MATCH (:Gift {uid: $gift, owner: $owner})-[:INTENDED_FOR]->(r:Recipient) RETURN collect(r.uid) AS rs"
    )
    return (await (await tx.run(query, gift=gift, owner=owner)).single(strict=True))["rs"]


async def delete(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> list[str]:
    """Deletes the gift and its outcome; the statistics of its recipients no longer count it."""
    recipients_of = await _recipients_of(tx, owner, uid)
    deleted = await owned.delete(tx, "Gift", owner=owner, uid=uid)
    await refresh_knows(tx, owner=owner, recipients=recipients_of)
    return deleted


async def _gave(tx: AsyncManagedTransaction, owner: str, gift: str, gave: dict[str, Any]) -> None:
    query = """
    MATCH (u:User {uid: $owner}), (g:Gift {uid: $gift, owner: $owner})
    MERGE (u)-[v:GAVE]->(g)
    SET v = $gave
    """
    await (await tx.run(query, owner=owner, gift=gift, gave=for_create(Gave, gave))).consume()
