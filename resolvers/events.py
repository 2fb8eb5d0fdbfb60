"""The viewer's event log, and the timeline of one node."""

from graph import events
from graph.pages import Row, Rows
from resolvers import checks
from resolvers.context import Context
from resolvers.nodes import Count
from resolvers.pages import Order, PageArgs


async def page(
    context: Context, args: PageArgs, *, node: str | None = None, after_sequence: int | None = None
) -> tuple[Rows, Count]:
    """The viewer's events, oldest first (of one node, "Label:uid", when given), after a sequence."""
    checks.in_range(after_sequence, 0, 2**62, "after_sequence")
    where = events.condition(node, after_sequence)
    page = args.page([Order("sequence")], events.SORTS, context.settings.max_page_size)
    rows = await context.graph.read(events.page, owner=context.viewer, where=where, page=page)

    async def total() -> int:
        return await context.graph.read(events.count, owner=context.viewer, where=where)

    return rows, total


async def by_uids(context: Context, uids: list[str]) -> list[Row]:
    return await context.graph.read(events.by_uids, owner=context.viewer, uids=uids)
