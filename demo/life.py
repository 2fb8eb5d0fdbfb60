"""What the demo's people share over the years: birthdays and an anniversary, each circle's own
occasion, and gifts chosen from each person's interests (never the same one twice to a person), with
prices in each idea's range and outcomes that say what worked."""

import random
from datetime import date

from demo import catalog
from demo.world import TODAY, Circle, Gift, Occasion, Person, World

WEDDING = date(2019, 6, 14)
# How many gifts someone of this importance has had from the user over the years.
GIFTS_BY_IMPORTANCE = {10: 4, 9: 3, 8: 2, 7: 2, 6: 1, 5: 1}
CIRCLE_OCCASIONS = {
    "family": ("Christmas with {circle}", "holiday", date(2025, 12, 24), True),
    "friend": ("Summer weekend with the {circle}", "milestone", date(2025, 7, 12), False),
    "colleague": ("Launch party of the {circle}", "milestone", date(2025, 3, 28), False),
    "acquaintance": ("Courtyard party with the {circle}", "other", date(2025, 6, 21), False),
}


def occasions(world: World, rng: random.Random) -> None:
    """A birthday for everyone, the anniversary and first date with the partner, and one occasion of
    each circle that all its members share."""
    for person in world.people:
        _occasion(
            world, f"{person.name}'s birthday", "birthday", person.birthday, True, person.importance, [person]
        )
    partner = world.partner()
    if partner is not None:
        _occasion(
            world, f"Wedding anniversary with {partner.name}", "anniversary", WEDDING, True, 10, [partner]
        )
        _occasion(world, f"First date with {partner.name}", "first_date", partner.since, False, 7, [partner])
    for circle in world.circles:
        if circle.kind in CIRCLE_OCCASIONS and len(circle.members) > 1:
            name, kind, day, recurring = CIRCLE_OCCASIONS[circle.kind]
            members = [world.people[key] for key in circle.members]
            shifted = day.replace(day=rng.randint(1, 28)) if kind != "holiday" else day
            _occasion(world, name.format(circle=circle.name), kind, shifted, recurring, 6, members)


def _occasion(
    world: World, name: str, kind: str, day: date, recurring: bool, importance: int, people: list[Person]
) -> None:
    keys = [person.key for person in people]
    world.occasions.append(Occasion(len(world.occasions), name, kind, day, recurring, importance, keys))


def gifts(world: World, rng: random.Random) -> None:
    """Birthday gifts (and anniversary gifts for the partner) over the last years, each chosen from the
    person's interests and never given to them before; and a joint gift to each couple in the family."""
    birthdays = {
        occasion.people[0]: occasion for occasion in world.occasions if occasion.occasion_type == "birthday"
    }
    given: dict[int, set[str]] = {person.key: set() for person in world.people}
    for person in world.people:
        count = GIFTS_BY_IMPORTANCE.get(person.importance, 1 if rng.random() < 0.25 else 0)
        for years_ago in range(count):
            occasion = birthdays[person.key]
            if person.kind == "romantic" and years_ago % 2 == 1:
                occasion = next(o for o in world.occasions if o.occasion_type == "anniversary")
            day = _last(occasion.day, years_ago)
            _gift(world, rng, [person], occasion, day, given)
    _joint_gifts(world, rng, given)


def _last(day: date, years_ago: int) -> date:
    """The occasion's day `years_ago` years before its last one up to today."""
    year = TODAY.year if day.replace(year=TODAY.year) <= TODAY else TODAY.year - 1
    return day.replace(year=year - years_ago)


def _gift(
    world: World,
    rng: random.Random,
    people: list[Person],
    occasion: Occasion,
    day: date,
    given: dict[int, set[str]],
) -> None:
    """A gift from the first person's interests that none of `people` has had from the user before."""
    person = people[0]
    had = set().union(*(given[p.key] for p in people))
    choices = [(interest, idea) for interest in person.interests for idea in catalog.INTERESTS[interest][1]]
    fresh = [(interest, idea) for interest, idea in choices if idea.name not in had]
    if not fresh:
        return
    interest, idea = rng.choice(fresh)
    for p in people:
        given[p.key].add(idea.name)
    price = round(rng.randint(idea.low, idea.high), -2)
    success, reaction, note = _outcome(rng, person, interest)
    names = " and ".join(p.name for p in people)
    description = f"For {names}, who loves {interest}: given for {occasion.name.lower()} in {day.year}."
    keys = [p.key for p in people]
    world.gifts.append(
        Gift(
            idea.name,
            idea.category,
            price,
            description,
            keys,
            occasion.key,
            day,
            interest,
            success,
            reaction,
            note,
        )
    )


def _outcome(rng: random.Random, person: Person, interest: str) -> tuple[float, str, str]:
    """How it landed: a gift from someone's first interest mostly delights; now and then one misses."""
    if rng.random() < 0.12:
        miss = rng.choice(
            [f"{person.first} already had one", "It was the wrong size", "Not quite their style"]
        )
        return round(rng.uniform(0.15, 0.4), 2), "disappointed", miss
    success = round(min(1.0, rng.uniform(0.55, 0.9) + (0.1 if interest == person.interests[0] else 0.0)), 2)
    reaction = "thrilled" if success >= 0.85 else "happy" if success >= 0.65 else "neutral"
    note = f"{person.first} uses it for {interest} all the time" if success >= 0.65 else "Polite thanks"
    return success, reaction, note


def _joint_gifts(world: World, rng: random.Random, given: dict[int, set[str]]) -> None:
    """One gift to each couple of the user's parents and the sibling's household, for Christmas."""
    for circle in world.circles:
        if circle.kind != "family" or len(circle.members) < 2:
            continue
        couple = _couple(world, circle)
        christmas = next((o for o in world.occasions if o.name == f"Christmas with {circle.name}"), None)
        if couple and christmas is not None:
            _gift(world, rng, couple, christmas, date(2024, 12, 24), given)


def _couple(world: World, circle: Circle) -> list[Person]:
    people = [world.people[key] for key in circle.members]
    parents = [p for p in people if p.label in ("mother", "father", "mother-in-law", "father-in-law")]
    return parents if len(parents) == 2 else []
