"""Relay: global ids through the Node interface, and connections with keyset cursors."""

import importlib
from collections.abc import Awaitable, Callable, Iterable
from enum import Enum
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import strawberry
from strawberry import relay

from errors import BadUserInput
from graph.pages import Rows
from resolvers import owned, pages
from resolvers.loaders import Step

NodeT = TypeVar("NodeT")


@strawberry.enum
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.type(description="One item of a page, and the cursor to continue after it.")
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(description="One page of a list. totalCount is counted only when asked for.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: relay.PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list holds (one more query: ask only if needed).")
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="The nodes of this page, for clients that need no cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def connection(
    rows: Rows,
    backward: bool,
    make: Callable[[dict[str, Any]], Any],
    uid_of: Callable[[dict[str, Any]], str],
    count: Callable[[], Awaitable[int]],
) -> Connection[Any]:
    edges = [Edge(cursor=cursor, node=make(row)) for cursor, row in pages.edges(rows, uid_of)]
    page_info = relay.PageInfo(
        has_next_page=rows.has_more and not backward,
        has_previous_page=rows.has_more and backward,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=page_info, count=count)


@strawberry.type(description="What a delete removed.")
class DeletePayload:
    deleted_id: relay.GlobalID
    deleted_count: int = strawberry.field(description="The node itself and what belonged only to it.")


def node_uid(global_id: relay.GlobalID, type_name: str) -> str:
    """The uid inside a global id, which must be of the type expected."""
    if global_id.type_name != type_name:
        raise BadUserInput(f"This is the id of a {global_id.type_name}, not of a {type_name}.", field="id")
    return global_id.node_id


async def listing(
    info: Any,
    page: Callable[..., Awaitable[Any]],
    where: dict[str, Any],
    order: Enum,
    direction: OrderDirection,
    args: pages.PageArgs,
    make: Callable[[dict[str, Any]], Any],
) -> Connection[Any]:
    """A top-level list: one page from a resolver's `page(context, where, order, descending, args)`."""
    rows, count = await page(info.context, where, order.value, direction is OrderDirection.DESC, args)
    return connection(rows, args.backward, make, uid_of, count)


def uid_of(row: dict[str, Any]) -> str:
    """The uid of a row of any label (a recipient's row carries its KNOWS beside it)."""
    return (row.get("node") or row["recipient"])["uid"]


async def neighbours(
    info: Any, traversal: str, parent: str, make: Callable[[dict[str, Any]], Any], args: pages.PageArgs
) -> Connection[Any]:
    """A nested connection, loaded with those of every other parent at this level of the query."""
    loaders = info.context.loaders
    rows = await loaders.neighbours.load(Step(traversal, parent, args))

    async def count() -> int:
        return await loaders.counts.load((traversal, parent))

    return connection(rows, args.backward, make, uid_of, count)


async def neighbour(info: Any, traversal: str, parent: str, make: Callable[[dict[str, Any]], Any]) -> Any:
    """The one neighbour of a to-one traversal (a gift's occasion, its outcome), or None."""
    rows = await info.context.loaders.neighbours.load(Step(traversal, parent, pages.PageArgs(first=1)))
    return make(rows.items[0]) if rows.items else None


def values_of(given: Any, names: dict[str, str] | None = None) -> dict[str, Any]:
    """An input object's given fields as plain values: enums by value, renamed as the graph names them."""
    names = names or {}
    values = {}
    for name, value in vars(given).items():
        if value is strawberry.UNSET:
            continue
        values[names.get(name, name)] = value.value if isinstance(value, Enum) else value
    return values


class OwnedNode(relay.Node):
    """A node the viewer owns, read by its label, its fields named as the graph names them (or as `names`
    maps them): what the types of most labels share."""

    label: ClassVar[str]
    names: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Any:
        return from_node(cls, row["node"], cls.names)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Any, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        ids = list(node_ids)
        rows = [{"node": node} for node in await owned.by_uids(info.context, cls.label, ids)]
        return [cls.from_row(row) if row else None for row in ordered(ids, rows, uid_of)]


def related(traversal: str, type_name: str, module: str, description: str) -> Any:
    """A connection field to the nodes a traversal reaches: `related("recipient.gifts", "Gift",
    "schema.gifts", ...)`. The type is named lazily, so node types can refer to each other."""

    async def resolve(
        self: Any,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotated[type_name, strawberry.lazy(module)]]:  # type: ignore[valid-type]
        kind = getattr(importlib.import_module(module), type_name)
        return await neighbours(
            info, traversal, self.id, kind.from_row, pages.PageArgs(first, after, last, before)
        )

    return strawberry.field(resolver=resolve, description=description)


def related_one(traversal: str, type_name: str, module: str, description: str) -> Any:
    """A field to the one node a to-one traversal reaches (a gift's occasion), or null."""

    async def resolve(
        self: Any, info: strawberry.Info
    ) -> Annotated[type_name, strawberry.lazy(module)] | None:  # type: ignore[valid-type]
        kind = getattr(importlib.import_module(module), type_name)
        return await neighbour(info, traversal, self.id, kind.from_row)

    return strawberry.field(resolver=resolve, description=description)


def ordered(ids: Iterable[str], rows: list[Any], uid_of: Callable[[Any], str]) -> list[Any]:
    """Rows in the order of the ids asked for, None where there is none (or none of the viewer's)."""
    by_uid = {uid_of(row): row for row in rows}
    return [by_uid.get(uid) for uid in ids]


def from_node(cls: Any, node: dict[str, Any], names: dict[str, str] | None = None, **given: Any) -> Any:
    """A Strawberry type from a node's properties: each data field read from the property of the same
    name (or as `names` maps it), enums made from their values, `id` from the uid; `given` wins."""
    names = names or {}
    # A Node's id field is a resolver over this attribute.
    values: dict[str, Any] = {"id": node["uid"]} if issubclass(cls, relay.Node) else {}
    for field in cls.__strawberry_definition__.fields:
        name = field.python_name
        if field.base_resolver is not None or name.startswith("_"):
            continue
        if name in given:
            values[name] = given[name]
            continue
        value = node.get(names.get(name, name))
        kind = _enum_of(field.type)
        values[name] = kind(value) if kind is not None and value is not None else value
    return cls(**values)


def _enum_of(annotation: Any) -> type[Enum] | None:
    kind = getattr(annotation, "of_type", annotation)  # through Optional
    wrapped = getattr(kind, "wrapped_cls", None)
    return wrapped if isinstance(wrapped, type) and issubclass(wrapped, Enum) else None
