"""Concepts: one per name per user, linked to each other and to the rest of the graph; and the
relations that reach concepts."""

from collections.abc import Sequence
from typing import Any

from graph import concepts
from graph.concepts import CONCEPT, NEIGHBOR_SORTS
from graph.pages import Row
from resolvers import checks, nodes
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

# How concepts may relate to each other.


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


delete = nodes.delete_of(CONCEPT)
by_uids = nodes.by_uids_of(CONCEPT)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    if where.get("name_contains") is not None:
        checks.text(where["name_contains"], "name_contains", 100)
    return await nodes.page(context, CONCEPT, concepts.condition(**where), orders, args)


# The relations that reach them, each a resolver of the fields of that name.
of_recipient = nodes.relation(concepts.OF_RECIPIENT)
of_gift = nodes.relation(concepts.OF_GIFT)
of_memory = nodes.relation(concepts.OF_MEMORY)
of_conflict = nodes.relation(concepts.OF_CONFLICT)


# A concept's neighbors: the nearest first, then by name.
NEAREST = (Order("distance"), Order("name"))


async def neighbors(
    context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs
) -> Paged:
    """A page of the concepts within `where["depth"]` links of the concept `where["uid"]` (following
    links of `where["types"]`, all when empty); the distance is each row's first sort value."""
    checks.in_range(where["depth"], 1, concepts.MAX_DEPTH, "depth")
    page = args.page(orders, NEIGHBOR_SORTS, context.settings.max_page_size)
    params: dict[str, Any] = dict(
        owner=context.viewer, uid=where["uid"], depth=where["depth"], types=where["types"]
    )
    rows = await context.graph.read(concepts.neighbors, **params, page=page)

    async def total() -> int:
        return await context.graph.read(concepts.count_neighbors, **params)

    return rows, total
