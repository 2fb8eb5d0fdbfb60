"""Writes a demo world into the graph in one transaction per kind of node, each a few UNWIND
statements (graph/bulk.py) and one statement of Events.

Why not through the GraphQL API as before: each mutation is its own transaction of several statements,
about 100 ms on a shared 2-core machine, so a world of 300 people (some 5,000 writes) took many minutes.
Here the same nodes, links, KNOWS statistics and Events (so the dispatcher indexes and lays out the demo
as it does any change) take a few dozen statements whatever the size. What the API would check is held
by the world's own construction, and tests/test_demo_seed.py reads it back through the API.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import uuid4

from neo4j import AsyncManagedTransaction

from demo import catalog
from demo.world import Person, World
from graph import bulk, concepts, knows
from graph.driver import Graph
from graph.kinds import CONCEPT, CONFLICT, CONVERSATION, GIFT, MEMORY, MESSAGE, OCCASION, OUTCOME, RECIPIENT
from graph.refs import Ref

FREQUENCY = {"romantic": "daily", "family": "weekly", "friend": "weekly", "colleague": "daily", "acquaintance": "monthly"}  # fmt: skip
CHANNELS = {"romantic": ["in_person", "text"], "family": ["call", "in_person"], "friend": ["text", "in_person"],
            "colleague": ["email", "in_person"], "acquaintance": ["in_person"]}  # fmt: skip
Uids = dict[int, str]


async def load(graph: Graph, owner: str, world: World) -> None:
    """Everything in the world, as the owner's: concepts and their ties first, then the people, their
    occasions, gifts (with outcomes), memories, conflicts and conversations."""
    concept = await graph.write(_concepts, owner=owner)
    person = await graph.write(_people, owner=owner, world=world, concept=concept)
    occasion = await graph.write(_occasions, owner=owner, world=world, person=person)
    await graph.write(_gifts, owner=owner, world=world, person=person, occasion=occasion, concept=concept)
    await graph.write(_memories, owner=owner, world=world, person=person, concept=concept)
    await graph.write(_conflicts, owner=owner, world=world, person=person, concept=concept)
    await graph.write(_talks, owner=owner, world=world, person=person)


def _uids(count: int) -> list[str]:
    return [str(uuid4()) for _ in range(count)]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(18, 0), tzinfo=UTC)


async def _concepts(tx: AsyncManagedTransaction, *, owner: str) -> dict[str, str]:
    """Every interest, value and conflict topic, and the ties between them: concept uids by name."""
    described = [
        *((name, "interest", text) for name, (text, _) in catalog.INTERESTS.items()),
        *((name, "value", text) for name, text in catalog.VALUES.items()),
        *((name, "topic", None) for name in catalog.TOPICS),
    ]
    uid = dict(zip((name for name, _, _ in described), _uids(len(described)), strict=True))
    rows = [
        (uid[name], {"name": name, "key": concepts.key(name), "concept_type": kind, "description": text})
        for name, kind, text in described
    ]
    made = await bulk.create_all(tx, CONCEPT, owner=owner, rows=rows)
    for kind in sorted({kind for _, kind, _ in catalog.TIES}):
        ties = [(uid[a], uid[b], {"weight": 0.8}) for a, k, b in catalog.TIES if k == kind]
        await bulk.link_all(tx, kind, owner=owner, edges=ties)
    linked = [(kind, Ref("Concept", uid[a]), Ref("Concept", uid[b])) for a, kind, b in catalog.TIES]
    await bulk.announce(tx, owner=owner, created=[(ref, ()) for ref in made], linked=linked)
    return uid


async def _people(tx: AsyncManagedTransaction, *, owner: str, world: World, concept: dict[str, str]) -> Uids:
    uid = dict(zip((p.key for p in world.people), _uids(len(world.people)), strict=True))
    made = await bulk.create_all(
        tx, RECIPIENT, owner=owner, rows=[(uid[p.key], _recipient(p)) for p in world.people]
    )
    await bulk.knows_all(tx, owner=owner, rows=[(uid[p.key], _knows(p)) for p in world.people])
    interests = [
        (uid[p.key], concept[interest], {"weight": round(1.0 - 0.2 * rank, 2)})
        for p in world.people
        for rank, interest in enumerate(p.interests)
    ]
    await bulk.link_all(tx, "INTERESTED_IN", owner=owner, edges=interests)
    linked = [("INTERESTED_IN", Ref("Recipient", a), Ref("Concept", b)) for a, b, _ in interests]
    await bulk.announce(tx, owner=owner, created=[(ref, ()) for ref in made], linked=linked)
    return uid


def _recipient(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "nickname": person.first,
        "gender": person.gender,
        "approximate_age": person.age,
        "location": person.location,
        "preferences": {"likes": person.interests},
        "life_context": {"circle": person.circle},
    }


def _knows(person: Person) -> dict[str, Any]:
    return {
        "relationship_type": person.kind,
        "relationship_label": person.label,
        "since": person.since,
        "importance": person.importance,
        "closeness": max(1, person.importance - (0 if person.importance >= 8 else 1)),
        "emotional_warmth": round(0.3 + 0.07 * person.importance, 2),
        "conflict_level": 0.1,
        "support_level": round(0.2 + 0.08 * person.importance, 2),
        "communication_frequency": FREQUENCY[person.kind],
        "communication_channels": CHANNELS[person.kind],
        "trend": "stable",
    }


async def _occasions(tx: AsyncManagedTransaction, *, owner: str, world: World, person: Uids) -> Uids:
    uid = dict(zip((o.key for o in world.occasions), _uids(len(world.occasions)), strict=True))
    rows = [
        (
            uid[o.key],
            {
                "name": o.name,
                "occasion_type": o.occasion_type,
                "date": o.day,
                "recurring": o.recurring,
                "recurrence": "yearly" if o.recurring else None,
                "importance": o.importance,
                "reminder_days": [14, 3] if o.importance >= 6 else [3],
            },
        )
        for o in world.occasions
    ]
    made = await bulk.create_all(tx, OCCASION, owner=owner, rows=rows)
    edges: list[bulk.Edge] = [(person[key], uid[o.key], {}) for o in world.occasions for key in o.people]
    await bulk.link_all(tx, "HAS_OCCASION", owner=owner, edges=edges)
    ends = [[Ref("Recipient", person[key]) for key in o.people] for o in world.occasions]
    await bulk.announce(tx, owner=owner, created=list(zip(made, ends, strict=True)))
    return uid


async def _gifts(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    world: World,
    person: Uids,
    occasion: Uids,
    concept: dict[str, str],
) -> None:
    """The gifts, how they were given, their outcomes, and the KNOWS statistics the outcomes teach."""
    gifts, outcomes = _uids(len(world.gifts)), _uids(len(world.gifts))
    values = [
        {"name": g.name, "category": g.category, "price_cents": g.price_cents, "description": g.description}
        for g in world.gifts
    ]
    made = await bulk.create_all(tx, GIFT, owner=owner, rows=list(zip(gifts, values, strict=True)))
    gave = [{"date": g.day, "financial_investment_cents": g.price_cents} for g in world.gifts]
    await bulk.gave_all(tx, owner=owner, rows=list(zip(gifts, gave, strict=True)))
    pairs = list(zip(gifts, world.gifts, strict=True))
    await bulk.link_all(
        tx, "INTENDED_FOR", owner=owner, edges=[(u, person[k], {}) for u, g in pairs for k in g.people]
    )
    await bulk.link_all(tx, "GIVEN_FOR", owner=owner, edges=[(u, occasion[g.occasion], {}) for u, g in pairs])
    await bulk.link_all(
        tx, "TAGGED_WITH", owner=owner, edges=[(u, concept[g.interest], {}) for u, g in pairs]
    )
    results = await bulk.create_all(
        tx, OUTCOME, owner=owner, rows=[(o, _outcome(g)) for o, g in zip(outcomes, world.gifts, strict=True)]
    )
    await bulk.link_all(
        tx, "HAS_OUTCOME", owner=owner, edges=[(u, o, {}) for u, o in zip(gifts, outcomes, strict=True)]
    )
    await knows.refresh(
        tx, owner=owner, recipients=sorted({person[k] for g in world.gifts for k in g.people})
    )
    ends = [
        [*(Ref("Recipient", person[k]) for k in g.people), Ref("Occasion", occasion[g.occasion])]
        for g in world.gifts
    ]
    created = [
        *zip(made, ends, strict=True),
        *((r, [Ref("Gift", u)]) for r, u in zip(results, gifts, strict=True)),
    ]
    await bulk.announce(tx, owner=owner, created=created)


def _outcome(gift: Any) -> dict[str, Any]:
    worked = gift.success >= 0.5
    return {
        "success": gift.success, "reaction": gift.reaction, "given_date": gift.day, "would_give_again": worked,
        "what_worked" if worked else "what_did_not_work": gift.note,
    }  # fmt: skip


async def _memories(
    tx: AsyncManagedTransaction, *, owner: str, world: World, person: Uids, concept: dict[str, str]
) -> None:
    uids = _uids(len(world.memories))
    rows = [
        (
            uid,
            {
                "kind": m.kind,
                "status": "confirmed",  # the user's own: an extractor's proposal would wait for them
                "content": m.content,
                "happened_at": _at(m.day),
                "place": m.place,
                "valence": m.valence,
                "importance": m.importance,
            },
        )
        for uid, m in zip(uids, world.memories, strict=True)
    ]
    made = await bulk.create_all(tx, MEMORY, owner=owner, rows=rows)
    pairs = list(zip(uids, world.memories, strict=True))
    await bulk.link_all(
        tx, "INVOLVES", owner=owner, edges=[(u, person[k], {}) for u, m in pairs for k in m.people]
    )
    await bulk.link_all(
        tx,
        "MENTIONS",
        owner=owner,
        edges=[(u, concept[c], {}) for u, m in pairs for c in m.concepts],
        between=("Memory", "Concept"),
    )
    ends = [[Ref("Recipient", person[k]) for k in m.people] for m in world.memories]
    await bulk.announce(tx, owner=owner, created=list(zip(made, ends, strict=True)))


async def _conflicts(
    tx: AsyncManagedTransaction, *, owner: str, world: World, person: Uids, concept: dict[str, str]
) -> None:
    uids = _uids(len(world.conflicts))
    rows = [
        (
            uid,
            {
                "status": c.status,
                "started_at": _at(c.started),
                "ended_at": _at(c.ended) if c.ended else None,
                "severity": c.severity,
                "summary": c.summary,
            },
        )
        for uid, c in zip(uids, world.conflicts, strict=True)
    ]
    made = await bulk.create_all(tx, CONFLICT, owner=owner, rows=rows)
    pairs = list(zip(uids, world.conflicts, strict=True))
    await bulk.link_all(tx, "WITH", owner=owner, edges=[(u, person[c.person], {}) for u, c in pairs])
    await bulk.link_all(
        tx,
        "ABOUT",
        owner=owner,
        edges=[(u, concept[t], {}) for u, c in pairs for t in c.topics],
        between=("Conflict", "Concept"),
    )
    ends: Sequence[list[Ref]] = [[Ref("Recipient", person[c.person])] for c in world.conflicts]
    await bulk.announce(tx, owner=owner, created=list(zip(made, ends, strict=True)))


async def _talks(tx: AsyncManagedTransaction, *, owner: str, world: World, person: Uids) -> None:
    """The conversations, each about its person, with their messages in order (each at its position)."""
    talks = _uids(len(world.talks))
    rows = [
        (
            uid,
            {
                "purpose": t.purpose,
                "title": t.title,
                "status": "closed",
                "started_at": _at(t.day),
                "ended_at": _at(t.day),
                "message_seq": len(t.turns),
            },
        )
        for uid, t in zip(talks, world.talks, strict=True)
    ]
    made = await bulk.create_all(tx, CONVERSATION, owner=owner, rows=rows)
    pairs = list(zip(talks, world.talks, strict=True))
    about: list[bulk.Edge] = [(u, person[t.person], {}) for u, t in pairs]
    await bulk.link_all(tx, "ABOUT", owner=owner, edges=about, between=("Conversation", "Recipient"))
    said = [(u, seq, role, text) for u, t in pairs for seq, (role, text) in enumerate(t.turns, start=1)]
    messages = _uids(len(said))
    at = {u: _at(t.day) for u, t in pairs}
    rows = [
        (uid, {"role": role, "text": text, "sent_at": at[talk]})
        for uid, (talk, _, role, text) in zip(messages, said, strict=True)
    ]
    sent = await bulk.create_all(tx, MESSAGE, owner=owner, rows=rows)
    seats = [
        (m, talk, {"seq": seq, "place": seq}) for m, (talk, seq, _, _) in zip(messages, said, strict=True)
    ]
    await bulk.link_all(tx, "IN", owner=owner, edges=seats)
    ends = [[Ref("Recipient", person[t.person])] for t in world.talks]
    held = [[Ref("Conversation", talk)] for talk, _, _, _ in said]
    await bulk.announce(
        tx, owner=owner, created=[*zip(made, ends, strict=True), *zip(sent, held, strict=True)]
    )
