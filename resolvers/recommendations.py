"""Gift recommendations: a ranked list for one of the viewer's people (and an occasion, within a budget),
made from the graph and the embedder (generation/gift_ranking.py ranks it), written as nodes that
name their evidence, and kept in the cache for its time to live; reactions to them; and their relations."""

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from redis.exceptions import RedisError

from errors import BadUserInput
from extraction.explainer import explainer_of
from generation import gift_ranking as ranking
from graph import recommendations
from graph.kinds import RECOMMENDATION
from graph.pages import Row
from graph.refs import Ref
from resolvers import nodes
from resolvers.context import Context
from resolvers.pages import Order
from storage.embeddings import EmbeddingsUnavailable

logger = logging.getLogger("kindred.recommendations")

MAX_COUNT = 20
DEFAULT_COUNT = 5
REACTIONS = ("loved", "liked", "not_for_them", "already_have")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Asked:
    """What a list is asked for: whom, the occasion, the budget (cents, its currency) and how many."""

    recipient: str
    occasion: str | None = None
    min_cents: int | None = None
    max_cents: int | None = None
    currency: str | None = None
    count: int = DEFAULT_COUNT

    def key(self, viewer: str) -> str:
        """The cache key of its list: the viewer's, so an erasure drops it with their others."""
        budget = f"{self.min_cents}-{self.max_cents}-{self.currency}"
        return f"user:{viewer}:{self.recipient}:{self.occasion or '-'}:{budget}:{self.count}"


@dataclass(frozen=True)
class Listed:
    rows: list[Row]
    cached: bool


def checked(asked: Asked) -> Asked:
    """Refuses a count out of 1..MAX_COUNT, a negative bound, a minimum over the maximum, or a currency
    that is not three capital letters (ISO 4217)."""
    if not 1 <= asked.count <= MAX_COUNT:
        raise BadUserInput(f"count must be between 1 and {MAX_COUNT}.", field="count")
    for name, value in (("min", asked.min_cents), ("max", asked.max_cents)):
        if value is not None and value < 0:
            raise BadUserInput(f"budget.{name}Cents must not be negative.", field=f"budget.{name}Cents")
    if asked.min_cents is not None and asked.max_cents is not None and asked.min_cents > asked.max_cents:
        raise BadUserInput("budget.minCents must not be over budget.maxCents.", field="budget.minCents")
    if asked.currency is not None and not _CURRENCY.match(asked.currency):
        raise BadUserInput(
            "budget.currency must be a three-letter currency code, as USD or EUR.", field="budget.currency"
        )
    return asked


async def recommend(context: Context, asked: Asked, refresh: bool = False) -> Listed:
    """The viewer's last list for what is asked while it is cached (unless `refresh`), else a new one:
    ranked, written and cached. NOT_FOUND (nothing written) when the person or the occasion is not
    the viewer's."""
    asked = checked(asked)
    key = asked.key(context.viewer)
    cache = context.recommendations
    if cache is not None and not refresh:
        rows = await _cached(context, await cache.get(key))
        if rows is not None:
            return Listed(rows, cached=True)
    rows = await _made(context, asked)
    if cache is not None:
        await cache.set(key, json.dumps([row.uid for row in rows]))
    return Listed(rows, cached=False)


async def _cached(context: Context, value: str | None) -> list[Row] | None:
    """The cached list as it reads now, or None when there is none or one of it is gone."""
    if value is None:
        return None
    uids = json.loads(value)
    rows = await nodes.by_uids(context, RECOMMENDATION, uids)
    return sorted(rows, key=lambda row: row.node["rank"]) if len(rows) == len(uids) else None


async def _made(context: Context, asked: Asked) -> list[Row]:
    features = await context.graph.read(
        recommendations.features, owner=context.viewer, recipient=asked.recipient, occasion=asked.occasion
    )
    budget = _budget(asked, features.get("occasion"))
    month = datetime.now(UTC).month
    semantic = await _semantic(context, features, month)
    ranked = ranking.rank(features, month=month, budget=budget, count=asked.count, semantic=semantic)
    list_key = f"{asked.recipient}|{asked.occasion or '-'}|{datetime.now(UTC).isoformat()}"
    explanations, explained_by = await _explained(context, features["name"], ranked)
    items = [
        (_values(item, place, asked, budget, list_key), _refs(item)) for place, item in enumerate(ranked, 1)
    ]
    for (values, _), words in zip(items, explanations, strict=True):
        values["explanation"], values["explained_by"] = words, explained_by
    return await context.graph.write(
        recommendations.save,
        owner=context.viewer,
        uids=[str(uuid4()) for _ in items],
        recipient=asked.recipient,
        occasion=asked.occasion,
        items=items,
    )


