"""Series: checked, written with whom they are about; their entries appended (all or nothing), read by
range a page at a time, summarised per period and removed by range. And their relation, both ways."""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from errors import BadUserInput
from graph import series
from graph.kinds import SERIES
from graph.pages import Row
from graph.series import Entry, millis
from resolvers import checks, nodes
from resolvers.context import Context
from resolvers.loaders import SeriesRange
from resolvers.pages import Order, PageArgs, Paged

MAX_NAME = 200
MAX_UNIT = 50
MAX_NOTE = 500
MAX_ENTRY_DETAIL = 2_000  # bytes of one entry's JSON detail
MAX_APPEND = 1_000  # entries in one appendEntries
MAX_PERIODS = 1_000  # periods in one summary
MAX_MAGNITUDE = 1e15  # the largest value or delta, either sign: sums of many stay exact enough
# The times an entry may have: from 1900 up to (not including) 2100, UTC.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Window:
    """A range of times [start, end) in epoch ms: the whole of EARLIEST..LATEST where not given."""

    start: int
    end: int

    @classmethod
    def of(cls, start: datetime | None, end: datetime | None) -> "Window":
        window = cls(millis(start or EARLIEST), millis(end or LATEST))
        if window.start >= window.end:
            raise BadUserInput("`from` must be before `to`.", field="to")
        return window


async def create(context: Context, values: dict[str, Any], about: str | None) -> Row:
    values = _checked({k: v for k, v in values.items() if v is not None}, required=True)
    return await context.graph.write(
        series.create, owner=context.viewer, uid=str(uuid4()), values=values, about=about
    )


async def update(
    context: Context, uid: str, values: dict[str, Any], about: str | None, about_given: bool
) -> Row:
    """Changes the fields given; whom it is about where given (None: the viewer themselves)."""
    checks.kept(values, *SERIES.unclearable)
    return await context.graph.write(
        series.update,
        owner=context.viewer,
        uid=uid,
        values=_checked(values),
        about=about,
        about_given=about_given,
    )


async def delete(context: Context, uid: str) -> list[str]:
    """Deletes the series and every entry of it (its month buckets)."""
    return await nodes.delete(context, SERIES, uid)


by_uids = nodes.by_uids_of(SERIES)
page = nodes.page_of(SERIES, series.condition)


# The relation that reaches series from a person (Recipient.series), and the person one is about.
of_recipient = nodes.relation(series.OF_RECIPIENT)
about = nodes.relation_one(series.RECIPIENTS, Order("created_at"))


async def append(context: Context, uid: str, given: Sequence[dict[str, Any]]) -> tuple[Row, int]:
    """Adds the entries, all or none: each checked first (a finite value and delta, a time from 1900 to
    2100, a short note, a small JSON detail), at most MAX_APPEND at once."""
    if not 1 <= len(given) <= MAX_APPEND:
        raise BadUserInput(f"Append 1 to {MAX_APPEND:,} entries at once.", field="entries")
    entries = [_entry(index, entry) for index, entry in enumerate(given)]
    return await context.graph.write(series.append, owner=context.viewer, uid=uid, entries=entries)


async def remove(context: Context, uid: str, start: datetime | None, end: datetime | None) -> tuple[Row, int]:
    """Removes the entries in [start, end) (every one when neither is given)."""
    window = Window.of(start, end)
    return await context.graph.write(
        series.remove, owner=context.viewer, uid=uid, start=window.start, end=window.end
    )


async def entries(
    context: Context,
    uid: str,
    start: datetime | None,
    end: datetime | None,
    newest_first: bool,
    args: PageArgs,
) -> Paged:
    """A page of the entries in [start, end), newest or oldest first; and their count, if asked."""
    window = Window.of(start, end)
    order = Order("at", descending=newest_first)
    keyset = replace(args, reads=None).page((order,), {"at": "t"}, context.settings.max_page_size)
    asked = SeriesRange(uid, window.start, window.end, page=keyset, newest_first=newest_first)
    rows = await context.loaders.entries.load(asked)

    async def total() -> int:
        return await context.graph.read(
            series.count, owner=context.viewer, uid=uid, start=window.start, end=window.end
        )

    return rows, total


async def summary(
    context: Context, uid: str, period: str, start: datetime | None, end: datetime | None
) -> list[dict[str, Any]]:
    """Per period holding entries in [start, end): its start and its values' count, sum, min, max, mean,
    first and last; at most MAX_PERIODS periods (more is refused: narrow the range or widen the period)."""
    window = Window.of(start, end)
    asked = SeriesRange(uid, window.start, window.end, period=period, most=MAX_PERIODS)
    found = await context.loaders.summaries.load(asked)
    if len(found) > MAX_PERIODS:
        raise BadUserInput(
            f"A summary holds at most {MAX_PERIODS:,} periods: narrow `from` and `to`, or sum by a longer "
            "period.",
            field="period",
        )
    return [{**row, "start": series.moment(row["start"])} for row in found]


def _checked(values: dict[str, Any], required: bool = False) -> dict[str, Any]:
    if "name" in values or required:
        values["name"] = checks.text(values.get("name"), "name", MAX_NAME, required=True)
    if values.get("unit") is not None:
        values["unit"] = checks.text(values["unit"], "unit", MAX_UNIT)
    checks.json_object(values.get("detail"), "detail")
    return values


def _entry(index: int, given: dict[str, Any]) -> Entry:
    """One entry checked, its field named as `entries.<index>.<field>` in a refusal."""

    def field(name: str) -> str:
        return f"entries.{index}.{name}"

    at = given["at"]
    if not EARLIEST <= at < LATEST:
        raise BadUserInput(
            f"An entry's time is from {EARLIEST.year} up to {LATEST.year} (entry {index}).", field=field("at")
        )
    for name in ("value", "delta"):
        number = given.get(name)
        if number is not None and not (math.isfinite(number) and abs(number) <= MAX_MAGNITUDE):
            raise BadUserInput(
                f"An entry's {name} is a finite number from -{MAX_MAGNITUDE:g} to {MAX_MAGNITUDE:g} "
                f"(entry {index}).",
                field=field(name),
            )
    note = given.get("note")
    if note is not None:
        note = checks.text(note, field("note"), MAX_NOTE, lines=True)
    detail = checks.json_object(given.get("detail"), field("detail"), MAX_ENTRY_DETAIL)
    return Entry(millis(at), float(given["value"]), given.get("delta"), note, detail)
