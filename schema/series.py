"""Series: dated values the viewer tracks about themselves or one of their people (growth deltas, a
skill's levels, a holding's value, transactions, portfolio snapshots), their entries by range and their
summary per period. How entries are stored: graph/series.py."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph import kinds
from resolvers import series as resolve
from resolvers.pages import Order, PageArgs
from schema.docs import described
from schema.ordering import ordering
from schema.placed import Placed
from schema.recipients import Recipient
from schema.relay import (
    Connection,
    Info,
    OwnedNode,
    Paging,
    attach,
    connection,
    enum_values,
    listing,
    node_uid,
    optional_uid,
    related,
    related_one,
    values_of,
)
from schema.selection import reading


@strawberry.enum(description="What a series tracks.")
class SeriesKind(Enum):
    GROWTH = strawberry.enum_value("growth", description="Growth along a dimension: deltas over time.")
    SKILL = strawberry.enum_value("skill", description="A skill's level as it progresses.")
    HOLDING = strawberry.enum_value(
        "holding", description="A holding (an asset: name it in `detail`): its position or value over time."
    )
    TRANSACTION = strawberry.enum_value("transaction", description="Transactions: trades, payments.")
    SNAPSHOT = strawberry.enum_value("snapshot", description="Snapshots of a whole: a portfolio's value.")
    OTHER = strawberry.enum_value("other", description="Anything else dated and counted.")


@strawberry.enum(description="The periods a summary groups entries by (UTC).")
class SeriesPeriod(Enum):
    _value_: str  # what strawberry.enum_value leaves as each member's value
    DAY = strawberry.enum_value("day", description="Calendar days.")
    WEEK = strawberry.enum_value("week", description="Weeks, each from Monday.")
    MONTH = strawberry.enum_value("month", description="Calendar months.")
    YEAR = strawberry.enum_value("year", description="Calendar years.")


@strawberry.enum(description="Which way a series' entries are listed.")
class EntryOrder(Enum):
    NEWEST_FIRST = strawberry.enum_value("newest", description="The latest first.")
    OLDEST_FIRST = strawberry.enum_value("oldest", description="The earliest first.")


SERIES = {
    "id": "The series to change.",
    "name": "What it tracks, as the viewer calls it: 1 to 200 characters.",
    "kind": "What kind of thing it tracks.",
    "unit": 'What its values count ("USD", "level", "points"), up to 50 characters.',
    "detail": 'Free-form detail of it, as a JSON object up to 20 KB (a holding\'s {"ticker": "VTI"}).',
    "entry_count": "How many entries it holds.",
    "first_at": "When its earliest entry is (UTC); null while it has none.",
    "last_at": "When its latest entry is (UTC); null while it has none.",
    "created_at": "When it was made (UTC).",
    "updated_at": "When it or its entries last changed (UTC).",
    "about_id": "Whom it is about: the id of one of the viewer's recipients; none for the viewer themselves.",
}
ENTRY = {
    "at": "When: a time from 1900 up to 2100, with a time zone; kept in UTC to the millisecond.",
    "value": "The value: a finite number from -1e+15 to 1e+15.",
    "delta": "How much it changed, where that is told apart from the value: from -1e+15 to 1e+15.",
    "note": "A note on it, up to 500 characters.",
    "detail": 'Free-form detail of it, a JSON object up to 2,000 bytes ({"shares": 3, "price": 41.2}).',
}
RANGE_FROM = "From this time on (inclusive); the earliest entry by default."
RANGE_TO = "Up to this time (exclusive); past the latest entry by default."


@strawberry.type(description="One dated value of a series.")
@described(ENTRY)
class SeriesEntry:
    at: dt.datetime
    value: float
    delta: float | None
    note: str | None
    detail: JSON | None


@strawberry.type(description="A series' entries in one period, summarised.")
class SeriesPeriodSummary:
    start: dt.datetime = strawberry.field(description="When the period starts (UTC).")
    count: int = strawberry.field(description="How many entries it holds.")
    sum: float = strawberry.field(description="The sum of their values.")
    min: float = strawberry.field(description="The smallest value.")
    max: float = strawberry.field(description="The largest value.")
    mean: float = strawberry.field(description="The mean of their values.")
    first: float = strawberry.field(description="The value of its earliest entry.")
    last: float = strawberry.field(description="The value of its latest entry.")


@strawberry.type(
    description="Dated values the viewer tracks about themselves or one of their people: growth, a skill, a "
    "holding, transactions, snapshots."
)
@described(SERIES)
class Series(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    name: str
    kind: SeriesKind
    unit: str | None
    detail: JSON | None
    entry_count: int
    first_at: dt.datetime | None
    last_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    about = related_one(Recipient, resolve.about, "Whom it is about; null for the viewer themselves.")

    @strawberry.field(
        description="Its entries in a range of time, a page at a time: the latest first by default.",
        extensions=[Paging()],
        metadata=reading(),
    )
    async def entries(
        self,
        info: Info,
        paging: PageArgs,
        from_: Annotated[dt.datetime | None, strawberry.argument(name="from", description=RANGE_FROM)] = None,
        to: Annotated[dt.datetime | None, strawberry.argument(description=RANGE_TO)] = None,
        order: Annotated[
            EntryOrder, strawberry.argument(description="Newest (the default) or oldest first.")
        ] = EntryOrder.NEWEST_FIRST,
    ) -> Connection[SeriesEntry]:
        newest = order is EntryOrder.NEWEST_FIRST
        rows, count = await resolve.entries(info.context, self.id, from_, to, newest, paging)
        return connection(rows, paging, lambda row: _entry(row.node), count)

    @strawberry.field(
        description="Its entries summarised per period (UTC), in time order: only periods holding entries, "
        "at most 1,000 (narrow the range, or take a longer period).",
        metadata=reading(),
    )
    async def summary(
        self,
        info: Info,
        period: Annotated[SeriesPeriod, strawberry.argument(description="The period to group by.")],
        from_: Annotated[dt.datetime | None, strawberry.argument(name="from", description=RANGE_FROM)] = None,
        to: Annotated[dt.datetime | None, strawberry.argument(description=RANGE_TO)] = None,
    ) -> list[SeriesPeriodSummary]:
        found = await resolve.summary(info.context, self.id, period.value, from_, to)
        return [SeriesPeriodSummary(**row) for row in found]


def _entry(node: dict[str, Any]) -> SeriesEntry:
    return SeriesEntry(
        at=node["at"], value=node["value"], delta=node["delta"], note=node["note"], detail=node["detail"]
    )


@strawberry.input(description="A new series, with whom it is about.")
@described(SERIES)
class CreateSeriesInput:
    name: str
    kind: SeriesKind
    unit: str | None = None
    detail: JSON | None = None
    about_id: relay.GlobalID | None = None


@strawberry.input(description="Changes to a series: only the fields given change; null clears one.")
@described(SERIES)
class UpdateSeriesInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    kind: SeriesKind | None = strawberry.UNSET
    unit: str | None = strawberry.UNSET
    detail: JSON | None = strawberry.UNSET
    about_id: relay.GlobalID | None = strawberry.UNSET


@strawberry.input(description="One dated value to add to a series.")
@described(ENTRY)
class SeriesEntryInput:
    at: dt.datetime
    value: float
    delta: float | None = None
    note: str | None = None
    detail: JSON | None = None


@strawberry.type(description="A series after entries were added to it or removed from it.")
class SeriesEntriesPayload:
    series: Series = strawberry.field(description="The series, as it is now.")
    count: int = strawberry.field(description="How many entries were added, or removed.")


@strawberry.type(description="What a delete of a series removed.")
class DeleteSeriesPayload:
    deleted_id: relay.GlobalID = strawberry.field(description="The id of the series deleted.")
    deleted_count: int = strawberry.field(
        description="How many nodes went: it and the month buckets its entries were kept in."
    )


@strawberry.input(description="Which series to list: all the conditions given hold.")
class SeriesFilter:
    kinds: list[SeriesKind] | None = strawberry.field(default=None, description="Only these kinds.")
    about_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those about this recipient."
    )


@ordering(
    kinds.SERIES,
    "series",
    {
        "name": "Its name.",
        "created_at": "When it was made.",
        "last_at": "When its latest entry is (made, if none).",
    },
)
class SeriesOrder: ...


# The other end of its relation reaches series too: that field is declared here, with the kind.
attach(
    Recipient,
    "series",
    related(Series, SeriesOrder, resolve.of_recipient, "What the viewer tracks about them over time."),
)


def _where(given: SeriesFilter) -> dict[str, Any]:
    return {
        "kinds": enum_values(given.kinds),
        "recipient": optional_uid(given.about_id, "Recipient", "aboutId"),
    }


@strawberry.type
class SeriesQuery:
    series = listing(
        Series,
        SeriesFilter,
        SeriesOrder,
        [Order("last_at", descending=True)],
        _where,
        resolve.page,
        "The viewer's series, the one with the latest entry first by default.",
    )


def _about(given: relay.GlobalID | None) -> str | None:
    return optional_uid(given, "Recipient", "aboutId")


@strawberry.type
class SeriesMutation:
    @strawberry.mutation(description="Makes a series, about the viewer or one of their people.")
    async def create_series(
        self,
        info: Info,
        input: Annotated[CreateSeriesInput, strawberry.argument(description="The series.")],
    ) -> Series:
        values = values_of(input, leave=("about_id",))
        return Series.from_row(await resolve.create(info.context, values, _about(input.about_id)))

    @strawberry.mutation(description="Changes what is given of a series; null clears a field.")
    async def update_series(
        self,
        info: Info,
        input: Annotated[UpdateSeriesInput, strawberry.argument(description="The changes.")],
    ) -> Series:
        values = values_of(input, leave=("id", "about_id"))
        uid = node_uid(input.id, "Series")
        given = input.about_id is not strawberry.UNSET
        about = _about(input.about_id) if given else None
        return Series.from_row(await resolve.update(info.context, uid, values, about, given))

    @strawberry.mutation(description="Deletes a series and every entry of it.")
    async def delete_series(
        self, info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The series.")]
    ) -> DeleteSeriesPayload:
        deleted = await resolve.delete(info.context, node_uid(id, "Series"))
        return DeleteSeriesPayload(deleted_id=id, deleted_count=len(deleted))

    @strawberry.mutation(
        description="Adds entries to a series: 1 to 1,000 at once, in any order, all or none (one bad entry "
        "refuses them all, naming it)."
    )
    async def append_entries(
        self,
        info: Info,
        series_id: Annotated[relay.GlobalID, strawberry.argument(description="The series.")],
        entries: Annotated[list[SeriesEntryInput], strawberry.argument(description="The entries to add.")],
    ) -> SeriesEntriesPayload:
        uid = node_uid(series_id, "Series", "seriesId")
        given = [values_of(entry) for entry in entries]
        row, count = await resolve.append(info.context, uid, given)
        return SeriesEntriesPayload(series=Series.from_row(row), count=count)

    @strawberry.mutation(
        description="Removes a series' entries in a range of time (every one when neither end is given)."
    )
    async def remove_entries(
        self,
        info: Info,
        series_id: Annotated[relay.GlobalID, strawberry.argument(description="The series.")],
        from_: Annotated[
            dt.datetime | None, strawberry.argument(name="from", description="From this time on (inclusive).")
        ] = None,
        to: Annotated[
            dt.datetime | None, strawberry.argument(description="Up to this time (exclusive).")
        ] = None,
    ) -> SeriesEntriesPayload:
        uid = node_uid(series_id, "Series", "seriesId")
        row, count = await resolve.remove(info.context, uid, from_, to)
        return SeriesEntriesPayload(series=Series.from_row(row), count=count)
