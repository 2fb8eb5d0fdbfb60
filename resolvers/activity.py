"""The viewer's activity log (graph/activity.py): their events that are activity, newest first."""

from collections.abc import Sequence
from typing import Any

from graph import activity, events
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

NEWEST_FIRST = (Order("sequence", descending=True),)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    """A page of the viewer's activity: of the types `where["types"]` (all when None), of one credential
    `where["actor"]` ("Session:<uid>" or "ApiKey:<uid>") when given."""
    condition = activity.condition(where.get("types"), where.get("actor"))
    keyset = args.page(orders, events.SORTS, context.settings.max_page_size)
    rows = await context.graph.read(events.page, owner=context.viewer, where=condition, page=keyset)

    async def total() -> int:
        return await context.graph.read(events.count, owner=context.viewer, where=condition)

    return rows, total
