"""How gift recommendations are ranked: pure functions over what graph/recommendations.py's `features`
reads (and the offline bench, bench/recommendations.py, builds the same shape from a generated history).

Candidates are gift categories (case folded), from: the person's own gifts, their learned preferences,
their interests (an interest is a category too: "hiking"), the gifts of the people most like them
(SIMILAR_TO), the occasion's kind and the season (OCCASION_HINTS, SEASON_HINTS), and the categories that
went well across the owner's people. Within a category, a concrete idea is a gift that went well for one
of the similar people (its best one); with none, the category itself is the suggestion.

Each candidate's score is a weighted sum of signals, each -1..1 (WEIGHTS):
- preference: the learned preference's confidence, + when the person likes the category, - when not;
- history: the mean of (2 * success - 1) over the outcomes of the person's own gifts in it;
- similar: the same mean over the outcomes of similar people's gifts in it, each weighted by how alike
  they are, times the best such likeness (one faint look-alike says little);
- interest: 1 when the category and one of the person's interests name each other (one contains the
  other, folded); UNTRIED_INTEREST when no gift of the owner's was ever in it (a bare interest is a
  weaker suggestion than a category gifts were given in);
- reaction: 1 for a recommendation in it the user LOVED, 0.5 LIKED, -1 NOT_FOR_THEM (the best and worst
  add up, bounded);
- occasion and season: 1 when the occasion's kind, or the season of its month (or of now), suggests it;
- popularity: how many of the owner's gifts in it went well, over the most of any category;
- semantic: the cosine similarity of the category's (and idea's) text to the person's profile (name,
  interests, liked categories), from the embedder; 0 when none is available.
An idea adds IDEA_BONUS times its look-alike's likeness: a concrete gift that went well for someone alike
is better than the bare category.

Left out: a category that failed for the person (their own outcomes' mean success at most FAILED), that
their learned preference says they do not like, or that they reacted NOT_FOR_THEM or ALREADY_HAVE to as
a whole; an idea they already have (a gift of that name given to them) or reacted to either way; an idea
whose price, or a category whose typical (median) known price, is outside the budget.

Confidence: the share of the best possible score (the sum of the weights) it reached, shrunk while its
evidence is thin: with k pieces of evidence, times k / (k + 1).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import mean, median
from typing import Any

GENERATOR = "kindred-gift-ranker"
VERSION = "1.0"

WEIGHTS: Mapping[str, float] = {
    "preference": 0.30,
    "history": 0.20,
    "similar": 0.20,
    "interest": 0.15,
    "reaction": 0.15,
    "semantic": 0.15,
    "occasion": 0.05,
    "season": 0.05,
    # What went well across the owner's people: a strong prior while a person's own evidence is thin
    # (bench/recommendation_results.md: alone, it finds the held-out category more often than 0.05 of it did).
    "popularity": 0.25,
}
IDEA_BONUS = 0.05
UNTRIED_INTEREST = 0.5  # the interest signal of a category no gift was given in yet
FAILED = 0.4
REACTION_VALUES: Mapping[str, float] = {"loved": 1.0, "liked": 0.5, "not_for_them": -1.0, "already_have": 0.0}
REFUSED = frozenset({"not_for_them", "already_have"})

# What an occasion's kind and a season suggest (weak priors: a person's own evidence outweighs them).
OCCASION_HINTS: Mapping[str, tuple[str, ...]] = {
    "birthday": ("experiences", "books", "gadgets"),
    "anniversary": ("jewelry", "experiences", "flowers"),
    "holiday": ("food", "home", "clothing"),
    "christmas": ("food", "home", "clothing"),
    "valentines": ("flowers", "jewelry", "chocolate"),
    "graduation": ("gadgets", "books", "experiences"),
    "wedding": ("home", "kitchen", "experiences"),
    "first_date": ("flowers", "chocolate"),
}
SEASON_HINTS: Mapping[str, tuple[str, ...]] = {
    "winter": ("clothing", "home", "books"),
    "spring": ("gardening", "flowers", "outdoors"),
    "summer": ("outdoors", "travel", "sports"),
    "autumn": ("books", "home", "food"),
}


def season_of(month: int) -> str:
    """The northern season of a month (1-12)."""
    return ("winter", "spring", "summer", "autumn")[(month % 12) // 3]


def fold(text: str | None) -> str:
    return (text or "").strip().lower()


@dataclass
class Ranked:
    """One recommendation as ranked: what it suggests, its score, and what it rests on."""

    category: str  # as first written
    idea: str | None
    price_cents: int | None
    score: float = 0.0
    confidence: float = 0.0
    # Each signal that counted: {signal, weight, value, evidence: ["Label:uid", ...], says}
    reasons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.idea or self.category

    @property
    def key(self) -> str:
        return fold(self.category)

    @property
    def evidence(self) -> list[str]:
        return list(dict.fromkeys(ref for reason in self.reasons for ref in reason["evidence"]))

    def explanation(self) -> str:
        """The local words for why: its reasons, strongest first."""
        said = [r["says"] for r in sorted(self.reasons, key=lambda r: -abs(r["weight"] * r["value"]))]
        return "; ".join(said[:4]) + "." if said else "Suggested as a common choice."


@dataclass
class Budget:
    min_cents: int | None = None
    max_cents: int | None = None

    def holds(self, price: int | None) -> bool:
        if price is None:
            return True
        low_ok = self.min_cents is None or price >= self.min_cents
        return low_ok and (self.max_cents is None or price <= self.max_cents)


def profile_text(features: Mapping[str, Any]) -> str:
    """The person as the semantic signal reads them: name, interests, categories they like."""
    interests = ", ".join(i["name"] for i in features.get("interests", ()))
    liked = ", ".join(
        str(p["value"].get("category"))
        for p in features.get("preferences", ())
        if p["value"].get("leaning") == "likes"
    )
    return f"{features.get('name', '')}. Likes {interests}. Enjoys gifts of {liked}."


def candidate_text(category: str, idea: str | None) -> str:
    return f"{idea}, a {category} gift" if idea else f"{category} gifts"


def candidates(features: Mapping[str, Any], month: int) -> dict[str, Ranked]:
    """Every category worth scoring, by its folded name, each with its best idea (see the module's doc)."""
    found: dict[str, Ranked] = {}

    def add(category: str | None, idea: str | None = None, price: int | None = None) -> None:
        key = fold(category)
        if key and key not in found:
            found[key] = Ranked(category=str(category).strip(), idea=None, price_cents=None)
        if key and idea is not None and found[key].idea is None:
            found[key].idea, found[key].price_cents = idea, price

    for gift in features.get("gifts", ()):
        add(gift["category"])
    for preference in features.get("preferences", ()):
        add(preference["value"].get("category"))
    for interest in features.get("interests", ()):
        add(interest["name"])
    given = {fold(gift["name"]) for gift in features.get("gifts", ())}
    for person in sorted(features.get("similar", ()), key=lambda p: -(p["score"] or 0)):
        for gift in sorted(person["gifts"], key=lambda g: -(g["success"] or 0)):
            well = (gift["success"] or 0) >= 0.6 and fold(gift["name"]) not in given
            add(gift["category"], gift["name"] if well else None, gift["price"] if well else None)
    occasion = features.get("occasion") or {}
    for category in (*OCCASION_HINTS.get(fold(occasion.get("kind")), ()), *SEASON_HINTS[season_of(month)]):
        add(category)
    for category in features.get("well_received", ()):
        add(category)
    return found


def rank(
    features: Mapping[str, Any],
    *,
    month: int,
    budget: Budget,
    count: int,
    semantic: Mapping[str, float] | None = None,
) -> list[Ranked]:
    """The best `count` candidates, best first (see the module's doc); `semantic` is each candidate's
    cosine to the person's profile by its folded category."""
    found = candidates(features, month)
    refused = _refused(features)
    scored = []
    for key, item in found.items():
        if key in refused["categories"]:
            continue
        if item.idea is not None and (
            fold(item.idea) in refused["ideas"] or not budget.holds(item.price_cents)
        ):
            item.idea, item.price_cents = None, None
        typical = _typical_price(features, key)
        if item.idea is None and not budget.holds(typical):
            continue
        if item.idea is None:
            item.price_cents = typical
        _score(item, features, month, (semantic or {}).get(key, 0.0))
        if _failed(item):
            continue
        scored.append(item)
    scored.sort(key=lambda r: (-r.score, r.key))
    return scored[:count]


def _refused(features: Mapping[str, Any]) -> dict[str, set[str]]:
    """The categories and ideas never recommended again (see the module's doc)."""
    categories: set[str] = set()
    ideas = {fold(gift["name"]) for gift in features.get("gifts", ())}
    for reaction in features.get("reactions", ()):
        if reaction["reaction"] in REFUSED:
            if reaction["idea"]:
                ideas.add(fold(reaction["idea"]))
            else:
                categories.add(fold(reaction["category"]))
    return {"categories": categories, "ideas": ideas}


def _typical_price(features: Mapping[str, Any], key: str) -> int | None:
    prices = [g["price"] for g in features.get("gifts", ()) if fold(g["category"]) == key and g["price"]]
    prices += [
        g["price"]
        for p in features.get("similar", ())
        for g in p["gifts"]
        if fold(g["category"]) == key and g["price"]
    ]
    return int(median(prices)) if prices else None


def _failed(item: Ranked) -> bool:
    """Whether the person's own outcomes or their learned preference rule the category out."""
    for reason in item.reasons:
        if reason["signal"] == "history" and reason["value"] <= 2 * FAILED - 1:
            return True
        if reason["signal"] == "preference" and reason.get("leaning") == "dislikes":
            return True
    return False


def _reason(signal: str, value: float, evidence: Iterable[str], says: str, **more: Any) -> dict[str, Any]:
    return {
        "signal": signal,
        "weight": WEIGHTS.get(signal, IDEA_BONUS),
        "value": round(value, 4),
        "evidence": list(dict.fromkeys(evidence)),
        "says": says,
        **more,
    }


def _score(item: Ranked, features: Mapping[str, Any], month: int, semantic: float) -> None:
    key, reasons = item.key, item.reasons
    for preference in features.get("preferences", ()):
        value = preference["value"]
        if fold(value.get("category")) == key and value.get("leaning") in ("likes", "dislikes"):
            sign = 1 if value["leaning"] == "likes" else -1
            said = "likes" if sign > 0 else "does not like"
            reasons.append(
                _reason(
                    "preference",
                    sign * (preference["confidence"] or 0),
                    [f"Insight:{preference['uid']}"],
                    f"{features['name']} {said} {item.category} gifts (learned)",
                    leaning=value["leaning"],
                )
            )
    own = [g["outcome"] for g in features.get("gifts", ()) if fold(g["category"]) == key and g["outcome"]]
    own = [o for o in own if o["success"] is not None]
    if own:
        value = mean(2 * o["success"] - 1 for o in own)
        went = "went well" if value > 0 else "went badly"
        reasons.append(
            _reason(
                "history",
                value,
                [f"GiftOutcome:{o['uid']}" for o in own],
                f"{len(own)} earlier {item.category} gift(s) for them {went}",
            )
        )
    _similar(item, features)
    for interest in features.get("interests", ()):
        name = fold(interest["name"])
        if name and (name in key or key in name):
            # An interest no gift was ever given in is a weaker suggestion than a category it names.
            value = 1.0 if key in _given_categories(features) else UNTRIED_INTEREST
            reasons.append(
                _reason(
                    "interest", value, [f"Concept:{interest['uid']}"], f"they are into {interest['name']}"
                )
            )
            break
    _reacted(item, features)
    occasion = features.get("occasion") or {}
    if key in OCCASION_HINTS.get(fold(occasion.get("kind")), ()):
        reasons.append(_reason("occasion", 1.0, (), f"a usual {occasion['kind']} gift"))
    season = season_of(occasion.get("month") or month)
    if key in SEASON_HINTS[season]:
        reasons.append(_reason("season", 1.0, (), f"suits {season}"))
    _popular(item, features)
    if semantic > 0:
        reasons.append(_reason("semantic", semantic, (), f"close to their profile ({semantic:.2f})"))
    item.score = round(sum(r["weight"] * r["value"] for r in reasons), 4)
    best = sum(WEIGHTS.values()) + IDEA_BONUS
    k = len(item.evidence)
    item.confidence = round(max(0.0, min(1.0, item.score / best)) * k / (k + 1), 3)


def _similar(item: Ranked, features: Mapping[str, Any]) -> None:
    weighted: list[tuple[float, float]] = []
    evidence: list[str] = []
    idea_bonus = 0.0
    names = []
    for person in features.get("similar", ()):
        score = person["score"] or 0.0
        hits = [g for g in person["gifts"] if fold(g["category"]) == item.key and g["success"] is not None]
        if not hits or score <= 0:
            continue
        names.append(person["name"])
        evidence.append(f"Recipient:{person['uid']}")
        for gift in hits:
            weighted.append((score, 2 * gift["success"] - 1))
            evidence.append(f"GiftOutcome:{gift['outcome']}")
            if item.idea is not None and fold(gift["name"]) == fold(item.idea):
                idea_bonus = max(idea_bonus, score)
    if not weighted:
        return
    best = max(score for score, _ in weighted)
    value = sum(s * v for s, v in weighted) / sum(s for s, _ in weighted) * best
    went = "went well" if value > 0 else "went badly"
    who = ", ".join(dict.fromkeys(names))
    item.reasons.append(_reason("similar", value, evidence, f"{item.category} gifts {went} for {who}, alike"))
    if idea_bonus > 0:
        item.reasons.append(_reason("idea", idea_bonus, (), f"{item.idea} went well for someone alike"))


def _given_categories(features: Mapping[str, Any]) -> set[str]:
    """The folded categories of any gift the ranking knows of (the person's, people alike, the owner's)."""
    found = {fold(g["category"]) for g in features.get("gifts", ())}
    found |= {fold(g["category"]) for p in features.get("similar", ()) for g in p["gifts"]}
    return found | {fold(c) for c in features.get("well_received", ())}


def _reacted(item: Ranked, features: Mapping[str, Any]) -> None:
    values = [
        REACTION_VALUES[r["reaction"]]
        for r in features.get("reactions", ())
        if fold(r["category"]) == item.key and r["reaction"] in REACTION_VALUES
    ]
    values = [v for v in values if v != 0]
    if values:
        value = max(-1.0, min(1.0, max(values) + min(min(values), 0)))
        said = (
            "you liked earlier suggestions of it" if value > 0 else "you said an earlier one was not for them"
        )
        item.reasons.append(_reason("reaction", value, (), said))


def _popular(item: Ranked, features: Mapping[str, Any]) -> None:
    counts: dict[str, int] = defaultdict(int)
    for category in features.get("well_received", ()):
        counts[fold(category)] += 1
    if counts.get(item.key):
        value = counts[item.key] / max(counts.values())
        item.reasons.append(
            _reason("popularity", value, (), f"{counts[item.key]} of your gifts of it went well")
        )


def popular(well_received: Sequence[str], count: int) -> list[str]:
    """The popularity baseline: the folded categories that went well most often, most first."""
    counts: dict[str, int] = defaultdict(int)
    for category in well_received:
        counts[fold(category)] += 1
    return sorted(counts, key=lambda c: (-counts[c], c))[:count]
