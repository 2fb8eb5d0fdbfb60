"""Paths between two of the viewer's nodes."""

from typing import Any

from graph import paths
from graph.kinds import DOMAIN_LABELS
from resolvers.context import Context


async def shortest(
    context: Context, source: tuple[str, str], target: tuple[str, str]
) -> dict[str, Any] | None:
    if source[0] not in DOMAIN_LABELS or target[0] not in DOMAIN_LABELS:
        return None  # an id of something that is no node of a user's graph: there is no path
    if source == target:
        return {"nodes": [source], "steps": []}
    return await context.graph.read(paths.shortest, owner=context.viewer, source=source, target=target)
