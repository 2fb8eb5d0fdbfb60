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
- its confidence: with n data points and m the larger of positive and negative,
  (m + 1) / (n + 2) * n / (n + 1) (Laplace's estimate of the leaning, shrunk while the data points are
  few): one happy outcome is 0.33, three of three 0.6, five of five 0.71, ten of ten 0.83; three of four
  0.53.

One insight per person and category (its claim "outcomes|<recipient uid>|<category>"), made with status
proposed and extractor "outcomes", then kept current. A person's decision holds while the evidence does:
a rejected one is proposed again only when an outcome it did not rest on arrives (never from the same
evidence), and a confirmed one is proposed again only when its leaning turns (likes to does not).
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from dispatch import Event, Services
from graph import insights, nodes, preferences
from graph.events import Change, EventKind
from graph.kinds import INSIGHT, OUTCOME
from graph.refs import Ref

NAME = "outcome-preferences"
EXTRACTOR = "outcomes"
POSITIVE = 0.6  # a success at least this is a positive data point
NEGATIVE = 0.4  # at most this, a negative one


def handles(kind: str) -> bool:
    parsed = EventKind.parse(kind)
    return parsed.change == Change.CREATED and parsed.subject == OUTCOME.label


async def handle(services: Services, events: Sequence[Event]) -> None:
    gifts: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if handles(event.kind):
            gifts[event.owner].update(ref.uid for ref in map(Ref.parse, event.nodes) if ref.label == "Gift")
    for owner in sorted(gifts):
        await services.graph.write(learn, owner=owner, gifts=gifts[owner])


def tally(outcomes: Sequence[dict[str, Any]]) -> tuple[int, int, int]:
    """Data points, positive, negative."""
    given = [o for o in outcomes if o["given"] and o["success"] is not None]
    positive = sum(1 for o in given if o["success"] >= POSITIVE)
    negative = sum(1 for o in given if o["success"] <= NEGATIVE)
    return len(given), positive, negative


def confidence(points: int, positive: int, negative: int) -> float:
    """How sure the leaning is (see the module's doc)."""
    if points == 0:
        return 0.0
    return round((max(positive, negative) + 1) / (points + 2) * points / (points + 1), 3)


def leaning(positive: int, negative: int) -> str:
    return "likes" if positive > negative else "dislikes" if negative > positive else "mixed"


def statement(name: str, category: str, lean: str) -> str:
    said = {"likes": "likes", "dislikes": "does not like", "mixed": "has mixed reactions to"}[lean]
    return f"{name} {said} {category} gifts"


async def learn(tx: AsyncManagedTransaction, *, owner: str, gifts: set[str]) -> None:
    """Makes or keeps current the preference of each person these gifts were for (see the doc)."""
    for row in await preferences.tallies(tx, owner=owner, gifts=gifts):
        points, positive, negative = tally(row["outcomes"])
        if points == 0:
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
            },
            "confidence": confidence(points, positive, negative),
        }
        found = row["insight"]
        if found is None:
            await insights.create(
                tx,
                owner=owner,
                uid=str(uuid4()),
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
            continue
        new = {ref.uid for ref in evidence} - set(found["evidence"])
        if found["status"] == "rejected" and new:
            values["status"] = "proposed"
        was = await nodes.by_uids(tx, INSIGHT, owner=owner, uids=[found["uid"]])
        turned = bool(was) and (was[0].node.get("value") or {}).get("leaning") not in (None, lean)
        if found["status"] == "confirmed" and turned:
            values["status"] = "proposed"
        await insights.update(tx, owner=owner, uid=found["uid"], values=values, evidence=evidence)
