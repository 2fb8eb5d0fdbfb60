"""Gifts: what the viewer gave, to whom, for which occasion, how, and what came of it (seed 000)."""

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from graph.gifts import NewGift
from resolvers import gifts as resolve
from resolvers.context import Context
from resolvers.pages import PageArgs
from schema.relay import (
    Connection,
    DeletePayload,
    OrderDirection,
    OwnedNode,
    from_node,
    listing,
    node_uid,
    related,
    related_one,
    values_of,
)

if TYPE_CHECKING:
    from schema.occasions import CreateOccasionInput
    from schema.recipients import CreateRecipientInput

Info = strawberry.Info[Context, None]


@strawberry.enum
class Reaction(Enum):
    THRILLED = "thrilled"
    HAPPY = "happy"
    NEUTRAL = "neutral"
    DISAPPOINTED = "disappointed"


@strawberry.type(description="How the gift was given: the GAVE relationship (seed 000).")
class Giving:
    date: dt.date | None
    planning_time_hours: float | None
    financial_investment_cents: int | None
    emotional_investment: float | None = strawberry.field(description="0 to 1.")
    surprise_level: int | None = strawberry.field(description="1 to 10.")
    immediate_reaction: str | None
    reaction_intensity: int | None = strawberry.field(description="1 to 10.")
    relationship_impact: float | None = strawberry.field(description="-1 to 1.")


@strawberry.type(description="What happened after a gift (seed 000's gift outcomes).")
class GiftOutcome(OwnedNode):
    label = "GiftOutcome"
    id: relay.NodeID[str]
    was_given: bool
    given_date: dt.date | None
    reaction: Reaction | None
    reaction_intensity: int | None
    relationship_impact: float | None
    success: float = strawberry.field(description="0 to 1.")
    would_give_again: bool | None
    what_worked: str | None
    what_did_not_work: str | None
    lessons_learned: str | None
    created_at: dt.datetime


