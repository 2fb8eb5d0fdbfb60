"""Keyset pages: ORDER BY one or more sort keys and the uid, and continue strictly after (or before) a
cursor; and the WHERE conditions a list is filtered by.

Sort expressions and condition texts are always a domain module's own constants, never text from a
request; cursor values and filter values travel as parameters.
"""

from dataclasses import dataclass, field
from typing import Any

from graph.rows import sort_value_cypher


@dataclass(frozen=True)
class Sort:
    """One sort key: a Cypher expression (never null: nulls would break the keyset) and its direction."""

    expression: str
    descending: bool = False


@dataclass(frozen=True)
class Page:
    size: int
    sorts: tuple[Sort, ...]  # from the calling module's whitelist; the uid breaks ties
    backward: bool = False  # `last`/`before`: the page ends at the cursor
    cursor: tuple[tuple[Any, ...], str] | None = None  # (sort values, uid) of the row to continue from

    def clauses(self, uid: str) -> tuple[str, str, dict[str, Any]]:
        """(a WHERE condition or "true", the ORDER BY list, parameters): one more row than the page."""
        keys = [(s.expression, s.descending != self.backward) for s in self.sorts] + [(uid, self.backward)]
        order = ", ".join(f"{expression} {'DESC' if reverse else 'ASC'}" for expression, reverse in keys)
        params: dict[str, Any] = {"page_limit": self.size + 1}
        if self.cursor is None:
            return "true", order, params
        values, cursor_uid = self.cursor
        if len(values) != len(self.sorts):
            raise ValueError("a cursor of another ordering")
        names = [f"$cursor_{index}" for index in range(len(values))] + ["$cursor_uid"]
        params |= {f"cursor_{index}": value for index, value in enumerate(values)}
        params["cursor_uid"] = cursor_uid
        # Lexicographic: after the cursor on the first key, or equal on it and after on the next, ...
        ors = []
        for index, (expression, reverse) in enumerate(keys):
            equal = [f"{keys[i][0]} = {names[i]}" for i in range(index)]
            ors.append(
                "(" + " AND ".join([*equal, f"{expression} {'<' if reverse else '>'} {names[index]}"]) + ")"
            )
        return "(" + " OR ".join(ors) + ")", order, params

    @property
    def sort_values(self) -> str:
        """The sort keys as one Cypher list, returned with each row so its cursor can be made."""
        return "[" + ", ".join(sort_value_cypher(s.expression) for s in self.sorts) + "]"


@dataclass(slots=True)
class Row:
    """One node as a query returned it: its properties (and what its label computes), and the values it
    was ordered by."""

    node: dict[str, Any]
    sort: tuple[Any, ...] = ()

    @property
    def uid(self) -> str:
        return self.node["uid"]


@dataclass
class Rows:
    """One page of rows, in the requested order, and whether there are more beyond it."""

    items: list[Row]
    has_more: bool

    @classmethod
    def of(cls, rows: list[Row], page: Page) -> "Rows":
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
