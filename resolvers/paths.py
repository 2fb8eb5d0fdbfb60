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
    scope = context.scope
    if not scope.allows(source[0]) or not scope.allows(target[0]):
        return None  # an API key's scope leaves them out: as good as none of the viewer's
    if source == target:
        return {"nodes": [source], "steps": []}
    found = await context.graph.read(paths.shortest, owner=context.viewer, source=source, target=target)
    if found is not None and not all(scope.allows(label) for label, _ in found["nodes"]):
        return None  # the shortest path passes a node the key may not read: it is not told of it
    return found
