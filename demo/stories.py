"""The demo's memories and conflicts: small stories across time that name the people they involve and
the concepts they mention (so a reader, and Kindred's own linking, can tell who and what they are about).

Each circle has a few shared memories; each close person a short arc of their own (how it began, a
turn, where it stands); each conflict its topics, and, once repaired, a memory of the repair.
"""

import random
from datetime import date, timedelta

from demo import catalog
from demo.life import WEDDING
from demo.world import TODAY, Circle, Conflict, Memory, Person, World

# Shared memories of a circle: {names} are the members involved, {interest} the circle's, {place} its.
TOGETHER = [
    (
        "episodic",
        "Spent a long afternoon of {interest} at {place} with {names}; nobody wanted to go home.",
        0.8,
    ),
    ("episodic", "{names} and I argued happily about {interest} until {place} closed.", 0.6),
    ("emotional", "Felt lucky watching {names} laugh over {interest} at {place}.", 0.9),
    (
        "procedural",
        "How {names} plan a {interest} day: meet at {place} at nine, decide everything after coffee.",
        0.3,
    ),
    ("episodic", "{names} surprised me at {place} with a {interest} morning for my birthday.", 0.9),
]
# A person's own arc, in order across the years: (kind, text, valence).
ARCS = {
    "romantic": [
        ("episodic", "First date with {name}: we walked the whole city talking about {interest}.", 0.9),
        ("identity", "{name} says I become a different person when we travel; {pronoun} may be right.", 0.5),
        ("episodic", "Married {name} in the garden; {pronoun} cried before I did.", 1.0),
        ("emotional", "Grateful for {name} after a hard week: {pronoun} cooked and asked nothing.", 0.8),
    ],
    "elder": [
        ("identity", "{name} taught me {interest} when I was small; it is still how I unwind.", 0.7),
        ("semantic", "{name} keeps every birthday card and rereads them at New Year.", 0.4),
        (
            "episodic",
            "Long call with {name} about {interest}; {pronoun} sounded happier than in months.",
            0.6,
        ),
    ],
    "peer": [
        ("episodic", "{name} and I stayed up talking about {interest} after the family dinner.", 0.6),
        ("episodic", "Helped {name} move flat; {pronoun} paid in pizza and stories.", 0.5),
    ],
    "child": [
        (
            "episodic",
            "Taught {name} the basics of {interest}; {pronoun} was better at it within a week.",
            0.8,
        ),
    ],
    "in-law": [
        ("episodic", "First dinner with {name} in Porto; we found common ground in {interest}.", 0.5),
        ("semantic", "{name} always asks after my work, and remembers what I said the time before.", 0.4),
    ],
    "friend": [
        ("episodic", "Met {name} through {circle}; we talked about {interest} for an hour.", 0.7),
        ("episodic", "{name} moved to {city}; promised to visit before the year was out.", -0.2),
        ("episodic", "Visited {name} in {city}: {interest} like old times, and a late dinner.", 0.8),
    ],
    "colleague": [
        ("episodic", "{name} covered for me during launch week; I owe {pronoun_object} one.", 0.6),
        ("semantic", "{name} does {interest} at weekends and blocks Friday afternoons for it.", 0.2),
    ],
    "acquaintance": [
        ("episodic", "{name} watered my plants while we were away and left a note about {interest}.", 0.5),
    ],
}
# What a conflict on each topic was about, and how it was repaired.
TROUBLE = {
    "chores": ("who cleans up after dinner parties", "a rota on the fridge, and no more sighing"),
    "time together": ("evenings lost to work", "one evening a week with phones off"),
    "money": ("paying for the holiday", "a shared budget we both check"),
    "in-laws": ("how long the visit to Porto should be", "shorter visits, more often"),
    "visits": ("how rarely I visit", "a call every Sunday and a visit each month"),
    "communication": ("a message left unanswered for a week", "saying when I need a few days"),
    "plans": ("a trip cancelled at the last minute", "booking only what we are sure of"),
    "punctuality": ("always being the one who waits", "meeting where waiting is pleasant"),
    "workload": ("who takes the on-call weekend", "a fair rota, written down"),
    "credit": ("whose idea the new design was", "naming each other in the review"),
}


def memories(world: World, rng: random.Random) -> None:
    for circle in world.circles:
        _together(world, rng, circle)
    for person in world.people:
        if person.importance >= 5 or rng.random() < 0.3:
            _arc(world, rng, person)


