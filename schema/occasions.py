"""Occasions: birthdays, anniversaries, holidays, first dates; recurring ones come round again."""

import datetime as dt
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from resolvers import occasions as resolve
from resolvers.context import Context
from resolvers.pages import PageArgs
from schema.relay import (
    Connection,
    DeletePayload,
    OrderDirection,
    OwnedNode,
    connection,
    node_uid,
    related,
    uid_of,
    values_of,
)

Info = strawberry.Info[Context, None]
_NAMES = {"type": "occasion_type"}


@strawberry.enum
class OccasionType(Enum):
    BIRTHDAY = "birthday"
    ANNIVERSARY = "anniversary"
    HOLIDAY = "holiday"
    FIRST_DATE = "first_date"
    MILESTONE = "milestone"
    OTHER = "other"


@strawberry.enum
class Recurrence(Enum):
    YEARLY = "yearly"
    MONTHLY = "monthly"


@strawberry.type(description="A date that matters (seed 000's occasions, seed 002's memorable dates).")
class Occasion(OwnedNode):
    label = "Occasion"
    names = _NAMES
    id: relay.NodeID[str]
    name: str
    type: OccasionType
    date: dt.date
    recurring: bool
    recurrence: Recurrence | None
    importance: int = strawberry.field(description="1 to 10.")
    significance: str | None
    reminder_days: list[int] = strawberry.field(description="Days before it to be reminded.")
    budget_min: int | None = strawberry.field(description="In cents.")
    budget_max: int | None = strawberry.field(description="In cents.")
    next_occurrence: dt.date = strawberry.field(description="On or after today (UTC).")
    created_at: dt.datetime

    @strawberry.field(description="Days from today (UTC) to the next occurrence.")
    def days_until(self) -> int:
        return (self.next_occurrence - dt.datetime.now(dt.UTC).date()).days

    recipients = related("occasion.recipients", "Recipient", "schema.recipients", "Whose occasion it is.")


@strawberry.input
class CreateOccasionInput:
    name: str
    type: OccasionType
    date: dt.date
    recurring: bool = False
    recurrence: Recurrence | None = None
    importance: int | None = None
    significance: str | None = None
    reminder_days: list[int] | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    recipient_ids: list[relay.GlobalID] | None = strawberry.field(default=None, description="Whose it is.")


@strawberry.input
class UpdateOccasionInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    type: OccasionType | None = strawberry.UNSET
    date: dt.date | None = strawberry.UNSET
    recurring: bool | None = strawberry.UNSET
    recurrence: Recurrence | None = strawberry.UNSET
    importance: int | None = strawberry.UNSET
    significance: str | None = strawberry.UNSET
    reminder_days: list[int] | None = strawberry.UNSET
    budget_min: int | None = strawberry.UNSET
    budget_max: int | None = strawberry.UNSET


@strawberry.input
class OccasionFilter:
    types: list[OccasionType] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    recipient_id: relay.GlobalID | None = None


@strawberry.enum
class OccasionOrderField(Enum):
    DATE = "date"
    NEXT_OCCURRENCE = "next"
    IMPORTANCE = "importance"
    NAME = "name"


@strawberry.input
class OccasionOrder:
    field: OccasionOrderField = OccasionOrderField.DATE
    direction: OrderDirection = OrderDirection.ASC


@strawberry.type
class OccasionQuery:
    @strawberry.field(description="The viewer's occasions: filtered, ordered, one page at a time.")
    async def occasions(
        self,
        info: Info,
        filter: OccasionFilter | None = None,
        order_by: OccasionOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Occasion]:
        given = filter or OccasionFilter()
        order = order_by or OccasionOrder()
        args = PageArgs(first, after, last, before)
        rows, count = await resolve.page(
            info.context,
            types=[t.value for t in given.types or ()],
            date_from=given.date_from,
            date_to=given.date_to,
            within_days=None,
            recipient=node_uid(given.recipient_id, "Recipient") if given.recipient_id else None,
            order=order.field.value,
            descending=order.direction is OrderDirection.DESC,
            args=args,
        )
        return connection(rows, args.backward, Occasion.from_row, uid_of, count)

    @strawberry.field(description="Occasions coming up across the viewer's network, soonest first.")
    async def upcoming_occasions(
        self, info: Info, within_days: int = 30, first: int | None = None, after: str | None = None
    ) -> Connection[Occasion]:
        args = PageArgs(first, after)
        rows, count = await resolve.page(
            info.context, within_days=within_days, order="next", descending=False, args=args
        )
        return connection(rows, False, Occasion.from_row, uid_of, count)


@strawberry.type
class OccasionMutation:
    @strawberry.mutation(description="Adds an occasion, for the recipients named.")
    async def create_occasion(self, info: Info, input: CreateOccasionInput) -> Occasion:
        recipients = [node_uid(i, "Recipient") for i in input.recipient_ids or ()]
        return Occasion.from_row(
            {"node": await resolve.create(info.context, occasion_values(input), recipients)}
        )

    @strawberry.mutation(description="Changes what is given of an occasion; null clears.")
    async def update_occasion(self, info: Info, input: UpdateOccasionInput) -> Occasion:
        uid = node_uid(input.id, "Occasion")
        values = {k: v for k, v in values_of(input, _NAMES).items() if k != "id"}
        return Occasion.from_row({"node": await resolve.update(info.context, uid, values)})

    @strawberry.mutation(description="Deletes an occasion.")
    async def delete_occasion(self, info: Info, id: relay.GlobalID) -> DeletePayload:
        deleted = await resolve.delete(info.context, node_uid(id, "Occasion"))
        return DeletePayload(deleted_id=id, deleted_count=len(deleted))


def occasion_values(given: CreateOccasionInput) -> dict[str, Any]:
    """A create input's values as the graph names them (its recipients are links, not values)."""
    return {k: v for k, v in values_of(given, _NAMES).items() if k != "recipient_ids"}
