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

_JSON_SPEC = "https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf"
_JSON_LEAVES = (str, int, float, bool, type(None))


def parse_json(value: Any) -> Any:
    """A JSON argument as it came, once every value in it is one JSON can carry: a multipart `map` can
    put an uploaded file anywhere in the variables, and a file is taken by Upload arguments only.
    (Walked without recursion: a value may nest past Python's limit; its depth is bounded later.)"""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, str) for key in item):
                raise ValueError("A JSON object's keys are strings.")
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif not isinstance(item, _JSON_LEAVES):
            raise ValueError("A JSON argument cannot hold a file: send files as Upload arguments only.")
    return value


JSON = strawberry.scalar(
    name="JSON",
    description=f"The `JSON` scalar type represents JSON values as specified by [ECMA-404]({_JSON_SPEC}).",
    specified_by_url=_JSON_SPEC,
    serialize=lambda value: value,
    parse_value=parse_json,
)
