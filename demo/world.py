"""The demo's world as plain data, made from a fixed random seed: the same world every run.

A person's world is its circles: family branches, the partner, friend circles, work teams and the
neighbours. Everyone belongs to one circle, and what they share (occasions, memories, joint gifts) is
what makes each circle a community in the 3D view. This module makes the people; demo/life.py and
demo/stories.py what happens between them.
"""

import random
from dataclasses import dataclass, field
from datetime import date

from demo import catalog, names

TODAY = date(2025, 11, 30)  # the world's "now": fixed, so every run writes the same dates
OWN, MATERNAL = "Reyes", "Lindqvist"  # the user's surname and their mother's family's


@dataclass
class Person:
    key: int
    first: str
    last: str
    gender: str
    kind: str  # as the graph keeps a relationship kind: family, romantic, friend, colleague, acquaintance
    label: str
    circle: str
    age: int
    interests: list[str]
    importance: int
    birthday: date = date(2000, 1, 1)
    since: date = date(2010, 1, 1)
    location: str = "Lisbon"

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def pronoun(self) -> str:
        return "she" if self.gender == "female" else "he"


@dataclass
class Circle:
    name: str
    kind: str
    interest: str  # what its members share
    place: str
    members: list[int] = field(default_factory=list)


@dataclass
class Occasion:
    key: int
    name: str
    occasion_type: str
    day: date
    recurring: bool
    importance: int
    people: list[int]


@dataclass
class Gift:
    name: str
    category: str
    price_cents: int
    description: str
    people: list[int]
    occasion: int
    day: date
    interest: str
    success: float
    reaction: str
    note: str  # what worked, or what did not


@dataclass
class Memory:
    kind: str
    content: str
    day: date
    people: list[int]
    concepts: list[str]
    valence: float
    importance: float
    place: str | None = None


@dataclass
class Conflict:
    person: int
    summary: str
    topics: list[str]
    severity: float
    status: str
    started: date
    ended: date | None


@dataclass
class Talk:
    """A conversation of the user's about one of their people: its turns, (role, text), in order."""

    title: str
    purpose: str
    person: int
    day: date
    turns: list[tuple[str, str]]


@dataclass
class World:
    people: list[Person] = field(default_factory=list)
    circles: list[Circle] = field(default_factory=list)
    occasions: list[Occasion] = field(default_factory=list)
    gifts: list[Gift] = field(default_factory=list)
    memories: list[Memory] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    talks: list[Talk] = field(default_factory=list)

    def partner(self) -> Person | None:
        return next((p for p in self.people if p.kind == "romantic"), None)


FRIEND_CIRCLES = [
    ("university friends", "science fiction", "the old campus bar"), ("climbing crew", "climbing", "the bouldering gym"),
    ("book club", "books", "the bookshop café"), ("running club", "running", "the riverside path"),
    ("board game night", "board games", "the games café"), ("supper club", "cooking", "the shared kitchen"),
    ("lido regulars", "swimming", "the lido"), ("film club", "film", "the small cinema"),
    ("photo walk group", "photography", "the old town"), ("jazz Tuesdays", "jazz", "the cellar club"),
    ("knitting circle", "knitting", "the yarn shop"), ("cycling club", "cycling", "the coast road"),
    ("chess club", "chess", "the library"), ("wine club", "wine", "the wine bar"),
    ("allotment friends", "gardening", "the allotments"), ("yoga studio", "yoga", "the studio"),
]  # fmt: skip
TEAMS = [
    ("platform team", "coffee", "the office"), ("design guild", "painting", "the studio floor"),
    ("data team", "chess", "the office"), ("the agency crowd", "video games", "the old agency"),
    ("support team", "board games", "the office"), ("research group", "birdwatching", "the lab"),
]  # fmt: skip
CITIES = ["Lisbon", "Porto", "Berlin", "Copenhagen", "Barcelona", "Amsterdam", "Vienna", "Lyon"]

