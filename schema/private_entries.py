"""Cycle and intimacy entries (a couple's private tracking): the viewer's alone. Their
personal fields are stored encrypted and shown to their author only; they are never shared, searched,
drawn in the 3D view, or carried in anyone's live updates but their author's (without those fields)."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from graph import kinds
from graph.kinds import CYCLE_ENTRY, INTIMACY_ENTRY
from resolvers import private_entries as resolve
from resolvers.pages import Order
from schema import selection
from schema.deletion import deleting
from schema.docs import described
from schema.ordering import ordering
from schema.recipients import Recipient
from schema.relay import (
    Info,
    OwnedNode,
    attach,
    enum_values,
    from_node,
    listing,
    node_uid,
    optional_uid,
    related,
    related_one,
    values_of,
)


class Sealed:
    """A type with sealed fields: the stored (sealed) values, kept as read, opened when asked for."""

    kept: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_row(cls, row: Any) -> Any:
        made = from_node(cls, row.node, getattr(cls, "names", None))
        made.kept = row.node
        return made


SEALED = " Stored encrypted with the viewer's own key and shown to them alone; never in a live update."


@strawberry.enum(description="What a cycle entry records.")
class CycleEventType(Enum):
    PERIOD_START = strawberry.enum_value("period_start", description="The first day of a period.")
    PERIOD_END = strawberry.enum_value("period_end", description="The last day of a period.")
    OVULATION = strawberry.enum_value("ovulation", description="Ovulation (observed or tested).")
    SYMPTOM = strawberry.enum_value("symptom", description="Symptoms of the day (see symptoms).")
    MOOD = strawberry.enum_value("mood", description="The mood of the day (see mood).")
    OTHER = strawberry.enum_value("other", description="Anything else: say what in note.")


@strawberry.enum(description="How heavy a day's flow is.")
class CycleFlow(Enum):
    NONE = "none"
    SPOTTING = "spotting"
    LIGHT = "light"
    MEDIUM = "medium"
    HEAVY = "heavy"


@strawberry.enum(description="What kind of intimacy an entry records.")
class IntimacyKind(Enum):
    SEX = strawberry.enum_value("sex", description="Sex.")
    PHYSICAL_AFFECTION = strawberry.enum_value(
        "physical_affection", description="Physical affection: cuddling, kissing, holding."
    )
    EMOTIONAL = strawberry.enum_value("emotional", description="Emotional closeness: a deep talk, a moment.")
    OTHER = strawberry.enum_value("other", description="Anything else: say what in note.")


@strawberry.enum(description="Who initiated a moment of intimacy.")
class Initiator(Enum):
    VIEWER = strawberry.enum_value("viewer", description="The viewer.")
    PARTNER = strawberry.enum_value("partner", description="Their partner.")
    MUTUAL = strawberry.enum_value("mutual", description="Both, together.")


CYCLE = {
    "id": "The cycle entry to change.",
    "date": "The day it records: from 1900 up to tomorrow (UTC).",
    "event_type": "What it records.",
    "cycle_day": "The day of the cycle, 1 (the first day of a period) to 60.",
    "flow": "How heavy the flow is, if it is recorded.",
    "symptoms": "The symptoms of the day (cramps, headache ...), up to 20 of 1 to 50 characters." + SEALED,
    "mood": "The mood of the day, 1 to 100 characters." + SEALED,
    "note": "A note, up to 10,000 characters." + SEALED,
    "about_id": "Whose cycle it is, if not the viewer's own: the id of one of their recipients (a partner).",
    "created_at": "When it was recorded (UTC).",
    "updated_at": "When it was last changed (UTC).",
}

INTIMACY = {
    "id": "The intimacy entry to change.",
    "occurred_at": "When it happened: from 1900 up to tomorrow (UTC). Give a time zone. Now, by default.",
    "kind": "What kind of intimacy it was.",
    "initiated_by": "Who initiated it, if recorded.",
    "satisfaction": "How it felt, 1 (poor) to 5 (wonderful)." + SEALED,
    "mood": "The mood around it, 1 to 100 characters." + SEALED,
    "note": "A note, up to 10,000 characters." + SEALED,
    "about_id": "With whom: the id of one of the viewer's recipients (a partner).",
    "created_at": "When it was recorded (UTC).",
    "updated_at": "When it was last changed (UTC).",
}


@strawberry.type(
    description="A day of a menstrual cycle, as its author recorded it: theirs alone, never shared, searched "
    "or drawn."
)
@described(CYCLE)
class CycleEntry(Sealed, OwnedNode):
    load = staticmethod(resolve.cycle_by_uids)
    id: relay.NodeID[str]
    date: dt.date
    event_type: CycleEventType
    cycle_day: int | None
    flow: CycleFlow | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description=CYCLE["symptoms"], metadata=selection.reading("symptoms"))
    async def symptoms(self, info: Info) -> list[str] | None:
        return await resolve.symptoms(info.context, str(self.id), self.kept.get("symptoms"))

    @strawberry.field(description=CYCLE["mood"], metadata=selection.reading("mood"))
    async def mood(self, info: Info) -> str | None:
        return await resolve.text(info.context, CYCLE_ENTRY, str(self.id), "mood", self.kept.get("mood"))

    @strawberry.field(description=CYCLE["note"], metadata=selection.reading("note"))
    async def note(self, info: Info) -> str | None:
        return await resolve.text(info.context, CYCLE_ENTRY, str(self.id), "note", self.kept.get("note"))

    about = related_one(Recipient, resolve.cycle_about, "Whose cycle it is, if not the viewer's own.")


@strawberry.type(
    description="A moment of intimacy, as its author recorded it: theirs alone, never shared, searched or "
    "drawn."
)
@described(INTIMACY)
class IntimacyEntry(Sealed, OwnedNode):
    load = staticmethod(resolve.intimacy_by_uids)
    names: ClassVar[dict[str, str]] = {api: name for name, api in INTIMACY_ENTRY.api_names.items()}
    id: relay.NodeID[str]
    occurred_at: dt.datetime
    kind: IntimacyKind
    initiated_by: Initiator | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description=INTIMACY["satisfaction"], metadata=selection.reading("satisfaction"))
    async def satisfaction(self, info: Info) -> int | None:
        return await resolve.satisfaction(info.context, str(self.id), self.kept.get("satisfaction"))

    @strawberry.field(description=INTIMACY["mood"], metadata=selection.reading("mood"))
    async def mood(self, info: Info) -> str | None:
        return await resolve.text(info.context, INTIMACY_ENTRY, str(self.id), "mood", self.kept.get("mood"))

    @strawberry.field(description=INTIMACY["note"], metadata=selection.reading("note"))
    async def note(self, info: Info) -> str | None:
        return await resolve.text(info.context, INTIMACY_ENTRY, str(self.id), "note", self.kept.get("note"))

    about = related_one(Recipient, resolve.intimacy_about, "With whom, if recorded.")


@strawberry.input(description="A new cycle entry.")
@described(CYCLE)
class CreateCycleEntryInput:
    date: dt.date
    event_type: CycleEventType
    cycle_day: int | None = None
    flow: CycleFlow | None = None
    symptoms: list[str] | None = None
    mood: str | None = None
    note: str | None = None
    about_id: relay.GlobalID | None = None


@strawberry.input(description="Changes to a cycle entry: only the fields given change; null clears one.")
@described(CYCLE)
class UpdateCycleEntryInput:
    id: relay.GlobalID
    date: dt.date | None = strawberry.UNSET
    event_type: CycleEventType | None = strawberry.UNSET
    cycle_day: int | None = strawberry.UNSET
    flow: CycleFlow | None = strawberry.UNSET
    symptoms: list[str] | None = strawberry.UNSET
    mood: str | None = strawberry.UNSET
    note: str | None = strawberry.UNSET


@strawberry.input(description="A new intimacy entry.")
@described(INTIMACY)
class CreateIntimacyEntryInput:
    kind: IntimacyKind
    occurred_at: dt.datetime | None = None
    initiated_by: Initiator | None = None
    satisfaction: int | None = None
    mood: str | None = None
    note: str | None = None
    about_id: relay.GlobalID | None = None


@strawberry.input(description="Changes to an intimacy entry: only the fields given change; null clears one.")
@described(INTIMACY)
class UpdateIntimacyEntryInput:
    id: relay.GlobalID
    occurred_at: dt.datetime | None = strawberry.UNSET
    kind: IntimacyKind | None = strawberry.UNSET
    initiated_by: Initiator | None = strawberry.UNSET
    satisfaction: int | None = strawberry.UNSET
    mood: str | None = strawberry.UNSET
    note: str | None = strawberry.UNSET


@strawberry.input(description="Which cycle entries to list: all the conditions given hold.")
class CycleEntryFilter:
    since: dt.date | None = strawberry.field(default=None, description="Dated on or after this day.")
    until: dt.date | None = strawberry.field(default=None, description="Dated on or before this day.")
    event_types: list[CycleEventType] | None = strawberry.field(default=None, description="Only these types.")
    about_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those about this recipient."
    )


@strawberry.input(description="Which intimacy entries to list: all the conditions given hold.")
class IntimacyEntryFilter:
    since: dt.datetime | None = strawberry.field(default=None, description="At or after this time.")
    until: dt.datetime | None = strawberry.field(default=None, description="At or before this time.")
    kinds: list[IntimacyKind] | None = strawberry.field(default=None, description="Only these kinds.")
    about_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those with this recipient."
    )


@ordering(
    kinds.CYCLE_ENTRY, "cycle entries", {"date": "The day it records.", "created_at": "When it was recorded."}
)
class CycleEntryOrder: ...


@ordering(
    kinds.INTIMACY_ENTRY,
    "intimacy entries",
    {"occurred_at": "When it happened.", "created_at": "When it was recorded."},
)
class IntimacyEntryOrder: ...


# The other end of their relations reaches them too: the viewer's entries about a person.
attach(
    Recipient,
    "cycle_entries",
    related(
        CycleEntry, CycleEntryOrder, resolve.cycle_of_recipient, "The viewer's cycle entries about them."
    ),
)
attach(
    Recipient,
    "intimacy_entries",
    related(
        IntimacyEntry,
        IntimacyEntryOrder,
        resolve.intimacy_of_recipient,
        "The viewer's intimacy entries with them.",
    ),
)


def _about(given: relay.GlobalID | None) -> str | None:
    return optional_uid(given, "Recipient", "aboutId")


def _cycle_where(given: CycleEntryFilter) -> dict[str, Any]:
    return {
        "since": given.since,
        "until": given.until,
        "types": enum_values(given.event_types),
        "recipient": _about(given.about_id),
    }


def _intimacy_where(given: IntimacyEntryFilter) -> dict[str, Any]:
    return {
        "since": given.since,
        "until": given.until,
        "types": enum_values(given.kinds),
        "recipient": _about(given.about_id),
    }


@strawberry.type
class PrivateEntryQuery:
    cycle_entries = listing(
        CycleEntry,
        CycleEntryFilter,
        CycleEntryOrder,
        [Order("date", descending=True)],
        _cycle_where,
        resolve.cycle_page,
        "The viewer's cycle entries, the newest first by default.",
    )
    intimacy_entries = listing(
        IntimacyEntry,
        IntimacyEntryFilter,
        IntimacyEntryOrder,
        [Order("occurred_at", descending=True)],
        _intimacy_where,
        resolve.intimacy_page,
        "The viewer's intimacy entries, the newest first by default.",
    )


@strawberry.type
class PrivateEntryMutation:
    @strawberry.mutation(description="Records a cycle entry: the viewer's alone, never shared.")
    async def create_cycle_entry(
        self,
        info: Info,
        input: Annotated[CreateCycleEntryInput, strawberry.argument(description="The entry.")],
    ) -> CycleEntry:
        values = values_of(input, leave=("about_id",))
        row = await resolve.create_cycle(info.context, values, _about(input.about_id))
        return CycleEntry.from_row(row)

    @strawberry.mutation(description="Changes a cycle entry; null clears a field.")
    async def update_cycle_entry(
        self,
        info: Info,
        input: Annotated[UpdateCycleEntryInput, strawberry.argument(description="The changes.")],
    ) -> CycleEntry:
        uid = node_uid(input.id, "CycleEntry")
        row = await resolve.update_cycle(info.context, uid, values_of(input, leave=("id",)))
        return CycleEntry.from_row(row)

    delete_cycle_entry = deleting(
        "CycleEntry",
        lambda context, uid: resolve.delete(context, CYCLE_ENTRY, uid),
        "Deletes a cycle entry.",
        "The entry.",
    )

    @strawberry.mutation(description="Records an intimacy entry: the viewer's alone, never shared.")
    async def create_intimacy_entry(
        self,
        info: Info,
        input: Annotated[CreateIntimacyEntryInput, strawberry.argument(description="The entry.")],
    ) -> IntimacyEntry:
        values = values_of(input, IntimacyEntry.names, leave=("about_id",))
        values["occurred_at"] = values.get("occurred_at") or dt.datetime.now(dt.UTC)
        row = await resolve.create_intimacy(info.context, values, _about(input.about_id))
        return IntimacyEntry.from_row(row)

    @strawberry.mutation(description="Changes an intimacy entry; null clears a field.")
    async def update_intimacy_entry(
        self,
        info: Info,
        input: Annotated[UpdateIntimacyEntryInput, strawberry.argument(description="The changes.")],
    ) -> IntimacyEntry:
        uid = node_uid(input.id, "IntimacyEntry")
        values = values_of(input, IntimacyEntry.names, leave=("id",))
        return IntimacyEntry.from_row(await resolve.update_intimacy(info.context, uid, values))

    delete_intimacy_entry = deleting(
        "IntimacyEntry",
        lambda context, uid: resolve.delete(context, INTIMACY_ENTRY, uid),
        "Deletes an intimacy entry.",
        "The entry.",
    )
