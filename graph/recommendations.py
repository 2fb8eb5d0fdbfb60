"""Cypher for gift recommendations: what a list is ranked from (a person's interests, learned preferences,
gifts and their outcomes, the people most like them and what went well for them, the occasion, past
reactions, and which categories went well across the owner's people), the list written as
GiftRecommendation nodes linked to whom and what it is for and DERIVED_FROM its evidence, and a
reaction to one. The ranking itself is generation/gift_ranking.py's."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from errors import NotFound
from graph import nodes
from graph.kinds import GIFT, OCCASION, RECIPIENT, RECOMMENDATION, RECOMMENDED_FOR, RESTS_ON, relation
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.refs import Ref
from graph.traversals import Traversal

_TO_RECIPIENT = relation(RECOMMENDED_FOR, RECOMMENDATION.label, RECIPIENT.label)
_TO_OCCASION = relation(RECOMMENDED_FOR, RECOMMENDATION.label, OCCASION.label)
_CHOSEN = relation("FROM_RECOMMENDATION", GIFT.label, RECOMMENDATION.label)
assert _TO_RECIPIENT and _TO_OCCASION and _CHOSEN, "declared in graph/kinds.py"

# The relations that reach recommendations, and what a recommendation reaches: whom it is for, the
# occasion, the gifts chosen from it, and its evidence of each label (each of those reaches the
# recommendations resting on it).
OF_RECIPIENT = Traversal.along(_TO_RECIPIENT, RECOMMENDATION)
OF_OCCASION = Traversal.along(_TO_OCCASION, RECOMMENDATION)
OF_GIFT = Traversal.along(_CHOSEN, RECOMMENDATION)
RECIPIENTS = Traversal.along(_TO_RECIPIENT, RECIPIENT)
OCCASIONS = Traversal.along(_TO_OCCASION, OCCASION)
GIFTS = Traversal.along(_CHOSEN, GIFT)
DERIVED_FROM = Traversal.each(RECOMMENDATION, RESTS_ON, towards=False)
DERIVED = Traversal.each(RECOMMENDATION, RESTS_ON, towards=True)

# An outcome counts as going well from this success on (as outcome preferences count a positive).
WELL = 0.6


def condition(
    recipient: str | None = None, occasion: str | None = None, reactions: list[str] | None = None
) -> Condition:
    return Condition.of(
        (
            f"EXISTS {{ (n)-[:{RECOMMENDED_FOR}]->(:Recipient {{uid: $recipient, owner: $owner}}) }}",
            "recipient",
            recipient,
        ),
        (
            f"EXISTS {{ (n)-[:{RECOMMENDED_FOR}]->(:Occasion {{uid: $occasion, owner: $owner}}) }}",
            "occasion",
            occasion,
        ),
        ("n.reaction IN $reactions", "reactions", reactions),
    )


async def features(
    tx: AsyncManagedTransaction, *, owner: str, recipient: str, occasion: str | None
) -> dict[str, Any]:
    """What a list for this person (and occasion) is ranked from, in one read: NotFound when the person,
    or the occasion, is not the owner's. Outcomes of gifts not given are left out."""
    query = f"""
    MATCH (r:Recipient {{uid: $recipient, owner: $owner}})
    OPTIONAL MATCH (o:Occasion {{uid: $occasion, owner: $owner}})
    RETURN r.name AS name,
      [(r)-[:INTERESTED_IN]->(c:Concept {{owner: $owner}}) | {{uid: c.uid, name: c.name}}] AS interests,
      [(i:Insight {{owner: $owner, extractor: 'outcomes'}})-[:CONCERNS]->(r)
        WHERE i.status IN ['proposed', 'confirmed'] |
        {{uid: i.uid, value: i.value, confidence: i.confidence}}] AS preferences,
      [(r)<-[:INTENDED_FOR]-(g:Gift {{owner: $owner}}) |
        {{name: g.name, category: g.category, price: g.price_cents,
          outcome: head([(g)-[:HAS_OUTCOME]->(x:GiftOutcome) WHERE coalesce(x.was_given, true) |
                         {{uid: x.uid, success: x.success}}])}}] AS gifts,
      [(r)-[s:SIMILAR_TO]->(b:Recipient {{owner: $owner}}) |
        {{uid: b.uid, name: b.name, score: s.score,
          gifts: [(b)<-[:INTENDED_FOR]-(g:Gift {{owner: $owner}})-[:HAS_OUTCOME]->(x:GiftOutcome)
                  WHERE coalesce(x.was_given, true) AND g.category IS NOT NULL |
                  {{name: g.name, category: g.category, price: g.price_cents, outcome: x.uid,
                    success: x.success}}]}}] AS similar,
      [(r)<-[:{RECOMMENDED_FOR}]-(m:GiftRecommendation {{owner: $owner}}) WHERE m.reaction IS NOT NULL |
        {{uid: m.uid, category: m.category, idea: m.idea, reaction: m.reaction}}] AS reactions,
      CASE WHEN o IS NULL THEN null ELSE
        {{uid: o.uid, kind: o.occasion_type, month: o.date.month, budget_min: o.budget_min,
          budget_max: o.budget_max}} END AS occasion,
      COLLECT {{
        MATCH (g:Gift {{owner: $owner}})-[:HAS_OUTCOME]->(x:GiftOutcome)
        WHERE g.category IS NOT NULL AND x.success >= $well AND coalesce(x.was_given, true)
        RETURN g.category
      }} AS well_received
    """
    record = await (
        await tx.run(query, owner=owner, recipient=recipient, occasion=occasion, well=WELL)
    ).single()
    if record is None:
        raise NotFound("No person of yours has this id.", id=recipient)
    found = record.data()
    if occasion is not None and found["occasion"] is None:
        raise NotFound("No occasion of yours has this id.", id=occasion)
    for preference in found["preferences"]:
        value = preference["value"]
        preference["value"] = json.loads(value) if isinstance(value, str) else value or {}
    return found


async def save(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uids: Sequence[str],
    recipient: str,
    occasion: str | None,
    items: Sequence[tuple[dict[str, Any], Sequence[Ref]]],
) -> list[Row]:
    """Writes a list: each recommendation (its values and its evidence) with the uid given, linked to the
    person and the occasion and DERIVED_FROM its evidence; all of it, or (on any error) none."""
    rows = []
    for uid, (values, evidence) in zip(uids, items, strict=True):
        links = [Link(RECOMMENDED_FOR, RECIPIENT.label, recipient)]
        links += [Link(RECOMMENDED_FOR, OCCASION.label, occasion)] if occasion else []
        links += [Link(RESTS_ON, ref.label, ref.uid) for ref in dict.fromkeys(evidence)]
        rows.append(await nodes.create(tx, RECOMMENDATION, owner=owner, uid=uid, values=values, links=links))
    return rows


async def react(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, reaction: str | None, at: datetime
) -> Row:
    """Keeps the viewer's reaction to a recommendation (the last one counts; None takes it back);
    NotFound if not theirs."""
    values = {"reaction": reaction, "reacted_at": at if reaction is not None else None}
    return await nodes.update(tx, RECOMMENDATION, owner=owner, uid=uid, values=values)
