"""Keyset pages: ORDER BY a sort key and the uid, and continue strictly after (or before) a cursor.

The sort expression is always one of a query module's own constants, never text from a request; the
cursor's values travel as parameters.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    size: int
    sort: str  # a Cypher expression, from the calling module's whitelist
    descending: bool = False
    backward: bool = False  # `last`/`before`: the page ends at the cursor
    cursor: tuple[Any, str] | None = None  # (sort value, uid) of the row to continue from

    def clauses(self, uid: str) -> tuple[str, str, dict[str, Any]]:
        """(a WHERE condition or "true", the ORDER BY list, parameters): one more row than the page."""
        reverse = self.descending != self.backward
        direction = "DESC" if reverse else "ASC"
        order = f"{self.sort} {direction}, {uid} {direction}"
        params: dict[str, Any] = {"page_limit": self.size + 1}
        if self.cursor is None:
            return "true", order, params
        op = "<" if reverse else ">"
        condition = (
            f"({self.sort} {op} $cursor_value OR ({self.sort} = $cursor_value AND {uid} {op} $cursor_uid))"
        )
        params |= {"cursor_value": self.cursor[0], "cursor_uid": self.cursor[1]}
        return condition, order, params


@dataclass
class Rows:
    """One page of rows, in the requested order, and whether there are more beyond it."""

    items: list[dict[str, Any]]
    has_more: bool

    @classmethod
    def of(cls, rows: list[dict[str, Any]], page: Page) -> "Rows":
        has_more = len(rows) > page.size
        rows = rows[: page.size]
        if page.backward:
            rows.reverse()
        return cls(rows, has_more)


@dataclass(frozen=True)
class Condition:
    """A WHERE condition on `n` written by a domain module from its own constants, and its parameters."""

    text: str = "true"
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, *clauses: tuple[str, str, Any]) -> "Condition":
        """All of the (Cypher, parameter name, value) clauses whose value was given (not None or empty)."""
        given = [(text, name, value) for text, name, value in clauses if value is not None and value != []]
        return cls(" AND ".join(text for text, _, _ in given) or "true", {name: v for _, name, v in given})
