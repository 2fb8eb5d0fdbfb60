"""./kindred bench recommendations [--users N] [--people N] [--seed S] [--no-semantic]: how often the gift
recommender (generation/gift_ranking.py) puts the category of a person's held-out, well-received
gift in its top 5, against a popularity baseline (the categories that went well most often across the
user's people). Results: bench/recommendation_results.md.

The history is generated (the same seed gives the same history): each user has `--people` people, each
with two interests (Concepts), a relationship kind, two or three favourite gift categories (most of them
suggested by their interests: Cooking suggests kitchen and food), two disliked ones, and eight gifts in
order, chosen as a giver who does not know them would (popular categories more often), each with a
success drawn around 0.85 for a favourite, 0.15 for a disliked category, and 0.45 otherwise (0.6 for the
popular ones). For each person the last of their gifts that went well (success 0.6 or more) among their
last three is held out with everything after it; the recommender sees only what came before, for every
one of the user's people: the preferences learned from those outcomes (dispatch/outcome_preferences.py's
tally, leaning and confidence), the people alike (dispatch/similarity.py's similar_links over those
histories), the person's interests and gifts, and the categories that went well across the user's people.
It reads the same shape graph/recommendations.py's `features` reads from Neo4j, so what is measured is
the ranking itself. The semantic signal uses the local embedder (all-MiniLM-L6-v2) unless --no-semantic.
"""

import argparse
import asyncio
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

from dispatch import outcome_preferences, similarity
from generation import gift_ranking as ranking
from settings import Settings
from storage.embeddings import EmbeddingsUnavailable
from storage.embeddings.factory import create_embedder

CATEGORIES = (
    "books", "kitchen", "food", "outdoors", "travel", "sports", "music", "art",
    "gadgets", "games", "jewelry", "clothing", "home", "flowers", "experiences", "wellness",
)  # fmt: skip
POPULAR = ("experiences", "food", "books")
INTERESTS: Mapping[str, tuple[str, ...]] = {
    "Reading": ("books",),
    "Cooking": ("kitchen", "food"),
    "Hiking": ("outdoors", "travel"),
    "Running": ("sports", "wellness"),
    "Jazz": ("music",),
    "Painting": ("art",),
    "Tech": ("gadgets", "games"),
    "Fashion": ("clothing", "jewelry"),
    "Gardening": ("flowers", "home"),
    "Yoga": ("wellness",),
    "Travel": ("travel", "experiences"),
    "Baking": ("food", "kitchen"),
}
KINDS = ("friend", "family", "colleague", "partner")
GIFTS_PER_PERSON = 8
TOP = 5
MONTH = 6


@dataclass
class Person:
    uid: str
    kind: str
    interests: list[str]
    favourites: set[str]
    dislikes: set[str]
    gifts: list[dict[str, Any]] = field(default_factory=list)  # in order: name, category, success, uid
    cut: int = 0  # gifts[:cut] are seen; gifts[cut] is the held-out one

    @property
    def seen(self) -> list[dict[str, Any]]:
        return self.gifts[: self.cut]


def people_of(rng: random.Random, user: int, count: int) -> list[Person]:
    made = []
    for i in range(count):
        interests = rng.sample(sorted(INTERESTS), 2)
        suggested = sorted({c for name in interests for c in INTERESTS[name]})
        favourites = {
            rng.choice(suggested) if rng.random() < 0.75 else rng.choice(CATEGORIES) for _ in range(3)
        }
        dislikes = set(rng.sample([c for c in CATEGORIES if c not in favourites], 2))
        person = Person(f"u{user}-p{i}", rng.choice(KINDS), interests, favourites, dislikes)
        for g in range(GIFTS_PER_PERSON):
            category = rng.choice(POPULAR) if rng.random() < 0.3 else rng.choice(CATEGORIES)
            mu = 0.85 if category in favourites else 0.15 if category in dislikes else 0.45
            mu += 0.15 if category in POPULAR and mu == 0.45 else 0
            success = round(min(1.0, max(0.0, rng.gauss(mu, 0.12))), 3)
            person.gifts.append(
                {"uid": f"{person.uid}-g{g}", "name": f"{category} gift {g}", "category": category,
                 "success": success}
            )  # fmt: skip
        held = [g for g in range(GIFTS_PER_PERSON - 3, GIFTS_PER_PERSON) if person.gifts[g]["success"] >= 0.6]
        person.cut = held[-1] if held else -1
        made.append(person)
    return made


def features_of(person: Person, everyone: list[Person], links: list[dict[str, Any]]) -> dict[str, Any]:
    """What graph/recommendations.py's `features` would read of this person, from what was seen."""
    by_uid = {p.uid: p for p in everyone}
    interests = [{"uid": f"{person.uid}-{name}", "name": name} for name in person.interests]
    return {
        "name": person.uid,
        "interests": interests,
        "preferences": _preferences(person),
        "gifts": [
            {
                "name": g["name"],
                "category": g["category"],
                "price": None,
                "outcome": {"uid": g["uid"], "success": g["success"]},
            }
            for g in person.seen
        ],
        "similar": [
            {
                "uid": link["target"],
                "name": link["target"],
                "score": link["score"],
                "gifts": [
                    {
                        "name": g["name"],
                        "category": g["category"],
                        "price": None,
                        "outcome": g["uid"],
                        "success": g["success"],
                    }
                    for g in by_uid[link["target"]].seen
                ],
            }
            for link in links
            if link["source"] == person.uid
        ],
        "reactions": [],
        "occasion": None,
        "well_received": [g["category"] for p in everyone for g in p.seen if g["success"] >= 0.6],
    }


