"""The bench's graph in Kindred's own shape, made in memory from a seed: the same seed, the same graph.

One user at a time (`user_graph`), as rows per label and per relationship type, with the property names
and types the app writes (graph/models.py): native Date and DateTime, JSON properties as strings, the
owner on every owned node, the KNOWS gift statistics as graph/knows.refresh computes them.
Nothing here talks to Neo4j (bench/generate.py loads the rows).
"""

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

# Every generated user logs in with this password (one argon2 hash, made once per load).
PASSWORD = "kindred-bench-password"  # noqa: S105
RECIPIENTS, OCCASIONS, GIFTS, MEMORIES, CONCEPTS = 100, 2, 5, 200, 100
CONCEPT_LINKS_PER_USER = 150
# Fixed, so that a graph made today and one made tomorrow from the same seed are the same.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
GOOD, POOR = 0.7, 0.4  # graph/knows.py's thresholds for preferred and failed gift types

FIRST = ["Maya", "Leo", "Ines", "Tomas", "Aiko", "Noah", "Zara", "Elias", "Priya", "Jonas", "Lucia", "Omar"]
LAST = ["Silva", "Berg", "Tanaka", "Okafor", "Novak", "Haddad", "Larsen", "Moreau", "Costa", "Kim"]
RELATIONSHIPS = [
    ("family", "mother"),
    ("family", "brother"),
    ("romantic", "partner"),
    ("friend", "best friend"),
    ("friend", "friend"),
    ("colleague", "colleague"),
    ("acquaintance", "neighbour"),
    ("other", "mentor"),
]
CATEGORIES = ["handmade", "experiential", "books", "tech", "sentimental", "food", "games", "art", "plants"]
TOPICS = ["chores", "money", "time together", "in-laws", "communication", "plans", "holidays", "work"]
VALUES = ["honesty", "kindness", "loyalty", "curiosity", "humour"]
INTERESTS = [
    "hiking",
    "tea",
    "jazz",
    "gardening",
    "board games",
    "photography",
    "cooking",
    "running",
    "poetry",
    "pottery",
    "cycling",
    "science fiction",
    "yoga",
    "chess",
    "travel",
    "birdwatching",
    "climbing",
]
LINK_TYPES = ["RELATED_TO", "RELATED_TO", "RELATED_TO", "PART_OF", "INSPIRED_BY", "SUPPORTS", "CONTRADICTS"]
KINDS = ["episodic", "semantic", "procedural", "emotional", "identity", "short_term"]
REACTIONS = ["thrilled", "happy", "neutral", "disappointed"]
PLACES = ["Lisbon", "Berlin", "Osaka", "Toronto", "Nairobi", "Lima", "Oslo"]


@dataclass
class UserGraph:
    """One user's nodes (label -> property maps) and relationships (type -> rows), ready for UNWIND."""

    user: dict[str, Any]
    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # type -> (from label, to label, rows of {"a": uid, "b": uid, "props": {...}})
    rels: dict[str, tuple[str, str, list[dict[str, Any]]]] = field(default_factory=dict)

    def add(self, label: str, props: dict[str, Any]) -> dict[str, Any]:
        self.nodes.setdefault(label, []).append(props)
        return props

    def link(self, rel: str, ends: tuple[str, str], a: str, b: str, **props: Any) -> None:
        self.rels.setdefault(rel, (ends[0], ends[1], []))[2].append({"a": a, "b": b, "props": props})


class Maker:
    """Deterministic values from one random stream: uids, times, picks."""

    def __init__(self, seed: int, index: int) -> None:
        self.rng = random.Random(f"{seed}:{index}")
        self.tick = 0

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def stamp(self) -> datetime:
        # Strictly increasing creation times: orders by created_at are total, as after real writes.
        self.tick += 1
        return EPOCH + timedelta(seconds=self.tick)

    def day(self, start: int, end: int) -> date:
        return date(start, 1, 1) + timedelta(days=self.rng.randint(0, (end - start) * 365))

    def moment(self, start: int, end: int) -> datetime:
        return datetime(start, 1, 1, tzinfo=UTC) + timedelta(
            seconds=self.rng.randint(0, (end - start) * 31_536_000)
        )

    def unit(self) -> float:
        return round(self.rng.random(), 2)