async def _explained(context: Context, person: str, ranked: list[ranking.Ranked]) -> tuple[list[str], str]:
    """Each recommendation's explanation, and who wrote them: the configured model, or else (or when it
    cannot) Kindred's own words from the reasons."""
    own = [item.explanation() for item in ranked]
    explainer = explainer_of(context.settings)
    if explainer is None or not ranked:
        return own, "graph"
    items = [(item.title, [reason["says"] for reason in item.reasons]) for item in ranked]
    worded = await explainer.explain(person, items)
    return (worded, explainer.name) if worded is not None else (own, "graph")


def _budget(asked: Asked, occasion: Mapping[str, Any] | None) -> ranking.Budget:
    """The budget asked for, or else the occasion's."""
    if asked.min_cents is not None or asked.max_cents is not None or occasion is None:
        return ranking.Budget(asked.min_cents, asked.max_cents)
    return ranking.Budget(occasion.get("budget_min"), occasion.get("budget_max"))


async def _semantic(context: Context, features: Mapping[str, Any], month: int) -> dict[str, float]:
    """Each candidate's cosine to the person's profile (the embedder's vectors are unit length); none
    when there is no embedder or it cannot embed now (the ranking then rests on the graph alone)."""
    if context.embedder is None:
        return {}
    found = ranking.candidates(features, month)
    texts = [ranking.profile_text(features)]
    texts += [ranking.candidate_text(item.category, item.idea) for item in found.values()]
    try:
        vectors = await context.embedder.embed_now(texts)
    except EmbeddingsUnavailable:
        return {}
    profile, *others = vectors
    return {
        key: max(0.0, sum(a * b for a, b in zip(profile, v, strict=True)))
        for key, v in zip(found, others, strict=True)
    }


def _values(
    item: ranking.Ranked, place: int, asked: Asked, budget: ranking.Budget, list_key: str
) -> dict[str, Any]:
    return {
        "title": item.title,
        "category": item.category,
        "idea": item.idea,
        "rank": place,
        "score": item.score,
        "confidence": item.confidence,
        "explanation": item.explanation(),
        "reasons": item.reasons,
        "price_cents": item.price_cents,
        "budget_min_cents": budget.min_cents,
        "budget_max_cents": budget.max_cents,
        "currency": asked.currency,
        "list_key": list_key,
        "generator": ranking.GENERATOR,
        "generator_version": ranking.VERSION,
        "explained_by": "graph",
    }


def _refs(item: ranking.Ranked) -> list[Ref]:
    return [Ref.parse(ref) for ref in item.evidence]


async def react(context: Context, uid: str, reaction: str | None) -> Row:
    """Keeps the viewer's reaction (None: takes it back); their cached lists are dropped, so the next list
    learns from it (and the outcome-preferences consumer counts it in the person's preference)."""
    if reaction is not None and reaction not in REACTIONS:
        raise BadUserInput(f"reaction must be one of {', '.join(REACTIONS)}.", field="reaction")
    row = await context.graph.write(
        recommendations.react, owner=context.viewer, uid=uid, reaction=reaction, at=datetime.now(UTC)
    )
    if context.recommendations is not None:
        try:
            await context.recommendations.delete_prefix(f"user:{context.viewer}:")
        except (RedisError, OSError) as error:  # the reaction is kept; a list cached before it expires
            logger.warning("Redis unreachable (%s): cached recommendations kept until they expire", error)
    return row


by_uids = nodes.by_uids_of(RECOMMENDATION)
page = nodes.page_of(RECOMMENDATION, recommendations.condition)


# The relations that reach recommendations (Recipient.giftRecommendations, Occasion's, Gift.recommendation,
# and those resting on each kind of evidence), and what a recommendation reaches.
of_recipient = nodes.relation(recommendations.OF_RECIPIENT)
of_occasion = nodes.relation(recommendations.OF_OCCASION)
of_gift = nodes.relation_one(recommendations.OF_GIFT, Order("created_at"))
derived = nodes.relation_each(recommendations.DERIVED)
recipients = nodes.relation_one(recommendations.RECIPIENTS, Order("created_at"))
occasions = nodes.relation_one(recommendations.OCCASIONS, Order("created_at"))
gifts = nodes.relation(recommendations.GIFTS)
evidence = nodes.relations(recommendations.DERIVED_FROM)
