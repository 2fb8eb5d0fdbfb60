"""Paths between two of the viewer's nodes."""

from typing import Any

from graph import paths
from resolvers.context import Context


async def shortest(
    context: Context, source: tuple[str, str], target: tuple[str, str]
) -> dict[str, Any] | None:
    if source == target:
        return {"nodes": [source], "steps": []}
    return await context.graph.read(paths.shortest, owner=context.viewer, source=source, target=target)