@dataclass(frozen=True)
class Size:
    """How much of each a user has: FULL is the bench graph's; a write bench takes a smaller one."""

    recipients: int = RECIPIENTS
    memories: int = MEMORIES
    concepts: int = CONCEPTS  # at least every named one (categories, topics, values, interests)
    concept_links: int = CONCEPT_LINKS_PER_USER


FULL = Size()


def user_graph(seed: int, index: int, password_hash: str, size: Size = FULL) -> UserGraph:
    make = Maker(seed, index)
    uid = make.uid()
    now = make.stamp()
    user = {
        "uid": uid,
        "email": email_of(index),
        "name": f"Bench User {index}",
        "password_hash": password_hash,
        "tier": "free",
        "status": "active",
        "created_at": now,
        "updated_at": now,
        "event_sequence": 1,
    }
    graph = UserGraph(user)
    graph.add("Event", _event(make, uid, "UserSignedUp", [f"User:{uid}"]))
    concepts = _concepts(graph, make, uid, size)
    for position in range(size.recipients):
        _recipient(graph, make, uid, position, concepts)
    _memories(graph, make, uid, concepts, size.memories)
    return graph


def email_of(index: int) -> str:
    return f"bench-{index}@bench.example"


def _event(make: Maker, owner: str, kind: str, nodes: list[str]) -> dict[str, Any]:
    at = make.stamp()
    return {
        "uid": make.uid(),
        "owner": owner,
        "sequence": 1,
        "kind": kind,
        "nodes": nodes,
        "at": at,
        "created_at": at,
        "updated_at": at,
    }


def _owned(make: Maker, owner: str, **props: Any) -> dict[str, Any]:
    at = make.stamp()
    return {"uid": make.uid(), "owner": owner, "created_at": at, "updated_at": at, **props}


def _concepts(graph: UserGraph, make: Maker, owner: str, size: Size) -> dict[str, list[dict[str, Any]]]:
    """100 concepts (gift categories, topics, values, interests) and typed links between them."""
    named = [(name, "gift_category") for name in CATEGORIES] + [(name, "topic") for name in TOPICS]
    named += [(name, "value") for name in VALUES] + [(name, "interest") for name in INTERESTS]
    while len(named) < size.concepts:
        named.append((f"{make.rng.choice(INTERESTS)} {len(named)}", "interest"))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for name, kind in named:
        concept = graph.add(
            "Concept",
            _owned(make, owner, name=name, key=name.lower(), concept_type=kind, description=f"About {name}"),
        )
        by_type.setdefault(kind, []).append(concept)
    every = graph.nodes["Concept"]
    seen: set[tuple[str, str]] = set()
    while len(seen) < size.concept_links:
        a, b = make.rng.sample(every, 2)
        if (a["uid"], b["uid"]) in seen or (b["uid"], a["uid"]) in seen:
            continue
        seen.add((a["uid"], b["uid"]))
        kind = make.rng.choice(LINK_TYPES)
        graph.link(kind, ("Concept", "Concept"), a["uid"], b["uid"], weight=make.unit())
    return by_type


