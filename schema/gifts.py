"""Gifts: what the viewer gave, to whom, for which occasion, how, and what came of it."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from graph import kinds
from resolvers import concepts as concept_resolvers
from resolvers import gifts as resolve
from resolvers import occasions as occasion_resolvers
from resolvers import recipients as recipient_resolvers
from resolvers.pages import Order
from schema.deletion import deleting
from schema.docs import described
from schema.lazy import Concept, ConceptOrder, Occasion, Recipient, RecipientOrder
from schema.mentions import mentions_of
from schema.occasions import CreateOccasionInput, occasion_values
from schema.ordering import ordering
from schema.placed import Placed
from schema.recipients import CreateRecipientInput, new_recipient_values
from schema.relay import (
    Info,
    OwnedNode,
    from_node,
    listing,
    node_uid,
    optional_uid,
    related,
    related_one,
    uids,
    values_of,
)

# This module's own types, named before they are defined.
GiftRef = Annotated["Gift", strawberry.lazy("schema.gifts")]
GiftOrderRef = Annotated["GiftOrder", strawberry.lazy("schema.gifts")]
GiftOutcomeRef = Annotated["GiftOutcome", strawberry.lazy("schema.gifts")]


@strawberry.enum(description="How someone took a gift.")
class Reaction(Enum):
    THRILLED = "thrilled"
    HAPPY = "happy"
    NEUTRAL = "neutral"
    DISAPPOINTED = "disappointed"


GIVING = {
    "date": "The day it was given.",
    "planning_time_hours": "How many hours went into planning it (0 to 10,000).",
    "financial_investment_cents": "What it cost in all, in cents.",
    "emotional_investment": "How much of themselves the viewer put in, 0 (none) to 1 (all).",
    "surprise_level": "How much of a surprise it was, 1 (none) to 10 (complete).",
    "immediate_reaction": "How they took it at first, in the viewer's words, up to 500 characters.",
    "reaction_intensity": "How strong that reaction was, 1 (mild) to 10 (overwhelming).",
    "relationship_impact": "What it did to the relationship, -1 (harm) to 1 (good).",
}
OUTCOME = {
    "was_given": "Whether it was given in the end; true by default.",
    "given_date": "The day it was given.",
    "reaction": "How they took it.",
    "reaction_intensity": "How strong the reaction was, 1 (mild) to 10 (overwhelming).",
    "relationship_impact": "What it did to the relationship, -1 (harm) to 1 (good).",
    "success": "How well it went, 0 (badly) to 1 (perfectly); the relationship's statistics learn from it.",
    "would_give_again": "Whether the viewer would give it again.",
    "what_worked": "What worked, up to 4,000 characters.",
    "what_did_not_work": "What did not, up to 4,000 characters.",
    "lessons_learned": "What to remember next time, up to 4,000 characters.",
    "created_at": "When it was recorded (UTC).",
}
GIFT = {
    "id": "The gift to change.",
    "name": "What it was, 1 to 200 characters.",
    "description": "More about it, up to 4,000 characters.",
    "category": 'Its category ("books", "experience"), up to 100 characters: what the statistics learn by.',
    "price_cents": "What it cost, in cents (0 to 10,000,000,000).",
    "effort_level": "How much effort it took, 1 (none) to 10 (most).",
    "personalization_level": "How personal it was, 1 (generic) to 10 (made for them).",
    "surprise_factor": "How surprising it was, 1 (expected) to 10 (complete surprise).",
    "giving": "How it was given.",
    "created_at": "When it was recorded (UTC).",
    "recipient_ids": "Whom it was for: ids of the viewer's recipients.",
    "new_recipient": "Or a new recipient it was for, made in the same change.",
    "occasion_id": "The occasion it was given for.",
    "new_occasion": "Or a new occasion it was given for, made in the same change (for its recipients).",
    "outcome": "What came of it, if known already.",
    "tags": "Its categories and themes, by name (up to 20): concepts, made where new.",
    "from_recommendation_id": "The gift recommendation it was chosen from: it keeps the link.",
}


@strawberry.type(description="How a gift was given.")
@described(GIVING)
class Giving:
    date: dt.date | None
    planning_time_hours: float | None
    financial_investment_cents: int | None
    emotional_investment: float | None
    surprise_level: int | None
    immediate_reaction: str | None
    reaction_intensity: int | None
    relationship_impact: float | None


@strawberry.type(description="What happened after a gift.")
@described(OUTCOME)
class GiftOutcome(OwnedNode, Placed):
    load = staticmethod(resolve.outcomes_by_uids)
    id: relay.NodeID[str]
    was_given: bool
    given_date: dt.date | None
    reaction: Reaction | None
    reaction_intensity: int | None
    relationship_impact: float | None
    success: float
    would_give_again: bool | None
    what_worked: str | None
    what_did_not_work: str | None
    lessons_learned: str | None
    created_at: dt.datetime

    gift = related_one(GiftRef, resolve.of_outcome, "The gift it came of.")


@strawberry.type(description="A gift the viewer gave.")
@described(GIFT)
class Gift(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    name: str
    description: str | None
    category: str | None
    price_cents: int | None
    effort_level: int | None
    personalization_level: int | None
    surprise_factor: int | None
    giving: Giving | None
    created_at: dt.datetime

    recipients = related(Recipient, RecipientOrder, recipient_resolvers.of_gift, "Whom it was for.")
    occasion = related_one(Occasion, occasion_resolvers.of_gift, "The occasion it was given for.")
    outcome = related_one(GiftOutcomeRef, resolve.outcome_of, "What came of it.")
    similar = related(GiftRef, GiftOrderRef, resolve.similar, "Gifts like it.")
    complements = related(GiftRef, GiftOrderRef, resolve.complements, "Gifts that go well with it.")
    tags = related(Concept, ConceptOrder, concept_resolvers.of_gift, "Its categories and themes.")
    mentions = mentions_of("Gift")

    reads: ClassVar[dict[str, tuple[str, ...]]] = {"giving": ("gave",)}

    @classmethod
    def from_row(cls, row: Any) -> "Gift":
        gave = row.node.get("gave")
        return from_node(cls, row.node, giving=from_node(Giving, gave) if gave else None)


@strawberry.input(description="How a gift was given.")
@described(GIVING)
class GivingInput:
    date: dt.date | None = None
    planning_time_hours: float | None = None
    financial_investment_cents: int | None = None
    emotional_investment: float | None = None
    surprise_level: int | None = None
    immediate_reaction: str | None = None
    reaction_intensity: int | None = None
    relationship_impact: float | None = None


@strawberry.input(description="What happened after a gift.")
@described(OUTCOME)
class GiftOutcomeInput:
    success: float
    was_given: bool = True
    given_date: dt.date | None = None
    reaction: Reaction | None = None
    reaction_intensity: int | None = None
    relationship_impact: float | None = None
    would_give_again: bool | None = None
    what_worked: str | None = None
    what_did_not_work: str | None = None
    lessons_learned: str | None = None


@strawberry.input(
    description="A gift; its recipient and occasion may be new, and all is written at once or not at all."
)
@described(GIFT)
class CreateGiftInput:
    name: str
    description: str | None = None
    category: str | None = None
    price_cents: int | None = None
    effort_level: int | None = None
    personalization_level: int | None = None
    surprise_factor: int | None = None
    recipient_ids: list[relay.GlobalID] | None = None
    new_recipient: CreateRecipientInput | None = None
    occasion_id: relay.GlobalID | None = None
    new_occasion: CreateOccasionInput | None = None
    giving: GivingInput | None = None
    outcome: GiftOutcomeInput | None = None
    tags: list[str] | None = None
    from_recommendation_id: relay.GlobalID | None = None


@strawberry.input(description="Changes to a gift: only the fields given change; null clears one.")
@described(GIFT)
class UpdateGiftInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    category: str | None = strawberry.UNSET
    price_cents: int | None = strawberry.UNSET
    effort_level: int | None = strawberry.UNSET
    personalization_level: int | None = strawberry.UNSET
    surprise_factor: int | None = strawberry.UNSET


@strawberry.input(description="Which gifts to list: all the conditions given hold.")
class GiftFilter:
    recipient_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only gifts for this recipient."
    )
    occasion_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only gifts for this occasion."
    )
    category: str | None = strawberry.field(
        default=None, description="Only gifts of this category (exactly)."
    )
    tag: str | None = strawberry.field(
        default=None, description="Only gifts tagged with this concept, by name."
    )


@ordering(kinds.GIFT, "gifts")
class GiftOrder: ...


def _where(given: GiftFilter) -> dict[str, Any]:
    return {
        "recipient": optional_uid(given.recipient_id, "Recipient", "recipientId"),
        "occasion": optional_uid(given.occasion_id, "Occasion", "occasionId"),
        "category": given.category,
        "tag": given.tag,
    }


@strawberry.type
class GiftQuery:
    gifts = listing(
        Gift,
        GiftFilter,
        GiftOrder,
        [Order("created_at")],
        _where,
        resolve.page,
        "The gifts the viewer gave: filtered, ordered (oldest first by default), a page at a time.",
    )


@strawberry.type
class GiftMutation:
    @strawberry.mutation(
        description="Records a gift, with a new or known recipient and occasion, in one change."
    )
    async def create_gift(
        self, info: Info, input: Annotated[CreateGiftInput, strawberry.argument(description="The gift.")]
    ) -> Gift:
        return Gift.from_row(await resolve.create(info.context, **_new_gift(input)))

    @strawberry.mutation(
        description="Sets what came of a gift (replacing what was recorded); the relationship learns from it."
    )
    async def record_gift_outcome(
        self,
        info: Info,
        gift_id: Annotated[relay.GlobalID, strawberry.argument(description="The gift.")],
        outcome: Annotated[GiftOutcomeInput, strawberry.argument(description="What came of it.")],
    ) -> Gift:
        uid = node_uid(gift_id, "Gift", "giftId")
        return Gift.from_row(await resolve.record_outcome(info.context, uid, values_of(outcome)))

    @strawberry.mutation(description="Changes what is given of a gift; null clears a field.")
    async def update_gift(
        self, info: Info, input: Annotated[UpdateGiftInput, strawberry.argument(description="The changes.")]
    ) -> Gift:
        values = values_of(input, leave=("id",))
        return Gift.from_row(await resolve.update(info.context, node_uid(input.id, "Gift"), values))

    delete_gift = deleting("Gift", resolve.delete, "Deletes a gift and its outcome.", "The gift.")


def _new_gift(given: CreateGiftInput) -> dict[str, Any]:
    nested = (
        "recipient_ids",
        "new_recipient",
        "occasion_id",
        "new_occasion",
        "giving",
        "outcome",
        "tags",
        "from_recommendation_id",
    )
    chosen = given.from_recommendation_id
    return dict(
        values=values_of(given, leave=nested),
        recipients=uids(given.recipient_ids, "Recipient", "recipientIds"),
        new_recipient=new_recipient_values(given.new_recipient) if given.new_recipient else None,
        occasion=optional_uid(given.occasion_id, "Occasion", "occasionId"),
        new_occasion=occasion_values(given.new_occasion) if given.new_occasion else None,
        gave=values_of(given.giving) if given.giving else {},
        outcome=values_of(given.outcome) if given.outcome else None,
        tags=list(given.tags or ()),
        recommendation=optional_uid(chosen, "GiftRecommendation", "fromRecommendationId"),
    )