# Family slots in the order a small world takes them: (branch, role, gender or None, surname, ages).
FAMILY = [
    ("core", "parent", "female", OWN, (58, 66)), ("core", "parent", "male", OWN, (60, 68)),
    ("core", "sibling", None, OWN, (28, 40)), ("core", "in-law", None, "spouse", (28, 42)),
    ("core", "sibling's child", None, "spouse", (3, 12)), ("maternal", "grandparent", "female", MATERNAL, (82, 92)),
    ("partner's family", "partner's parent", "female", "partner", (58, 70)),
    ("partner's family", "partner's parent", "male", "partner", (60, 72)),
    ("maternal", "parent's sibling", None, MATERNAL, (52, 64)), ("maternal", "cousin", None, MATERNAL, (22, 38)),
    ("paternal", "grandparent", "male", OWN, (84, 94)), ("paternal", "parent's sibling", None, OWN, (54, 66)),
    ("paternal", "cousin", None, OWN, (20, 36)), ("core", "sibling", None, OWN, (26, 38)),
    ("partner's family", "in-law", None, "partner", (28, 40)),
]  # fmt: skip
# Past those, family branches grow by more of these.
MORE_FAMILY = [
    ("maternal", "cousin", None, MATERNAL, (18, 40)), ("paternal", "cousin", None, OWN, (18, 40)),
    ("maternal", "parent's sibling", None, MATERNAL, (50, 66)), ("paternal", "parent's sibling", None, OWN, (50, 68)),
    ("partner's family", "cousin", None, "partner", (20, 40)), ("core", "sibling's child", None, "spouse", (2, 14)),
]  # fmt: skip
BRANCHES = {
    "core": (f"the {OWN} household", "cooking", "Mum and Dad's house"),
    "maternal": (f"the {MATERNAL} side", "gardening", "Grandma's farmhouse"),
    "paternal": (f"the {OWN} cousins", "football", "Uncle's summer house"),
    "partner's family": ("the in-laws", "wine", "the in-laws' place in Porto"),
}
IMPORTANCE = {
    "parent": 9, "sibling": 9, "grandparent": 8, "sibling's child": 7, "in-law": 6, "partner's parent": 6,
    "parent's sibling": 5, "cousin": 5,
}  # fmt: skip


