"""Compiled reads: what Kindred can express in Cypher of a query is answered by one statement
(graph/compiled.py) and shaped here into the answer's `data`, without graphql-core completing each
field with a resolver; the rest is resolved the usual way, per subtree, and set into it
(schema/subtrees.py).

A field compiles when it is a top-level list of a kind, a relation (a connection or a to-one field),
a connection's edges, nodes, cursor, pageInfo or totalCount, `id`, `__typename`, or a data field with
no resolver of its own (a stored property, an enum, a list of them, an object of them such as a
recipient's relationship). Any other field (search, the view, `me`, a field with a resolver of its own
such as a node's place, a sealed field, a relation whose pattern a subquery cannot walk, a bad
argument) is resolved by graphql-core for the nodes the statement read: a root field from the root,
a node's field from each node, all of them at once so that their loaders batch per level. With no
top-level list that compiles, or with @defer, the whole operation goes the usual way.

Arguments mean exactly what they mean to the resolvers, because the resolvers work them out: each list
field's own resolver is called with a context that records the page it would read instead of reading
it (`_Recorder`). A bad argument raises there, and that field then goes the usual way, which reports
it as it always has. Values are made as the resolvers make them (the type's `from_row`) and
serialised by each field's own scalar or enum, with a plan worked out once per request.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    get_nullable_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, collect_subfields
from graphql.execution.values import get_argument_values
from graphql.pyutils import Undefined
from strawberry.relay import to_base64
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments

from graph import compiled, nodes
from graph.compiled import Found, Level
from graph.kinds import BY_LABEL
from graph.pages import Row
from resolvers import pages
from resolvers.pages import PageArgs
from schema import selection
from schema.compilable import COMPILED, Listed, Related, RelatedOne
from schema.relay import node_type, orders
from schema.subtrees import Job, Position, at_root, resolve


class NotCompiled(Exception):
    """A field (or its answer) is not one this module makes: graphql-core answers it."""


class _Whole(NotCompiled):
    """Not one this module makes any part of: graphql-core answers the whole operation."""


# How one value of the answer is made: from the row of its node, the node as its type (made once per
# row, when asked), and what was found below the row; and where it is in the answer (None when no
# field below is resolved the usual way: nothing needs to know).
At = Position | None
Step = Callable[["_Item", At], Any]
Shape = Callable[[Found, At], Any]


@dataclass
class _Item:
    row: Row
    below: list[Found]
    made: Callable[[Row], Any]
    _object: Any = None

    @property
    def object(self) -> Any:
        if self._object is None:
            self._object = self.made(self.row)
        return self._object


@dataclass
class _Page:
    """One page as the connection's fields read it: what was found, its items, their cursors."""

    found: Found
    items: list[_Item]
    cursors: list[str]


@dataclass
class Plan:
    """A compiled query: its root levels, how the answer is shaped from what they found, and the
    fields resolved the usual way (`jobs`, found while shaping, run by `complete`)."""

    root_type: GraphQLObjectType
    levels: list[Level] = field(default_factory=list)
    shapes: list[tuple[str, Callable[[list[Found], At], Any]]] = field(default_factory=list)
    # Root fields resolved the usual way, by response key; whether any field below a node is.
    roots: dict[str, FieldDetailsList] = field(default_factory=dict)
    below: bool = False
    roots_named: dict[str, str] = field(default_factory=dict)  # a root list's field name, by key
    jobs: list[Job] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        """Whether any field is resolved the usual way (though no row may need it)."""
        return bool(self.roots) or self.below

    def answer(self, found: list[Found], root_value: Any) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, shape in self.shapes:
            if key in self.roots:
                data[key] = None
                self.jobs.append(Job(self.root_type, root_value, self.roots[key], data, key, None))
            else:
                at = self._root(key) if self.below and key in self.roots_named else None
                data[key] = shape(found, at)
        return data

    def _root(self, key: str) -> Position:
        field_def = self.root_type.fields[self.roots_named[key]]
        return at_root(key, self.root_type.name, _nullable(field_def.type))