def _recipient(
    graph: UserGraph, make: Maker, owner: str, position: int, concepts: dict[str, list[dict[str, Any]]]
) -> None:
    first, last = make.rng.choice(FIRST), make.rng.choice(LAST)
    person = graph.add(
        "Recipient",
        _owned(
            make,
            owner,
            name=f"{first} {last} {position:03d}",
            real_name=f"{first} {last}",
            nickname=first[:3] if make.rng.random() < 0.3 else None,
            approximate_age=make.rng.randint(8, 85),
            gender=make.rng.choice(["female", "male", "non-binary"]),
            location=make.rng.choice(PLACES),
            personality_traits=json.dumps({"openness": make.unit(), "warmth": make.unit()}),
            preferences=json.dumps({"likes": make.rng.sample(INTERESTS, 2)}),
            life_context=json.dumps({"stage": make.rng.choice(["student", "working", "retired"])}),
        ),
    )
    rid = person["uid"]
    for concept in make.rng.sample(concepts["interest"], 3):
        graph.link("INTERESTED_IN", ("Recipient", "Concept"), rid, concept["uid"], weight=make.unit())
    occasions = _occasions(graph, make, owner, person)
    outcomes = [_gift(graph, make, owner, rid, occasions, concepts) for _ in range(GIFTS)]
    graph.link("KNOWS", ("User", "Recipient"), owner, rid, **_knows(make, outcomes))
    if position % 10 == 0:
        _conflict(graph, make, owner, rid, concepts)


def _knows(make: Maker, outcomes: list[tuple[str, float, bool]]) -> dict[str, Any]:
    kind, label = make.rng.choice(RELATIONSHIPS)
    given = [(category, success) for category, success, was_given in outcomes if was_given]
    ranked = sorted(given, key=lambda pair: -pair[1])
    importance = make.rng.randint(1, 10)
    return {
        "relationship_type": kind,
        "relationship_label": label,
        "since": make.day(1990, 2024),
        "importance": importance,
        "closeness": max(1, importance - make.rng.randint(0, 3)),
        "communication_frequency": make.rng.choice(["daily", "weekly", "monthly", "rarely"]),
        "communication_channels": make.rng.sample(["text", "call", "in_person", "email"], 2),
        "last_interaction": make.moment(2024, 2025),
        "emotional_warmth": make.unit(),
        "conflict_level": round(make.rng.uniform(0, 0.5), 2),
        "support_level": make.unit(),
        "gift_direction": make.rng.choice(["unidirectional", "bidirectional"]),
        "gifts_given_count": len(given),
        "gifts_received_count": make.rng.randint(0, 5),
        "average_gift_success": sum(s for _, s in given) / len(given) if given else None,
        "preferred_gift_types": list(dict.fromkeys(c for c, s in ranked if s >= GOOD)),
        "failed_gift_types": list(dict.fromkeys(c for c, s in ranked if s < POOR)),
        "trend": make.rng.choice(["growing", "stable", "declining"]),
    }


def _occasions(graph: UserGraph, make: Maker, owner: str, person: dict[str, Any]) -> list[str]:
    birthday = date(2025 - person["approximate_age"], 1, 1) + timedelta(days=make.rng.randint(0, 364))
    made = [
        _owned(
            make,
            owner,
            name=f"{person['real_name']}'s birthday",
            occasion_type="birthday",
            date=birthday,
            recurring=True,
            recurrence="yearly",
            importance=make.rng.randint(5, 10),
            reminder_days=[14, 3],
        ),
        _owned(
            make,
            owner,
            name=f"Anniversary with {person['real_name']}",
            occasion_type="anniversary",
            date=make.day(2000, 2024),
            recurring=True,
            recurrence="yearly",
            importance=make.rng.randint(3, 9),
            significance="when we met",
            reminder_days=[7],
            budget_min=2000,
            budget_max=10000,
        ),
    ][:OCCASIONS]
    for occasion in made:
        graph.add("Occasion", occasion)
        graph.link("HAS_OCCASION", ("Recipient", "Occasion"), person["uid"], occasion["uid"])
    return [occasion["uid"] for occasion in made]


