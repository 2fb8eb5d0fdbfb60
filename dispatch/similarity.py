"""Which of a viewer's people are alike: a consumer that recomputes an owner's SIMILAR_TO links between
their people after a change to what similarity compares, and a daily job that recomputes every owner's.

Two people are compared by what they share (each part 0 to 1, weighted, the score their sum, 0 to 1):
- their interests (INTERESTED_IN concepts): the Jaccard index of the two sets, weight INTERESTS;
- the relationship's kind (family, friend, ...): 1 when the same, weight RELATIONSHIP;
- gift categories that went well for both (mean success GOOD or more), Jaccard, weight GOOD_GIFTS;
- gift categories that went badly for both (mean success under POOR), Jaccard, weight POOR_GIFTS.
Each person keeps links to at most TOP_K others, those scoring FLOOR or more (a shared relationship
kind alone stays under it), each with its score, its basis (what they share, as "interest:hiking",
"relationship:family", "gift:books", "gift_failed:gadgets") and when it was computed. The links are
directed (A's top k need not hold B's) and never cross owners. Vectors are not used: the owner's
concepts already name what a profile's embedding would mostly carry, and reading one vector per person
would cost more than the whole comparison.

Recomputing is one read per owner (and one write when a link changed), whatever the number of events:
the events of one delivery coalesce per owner. It is idempotent: a link whose score and basis did not
change is left as it was (its computedAt too), and nothing changed writes nothing. Each link made,
rewritten or removed writes its event (SIMILAR_TOLinked, SIMILAR_TOUnlinked), so a subscriber sees
it; no consumer that learns handles those, so it never wakes itself.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

from dispatch import DAILY, Event, Services
from graph import learning
from graph.driver import Graph
from graph.events import EventKind
from graph.knows import GOOD, POOR

NAME = "similarity"
EVERY = DAILY
INTERESTS, RELATIONSHIP, GOOD_GIFTS, POOR_GIFTS = 0.5, 0.2, 0.2, 0.1
FLOOR = 0.25
TOP_K = 5
OWNERS_PER_READ = 200

# What a person is compared by: their profile, interests, gifts and outcomes, and their relationship.
_SUBJECTS = frozenset({"Recipient", "Gift", "GiftOutcome", "INTERESTED_IN", "INTENDED_FOR", "HAS_OUTCOME"})


def handles(kind: str) -> bool:
    return EventKind.parse(kind).subject in _SUBJECTS


async def handle(services: Services, events: Sequence[Event]) -> None:
    for owner in sorted({event.owner for event in events if handles(event.kind)}):
        await recompute(services.graph, owner)


async def run(services: Services, now: float) -> int:
    """Every owner's links, recomputed (a change the consumer missed is caught here); returns how many
    links changed."""
    changed, after = 0, ""
    while True:
        owners = await services.graph.read(learning.owners, after=after, limit=OWNERS_PER_READ)
        for owner in owners:
            changed += await recompute(services.graph, owner, now)
        if len(owners) < OWNERS_PER_READ:
            return changed
        after = owners[-1]


async def recompute(graph: Graph, owner: str, now: float | None = None) -> int:
    """The owner's SIMILAR_TO links between people, computed anew and kept; returns how many changed."""
    people = await graph.read(learning.similarity_features, owner=owner)
    kept = {(p["uid"], target): (score, list(basis)) for p in people for target, score, basis in p["similar"]}
    links = similar_links(people)
    changed = [
        link for link in links if kept.get((link["source"], link["target"])) != (link["score"], link["basis"])
    ]
    made = {(link["source"], link["target"]) for link in links}
    gone = [{"source": source, "target": target} for source, target in sorted(set(kept) - made)]
    if not changed and not gone:
        return 0
    moment = datetime.fromtimestamp(now, UTC) if now is not None else datetime.now(UTC)
    return int(await graph.write(learning.keep_similar, owner=owner, gone=gone, links=changed, now=moment))


def similar_links(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each person's TOP_K most alike others scoring FLOOR or more: {source, target, score, basis}."""
    profiles = [_profile(person) for person in people]
    scored: dict[int, list[tuple[float, str, list[str]]]] = defaultdict(list)
    for i, j in combinations(range(len(profiles)), 2):
        score, basis = compare(profiles[i], profiles[j])
        if score >= FLOOR:
            scored[i].append((score, profiles[j]["uid"], basis))
            scored[j].append((score, profiles[i]["uid"], basis))
    links = []
    for i, found in sorted(scored.items()):
        found.sort(key=lambda item: (-item[0], item[1]))
        for score, target, basis in found[:TOP_K]:
            links.append({"source": profiles[i]["uid"], "target": target, "score": score, "basis": basis})
    return links


def _profile(person: dict[str, Any]) -> dict[str, Any]:
    successes: dict[str, list[float]] = defaultdict(list)
    for category, success in person["outcomes"]:
        successes[category.strip().lower()].append(float(success))
    means = {category: sum(values) / len(values) for category, values in successes.items()}
    return {
        "uid": person["uid"],
        "kind": person["kind"],
        "interests": {uid: name for uid, name in person["interests"]},
        "good": {category for category, mean in means.items() if mean >= GOOD},
        "poor": {category for category, mean in means.items() if mean < POOR},
    }


def _jaccard(one: set[str], other: set[str]) -> tuple[float, set[str]]:
    shared = one & other
    return (len(shared) / len(one | other), shared) if shared else (0.0, shared)


def compare(one: dict[str, Any], other: dict[str, Any]) -> tuple[float, list[str]]:
    """How alike two people are (0 to 1), and what they share, named."""
    interests, shared = _jaccard(set(one["interests"]), set(other["interests"]))
    basis = sorted(f"interest:{one['interests'][uid]}" for uid in shared)
    score = INTERESTS * interests
    if one["kind"] is not None and one["kind"] == other["kind"]:
        score += RELATIONSHIP
        basis.append(f"relationship:{one['kind']}")
    good, liked = _jaccard(one["good"], other["good"])
    score += GOOD_GIFTS * good
    basis += sorted(f"gift:{category}" for category in liked)
    poor, disliked = _jaccard(one["poor"], other["poor"])
    score += POOR_GIFTS * poor
    basis += sorted(f"gift_failed:{category}" for category in disliked)
    return round(score, 4), basis
