"""The viewer's event log, and the timeline of one node."""

from typing import Any

from graph import events
from resolvers import checks
from resolvers.context import Context


async def after(context: Context, sequence: int, limit: int) -> list[dict[str, Any]]:
    checks.in_range(limit, 0, context.settings.max_page_size, "first")
    return await context.graph.read(events.after, context.viewer, sequence, limit)


async def timeline(context: Context, ref: str, sequence: int, limit: int) -> list[dict[str, Any]]:
    checks.in_range(limit, 0, context.settings.max_page_size, "first")
    return await context.graph.read(events.of_node, context.viewer, ref, sequence, limit)
