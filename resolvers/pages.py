"""Relay pagination arguments and orderings into keyset pages, and opaque cursors in and out."""

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from errors import BadUserInput
from graph.kind import Reads
from graph.pages import Page, Row, Rows, Sort
from wire import temporal

if TYPE_CHECKING:
    from resolvers.context import Context

# What resolvers hand to the schema: rows of nodes, a page at a time.
__all__ = [
    "DEFAULT_PAGE_SIZE",
    "Count",
    "Order",
    "PageArgs",
    "Paged",
    "Pager",
    "Row",
    "Rows",
    "decode",
    "edges",
    "encode",
]
DEFAULT_PAGE_SIZE = 20
_MAX_CURSOR = 2_000  # characters: a cursor Kindred gives out is far shorter
_INT64 = 2**63


@dataclass(frozen=True)
class Order:
    """One key of an ordering a client asked for: a field of the list's own whitelist, and a direction."""

    field: str
    descending: bool = False


@dataclass(frozen=True)
class PageArgs:
    """The Relay paging arguments of a connection field, as the client gave them, and what its
    selection reads of each item (`reads`: the stored properties and computed values; None for all)."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None
    reads: Reads = None

    @property
    def backward(self) -> bool:
        return self.last is not None or (self.before is not None and self.first is None)

    def page(self, orders: Sequence[Order], sorts: Mapping[str, str], max_size: int) -> Page:
        """The keyset page these arguments ask for, ordered by `orders` (field names of `sorts`)."""
        if self.first is not None and self.last is not None:
            raise BadUserInput("Ask for `first` or `last`, not both.", field="last")
        if self.after is not None and self.before is not None:
            raise BadUserInput("Give `after` or `before`, not both.", field="before")
        if self.first is not None and self.before is not None:
            raise BadUserInput("Page with `first` and `after`, or `last` and `before`.", field="before")
        if self.last is not None and self.after is not None:
            raise BadUserInput("Page with `first` and `after`, or `last` and `before`.", field="after")
        backward = self.backward
        size = self.last if backward else self.first
        size = DEFAULT_PAGE_SIZE if size is None else size
        if not 0 <= size <= max_size:
            raise BadUserInput(f"Pages hold 0 to {max_size} items.", field="last" if backward else "first")
        keys = tuple(Sort(sorts[order.field], order.descending) for order in orders)
        name = "before" if backward else "after"
        cursor = self.before if backward else self.after
        decoded = decode(cursor, name) if cursor is not None else None
        if decoded is not None and len(decoded[0]) != len(keys):
            raise BadUserInput(f"This `{name}` cursor belongs to another ordering of the list.", field=name)
        return Page(size, keys, backward, decoded)


# Counts the whole list: run only when a client asks for totalCount.
Count = Callable[[], Awaitable[int]]
# One page of a list, and its count.
Paged = tuple[Rows, Count]
# How every list is read, a page at a time: `page(context, where, orders, args)`, where `where` says which
# nodes the list holds (a filter's values, the parent a relation starts at, a concept and how far around
# it) and `orders` how they are ordered (the keys of the list's own sorts).
Pager = Callable[["Context", Any, Sequence[Order], PageArgs], Awaitable[Paged]]


def encode(row: Row) -> str:
    payload = json.dumps([[temporal.tag(value) for value in row.sort], row.uid], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode(cursor: str, name: str = "after") -> tuple[tuple[Any, ...], str]:
    """(sort values, uid) of a cursor Kindred gave out; BadUserInput naming the argument otherwise."""
    try:
        if len(cursor) > _MAX_CURSOR:
            raise ValueError("too long")
        padded = cursor + "=" * (-len(cursor) % 4)
        values, uid = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(uid, str) or not isinstance(values, list):
            raise ValueError(uid)
        decoded = tuple(_untagged(value) for value in values)
        (uid + "".join(v for v in decoded if isinstance(v, str))).encode()  # no lone surrogates
        return decoded, uid
    except (ValueError, TypeError, binascii.Error, UnicodeError, RecursionError) as error:
        raise BadUserInput(f"This `{name}` cursor is not one Kindred gave out.", field=name) from error


def edges(rows: Rows) -> list[tuple[str, Row]]:
    """(cursor, row) for each row of a page."""
    return [(encode(row), row) for row in rows.items]


def _untagged(value: Any) -> Any:
    """A cursor's sort value as it was: a tagged date or datetime (which must come back as itself, or
    Neo4j would compare it with strings), or a plain JSON scalar; anything else is no cursor of ours."""
    if isinstance(value, dict):
        untagged = temporal.untag(value)
        if untagged is value:
            raise ValueError(value)
        return untagged
    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return value
    if isinstance(value, int) and -_INT64 <= value < _INT64:
        return value
    raise ValueError(value)
