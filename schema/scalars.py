"""DateTime as Kindred takes it: ISO 8601 with a time zone, kept and returned in UTC.

A time without a zone is refused rather than guessed: comparing it with stored UTC times would order
them wrongly. Times whose UTC form falls outside the years 1 to 9999 are refused too.
"""

from datetime import UTC, datetime
from typing import Any

import strawberry

_ADVICE = "Give a DateTime in ISO 8601 with a time zone, such as 2026-05-01T18:00:00Z or ...+02:00."


def parse(value: Any) -> datetime:
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError(_ADVICE)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a date and time. {_ADVICE}") from error
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"{value!r} has no time zone. {_ADVICE}")
    try:
        return parsed.astimezone(UTC)
    except OverflowError as error:
        raise ValueError(f"{value!r} is out of range in UTC (years 1 to 9999).") from error


def serialize(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


DateTime = strawberry.scalar(
    name="DateTime",
    description="A moment, in ISO 8601 with a time zone (2026-05-01T18:00:00+02:00); always returned in UTC.",
    serialize=serialize,
    parse_value=parse,
)
