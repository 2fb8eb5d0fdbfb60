"""Gift recommendations: a ranked list of gift ideas for one of the viewer's people (for an occasion, within
a budget), each with how sure it is and why (the evidence it rests on: learned preferences, outcomes of
earlier gifts, interests, people alike); the viewer's reactions to them, which the next list learns from;
and the gifts chosen from them."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph import kinds
from resolvers import insights as insight_resolvers
from resolvers import recommendations as resolve
from resolvers.pages import Order
from schema.docs import described
from schema.gifts import Gift, GiftOrder
from schema.insights import Insight, InsightOrder
from schema.occasions import Occasion
from schema.ordering import ordering
from schema.placed import Placed
from schema.recipients import Recipient
from schema.relay import (
    Info,
    OwnedNode,
    attach,
    enum_values,
    listing,
    node_uid,
    optional_uid,
    related,
    related_one,
)
from schema.selection import reading


@strawberry.enum(description="What the viewer said of a recommendation.")
class RecommendationReaction(Enum):
    LOVED = strawberry.enum_value("loved", description="A great idea: more like it.")
    LIKED = strawberry.enum_value("liked", description="A good idea.")
    NOT_FOR_THEM = strawberry.enum_value(
        "not_for_them", description="Not for this person: never suggested for them again."
    )
    ALREADY_HAVE = strawberry.enum_value(
        "already_have", description="They already have it: never suggested for them again."
    )


RECOMMENDATION = {
    "title": "What is suggested: a concrete idea's name, or the category.",
    "category": "The gift category it is in.",
    "idea": "A concrete gift (one that went well for someone alike); null when the category itself is the "
    "suggestion.",
    "rank": "Its place in its list: 1 is the best.",
    "score": "The score it was ranked by: the weighted sum of what speaks for and against it.",
    "confidence": "How sure Kindred is that it fits, 0 (a guess) to 1 (certain).",
    "explanation": "Why it is suggested, in words.",
    "price_cents": "What such a gift cost before, in cents, when known.",
    "budget_min_cents": "The least it was to cost, in cents, when a budget was given.",
    "budget_max_cents": "The most it was to cost, in cents, when a budget was given.",
    "currency": "The budget's currency (ISO 4217), when given.",
    "generator": "Which recommender made it.",
    "generator_version": "That recommender's version.",
    "explained_by": 'What wrote its explanation: "graph" (Kindred\'s own words from its evidence), or '
    '"openai:<model>".',
    "reaction": "What the viewer said of it; null until they react.",
    "reacted_at": "When the viewer last reacted (UTC).",
    "created_at": "When it was made (UTC).",
    "updated_at": "When it last changed (UTC).",
}


@strawberry.type(
    description="One part of why a gift is recommended: a signal, its weight and what it rests on."
)
class RecommendationReason:
    signal: str = strawberry.field(
        description="What it is: preference, history, similar, interest, reaction, occasion, season, "
        "popularity, semantic or idea."
    )
    weight: float = strawberry.field(description="How much the signal counts in the score.")
    value: float = strawberry.field(description="The signal's value, -1 (against) to 1 (for).")
    says: str = strawberry.field(description="The signal in words.")
    evidence_ids: list[strawberry.ID] = strawberry.field(
        description="The ids of what it rests on: insights, gift outcomes, concepts, people."
    )


@strawberry.type(description="A gift Kindred suggests for one of the viewer's people.")
@described(RECOMMENDATION)
class GiftRecommendation(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    title: str
    category: str
    idea: str | None
    rank: int
    score: float
    confidence: float
    explanation: str
    price_cents: int | None
    budget_min_cents: int | None
    budget_max_cents: int | None
    currency: str | None
    generator: str
    generator_version: str
    explained_by: str | None
    reaction: RecommendationReaction | None
    reacted_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(
        description="Why it is suggested, part by part, each naming the evidence it rests on.",
        metadata=reading("reasons"),
    )
    def reasons(self) -> list[RecommendationReason]:
        return [
            RecommendationReason(
                signal=reason["signal"],
                weight=reason["weight"],
                value=reason["value"],
                says=reason["says"],
                evidence_ids=[
                    strawberry.ID(str(relay.GlobalID(*ref.split(":", 1)))) for ref in reason["evidence"]
                ],
            )
            for reason in self.kept.get("reasons") or ()
        ]

    recipient = related_one(Recipient, resolve.recipients, "Whom it is for.")
    occasion = related_one(Occasion, resolve.occasions, "The occasion it is for, if one was given.")
    gifts = related(Gift, GiftOrder, resolve.gifts, "The gifts chosen from it.")
    learned_preferences = related(
        Insight,
        InsightOrder,
        insight_resolvers.learned,
        "The preferences learned from the viewer's reaction to it (a person's liking of its category).",
    )


@ordering(
    kinds.RECOMMENDATION,
    "gift recommendations",
    {"rank": "Its place in its list.", "confidence": "How sure it is.", "created_at": "When it was made."},
)
class GiftRecommendationOrder: ...


@strawberry.input(description="Which gift recommendations to list: all the conditions given hold.")
class GiftRecommendationFilter:
    recipient_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those for this person."
    )
    occasion_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those for this occasion."
    )
    reactions: list[RecommendationReaction] | None = strawberry.field(
        default=None, description="Only those the viewer reacted to so."
    )


@strawberry.input(description="How much a gift may cost, in cents of one currency.")
class BudgetInput:
    min_cents: int | None = strawberry.field(default=None, description="At least this, in cents (0 or more).")
    max_cents: int | None = strawberry.field(
        default=None, description="At most this, in cents (0 or more, not under minCents)."
    )
    currency: str | None = strawberry.field(
        default=None, description="Its currency, a three-letter code (ISO 4217) such as USD."
    )


@strawberry.type(description="A ranked list of gift recommendations.")
class GiftRecommendationList:
    recommendations: list[GiftRecommendation] = strawberry.field(description="The list, best first.")
    cached: bool = strawberry.field(
        description="Whether it is the list made earlier, answered again within its time to live (ask with "
        "refresh: true for a new one)."
    )


# The other ends of its relations reach recommendations too.
attach(
    Insight,
    "reactions",
    related(
        GiftRecommendation,
        GiftRecommendationOrder,
        insight_resolvers.reactions,
        "For a preference learned from gifts: the recommendations in its category the viewer reacted to, "
        "which it counts with outcomes (loved and liked for, not for them against; each link's weight "
        "says how much).",
    ),
)
attach(
    Recipient,
    "gift_recommendations",
    related(GiftRecommendation, GiftRecommendationOrder, resolve.of_recipient, "Gifts suggested for them."),
)
attach(
    Occasion,
    "gift_recommendations",
    related(GiftRecommendation, GiftRecommendationOrder, resolve.of_occasion, "Gifts suggested for it."),
)
attach(
    Gift,
    "recommendation",
    related_one(GiftRecommendation, resolve.of_gift, "The recommendation it was chosen from, if any."),
)


def _where(given: GiftRecommendationFilter) -> dict[str, Any]:
    return {
        "recipient": optional_uid(given.recipient_id, "Recipient", "recipientId"),
        "occasion": optional_uid(given.occasion_id, "Occasion", "occasionId"),
        "reactions": enum_values(given.reactions),
    }


@strawberry.type
class RecommendationQuery:
    gift_recommendations = listing(
        GiftRecommendation,
        GiftRecommendationFilter,
        GiftRecommendationOrder,
        [Order("created_at", descending=True), Order("rank")],
        _where,
        resolve.page,
        "The gifts Kindred suggested, the newest lists first by default.",
    )


@strawberry.type
class RecommendationMutation:
    @strawberry.mutation(
        description="Recommends gifts for one of your people (for an occasion, within a budget), best first, "
        "each with how sure it is and the evidence it rests on. Within its time to live the same question "
        "answers the same list (cached: true); refresh: true makes a new one."
    )
    async def recommend_gifts(
        self,
        info: Info,
        recipient_id: Annotated[relay.GlobalID, strawberry.argument(description="Whom the gift is for.")],
        occasion_id: Annotated[
            relay.GlobalID | None, strawberry.argument(description="The occasion it is for.")
        ] = None,
        budget: Annotated[
            BudgetInput | None,
            strawberry.argument(
                description="How much it may cost; by default the occasion's budget, if any."
            ),
        ] = None,
        count: Annotated[
            int, strawberry.argument(description="How many to suggest: 1 to 20.")
        ] = resolve.DEFAULT_COUNT,
        refresh: Annotated[
            bool, strawberry.argument(description="Make a new list even if one is cached.")
        ] = False,
    ) -> GiftRecommendationList:
        given = budget or BudgetInput()
        asked = resolve.Asked(
            recipient=node_uid(recipient_id, "Recipient", "recipientId"),
            occasion=optional_uid(occasion_id, "Occasion", "occasionId"),
            min_cents=given.min_cents,
            max_cents=given.max_cents,
            currency=given.currency,
            count=count,
        )
        listed = await resolve.recommend(info.context, asked, refresh=refresh)
        return GiftRecommendationList(
            recommendations=[GiftRecommendation.from_row(row) for row in listed.rows], cached=listed.cached
        )

    @strawberry.mutation(
        description="Says what you think of a recommendation (null takes your reaction back); the person's "
        "learned preference of its category counts it, and the next list for them learns from it."
    )
    async def react_to_recommendation(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The recommendation.")],
        reaction: Annotated[
            RecommendationReaction | None,
            strawberry.argument(description="What you think of it; null takes your reaction back."),
        ],
    ) -> GiftRecommendation:
        said = None if reaction is None else str(reaction.value)
        row = await resolve.react(info.context, node_uid(id, "GiftRecommendation"), said)
        return GiftRecommendation.from_row(row)
