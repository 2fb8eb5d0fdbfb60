"""Occasions: birthdays, anniversaries, holidays, first dates; recurring ones come round again."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph import kinds
from resolvers import gifts as gift_resolvers
from resolvers import occasions as resolve
from resolvers import recipients as recipient_resolvers
from resolvers.pages import Order, PageArgs
from schema.deletion import deleting
from schema.docs import described
from schema.lazy import Gift, GiftOrder, Recipient, RecipientOrder
from schema.ordering import ordering
from schema.placed import Placed
from schema.relay import (
    Connection,
    Info,
    OwnedNode,
    connection,
    enum_values,
    listing,
    node_uid,
    optional_uid,
    paged,
    related,
    uids,
    values_of,
)

# How the graph names the fields, where it names them otherwise.
# The API's names of the properties it names otherwise (graph/kinds.py).
_NAMES = {api: name for name, api in kinds.OCCASION.api_names.items()}


@strawberry.enum(description="What kind of day an occasion is.")
class OccasionKind(Enum):
    BIRTHDAY = "birthday"
    ANNIVERSARY = "anniversary"
    HOLIDAY = "holiday"
    FIRST_DATE = "first_date"
    MILESTONE = "milestone"
    OTHER = "other"


@strawberry.enum(description="How often a recurring occasion comes round.")
class Recurrence(Enum):
    YEARLY = "yearly"
    MONTHLY = "monthly"


OCCASION = {
    "id": "The occasion to change.",
    "name": 'What it is called ("Mom\'s birthday"), 1 to 100 characters.',
    "kind": "What kind of day it is.",
    "date": "The day it happened first (or happens, if it does not recur).",
    "recurring": "Whether it comes round again; false by default.",
    "recurrence": "How often it comes round; yearly by default when it recurs.",
    "importance": "How much it matters, 1 (little) to 10 (most); 5 by default.",
    "significance": "Why it matters, in the viewer's words, up to 2,000 characters.",
    "reminder_days": "How many days before it to be reminded (0 to 366 each, up to 10 of them).",
    "budget_min_cents": "The least to spend on it, in cents (0 to 1,000,000,000).",
    "budget_max_cents": "The most to spend on it, in cents (0 to 1,000,000,000): not below budgetMinCents.",
    "next_occurrence": "The next time it comes round, on or after today (UTC).",
    "created_at": "When it was added (UTC).",
    "recipient_ids": "Whose occasion it is: ids of the viewer's recipients.",
}


@strawberry.type(description="A date that matters to the viewer and to the people it is shared with.")
@described(OCCASION)
class Occasion(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    names = _NAMES
    id: relay.NodeID[str]
    name: str
    kind: OccasionKind
    date: dt.date
    recurring: bool
    recurrence: Recurrence | None
    importance: int
    significance: str | None
    reminder_days: list[int]
    budget_min_cents: int | None
    budget_max_cents: int | None
    next_occurrence: dt.date
    created_at: dt.datetime

    @strawberry.field(description="Days from today (UTC) to the next occurrence.")
    def days_until(self) -> int:
        return (self.next_occurrence - dt.datetime.now(dt.UTC).date()).days

    recipients = related(Recipient, RecipientOrder, recipient_resolvers.of_occasion, "Whose occasion it is.")
    gifts = related(Gift, GiftOrder, gift_resolvers.of_occasion, "The gifts given for it.")


@strawberry.input(description="A new occasion.")
@described(OCCASION)
class CreateOccasionInput:
    name: str
    kind: OccasionKind
    date: dt.date
    recurring: bool = False
    recurrence: Recurrence | None = None
    importance: int | None = None
    significance: str | None = None
    reminder_days: list[int] | None = None
    budget_min_cents: int | None = None
    budget_max_cents: int | None = None
    recipient_ids: list[relay.GlobalID] | None = None


@strawberry.input(description="Changes to an occasion: only the fields given change; null clears one.")
@described(OCCASION)
class UpdateOccasionInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    kind: OccasionKind | None = strawberry.UNSET
    date: dt.date | None = strawberry.UNSET
    recurring: bool | None = strawberry.UNSET
    recurrence: Recurrence | None = strawberry.UNSET
    importance: int | None = strawberry.UNSET
    significance: str | None = strawberry.UNSET
    reminder_days: list[int] | None = strawberry.UNSET
    budget_min_cents: int | None = strawberry.UNSET
    budget_max_cents: int | None = strawberry.UNSET


@strawberry.input(description="Which occasions to list: all the conditions given hold.")
class OccasionFilter:
    kinds: list[OccasionKind] | None = strawberry.field(default=None, description="Only these kinds.")
    date_from: dt.date | None = strawberry.field(default=None, description="Dated on or after this day.")
    date_to: dt.date | None = strawberry.field(default=None, description="Dated on or before this day.")
    recipient_id: relay.GlobalID | None = strawberry.field(default=None, description="Only this recipient's.")


@ordering(kinds.OCCASION, "occasions", names={"next": "NEXT_OCCURRENCE"})
class OccasionOrder: ...


def _where(given: OccasionFilter) -> dict[str, Any]:
    return dict(
        kinds=enum_values(given.kinds),
        date_from=given.date_from,
        date_to=given.date_to,
        recipient=optional_uid(given.recipient_id, "Recipient", "recipientId"),
    )


@strawberry.type
class OccasionQuery:
    occasions = listing(
        Occasion,
        OccasionFilter,
        OccasionOrder,
        [Order("date")],
        _where,
        resolve.page,
        "The viewer's occasions: filtered, ordered (by date by default), a page at a time.",
    )

    @paged("Occasions coming up across the viewer's network, soonest first.")
    async def upcoming_occasions(
        self,
        info: Info,
        paging: PageArgs,
        within_days: Annotated[
            int, strawberry.argument(description="How many days ahead to look, 0 to 3,660; 30 by default.")
        ] = 30,
    ) -> Connection[Occasion]:
        rows, count = await resolve.page(info.context, {"within_days": within_days}, [Order("next")], paging)
        return connection(rows, paging, Occasion.from_row, count)


@strawberry.type
class OccasionMutation:
    @strawberry.mutation(description="Adds an occasion, for the recipients named.")
    async def create_occasion(
        self,
        info: Info,
        input: Annotated[CreateOccasionInput, strawberry.argument(description="The occasion.")],
    ) -> Occasion:
        recipients = uids(input.recipient_ids, "Recipient", "recipientIds")
        return Occasion.from_row(await resolve.create(info.context, occasion_values(input), recipients))

    @strawberry.mutation(description="Changes what is given of an occasion; null clears a field.")
    async def update_occasion(
        self,
        info: Info,
        input: Annotated[UpdateOccasionInput, strawberry.argument(description="The changes.")],
    ) -> Occasion:
        uid = node_uid(input.id, "Occasion")
        return Occasion.from_row(
            await resolve.update(info.context, uid, values_of(input, _NAMES, leave=("id",)))
        )

    delete_occasion = deleting("Occasion", resolve.delete, "Deletes an occasion.", "The occasion.")


def occasion_values(given: Any) -> dict[str, Any]:
    """A create input's values as the graph names them (its recipients are links, not values)."""
    return values_of(given, _NAMES, leave=("recipient_ids",))
