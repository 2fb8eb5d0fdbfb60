"""The outcome preferences consumer: what a person thinks of a category of gifts, learned from how the
owner's gifts of that category went with them (seed 000's learned preferences: a confidence and its data
points). After an outcome is recorded, for each person its gift was for and the gift's category, every
outcome of the owner's gifts of that category (case folded) for that person is counted:

- a data point is an outcome of a gift that was given (`wasGiven` not false);
- positive when its success is at least 0.6, negative when at most 0.4 (in between counts, as neither);
- the insight is a preference concerning the person, "<name> likes <category> gifts" when positives
  outnumber negatives, "<name> does not like <category> gifts" when negatives do, "<name> has mixed
  reactions to <category> gifts" when they are even; its value {category, dataPoints, positive,
  negative}; its evidence (DERIVED_FROM) exactly those outcomes;
- a reaction to a recommendation of that category for that person (reactToRecommendation) is a data
  point too, lighter than a gift's outcome (REACTION_WEIGHTS: LOVED 0.5 and LIKED 0.25 for, NOT_FOR_THEM
  0.5 against; ALREADY_HAVE says nothing of the category and is not counted); the insight counts those
  recommendations (LEARNED_FROM, each link with its weight), its value says how many (`reactions`), and
  a reaction changed or taken back counts anew (the next recommendations rank by the preference);
- its confidence: with n data points and m the larger of positive and negative,
  (m + 1) / (n + 2) * n / (n + 1) (Laplace's estimate of the leaning, shrunk while the data points are
  few): one happy outcome is 0.33, three of three 0.6, five of five 0.71, ten of ten 0.83; three of four
  0.53.

One insight per person and category (its claim "outcomes|<recipient uid>|<category>"), made with status
proposed and extractor "outcomes", then kept current. A person's decision holds while the evidence does:
a rejected one is proposed again only when an outcome it did not rest on arrives (never from the same
evidence), and a confirmed one is proposed again only when its leaning turns (likes to does not).

A preference follows its gifts: after a gift's category changes, its outcome is recorded again, it is
linked to another person or unlinked from one, or a gift, outcome or person is deleted (a person takes
the gifts they were given with them, shared ones too), the preferences of the pairs it moved (the
person's old and new category) are counted again from what is left; one with no data point left is
deleted. A preference whose count, statement and evidence read as before is not written
again (a replay writes nothing). A person renamed renames their preferences' statements.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from dispatch import Event, Services
from graph import insights, nodes, preferences
from graph.events import Change, EventKind
from graph.kinds import GIFT, INSIGHT, OUTCOME, RECIPIENT, RECOMMENDATION
from graph.refs import Ref

NAME = "outcome-preferences"
EXTRACTOR = "outcomes"
POSITIVE = 0.6  # a success at least this is a positive data point
NEGATIVE = 0.4  # at most this, a negative one
INTENDED_FOR = "INTENDED_FOR"  # a gift to a person (graph/kinds.py)
# A reaction's weight as a data point (an outcome's is 1), and which way it leans: + for, - against.
REACTION_WEIGHTS = {"loved": 0.5, "liked": 0.25, "not_for_them": -0.5}


# What moves a preference: the kinds of change of each subject (its own Insight events are none of them).
_MOVES = {
    OUTCOME.label: (Change.CREATED, Change.UPDATED, Change.DELETED),
    GIFT.label: (Change.UPDATED, Change.DELETED),
    INTENDED_FOR: (Change.LINKED, Change.UNLINKED),
    RECIPIENT.label: (Change.UPDATED, Change.DELETED),  # renamed; or gone with gifts others shared
    RECOMMENDATION.label: (Change.UPDATED, Change.DELETED),  # reacted to, or the reaction taken back
}


def handles(kind: str) -> bool:
    parsed = EventKind.parse(kind)
    return parsed.change in _MOVES.get(parsed.subject, ())


@dataclass
class _Moved:
    """One owner's events, as what they may have moved: these gifts' and people's pairs, or (after a
    deletion) every pair the owner has a preference of."""

    gifts: set[str] = field(default_factory=set)
    recipients: set[str] = field(default_factory=set)
    recommendations: set[str] = field(default_factory=set)
    everything: bool = False


async def handle(services: Services, events: Sequence[Event]) -> None:
    moved: dict[str, _Moved] = defaultdict(_Moved)
    for event in events:
        if not handles(event.kind):
            continue
        of = moved[event.owner]
        refs = [Ref.parse(text) for text in event.nodes]
        of.gifts.update(ref.uid for ref in refs if ref.label == GIFT.label)
        of.recipients.update(ref.uid for ref in refs if ref.label == RECIPIENT.label)
        of.recommendations.update(ref.uid for ref in refs if ref.label == RECOMMENDATION.label)
        of.everything |= EventKind.parse(event.kind).change == Change.DELETED
    for owner, of in sorted(moved.items()):
        await services.graph.write(
            learn,
            owner=owner,
            gifts=of.gifts,
            recipients=of.recipients,
            everything=of.everything,
            recommendations=of.recommendations,
        )


def tally(
    outcomes: Sequence[dict[str, Any]], reactions: Sequence[dict[str, Any]] = ()
) -> tuple[float, float, float]:
    """Data points, positive, negative: each outcome of a given gift 1, each reaction its weight."""
    given = [o for o in outcomes if o["given"] and o["success"] is not None]
    positive: float = sum(1 for o in given if o["success"] >= POSITIVE)
    negative: float = sum(1 for o in given if o["success"] <= NEGATIVE)
    points: float = len(given)
    for weight in (REACTION_WEIGHTS.get(r["reaction"]) for r in reactions):
        if weight is None:
            continue
        points += abs(weight)
        positive += max(weight, 0)
        negative += max(-weight, 0)
    return points, positive, negative


def counted(reactions: Sequence[dict[str, Any]]) -> dict[str, float]:
    """The reactions a preference counts: recommendation uid -> the weight of its reaction."""
    return {
        r["uid"]: abs(REACTION_WEIGHTS[r["reaction"]]) for r in reactions if r["reaction"] in REACTION_WEIGHTS
    }


def confidence(points: float, positive: float, negative: float) -> float:
    """How sure the leaning is (see the module's doc)."""
    if points == 0:
        return 0.0
    return round((max(positive, negative) + 1) / (points + 2) * points / (points + 1), 3)


def leaning(positive: float, negative: float) -> str:
    return "likes" if positive > negative else "dislikes" if negative > positive else "mixed"


def statement(name: str, category: str, lean: str) -> str:
    said = {"likes": "likes", "dislikes": "does not like", "mixed": "has mixed reactions to"}[lean]
    return f"{name} {said} {category} gifts"


async def learn(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    gifts: set[str],
    recipients: Iterable[str] = (),
    everything: bool = False,
    recommendations: Iterable[str] = (),
) -> None:
    """Makes, keeps current or deletes the preferences of the pairs these changes may have moved (see the
    doc and graph/preferences.py's `tallies`)."""
    rows = await preferences.tallies(
        tx,
        owner=owner,
        gifts=gifts,
        recipients=recipients,
        everything=everything,
        recommendations=recommendations,
    )
    for row in rows:
        points, positive, negative = tally(row["outcomes"], row["reactions"])
        reacted = counted(row["reactions"])
        found = row["insight"]
        if points == 0:
            if found is not None:  # nothing left to rest on: the preference goes, with its event
                await nodes.delete(tx, INSIGHT, owner=owner, uid=found["uid"])
            continue
        lean = leaning(positive, negative)
        evidence = [Ref(OUTCOME.label, o["uid"]) for o in row["outcomes"]]
        values: dict[str, Any] = {
            "statement": statement(row["name"], row["category"], lean),
            "value": {
                "category": row["category"],
                "dataPoints": points,
                "positive": positive,
                "negative": negative,
                "leaning": lean,
                **({"reactions": len(reacted)} if reacted else {}),
            },
            "confidence": confidence(points, positive, negative),
        }
        if found is None:
            uid = str(uuid4())
            await insights.create(
                tx,
                owner=owner,
                uid=uid,
                values={
                    **values,
                    "category": "preference",
                    "status": "proposed",
                    "extractor": EXTRACTOR,
                    "claim": f"{preferences.CLAIM_PREFIX}{row['recipient']}|{row['key']}",
                },
                recipients=[row["recipient"]],
                evidence=evidence,
            )
            if reacted:
                await preferences.relearn(tx, owner=owner, uid=uid, weights=reacted)
            continue
        await _keep(tx, owner, found, values, evidence, reacted)


async def _keep(
    tx: AsyncManagedTransaction,
    owner: str,
    found: dict[str, Any],
    values: dict[str, Any],
    evidence: list[Ref],
    reacted: dict[str, float],
) -> None:
    """Rewrites a learned preference where its count, statement, evidence or reactions moved (its status
    back to proposed where the doc says), else leaves it as it is."""
    was = json.loads(found["value"]) if found["value"] else {}
    had = {uid: weight for uid, weight in found["reactions"]}
    if had != reacted:
        await preferences.relearn(tx, owner=owner, uid=found["uid"], weights=reacted)
    new = ({ref.uid for ref in evidence} - set(found["evidence"])) | (set(reacted) - set(had))
    if found["status"] == "rejected" and new:
        values["status"] = "proposed"
    if found["status"] == "confirmed" and was.get("leaning") not in (None, values["value"]["leaning"]):
        values["status"] = "proposed"
    same = (
        "status" not in values
        and values["statement"] == found["statement"]
        and values["value"] == was
        and values["confidence"] == found["confidence"]
        and {ref.uid for ref in evidence} == set(found["evidence"])
    )
    if not same:
        await insights.update(tx, owner=owner, uid=found["uid"], values=values, evidence=evidence)