class Names:
    """Draws unique full names, each first name from its gender's list."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.firsts: set[str] = set()
        self.surnames = [s for s in names.SURNAMES if s not in (OWN, MATERNAL)]

    def surname(self) -> str:
        return self.surnames.pop(self.rng.randrange(len(self.surnames)))

    def first(self, gender: str, last: str) -> str:
        """A first name of the gender not drawn before while any is left (then one not yet with this
        surname)."""
        pool = names.FEMALE if gender == "female" else names.MALE
        fresh = [first for first in pool if first not in self.firsts]
        if not fresh:
            fresh = [first for first in pool if f"{first} {last}" not in self.used]
        first = self.rng.choice(fresh)
        self.firsts.add(first)
        self.used.add(f"{first} {last}")
        return first


def people(size: int, seed: int) -> World:
    """The people of a world of `size` (at least 12) and their circles."""
    rng = random.Random(seed)
    world, drawn = World(), Names(rng)
    family = min(40, 6 + size // 10)
    rest = size - 1 - family
    neighbours = max(2, rest // 12)
    colleagues = round((rest - neighbours) * 0.3)
    friends = rest - neighbours - colleagues
    partner_last = drawn.surname()
    _partner(world, rng, drawn, partner_last)
    _family(world, rng, drawn, family, partner_last)
    _circles(world, rng, drawn, friends, FRIEND_CIRCLES, "friend")
    _circles(world, rng, drawn, colleagues, TEAMS, "colleague")
    _circles(world, rng, drawn, neighbours, [("neighbours", "gardening", "the courtyard")], "acquaintance")
    for person in world.people:
        _dates(person, rng)
    return world


def _add(world: World, circle: Circle, person: Person) -> Person:
    world.people.append(person)
    circle.members.append(person.key)
    return person


def _interests(rng: random.Random, shared: str) -> list[str]:
    others = [name for name in catalog.INTERESTS if name != shared]
    return [shared, *rng.sample(others, rng.randint(1, 2))]


def _partner(world: World, rng: random.Random, drawn: Names, last: str) -> None:
    circle = Circle("us", "romantic", "travel", "home")
    world.circles.append(circle)
    gender = rng.choice(names.GENDERS)
    first = drawn.first(gender, last)
    label = names.word("partner", gender)
    _add(
        world,
        circle,
        Person(0, first, last, gender, "romantic", label, "us", 36, _interests(rng, "travel"), 10),
    )


def _family(world: World, rng: random.Random, drawn: Names, size: int, partner_last: str) -> None:
    slots = FAMILY[:size] + [MORE_FAMILY[i % len(MORE_FAMILY)] for i in range(max(0, size - len(FAMILY)))]
    spouse_last = drawn.surname()
    circles: dict[str, Circle] = {}
    for branch, role, gender, surname, (young, old) in slots:
        if branch not in circles:
            title, interest, place = BRANCHES[branch]
            circles[branch] = Circle(title, "family", interest, place)
            world.circles.append(circles[branch])
        circle = circles[branch]
        last = {"spouse": spouse_last, "partner": partner_last}.get(surname, surname)
        sex = gender or rng.choice(names.GENDERS)
        label = names.word(role, sex)
        person = Person(
            len(world.people), drawn.first(sex, last), last, sex, "family", label, circle.name,
            rng.randint(young, old), _interests(rng, circle.interest), IMPORTANCE[role],
        )  # fmt: skip
        _add(world, circle, person)


def _circles(
    world: World, rng: random.Random, drawn: Names, size: int, kinds: list[tuple[str, str, str]], kind: str
) -> None:
    """`size` people in circles of 5 to 10 (one circle if fewer), each circle one of `kinds` in turn."""
    sizes: list[int] = []
    while sum(sizes) < size:
        sizes.append(min(size - sum(sizes), rng.randint(5, 10)))
    if len(sizes) > 1 and sizes[-1] < 3:  # too few for a circle: they join the one before
        extra = sizes.pop()
        sizes[-1] += extra
    for index, count in enumerate(sizes):
        title, interest, place = kinds[index % len(kinds)]
        if index >= len(kinds):
            title = f"{title} ({index // len(kinds) + 1})"
        circle = Circle(title, kind, interest, place)
        world.circles.append(circle)
        for position in range(count):
            gender = rng.choice(names.GENDERS)
            last = drawn.surname() if len(drawn.surnames) > 1 else rng.choice(names.SURNAMES)
            label, importance = _label(kind, position, world, rng)
            age = rng.randint(33, 39) if title.startswith("university") else rng.randint(24, 60)
            person = Person(
                len(world.people), drawn.first(gender, last), last, gender, kind, label, title, age,
                _interests(rng, interest), importance,
            )  # fmt: skip
            _add(world, circle, person)


def _label(kind: str, position: int, world: World, rng: random.Random) -> tuple[str, int]:
    if kind == "friend":
        if not any(p.label == "best friend" for p in world.people):
            return "best friend", 9
        return rng.choice([("friend", 7), ("friend", 6), ("old friend", 6), ("friend", 5)])
    if kind == "colleague":
        if position == 0:
            return "manager", 5
        if not any(p.label == "mentor" for p in world.people):
            return "mentor", 6
        return rng.choice([("colleague", 4), ("colleague", 3), ("teammate", 4)])
    return "neighbour", rng.choice([2, 3])


# Since when the user has known someone, by label or circle: (first year, last year).
SINCE = {
    "best friend": (2007, 2009), "old friend": (2005, 2012), "friend": (2013, 2023), "mentor": (2014, 2016),
    "university": (2007, 2010), "the agency crowd": (2012, 2016), "colleague": (2019, 2024), "neighbour": (2018, 2024),
    "the in-laws": (2016, 2017), "in-law": (2016, 2017), "brother-in-law": (2012, 2014), "sister-in-law": (2012, 2014),
}  # fmt: skip


def _dates(person: Person, rng: random.Random) -> None:
    """A birthday that fits the person's age, and since when the user (36) has known them."""
    year = TODAY.year - person.age
    person.birthday = date(year, rng.randint(1, 12), rng.randint(1, 28))
    person.location = "Porto" if person.circle == "the in-laws" else rng.choice(CITIES[:3])
    if person.kind == "romantic":
        person.since = date(2016, 5, 21)
        return
    if person.kind == "family" and person.circle != "the in-laws" and "-in-law" not in person.label:
        person.since = max(person.birthday, date(TODAY.year - 36, 3, 9))  # the user's own birthday
        return
    key = next(
        (k for k in (person.circle.split()[0], person.circle, person.label) if k in SINCE),
        "in-law" if person.kind == "family" else "colleague",
    )
    first, last = SINCE[key]
    person.since = date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))
