"""Relay: global ids through the Node interface, connections with keyset cursors, one shape of list
arguments (`filter`, `orderBy: [{field, direction}]`, `first`/`after`, `last`/`before`) for every list,
the paging arguments declared once (`Paging`, on every connection field), and the field that pages
through a relation.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from enum import Enum
from functools import cache
from typing import Annotated, Any, ClassVar, Generic, TypeVar, get_args

import strawberry
from strawberry import relay
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions import FieldExtension
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from errors import BadUserInput
from graph.kind import Reads
from resolvers import pages
from resolvers.context import Context
from resolvers.pages import Count, Order, PageArgs, Pager, Row, Rows
from schema import selection
from schema.compilable import Listed, Related, RelatedOne, metadata
from schema.placed import Placed

NodeT = TypeVar("NodeT")
Info = strawberry.Info[Context, None]
MAX_ORDER_KEYS = 3

# The Relay paging arguments of every connection field (the fields of PageArgs), each optional (null by
# default): name, type, description.
PAGE_ARGUMENTS = (
    ("first", int, "How many items to return from the start (or after `after`): 0 to 100, 20 by default."),
    ("after", str, "Return the items after this cursor."),
    ("last", int, "How many items to return from the end (or before `before`): 0 to 100."),
    ("before", str, "Return the items before this cursor."),
)
PAGING = "paging"  # the parameter of a paged resolver that gets the PageArgs


class Paging(FieldExtension):
    """Relay paging on a connection field, declared once (as strawberry.relay's ConnectionExtension
    does it): the field gets the `first`, `after`, `last` and `before` arguments after its own, and its
    resolver gets them as one `PageArgs`, its `paging` parameter."""

    def apply(self, field: StrawberryField) -> None:
        # From the resolver's own arguments, not the field's: every schema built applies it again.
        declared = field.base_resolver.arguments if field.base_resolver else []
        own = [argument for argument in declared if argument.python_name != PAGING]
        if len(own) == len(declared):
            raise TypeError(f"The paged field {field.python_name}'s resolver takes `{PAGING}: PageArgs`.")
        paging = [
            StrawberryArgument(
                python_name=name,
                graphql_name=None,
                type_annotation=StrawberryAnnotation(kind | None),
                description=description,
                default=None,
            )
            for name, kind, description in PAGE_ARGUMENTS
        ]
        field.arguments = [*own, *paging]

    def map_arguments(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs[PAGING] = PageArgs(**{name: kwargs.pop(name, None) for name, _, _ in PAGE_ARGUMENTS})
        return kwargs


def paged(description: str, resolver: Any = None) -> Any:
    """A connection field (or, without `resolver`, its decorator): its resolver takes `paging: PageArgs`
    and returns a Connection, and the field has the paging arguments."""
    return strawberry.field(resolver=resolver, description=description, extensions=[Paging()])


@strawberry.enum(description="Which way a list is ordered by a field.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("asc", description="Smallest, earliest or A first.")
    DESC = strawberry.enum_value("desc", description="Largest, latest or Z first.")


@strawberry.type(description="One item of a page, and the cursor to continue after (or before) it.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Opaque: pass it as `after` or `before` to page on.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="One page of a list, with the cursors to page on from it.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The items of this page with their cursors.")
    page_info: relay.PageInfo = strawberry.field(description="Whether there are more pages, and where.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list holds (one more query: ask only if needed).")
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="The items of this page, for clients that need no cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def connection(rows: Rows, args: PageArgs, make: Callable[[Row], Any], count: Count) -> Connection[Any]:
    edges = [Edge(cursor=cursor, node=make(row)) for cursor, row in pages.edges(rows)]
    page_info = relay.PageInfo(
        has_next_page=rows.has_more and not args.backward,
        has_previous_page=rows.has_more and args.backward,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=page_info, count=count)


def orders(order_by: Sequence[Any] | None, default: Sequence[Order]) -> list[Order]:
    """The keys of an `orderBy: [{field, direction}]` argument (the default when none is given)."""
    if not order_by:
        return list(default)
    if len(order_by) > MAX_ORDER_KEYS:
        raise BadUserInput(f"Order by at most {MAX_ORDER_KEYS} fields.", field="orderBy")
    keys = [Order(order.field.value, order.direction is OrderDirection.DESC) for order in order_by]
    if len({key.field for key in keys}) < len(keys):
        raise BadUserInput("Order by each field once.", field="orderBy")
    return keys


@strawberry.type(description="What a delete removed.")
class DeletePayload:
    deleted_id: relay.GlobalID = strawberry.field(description="The id of the node deleted.")
    deleted_count: int = strawberry.field(description="How many nodes went: it and what belonged only to it.")


def node_uid(global_id: relay.GlobalID, type_name: str, field: str = "id") -> str:
    """The uid inside a global id, which must be of the type expected."""
    if global_id.type_name != type_name:
        raise BadUserInput(f"This is the id of a {global_id.type_name}, not of a {type_name}.", field=field)
    return global_id.node_id


def optional_uid(global_id: relay.GlobalID | None, type_name: str, field: str) -> str | None:
    """The uid inside a global id that may be left out (a filter's, an optional input's): None if it is."""
    return node_uid(global_id, type_name, field) if global_id else None


def enum_values(members: Iterable[Enum] | None) -> list[Any]:
    """The values of a list of enum members that may be left out (a filter's): none if it is."""
    return [member.value for member in members or ()]


def uids(global_ids: Iterable[relay.GlobalID] | None, type_name: str, field: str) -> list[str]:
    return [node_uid(global_id, type_name, field) for global_id in global_ids or ()]


def values_of(given: Any, names: dict[str, str] | None = None, leave: Iterable[str] = ()) -> dict[str, Any]:
    """An input object's given fields as plain values: enums by value, renamed as the graph names them,
    without those to `leave` (what the caller reads itself)."""
    names = names or {}
    skipped = set(leave)
    values = {}
    for name, value in vars(given).items():
        if value is strawberry.UNSET or name in skipped:
            continue
        values[names.get(name, name)] = value.value if isinstance(value, Enum) else value
    return values


class OwnedNode(relay.Node):
    """A node the viewer owns: its fields read from the properties of the same name (or as `names` maps
    them), and loaded by its domain's `by_uids` resolver when asked for by id."""

    names: ClassVar[dict[str, str]] = {}
    # What a data field not named after a property is made from (Recipient.relationship: `knows`), for
    # the reads that project only what a selection asks for (schema/selection.py).
    reads: ClassVar[dict[str, tuple[str, ...]]] = {}

    @staticmethod
    async def load(context: Context, uids: list[str], /) -> list[Row]:
        """The viewer's nodes of this type among `uids`: each type sets its domain's `by_uids`."""
        raise NotImplementedError

    @classmethod
    def from_row(cls, row: Row) -> Any:
        return from_node(cls, row.node, cls.names)

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        ids = list(node_ids)
        rows = {row.uid: row for row in await cls.load(info.context, ids)}
        return [cls.from_row(rows[uid]) if uid in rows else None for uid in ids]


def node_type(annotation: Any) -> Any:
    """The class behind a lazy type annotation (`Annotated["Gift", strawberry.lazy("schema.gifts")]`):
    how a domain builds the nodes of another domain's type without importing its module."""
    if isinstance(annotation, type):
        return annotation
    # Annotations are module constants, kept for the process: resolved once each.
    resolved = _node_types.get(id(annotation))
    if resolved is None:
        forward, reference = get_args(annotation)
        resolved = _node_types[id(annotation)] = reference.resolve_forward_ref(forward).resolve_type()
    return resolved


_node_types: dict[int, Any] = {}


def related(node: Any, order: Any, load: Pager, description: str) -> Any:
    """A connection field to the nodes of type `node` a relation reaches, ordered by `order` (the
    node type's order input), paged by `load(context, parent uid, orders, args)`: a resolver of the node
    type's domain (resolvers/<domain>.py)."""
    default = [Order("created_at")]

    async def resolve(
        self: Any,
        info: Info,
        paging: PageArgs,
        order_by: Annotated[
            list[order] | None,
            strawberry.argument(description="Ordered by these fields, in turn; by creation by default."),
        ] = None,
    ) -> Connection[node]:
        made = node_type(node)
        paging = replace(paging, reads=selection.of_connection(info, made))
        rows, count = await load(info.context, self.id, orders(order_by, default), paging)
        return connection(rows, paging, made.from_row, count)

    return strawberry.field(
        resolver=resolve,
        description=description,
        extensions=[Paging()],
        metadata=metadata(Related(node, default, load), **selection.reading()),
    )


def attach(node: type, name: str, field: StrawberryField) -> None:
    """Gives a node type made in another domain's module the field `name` (a connection made with
    `related`): the far end of a relation a newer kind declares, kept with that kind, so a kind and
    its relations are added without changing the other kinds' modules. Call it when the module loads,
    before a schema is built; tests/test_kinds.py holds every relation to be traversable both ways."""
    definition = get_object_definition(node, strict=True)
    if any(existing.python_name == name for existing in definition.fields):
        raise TypeError(f"{definition.name} already has a field {name}")
    field.python_name = name
    field.origin = node
    definition.fields.append(field)


def listing(
    node: Any,
    filter_type: Any,
    order: Any,
    default: Sequence[Order],
    where: Callable[[Any], dict[str, Any]],
    load: Pager,
    description: str,
) -> Any:
    """A top-level list of the viewer's nodes of type `node`, in the shape of every list: `filter`
    (`filter_type`), `orderBy` (`order`, `default` when not given) and Relay paging, read by
    `load(context, where(filter), orders, args)`: the `page` resolver of the node type's domain, given
    the filter's values as it names them."""

    async def resolve(
        self: Any,
        info: Info,
        paging: PageArgs,
        filter: Annotated[
            filter_type | None,
            strawberry.argument(description="Which items: all the conditions given hold; all by default."),
        ] = None,
        order_by: Annotated[
            list[order] | None,
            strawberry.argument(description="Ordered by these fields, in turn; each list has its default."),
        ] = None,
    ) -> Connection[node]:
        keys = orders(order_by, default)
        given = filter if filter is not None else filter_type()
        made = node_type(node)
        paging = replace(paging, reads=selection.of_connection(info, made))
        rows, count = await load(info.context, where(given), keys, paging)
        return connection(rows, paging, made.from_row, count)

    return strawberry.field(
        resolver=resolve,
        description=description,
        extensions=[Paging()],
        metadata=metadata(Listed(node, filter_type, default, where, load)),
    )


def related_one(
    node: Any, load: Callable[[Context, str, Reads], Awaitable[Row | None]], description: str
) -> Any:
    """A field to the one node of type `node` a to-one relation reaches (a gift's occasion), or null."""

    async def resolve(self: Any, info: Info) -> node | None:
        made = node_type(node)
        row = await load(info.context, self.id, selection.of_node(info, made))
        return made.from_row(row) if row is not None else None

    return strawberry.field(
        resolver=resolve,
        description=description,
        metadata=metadata(RelatedOne(node, load), **selection.reading()),
    )


def from_node(cls: Any, node: dict[str, Any], names: dict[str, str] | None = None, **given: Any) -> Any:
    """A Strawberry type from a node's properties: each data field read from the property of the same
    name (or as `names` maps it), enums made from their values, `id` from the uid; `given` wins."""
    # A Node's id field is a resolver over this attribute.
    values: dict[str, Any] = {"id": node["uid"]} if issubclass(cls, relay.Node) else {}
    for name, key, kind in _plan(cls, tuple((names or {}).items())):
        if name in given:
            values[name] = given[name]
            continue
        value = node.get(key)
        values[name] = kind(value) if kind is not None and value is not None else value
    if issubclass(cls, Placed):
        values["kept"] = node
    return cls(**values)


@cache
def _plan(cls: Any, names: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, type[Enum] | None], ...]:
    """(field, property, enum or None) for each data field of `cls`: worked out once per type, since
    resolving a field's type is far dearer than reading a property."""
    renamed = dict(names)
    return tuple(
        (field.python_name, renamed.get(field.python_name, field.python_name), _enum_of(field.type))
        for field in cls.__strawberry_definition__.fields
        if field.base_resolver is None and not field.python_name.startswith("_")
    )


def _enum_of(annotation: Any) -> type[Enum] | None:
    kind = getattr(annotation, "of_type", annotation)  # through Optional
    wrapped = getattr(kind, "wrapped_cls", None)
    return wrapped if isinstance(wrapped, type) and issubclass(wrapped, Enum) else None