def _preferences(person: Person) -> list[dict[str, Any]]:
    found = []
    for category in sorted({g["category"] for g in person.seen}):
        outcomes = [
            {"success": g["success"], "given": True} for g in person.seen if g["category"] == category
        ]
        points, positive, negative = outcome_preferences.tally(outcomes)
        found.append(
            {
                "uid": f"{person.uid}-pref-{category}",
                "value": {"category": category, "leaning": outcome_preferences.leaning(positive, negative)},
                "confidence": outcome_preferences.confidence(points, positive, negative),
            }
        )
    return found


def similarity_rows(everyone: list[Person]) -> list[dict[str, Any]]:
    """The people as dispatch/similarity.py reads them (graph/learning.py's similarity_features)."""
    return [
        {
            "uid": p.uid,
            "kind": p.kind,
            "interests": [[name, name] for name in p.interests],
            "outcomes": [[g["category"], g["success"]] for g in p.seen],
        }
        for p in everyone
    ]


class Semantic:
    """Each candidate's cosine to a person's profile, from the local embedder (texts embedded once)."""

    def __init__(self, enabled: bool) -> None:
        self.embedder = create_embedder(Settings()) if enabled else None
        self.vectors: dict[str, list[float]] = {}

    async def of(self, features: dict[str, Any]) -> dict[str, float]:
        if self.embedder is None:
            return {}
        found = ranking.candidates(features, MONTH)
        texts = {key: ranking.candidate_text(item.category, item.idea) for key, item in found.items()}
        profile = ranking.profile_text(features)
        missing = [t for t in {profile, *texts.values()} if t not in self.vectors]
        if missing:
            try:
                self.vectors.update(zip(missing, await self.embedder.embed(missing), strict=True))
            except EmbeddingsUnavailable:
                self.embedder = None
                return {}
        mine = self.vectors[profile]
        return {
            key: max(0.0, sum(a * b for a, b in zip(mine, self.vectors[t], strict=True)))
            for key, t in texts.items()
        }


async def evaluate(
    users: int, people: int, seed: int, semantic: Semantic, weights: Mapping[str, float]
) -> dict[str, float]:
    """Hit rate at TOP of the recommender (with these weights) and of the popularity baseline."""
    rng = random.Random(seed)
    hits, baseline, cases = 0, 0, 0
    saved = ranking.WEIGHTS
    ranking.WEIGHTS = weights  # the bench's ablations: the ranker reads its weights when it scores
    try:
        for user in range(users):
            everyone = people_of(rng, user, people)
            links = similarity.similar_links(similarity_rows(everyone))
            for person in everyone:
                if person.cut < 0:
                    continue
                target = person.gifts[person.cut]["category"]
                features = features_of(person, everyone, links)
                ranked = ranking.rank(
                    features,
                    month=MONTH,
                    budget=ranking.Budget(),
                    count=TOP,
                    semantic=await semantic.of(features),
                )
                hits += target in {r.key for r in ranked}
                baseline += target in ranking.popular(features["well_received"], TOP)
                cases += 1
    finally:
        ranking.WEIGHTS = saved
    return {"cases": cases, "recommender": hits / cases, "popularity": baseline / cases}


def without(*signals: str) -> dict[str, float]:
    return {name: (0.0 if name in signals else weight) for name, weight in ranking.WEIGHTS.items()}


async def main(users: int, people: int, seeds: list[int], use_semantic: bool) -> None:
    semantic = Semantic(use_semantic)
    plain = Semantic(False)
    variants: list[tuple[str, Semantic, Mapping[str, float]]] = [
        ("recommender, graph only (no embedder)", plain, ranking.WEIGHTS),
    ]
    if use_semantic:
        variants.append(("recommender, graph + semantic (MiniLM)", semantic, ranking.WEIGHTS))
    variants += [
        ("graph only, without people alike", plain, without("similar")),
        ("graph only, without preferences and history", plain, without("preference", "history")),
        ("graph only, without interests", plain, without("interest")),
    ]
    print(f"users={users} people/user={people} seeds={seeds} top={TOP}")
    print("| variant | cases | hit@5 | popularity hit@5 |")
    print("| --- | --- | --- | --- |")
    for name, source, weights in variants:
        runs = [await evaluate(users, people, seed, source, weights) for seed in seeds]
        cases = int(sum(r["cases"] for r in runs))
        ours, popular = mean(r["recommender"] for r in runs), mean(r["popularity"] for r in runs)
        print(f"| {name} | {cases} | {ours:.3f} | {popular:.3f} |")
    if semantic.embedder is not None:
        await semantic.embedder.close()


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--people", type=int, default=30, help="people per user")
    parser.add_argument(
        "--seed", type=int, action="append", help="repeat for several seeds (default 1, 2, 3)"
    )
    parser.add_argument("--no-semantic", action="store_true", help="leave the embedder out")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments(parser)
    given = parser.parse_args()
    asyncio.run(main(given.users, given.people, given.seed or [1, 2, 3], not given.no_semantic))