async def plan(executor: Any, root_type: GraphQLObjectType, grouped: dict[str, FieldDetailsList]) -> Plan:
    """The plan of a query's root fields (grouped as graphql-core collected them); NotCompiled if no
    top-level list compiles, or if no part of the operation may be compiled."""
    planner = _Planner(executor)
    made = Plan(root_type, jobs=planner.jobs)
    for key, details in grouped.items():
        name = details[0].node.name.value
        if name == "__typename":
            made.shapes.append((key, _constant(root_type.name)))
            continue
        field_def = root_type.fields.get(name)  # none for __schema and __type
        marker = planner.marker(field_def) if field_def is not None else None
        made.shapes.append((key, _constant(None)))
        if not isinstance(marker, Listed) or field_def is None:
            made.roots[key] = details
            continue
        try:
            level, shape = await planner.connection(field_def, details, marker)
        except _Whole:
            raise
        except NotCompiled:
            made.roots[key] = details
            continue
        made.shapes[-1] = (key, _root_shape(len(made.levels), shape))
        made.roots_named[key] = name
        made.levels.append(level)
    if not made.levels:  # nothing to read: not worth a statement
        raise NotCompiled("no list")
    made.below = planner.usual
    return made


async def read(executor: Any, made: Plan) -> dict[str, Any]:
    """The `data` of the query as the one statement answers it; the fields it cannot answer are null
    in it until `complete` resolves them. NotCompiled if the answer is not one this module makes."""
    context = executor.context_value
    found = await context.graph.read(compiled.run, made.levels, owner=context.viewer)
    try:
        return made.answer(found, executor.root_value)
    except _Unanswerable as error:  # a null where the type forbids one: graphql-core says where
        made.jobs.clear()
        raise NotCompiled("unanswerable") from error


