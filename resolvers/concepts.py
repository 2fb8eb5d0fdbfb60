"""Concepts: one per name per user, linked to each other and to the rest of the graph; and the
relations that reach concepts."""

from collections.abc import Sequence
from typing import Any

from graph import concepts
from graph.concepts import CONCEPT, NEIGHBOR_SORTS
from graph.kinds import CONCEPT_LINKS
from graph.pages import Row, Rows
from resolvers import checks, nodes
from resolvers.context import Context
from resolvers.nodes import Count
from resolvers.pages import Order, PageArgs

# How concepts may relate to each other.
LINK_TYPES = CONCEPT_LINKS


async def ensure(context: Context, name: str, concept_type: str, description: str | None) -> Row:
    name = checks.text(name, "name", 100, required=True) or ""
    description = checks.text(description, "description", 2000, lines=True)
    return await context.graph.write(
        concepts.ensure, owner=context.viewer, name=name, concept_type=concept_type, description=description
    )


async def update(context: Context, uid: str, values: dict[str, Any]) -> Row:
    if values.get("name") is not None:
        values["name"] = concepts.spaced(checks.text(values["name"], "name", 100, required=True) or "")
        values["key"] = concepts.key(values["name"])
    if values.get("description") is not None:
        values["description"] = checks.text(values["description"], "description", 2000, lines=True)
    return await nodes.update(context, CONCEPT, uid, values)


async def delete(context: Context, uid: str) -> list[str]:
    return await nodes.delete(context, CONCEPT, uid)


async def by_uids(context: Context, uids: list[str]) -> list[Row]:
    return await nodes.by_uids(context, CONCEPT, uids)


async def page(
    context: Context, kinds: list[str], name_contains: str | None, orders: Sequence[Order], args: PageArgs
) -> tuple[Rows, Count]:
    if name_contains is not None:
        checks.text(name_contains, "name_contains", 100)
    return await nodes.page(context, CONCEPT, concepts.condition(kinds, name_contains), orders, args)


# The relations that reach them, each a resolver of the fields of that name.
of_recipient = nodes.relation(concepts.OF_RECIPIENT)
of_gift = nodes.relation(concepts.OF_GIFT)
of_memory = nodes.relation(concepts.OF_MEMORY)
of_conflict = nodes.relation(concepts.OF_CONFLICT)


async def neighbors(
    context: Context, uid: str, depth: int, types: list[str], args: PageArgs
) -> tuple[Rows, Count]:
    """A page of the concepts within `depth` links, nearest first; the distance is each row's first
    sort value."""
    checks.in_range(depth, 1, concepts.MAX_DEPTH, "depth")
    sorts = {name: name for name in NEIGHBOR_SORTS}
    page = args.page([Order(name) for name in NEIGHBOR_SORTS], sorts, context.settings.max_page_size)
    params: dict[str, Any] = dict(owner=context.viewer, uid=uid, depth=depth, types=types)
    rows = await context.graph.read(concepts.neighbors, **params, page=page)

    async def total() -> int:
        return await context.graph.read(concepts.count_neighbors, **params)

    return rows, total