@strawberry.type(description="A gift the viewer gave.")
class Gift(OwnedNode):
    label = "Gift"
    id: relay.NodeID[str]
    name: str
    description: str | None
    category: str | None
    price_cents: int | None
    effort_level: int | None = strawberry.field(description="1 to 10.")
    personalization_level: int | None = strawberry.field(description="1 to 10.")
    surprise_factor: int | None = strawberry.field(description="1 to 10.")
    giving: Giving | None
    created_at: dt.datetime

    recipients = related("gift.recipients", "Recipient", "schema.recipients", "Who it was for.")

    occasion = related_one("gift.occasions", "Occasion", "schema.occasions", "The occasion it was given for.")

    outcome = related_one("gift.outcomes", "GiftOutcome", "schema.gifts", "What came of it.")

    similar = related("gift.similar", "Gift", "schema.gifts", "Gifts like it.")

    complements = related("gift.complements", "Gift", "schema.gifts", "Gifts that go well with it.")

    tags = related("gift.tags", "Concept", "schema.concepts", "Its categories and themes.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Gift":
        node = row["node"]
        gave = node.get("gave")
        return from_node(cls, node, giving=from_node(Giving, gave) if gave else None)


@strawberry.input
class GivingInput:
    date: dt.date | None = None
    planning_time_hours: float | None = None
    financial_investment_cents: int | None = None
    emotional_investment: float | None = None
    surprise_level: int | None = None
    immediate_reaction: str | None = None
    reaction_intensity: int | None = None
    relationship_impact: float | None = None


@strawberry.input
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


@strawberry.input(description="A gift; its recipient and occasion may be new, and all is written at once.")
class CreateGiftInput:
    name: str
    description: str | None = None
    category: str | None = None
    price_cents: int | None = None
    effort_level: int | None = None
    personalization_level: int | None = None
    surprise_factor: int | None = None
    recipient_ids: list[relay.GlobalID] | None = None
    new_recipient: Annotated["CreateRecipientInput", strawberry.lazy("schema.recipients")] | None = None
    occasion_id: relay.GlobalID | None = None
    new_occasion: Annotated["CreateOccasionInput", strawberry.lazy("schema.occasions")] | None = None
    giving: GivingInput | None = None
    outcome: GiftOutcomeInput | None = None
    tags: list[str] | None = None


@strawberry.input
class UpdateGiftInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    category: str | None = strawberry.UNSET
    price_cents: int | None = strawberry.UNSET
    effort_level: int | None = strawberry.UNSET
    personalization_level: int | None = strawberry.UNSET
    surprise_factor: int | None = strawberry.UNSET


@strawberry.input
class GiftFilter:
    recipient_id: relay.GlobalID | None = None
    occasion_id: relay.GlobalID | None = None
    category: str | None = None
    tag: str | None = None


@strawberry.enum
class GiftOrderField(Enum):
    CREATED_AT = "created_at"
    NAME = "name"
    PRICE = "price"


@strawberry.type
class GiftQuery:
    @strawberry.field(description="The gifts the viewer gave.")
    async def gifts(
        self,
        info: Info,
        filter: GiftFilter | None = None,
        order_by: GiftOrderField = GiftOrderField.CREATED_AT,
        direction: OrderDirection = OrderDirection.ASC,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Gift]:
        given = filter or GiftFilter()
        where = {
            "recipient": node_uid(given.recipient_id, "Recipient") if given.recipient_id else None,
            "occasion": node_uid(given.occasion_id, "Occasion") if given.occasion_id else None,
            "category": given.category,
            "tag": given.tag,
        }
        args = PageArgs(first, after, last, before)
        return await listing(info, resolve.page, where, order_by, direction, args, Gift.from_row)


@strawberry.type
class GiftMutation:
    @strawberry.mutation(description="Records a gift, with a new or known recipient and occasion, at once.")
    async def create_gift(self, info: Info, input: CreateGiftInput) -> Gift:
        return Gift.from_row({"node": await resolve.create(info.context, _new_gift(input))})

    @strawberry.mutation(description="Sets what came of a gift, and learns from it for the relationship.")
    async def record_gift_outcome(
        self, info: Info, gift_id: relay.GlobalID, outcome: GiftOutcomeInput
    ) -> Gift:
        uid = node_uid(gift_id, "Gift")
        await resolve.record_outcome(info.context, uid, values_of(outcome))
        return Gift.from_row({"node": (await resolve.by_uids(info.context, [uid]))[0]})

    @strawberry.mutation(description="Changes what is given of a gift; null clears.")
    async def update_gift(self, info: Info, input: UpdateGiftInput) -> Gift:
        values = {k: v for k, v in values_of(input).items() if k != "id"}
        return Gift.from_row({"node": await resolve.update(info.context, node_uid(input.id, "Gift"), values)})

    @strawberry.mutation(description="Deletes a gift and its outcome.")
    async def delete_gift(self, info: Info, id: relay.GlobalID) -> DeletePayload:
        deleted = await resolve.delete(info.context, node_uid(id, "Gift"))
        return DeletePayload(deleted_id=id, deleted_count=len(deleted))


def _new_gift(given: CreateGiftInput) -> NewGift:
    from schema.occasions import occasion_values
    from schema.recipients import new_recipient_values

    nested = ("recipient_ids", "new_recipient", "occasion_id", "new_occasion", "giving", "outcome", "tags")
    values = {k: v for k, v in values_of(given).items() if k not in nested}
    return NewGift(
        values=values,
        recipients=[node_uid(i, "Recipient") for i in given.recipient_ids or ()],
        new_recipient=new_recipient_values(given.new_recipient) if given.new_recipient else None,
        occasion=node_uid(given.occasion_id, "Occasion") if given.occasion_id else None,
        new_occasion=occasion_values(given.new_occasion) if given.new_occasion else None,
        gave=values_of(given.giving) if given.giving else {},
        outcome=values_of(given.outcome) if given.outcome else None,
        tags=list(given.tags or ()),
    )