async def complete(executor: Any, made: Plan, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the fields the statement could not answer resolved the usual way (schema/subtrees.py)."""
    await resolve(executor, made.jobs, data)
    return data


class _Unanswerable(Exception):
    pass


class _Recorded(Exception):
    """What a list's resolver would have read: raised by _Recorder in its place."""

    def __init__(self, read: tuple[Any, ...]) -> None:
        self.read = read


class _Recorder:
    """A resolver's context that reads nothing: the page a list resolver asks of graph/nodes.py (or of
    its relation's loader) is raised as _Recorded, once its arguments are checked as they always are."""

    def __init__(self, context: Any) -> None:
        self.settings = context.settings
        self.viewer = context.viewer
        self.graph = self
        self.loaders = self
        self.neighbors = self

    async def read(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        if work is nodes.page:
            raise _Recorded((args[0], kwargs["where"], kwargs["page"]))
        raise NotCompiled(getattr(work, "__name__", "read"))

    async def load(self, step: Any) -> Any:
        raise _Recorded((step.traversal, step.page))


class _Planner:
    def __init__(self, executor: Any) -> None:
        self.executor = executor
        strawberry_schema = executor.schema._strawberry_schema
        self.scalars = strawberry_schema.schema_converter.scalar_registry
        self.config = strawberry_schema.config
        self.recorder = _Recorder(executor.context_value)
        self.read_selected = executor.context_value.settings.read_selected
        self.jobs: list[Job] = []  # the fields resolved the usual way, per node, as the answer is shaped
        self.usual = False  # whether any node has one

    @staticmethod
    def definition(field_def: GraphQLField) -> Any:
        return field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)

    def marker(self, field_def: GraphQLField) -> Any:
        definition = self.definition(field_def)
        if definition is None or definition.permission_classes:
            return None
        return (definition.metadata or {}).get(COMPILED)

    def subfields(
        self, object_type: GraphQLObjectType, details: FieldDetailsList
    ) -> dict[str, FieldDetailsList]:
        ex = self.executor
        collected = collect_subfields(
            ex.schema, ex.fragments, ex.variable_values, ex.operation, object_type, details
        )
        if collected.new_defer_usages or any(
            d.defer_usage is not None or d.fragment_variable_values is not None
            for found in collected.grouped_field_set.values()
            for d in found
        ):
            raise _Whole("@defer")
        return collected.grouped_field_set

    def arguments(self, field_def: GraphQLField, details: FieldDetailsList) -> dict[str, Any]:
        raw = get_argument_values(field_def, details[0].node, self.executor.variable_values)
        return convert_arguments(raw, self.definition(field_def).arguments, self.scalars, self.config)

    async def recorded(self, load: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
        try:
            await load(self.recorder, *args)
        except _Recorded as recorded:
            return recorded.read
        except NotCompiled:
            raise
        except Exception as error:  # a bad argument: the usual way reports it, where it is
            raise NotCompiled("argument") from error
        raise NotCompiled("nothing read")

    async def connection(
        self, field_def: GraphQLField, details: FieldDetailsList, marker: Listed | Related
    ) -> tuple[Level, Shape]:
        """The level a list or relation field reads, and how its connection is shaped."""
        try:
            kwargs = self.arguments(field_def, details)
            keys = orders(kwargs.get("order_by"), marker.default)
        except Exception as error:  # a bad argument: the usual way reports it, where it is
            raise NotCompiled("argument") from error
        paging = PageArgs(**{name: kwargs.get(name) for name in ("first", "after", "last", "before")})
        if isinstance(marker, Listed):
            given = kwargs.get("filter")
            where = marker.where(given if given is not None else marker.filter_type())
            kind, condition, page = await self.recorded(marker.load, where, keys, paging)
            level = Level(kind, page, frozenset(), where=condition)
        else:
            traversal, page = await self.recorded(marker.load, "", keys, paging)
            if not compiled.walkable(traversal):
                raise NotCompiled(traversal.pattern)
            level = Level(traversal.kind, page, frozenset(), traversal=traversal)
        connection_type = get_nullable_type(field_def.type)
        if not isinstance(connection_type, GraphQLObjectType):
            raise NotCompiled("connection")
        shape = await self.connection_shape(level, connection_type, details, marker.node)
        return level, shape

    async def connection_shape(
        self, level: Level, connection_type: GraphQLObjectType, details: FieldDetailsList, node: Any
    ) -> Shape:
        made = node_type(node)
        steps: list[tuple[str, Callable[[_Page, At], Any]]] = []
        for key, found in self.subfields(connection_type, details).items():
            name = found[0].node.name.value
            if name == "__typename":
                steps.append((key, _constant(connection_type.name)))
            elif name == "totalCount":
                level.counted = True
                steps.append((key, lambda p, _at: p.found.total))
            elif name == "pageInfo":
                info_type = get_nullable_type(connection_type.fields[name].type)
                steps.append((key, self.page_info(level, info_type, found)))
            elif name == "nodes":
                field_def = connection_type.fields[name]
                item = await self.node(level, _item_type(field_def.type), found, made)
                steps.append((key, _nodes(item, key, connection_type.name, field_def.type)))
            elif name == "edges":
                field_def = connection_type.fields[name]
                edges = await self.edges(level, field_def.type, found, made)
                steps.append((key, _down(edges, key, connection_type.name, field_def.type)))
            else:
                raise NotCompiled(name)

        def shape(found: Found, at: At) -> dict[str, Any]:
            page = _Page(found, _items(found, made), [pages.encode(row) for row in found.rows.items])
            return {key: step(page, at) for key, step in steps}

        return shape

    def page_info(self, level: Level, info_type: Any, details: FieldDetailsList) -> Callable[..., Any]:
        backward = level.page.backward
        parts: dict[str, Callable[[_Page], Any]] = {
            "hasNextPage": lambda p: p.found.rows.has_more and not backward,
            "hasPreviousPage": lambda p: p.found.rows.has_more and backward,
            "startCursor": lambda p: p.cursors[0] if p.cursors else None,
            "endCursor": lambda p: p.cursors[-1] if p.cursors else None,
            "__typename": _constant(info_type.name),
        }
        steps = []
        for key, found in self.subfields(info_type, details).items():
            name = found[0].node.name.value
            if name not in parts:
                raise NotCompiled(name)
            steps.append((key, parts[name]))
        return lambda p, _at: {key: step(p) for key, step in steps}

    async def edges(
        self, level: Level, edges_type: Any, details: FieldDetailsList, made: Any
    ) -> Callable[[_Page, At], Any]:
        edge_type = _item_type(edges_type)
        item_nullable = not isinstance(get_nullable_type(edges_type).of_type, GraphQLNonNull)
        steps: list[tuple[str, Callable[[_Item, str, At], Any]]] = []
        for key, found in self.subfields(edge_type, details).items():
            name = found[0].node.name.value
            if name == "__typename":
                steps.append((key, _constant(edge_type.name)))
            elif name == "cursor":
                steps.append((key, lambda _i, c, _at: c))
            elif name == "node":
                field_def = edge_type.fields[name]
                node = await self.node(level, _object_type(field_def.type), found, made)
                steps.append((key, _edge_node(node, key, edge_type.name, field_def.type)))
            else:
                raise NotCompiled(name)

        def edges(page: _Page, at: At) -> list[dict[str, Any]]:
            return [
                {key: step(item, cursor, at and at.down(index, None, item_nullable)) for key, step in steps}
                for index, (item, cursor) in enumerate(zip(page.items, page.cursors, strict=True))
            ]

        return edges

    async def node(
        self, level: Level, object_type: GraphQLObjectType, details: FieldDetailsList, made: Any
    ) -> Callable[[_Item, At], dict[str, Any]]:
        """How one node of `level` is answered; what it reads is added to the level's reads, the levels
        its relations read to the level's `below`. A field that does not compile is resolved the usual
        way for each node (a Job)."""
        kind = BY_LABEL.get(object_type.name)
        if kind is None or kind is not level.kind:
            raise NotCompiled(object_type.name)
        reads: set[str] = set(level.reads or ())
        whole = level.reads is None or not self.read_selected  # KINDRED_READ_SELECTED off: all of it
        steps: list[tuple[str, Step]] = []
        usual: list[tuple[str, FieldDetailsList]] = []
        for key, found in self.subfields(object_type, details).items():
            name = found[0].node.name.value
            if name == "__typename":
                steps.append((key, _constant(object_type.name)))
                continue
            if name == "id":
                steps.append((key, _global_id(object_type.name)))
                continue
            field_def = object_type.fields[name]
            read = selection.field_reads(made, kind.title, object_type, name)
            if read is None:
                whole = True
            else:
                reads.update(read)
            try:
                steps.append((key, await self.node_field(level, field_def, found, (key, object_type.name))))
            except _Whole:
                raise
            except NotCompiled:  # resolved the usual way from the node (null until then)
                steps.append((key, _constant(None)))
                usual.append((key, found))
        level.reads = None if whole or not kind.reads_known(frozenset(reads)) else frozenset(reads)
        if not usual:
            return lambda item, at: {key: step(item, at) for key, step in steps}
        self.usual = True
        jobs = self.jobs

        def answer(item: _Item, at: At) -> dict[str, Any]:
            made = {key: step(item, at) for key, step in steps}
            source = item.object
            for key, found in usual:
                jobs.append(Job(object_type, source, found, made, key, at))
            return made

        return answer

    async def node_field(
        self, level: Level, field_def: GraphQLField, details: FieldDetailsList, named: tuple[str, str]
    ) -> Step:
        """How a field of a node is answered; `named` is its response key and its node's type name."""
        definition = self.definition(field_def)
        if definition is None or definition.permission_classes:
            raise NotCompiled(field_def.ast_node.name.value if field_def.ast_node else "field")
        marker = (definition.metadata or {}).get(COMPILED)
        if isinstance(marker, Related):
            return await self.below(level, field_def, details, marker, named)
        if isinstance(marker, RelatedOne):
            return await self.below_one(level, field_def, details, marker, named)
        if definition.base_resolver is not None or field_def.args:
            raise NotCompiled(definition.python_name)
        complete = self.value(field_def.type, details)
        attribute = definition.python_name
        return lambda item, _at: complete(getattr(item.object, attribute))

    async def below(
        self,
        level: Level,
        field_def: GraphQLField,
        details: FieldDetailsList,
        marker: Related,
        named: tuple[str, str],
    ) -> Step:
        child, shape = await self.connection(field_def, details, marker)
        index = len(level.below)
        level.below.append(child)
        key, parent = named
        nullable = not isinstance(field_def.type, GraphQLNonNull)
        return lambda item, at: shape(item.below[index], at and at.down(key, parent, nullable))

    async def below_one(
        self,
        level: Level,
        field_def: GraphQLField,
        details: FieldDetailsList,
        marker: RelatedOne,
        named: tuple[str, str],
    ) -> Step:
        traversal, page = await self.recorded(marker.load, "", None)
        if not compiled.walkable(traversal):
            raise NotCompiled(traversal.pattern)
        child = Level(traversal.kind, page, frozenset(), traversal=traversal)
        made = node_type(marker.node)
        node = await self.node(child, _object_type(field_def.type), details, made)
        index = len(level.below)
        level.below.append(child)
        required = isinstance(field_def.type, GraphQLNonNull)
        key, parent = named

        def one(item: _Item, at: At) -> Any:
            items = _items(item.below[index], made)
            if not items:
                if required:
                    raise _Unanswerable
                return None
            return node(items[0], at and at.down(key, parent, not required))

        return one

    def value(self, field_type: GraphQLOutputType, details: FieldDetailsList) -> Callable[[Any], Any]:
        """How a data field's value is completed, as graphql-core completes it."""
        required = isinstance(field_type, GraphQLNonNull)
        inner = get_nullable_type(field_type)
        if is_leaf_type(inner):
            serialize = inner.serialize

            def leaf(value: Any) -> Any:
                if value is None:
                    return _null(required)
                serialized = serialize(value)
                if serialized is None or serialized is Undefined:
                    raise _Unanswerable
                return serialized

            return leaf
        if isinstance(inner, GraphQLList):
            item = self.value(inner.of_type, details)
            return lambda value: _null(required) if value is None else [item(v) for v in value]
        if isinstance(inner, GraphQLObjectType):
            steps: list[tuple[str, Callable[[Any], Any]]] = []
            for key, found in self.subfields(inner, details).items():
                name = found[0].node.name.value
                if name == "__typename":
                    steps.append((key, _constant(inner.name)))
                    continue
                sub = inner.fields[name]
                definition = self.definition(sub)
                if definition is None or definition.base_resolver is not None or sub.args:
                    raise NotCompiled(name)
                if definition.permission_classes:
                    raise NotCompiled(name)
                complete = self.value(sub.type, found)
                steps.append((key, _attribute(definition.python_name, complete)))
            return lambda value: (
                _null(required) if value is None else {key: step(value) for key, step in steps}
            )
        raise NotCompiled(str(inner))


def _null(required: bool) -> None:
    if required:
        raise _Unanswerable
    return None


def _constant(value: Any) -> Callable[..., Any]:
    return lambda *_: value


def _root_shape(index: int, shape: Shape) -> Callable[[list[Found], At], Any]:
    return lambda found, at: shape(found[index], at)


def _nullable(field_type: Any) -> bool:
    return not isinstance(field_type, GraphQLNonNull)


def _down(
    step: Callable[[_Page, At], Any], key: str, parent: str, field_type: Any
) -> Callable[[_Page, At], Any]:
    """A connection's field, at its own position below the connection's."""
    nullable = _nullable(field_type)
    return lambda page, at: step(page, at and at.down(key, parent, nullable))


def _nodes(
    item: Callable[[_Item, At], Any], key: str, parent: str, field_type: Any
) -> Callable[[_Page, At], Any]:
    nullable, item_nullable = _nullable(field_type), _nullable(get_nullable_type(field_type).of_type)

    def nodes(page: _Page, at: At) -> list[Any]:
        if at is None:
            return [item(i, None) for i in page.items]
        here = at.down(key, parent, nullable)
        return [item(i, here.down(index, None, item_nullable)) for index, i in enumerate(page.items)]

    return nodes


def _edge_node(
    node: Callable[[_Item, At], Any], key: str, parent: str, field_type: Any
) -> Callable[[_Item, str, At], Any]:
    nullable = _nullable(field_type)
    return lambda item, _cursor, at: node(item, at and at.down(key, parent, nullable))


def _global_id(type_name: str) -> Step:
    return lambda item, _at: to_base64(type_name, item.row.uid)


def _attribute(name: str, complete: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: complete(getattr(value, name))


def _item_type(list_type: Any) -> GraphQLObjectType:
    inner = get_nullable_type(list_type)
    if not isinstance(inner, GraphQLList):
        raise NotCompiled("list")
    return _object_type(inner.of_type)


def _object_type(field_type: Any) -> GraphQLObjectType:
    inner = get_nullable_type(field_type)
    if not isinstance(inner, GraphQLObjectType):
        raise NotCompiled(str(inner))
    return inner


def _items(found: Found, made: Any) -> list[_Item]:
    """The rows of a page as items, each made into its type once at most, whoever asks (edges, nodes)."""
    return [
        _Item(row, below, made.from_row) for row, below in zip(found.rows.items, found.below, strict=True)
    ]
