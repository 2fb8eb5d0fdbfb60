"""A whole read in one statement: the lists of a query and the relations below them, each a keyset page
of the owner's nodes, nested in CALL subqueries and returned as one value shaped like the query.

What each level reads is planned elsewhere (schema/compiled.py) from the same declarations today's
level-by-level reads use (graph/kinds.py, graph/traversals.py): the label, the pattern from the parent,
the joins, the visibility, the sorts and the projection of what the selection reads. Every level is
scoped to what the viewer may read (a kind's `scope`), as every other read is.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.kind import Kind, Reads
from graph.pages import Condition, Page, Rows
from graph.traversals import Traversal

# The parameters Page.clauses names, renamed per level so that levels do not share them.
_PAGE_PARAMETER = re.compile(r"\$(page_limit|cursor_\d+|cursor_uid)\b")


@dataclass
class Level:
    """One list of the read: the nodes of `kind` at the root (`traversal` None, filtered by `where`) or
    reached from the parent level's node by `traversal`; one page of them, what is read of each, and
    the lists below each of them (`below`); and whether the whole list is counted."""

    kind: Kind
    page: Page
    reads: Reads
    traversal: Traversal | None = None
    where: Condition = field(default_factory=Condition)
    below: list["Level"] = field(default_factory=list)
    counted: bool = False


@dataclass
class Found:
    """What the statement returned for one level of one parent: its page of rows (each with what was
    found below it, level by level), and the count of the whole list when it was asked."""

    rows: Rows
    below: list[list["Found"]]  # per row, per level below
    total: int | None


def walkable(traversal: Traversal) -> bool:
    """Whether a level below can walk this traversal: its pattern names its parent `(p)` once."""
    return traversal.pattern.count("(p)") == 1


def statement(levels: list[Level]) -> tuple[str, dict[str, Any]]:
    """The one Cypher statement answering these root levels, and its parameters (but $owner)."""
    writer = _Writer()
    parts = [writer.root(index, level) for index, level in enumerate(levels)]
    returned = ", ".join(f"r{index}, t{index}" for index in range(len(levels)))
    return "\n".join([*parts, f"RETURN [{returned}] AS answer"]), writer.params


async def run(tx: AsyncManagedTransaction, levels: list[Level], *, owner: str) -> list[Found]:
    """Each root level's page (with everything below it), read in one statement."""
    query, params = statement(levels)
    record = await (await tx.run(query, owner=owner, **params)).single(strict=True)
    answer = record["answer"]
    return [_found(level, answer[2 * i], answer[2 * i + 1]) for i, level in enumerate(levels)]


def _found(level: Level, raw: list[Any], total: int | None) -> Found:
    has_more = len(raw) > level.page.size
    raw = raw[: level.page.size]
    if level.page.backward:
        raw.reverse()
    rows = [level.kind.row(properties, sort) for properties, sort, _ in raw]
    below = [[_found(child, *kids[j]) for j, child in enumerate(level.below)] for _, _, kids in raw]
    return Found(Rows(rows, has_more), below, total)


class _Writer:
    """Writes the subqueries, numbering the levels so that their names and parameters stay apart."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self.count = 0

    def _page(self, page: Page) -> tuple[str, str, str]:
        self.count += 1
        prefix = f"l{self.count}_"
        keyset, order, params = page.clauses("n.uid")
        self.params |= {prefix + name: value for name, value in params.items()}
        keyset = _PAGE_PARAMETER.sub(lambda m: f"${prefix}{m.group(1)}", keyset)
        return keyset, order, f"${prefix}page_limit"

    def root(self, index: int, level: Level) -> str:
        kind = level.kind
        where = self._where(level.where)
        keyset, order, limit = self._page(level.page)
        rows = f"""CALL () {{
  {kind.scoped} {kind.joins}
  WHERE {where} AND {keyset} AND {kind.visible}
  WITH * ORDER BY {order} LIMIT {limit}
  {self._rows(level, f"r{index}")}
}}"""
        if not level.counted:
            return f"{rows}\nWITH *, null AS t{index}"
        return f"""{rows}
CALL () {{
  {kind.scoped} {kind.joins}
  WHERE {where} AND {kind.visible}
  RETURN count(n) AS t{index}
}}"""

    def _where(self, condition: Condition) -> str:
        """A root level's filter, its parameters renamed for this level."""
        prefix = f"w{self.count + 1}_"
        text = condition.text
        for name, value in condition.params.items():
            text = re.sub(rf"\${name}\b", f"${prefix}{name}", text)
            self.params[prefix + name] = value
        return text

    def _rows(self, level: Level, name: str) -> str:
        """After a page of `n`: the levels below each `n`, and the page collected as `name`."""
        calls, kids = [], []
        self.count += 1
        parent = f"p{self.count}"
        for child in level.below:
            self.count += 1
            child_name = f"c{self.count}"
            calls.append(self._below(child, child_name, parent))
            kids.append(child_name)
        projection = level.kind.projection_of(level.reads)
        sort = level.page.sort_values
        # Each level below starts from this one's node as `parent`: the only name its subquery imports
        # (so that it binds `n` afresh), and one of its own (an imported name cannot be bound again).
        below = "\n  ".join([f"WITH *, n AS {parent}", *calls] if calls else [])
        return f"{below}\n  RETURN collect([{projection}, {sort}, [{', '.join(kids)}]]) AS {name}"

    def _below(self, level: Level, name: str, parent: str) -> str:
        """A CALL binding `name` to [page, count or null] of the nodes `level` reaches from `parent`."""
        traversal = level.traversal
        assert traversal is not None
        kind = level.kind
        keyset, order, limit = self._page(level.page)
        pattern = traversal.pattern.replace("(p)", f"({parent})", 1)
        reached = f"""MATCH {pattern}
    WITH DISTINCT n
    {kind.joins}"""
        rows = f"""CALL ({parent}) {{
    {reached}
    WHERE {kind.scope()} AND {keyset} AND {kind.visible} AND {kind.listed}
    WITH * ORDER BY {order} LIMIT {limit}
    {self._rows(level, f"{name}_rows")}
  }}"""
        if level.counted:
            total = f"""CALL ({parent}) {{
    {reached}
    WHERE {kind.scope()} AND {kind.visible} AND {kind.listed}
    RETURN count(n) AS {name}_total
  }}"""
        else:
            total = f"WITH *, null AS {name}_total"
        return f"{rows}\n  {total}\n  WITH *, [{name}_rows, {name}_total] AS {name}"
