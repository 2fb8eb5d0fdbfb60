"""The demo's conversations: a gift search with the assistant for each of the few people who matter most,
before their next occasion, and a mediation after the partner's conflict. What is said names the person,
what they love and what they have already, so a reader (and Kindred's own extraction) can learn from it.
"""

import random
from datetime import timedelta

from demo.world import TODAY, Person, Talk, World

GIFT_SEARCHES = 3  # the people who matter most, each with one gift search
ASKED = [
    "What could I give {first} for {occasion}? {pronoun_cap} loves {interest} these days.",
    "Something for {first} for {occasion}, {pronoun} is mad about {interest}.",
]
ANSWERED = [
    "For someone who loves {interest}, a good {interest} book or a day course would suit. What does "
    "{first} have already?",
    "People who love {interest} often like something to share it with. Has {first} got the basics?",
]
HAS = [
    "{pronoun_cap} already has everything for {interest}, and {pronoun} hates clutter.",
    "{first} has the basics; {pronoun} prefers experiences to things.",
]
CLOSED = "Then a {interest} workshop we can do together: booking it for {occasion}."


def talks(world: World, rng: random.Random) -> None:
    """A gift search for each of the people who matter most, and a mediation with the partner when
    there was a conflict."""
    for person in sorted(world.people, key=lambda p: (-p.importance, p.key))[:GIFT_SEARCHES]:
        world.talks.append(_gift_search(world, rng, person))
    partner = world.partner()
    fought = [c for c in world.conflicts if partner is not None and c.person == partner.key]
    if partner is not None and fought:
        conflict = fought[0]
        said = {"first": partner.first, "topic": conflict.topics[0], "pronoun": partner.pronoun}
        turns = [
            ("user", "We argued again about {topic}; {first} felt unheard.".format(**said)),
            ("assistant", "What did {first} need from you in that moment?".format(**said)),
            ("user", "To listen before fixing it. {first} wants us to plan a quiet weekend.".format(**said)),
        ]
        day = (conflict.ended or conflict.started) + timedelta(days=1)
        world.talks.append(
            Talk(f"After our talk about {conflict.topics[0]}", "mediation", partner.key, day, turns)
        )


def _gift_search(world: World, rng: random.Random, person: Person) -> Talk:
    coming = [o for o in world.occasions if person.key in o.people and o.day >= TODAY]
    occasion = min(coming, key=lambda o: o.day).name if coming else "the holidays"
    said = {
        "first": person.first,
        "pronoun": person.pronoun,
        "pronoun_cap": person.pronoun.capitalize(),
        "interest": person.interests[0],
        "occasion": occasion,
    }
    turns = [
        ("user", rng.choice(ASKED).format(**said)),
        ("assistant", rng.choice(ANSWERED).format(**said)),
        ("user", rng.choice(HAS).format(**said)),
        ("assistant", CLOSED.format(**said)),
    ]
    day = TODAY - timedelta(days=rng.randint(1, 20))
    return Talk(f"Ideas for {person.first}", "gift_search", person.key, day, turns)
