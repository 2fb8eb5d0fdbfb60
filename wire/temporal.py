"""Dates and datetimes inside JSON, one form for every JSON Kindred writes to read back itself: a
datetime is {"t": its ISO 8601 text}, a date {"d": its ISO 8601 text}, so each comes back as it was
(Neo4j compares a datetime with a string as unequal; a cached expiry must still compare with now).

The form is the page cursors' (resolvers/pages.py), which clients hold: keeping it left every cursor
given out as it was. The deltas on pub/sub (deltas.py) and the auth-state cache (auth/state.py) use it
too. A reader untags where its values are, not every map it reads: a map whose only key is "t" or "d",
holding a string, is a tag.
"""

from datetime import date, datetime
from typing import Any


def tag(value: Any) -> Any:
    """A datetime or a date as its tag; any other value as it is."""
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def default(value: Any) -> Any:
    """For `json.dumps(..., default=default)`: tags what JSON holds no other way, refuses the rest."""
    tagged = tag(value)
    if tagged is value:
        raise TypeError(f"{type(value).__name__} is not written in JSON")
    return tagged


def untag(value: Any) -> Any:
    """The datetime or date a tag stands for; any other value as it is."""
    if isinstance(value, dict) and len(value) == 1:
        if isinstance(value.get("t"), str):
            return datetime.fromisoformat(value["t"])
        if isinstance(value.get("d"), str):
            return date.fromisoformat(value["d"])
    return value
