"""The viewer's event log, and the timeline of one node."""

from collections.abc import Sequence
from typing import Any

from graph import events
from graph.pages import Row
from resolvers import checks
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

OLDEST_FIRST = (Order("sequence"),)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    """The viewer's events (of one node, `where["node"]` as "Label:uid", when given), after a sequence
    number (`where["after_sequence"]`), ordered by sequence."""
    checks.in_range(where.get("after_sequence"), 0, 2**62, "after_sequence")
    condition = events.condition(**where)
    page = args.page(orders, events.SORTS, context.settings.max_page_size)
    rows = await context.graph.read(events.page, owner=context.viewer, where=condition, page=page)

    async def total() -> int:
        return await context.graph.read(events.count, owner=context.viewer, where=condition)

    return rows, total


async def by_uids(context: Context, uids: list[str]) -> list[Row]:
    return await context.graph.read(events.by_uids, owner=context.viewer, uids=uids)
