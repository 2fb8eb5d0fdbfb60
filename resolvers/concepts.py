"""Concepts: one per name per user, linked to each other and to the rest of the graph."""

from collections.abc import Awaitable, Callable
from typing import Any

from graph import concepts
from graph.pages import Rows
from resolvers import checks, owned
from resolvers.context import Context
from resolvers.pages import PageArgs

LABEL = "Concept"


async def ensure(context: Context, name: str, concept_type: str, description: str | None) -> dict[str, Any]:
    name = checks.text(name, "name", 100, required=True) or ""
    description = checks.text(description, "description", 2000)
    return await context.graph.write(
        concepts.ensure, owner=context.viewer, name=name, concept_type=concept_type, description=description
    )


async def update(context: Context, uid: str, values: dict[str, Any]) -> dict[str, Any]:
    if "name" in values:
        values["name"] = checks.text(values["name"], "name", 100, required=True)
        values["key"] = concepts.key(values["name"])
    return await owned.update(context, LABEL, uid, values)


async def delete(context: Context, uid: str) -> list[str]:
    return await owned.delete(context, LABEL, uid)


async def page(
    context: Context,
    types: list[str],
    name_contains: str | None,
    order: str,
    descending: bool,
    args: PageArgs,
) -> tuple[Rows, Callable[[], Awaitable[int]]]:
    where = concepts.condition(types, name_contains)
    return await owned.page(context, LABEL, where, concepts.SORTS[order], descending, args)


async def neighbours(context: Context, uid: str, depth: int, types: list[str]) -> list[dict[str, Any]]:
    checks.in_range(depth, 1, concepts.MAX_DEPTH, "depth")
    return await context.graph.read(
        concepts.neighbours, owner=context.viewer, uid=uid, depth=depth, types=types
    )
