"""Relay pagination arguments into keyset pages, and opaque cursors in and out."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from errors import BadUserInput
from graph.pages import Page, Rows

DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class PageArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @property
    def backward(self) -> bool:
        return self.last is not None or (self.before is not None and self.first is None)

    def page(self, sort: str, descending: bool, max_size: int) -> Page:
        if self.first is not None and self.last is not None:
            raise BadUserInput("Ask for `first` or `last`, not both.", field="last")
        if self.after is not None and self.before is not None:
            raise BadUserInput("Give `after` or `before`, not both.", field="before")
        backward = self.backward
        size = self.last if backward else self.first
        size = DEFAULT_PAGE_SIZE if size is None else size
        if not 0 <= size <= max_size:
            raise BadUserInput(f"Pages hold 0 to {max_size} items.", field="last" if backward else "first")
        cursor = self.before if backward else self.after
        return Page(size, sort, descending, backward, decode(cursor) if cursor else None)


def encode(sort_value: Any, uid: str) -> str:
    payload = json.dumps([_tagged(sort_value), uid], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[Any, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, uid = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(uid, str):
            raise ValueError(uid)
        return _untagged(value), uid
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise BadUserInput("This cursor is not one Kindred gave out.", field="after") from error


def edges(rows: Rows, uid_of: Any) -> list[tuple[str, dict[str, Any]]]:
    """(cursor, row) for each row of a page; `uid_of(row)` says whose uid makes the cursor unique."""
    return [(encode(row["sort"], uid_of(row)), row) for row in rows.items]


def _tagged(value: Any) -> Any:
    # Dates and datetimes must come back as themselves, or Neo4j would compare them with strings.
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _untagged(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        raise ValueError(value)
    return value