def _gift(
    graph: UserGraph,
    make: Maker,
    owner: str,
    recipient: str,
    occasions: list[str],
    concepts: dict[str, list[dict[str, Any]]],
) -> tuple[str, float, bool]:
    category = make.rng.choice(concepts["gift_category"])
    gift = graph.add(
        "Gift",
        _owned(
            make,
            owner,
            name=f"{category['name'].title()} gift",
            description="Chosen with care",
            category=category["name"],
            price_cents=make.rng.randint(10, 300) * 100,
            effort_level=make.rng.randint(1, 10),
            personalization_level=make.rng.randint(1, 10),
            surprise_factor=make.rng.randint(1, 10),
            success_score=None,
        ),
    )
    gid = gift["uid"]
    given_on = make.day(2020, 2024)
    graph.link(
        "GAVE",
        ("User", "Gift"),
        owner,
        gid,
        date=given_on,
        planning_time_hours=float(make.rng.randint(1, 40)),
        financial_investment_cents=gift["price_cents"],
        emotional_investment=make.unit(),
        surprise_level=make.rng.randint(1, 10),
        immediate_reaction=make.rng.choice(REACTIONS),
        reaction_intensity=make.rng.randint(1, 10),
        relationship_impact=round(make.rng.uniform(-1, 1), 2),
    )
    graph.link("INTENDED_FOR", ("Gift", "Recipient"), gid, recipient)
    graph.link("GIVEN_FOR", ("Gift", "Occasion"), gid, make.rng.choice(occasions))
    graph.link("TAGGED_WITH", ("Gift", "Concept"), gid, category["uid"])
    success, was_given = make.unit(), make.rng.random() < 0.9
    outcome = graph.add(
        "GiftOutcome",
        _owned(
            make,
            owner,
            was_given=was_given,
            given_date=given_on,
            reaction=make.rng.choice(REACTIONS),
            reaction_intensity=make.rng.randint(1, 10),
            relationship_impact=round(make.rng.uniform(-1, 1), 2),
            success=success,
            would_give_again=success > 0.5,
            what_worked="the thought",
            what_did_not_work=None,
            lessons_learned="ask first",
        ),
    )
    graph.link("HAS_OUTCOME", ("Gift", "GiftOutcome"), gid, outcome["uid"])
    return category["name"], success, was_given


def _conflict(
    graph: UserGraph, make: Maker, owner: str, recipient: str, concepts: dict[str, list[dict[str, Any]]]
) -> None:
    started = make.moment(2022, 2024)
    status = make.rng.choice(["active", "processing", "analyzed", "resolved"])
    conflict = graph.add(
        "Conflict",
        _owned(
            make,
            owner,
            status=status,
            started_at=started,
            ended_at=started + timedelta(days=3) if status == "resolved" else None,
            severity=make.unit(),
            summary="A disagreement",
            cycle_phase=make.rng.choice(["tension", "repair"]),
        ),
    )
    graph.link("WITH", ("Conflict", "Recipient"), conflict["uid"], recipient)
    for topic in make.rng.sample(concepts["topic"], 2):
        graph.link("ABOUT", ("Conflict", "Concept"), conflict["uid"], topic["uid"])


def _memories(
    graph: UserGraph, make: Maker, owner: str, concepts: dict[str, list[dict[str, Any]]], count: int
) -> None:
    people = graph.nodes["Recipient"]
    mentionable = concepts["interest"] + concepts["topic"]
    for position in range(count):
        kind = KINDS[position % len(KINDS)]
        # Short-term memories expire; these a year after EPOCH + 10, so a bench run sees them all.
        expires = EPOCH + timedelta(days=3650) if kind == "short_term" else None
        memory = graph.add(
            "Memory",
            _owned(
                make,
                owner,
                kind=kind,
                status="confirmed",
                content=f"Memory {position} of {owner[:8]}",
                happened_at=make.moment(2015, 2024),
                place=make.rng.choice(PLACES),
                valence=round(make.rng.uniform(-1, 1), 2),
                arousal=make.unit(),
                importance=make.unit(),
                tags=make.rng.sample(["family", "travel", "food", "work", "home"], 2),
                expires_at=expires,
            ),
        )
        for person in make.rng.sample(people, make.rng.randint(1, 2)):
            graph.link("INVOLVES", ("Memory", "Recipient"), memory["uid"], person["uid"])
        for concept in make.rng.sample(mentionable, make.rng.randint(1, 2)):
            graph.link("MENTIONS", ("Memory", "Concept"), memory["uid"], concept["uid"])