def _together(world: World, rng: random.Random, circle: Circle) -> None:
    """A few memories shared by members of the circle, chained so every member is in one."""
    members = [world.people[key] for key in circle.members]
    if len(members) < 2:
        return
    count = max(2, len(members) // 3)
    for index in range(count):
        # Consecutive slices, wrapping: together they cover the circle and tie it into one community.
        size = min(len(members), rng.randint(2, 4))
        start = index * max(1, len(members) // count)
        involved = [members[(start + i) % len(members)] for i in range(size)]
        kind, text, valence = TOGETHER[(index + rng.randrange(len(TOGETHER))) % len(TOGETHER)]
        content = text.format(names=_listed(involved), interest=circle.interest, place=circle.place)
        day = _day(rng, max(p.since for p in involved), TODAY)
        world.memories.append(
            Memory(
                kind,
                content,
                day,
                [p.key for p in involved],
                [circle.interest],
                valence,
                round(rng.uniform(0.4, 0.9), 2),
                circle.place,
            )
        )


ELDERS = ("mother", "father", "grandmother", "grandfather", "aunt", "uncle")
ROMANTIC_DAYS = [date(2016, 5, 21), date(2017, 8, 2), WEDDING, date(2025, 2, 9)]


def _arc_of(person: Person) -> str:
    if person.kind != "family":
        return person.kind
    if person.label in ELDERS:
        return "elder"
    if person.label in ("niece", "nephew"):
        return "child"
    return "in-law" if person.circle == "the in-laws" else "peer"


def _start(person: Person) -> date:
    """When a person's arc begins: when the user met them, once the user was old enough to remember."""
    arc = _arc_of(person)
    if arc == "child":
        return person.birthday.replace(year=person.birthday.year + min(6, person.age))
    return max(person.since, {"elder": date(1996, 6, 1), "peer": date(2010, 1, 1)}.get(arc, person.since))


def _arc(world: World, rng: random.Random, person: Person) -> None:
    """The person's arc, from when the user met them (its first step on that day) to now."""
    arc = ARCS[_arc_of(person)]
    steps = arc if person.importance >= 7 else arc[: rng.randint(1, len(arc))]
    interest = person.interests[0]
    start, city = _start(person), rng.choice(["Porto", "Berlin", "Copenhagen", "Vienna", "Lyon"])
    span = (TODAY - start).days
    for index, (kind, text, valence) in enumerate(steps):
        day = start + timedelta(
            days=span * index // len(steps) + (rng.randint(0, span // (len(steps) * 2)) if index else 0)
        )
        if person.kind == "romantic":
            day = ROMANTIC_DAYS[index]
        content = text.format(
            name=person.name, interest=interest, pronoun=person.pronoun,
            pronoun_object="her" if person.gender == "female" else "him", circle=f"the {person.circle}", city=city,
        )  # fmt: skip
        concepts = [interest] if interest in content else []
        world.memories.append(
            Memory(
                kind,
                content,
                min(day, TODAY),
                [person.key],
                concepts,
                valence,
                round(rng.uniform(0.3, 1.0), 2),
            )
        )


def conflicts(world: World, rng: random.Random) -> None:
    """The partner's one conflict (repaired), and about one in ten of the others who matter, each on
    topics that arise with their kind of relationship; most repaired, with a memory of the repair."""
    for person in world.people:
        topics = [topic for topic, kinds in catalog.TOPICS.items() if person.kind in kinds]
        chance = 1.0 if person.kind == "romantic" else 0.2 if person.importance >= 5 else 0.0
        if not topics or rng.random() >= chance:
            continue
        chosen = rng.sample(topics, min(len(topics), rng.randint(1, 2)))
        started = _day(rng, max(person.since, date(2023, 1, 1)), TODAY - timedelta(days=40))
        status = (
            "resolved"
            if person.kind == "romantic"
            else rng.choice(["resolved", "resolved", "analyzed", "active"])
        )
        ended = started + timedelta(days=rng.randint(3, 30)) if status == "resolved" else None
        about, repair = TROUBLE[chosen[0]]
        summary = f"{person.name} and I disagreed about {chosen[0]}: {about}."
        world.conflicts.append(
            Conflict(person.key, summary, chosen, round(rng.uniform(0.2, 0.7), 2), status, started, ended)
        )
        world.memories.append(
            Memory(
                "emotional",
                f"Felt hurt after the argument with {person.name} about {chosen[0]}.",
                started,
                [person.key],
                [chosen[0]],
                -0.6,
                0.7,
            )
        )
        if ended is not None:
            text = f"Made up with {person.name} over coffee; on {chosen[0]} we settled on {repair}."
            world.memories.append(Memory("episodic", text, ended, [person.key], [chosen[0]], 0.7, 0.8))


def _listed(people: list[Person]) -> str:
    names = [p.name for p in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _day(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return last
    return first + timedelta(days=rng.randint(0, (last - first).days))
