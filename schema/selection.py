"""What a list's selection reads of each of its nodes: the stored properties and computed values of its
kind that the selected fields are made from, so a read projects those alone (graph/kind.py's
`projection_of`) instead of every property of every node.

A field says what it reads by its metadata (`reading(...)`): a relation reads nothing but the uid, a
node's place its view properties. A plain data field reads the property of its name (as its type's
`names` and `reads` map it). Any other field (a resolver that says nothing) may read anything, and so
does a name the kind does not know: then the whole node is read, as before. Directives (@skip,
@include) are not looked at: a field they leave out is read anyway, which is never wrong.
"""

from collections.abc import Iterable
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, GraphQLObjectType, InlineFragmentNode, SelectionSetNode
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import get_object_definition

from graph.kind import Reads
from graph.kinds import BY_LABEL

READS = "kindred_reads"  # the metadata key of what a field reads (a tuple of names)
TITLE = "@title"  # read as the property its kind captions a node by
_CONNECTION_ITEMS = {"edges": "node", "nodes": None}  # where a connection's selection holds its nodes


def reading(*names: str) -> dict[str, Any]:
    """A field's metadata saying that it reads these properties of its node (none: the uid alone)."""
    return {READS: names}


def of_connection(info: Any, node: type) -> Reads:
    """What the selection of a connection field (edges { node }, nodes) reads of each of its nodes."""
    return _once(info, node, _of_connection)


def of_node(info: Any, node: type) -> Reads:
    """What the selection of a field that answers one node reads of it."""
    return _once(info, node, _of_node)


def _once(info: Any, node: type, work: Any) -> Reads:
    """The reads of this field's selection, worked out once per request (a field below a list is
    resolved once per parent, with the same selection)."""
    context = info.context
    if not context.settings.read_selected:
        return None
    first = info._raw_info.field_nodes[0]
    key = (id(first), node)
    # Kept with the field node itself, which the cache thereby keeps alive: its id is not reused by
    # another document's node while it is here (a WebSocket's context outlives one operation).
    cached = context.reads.get(key)
    if cached is None or cached[0] is not first:
        cached = context.reads[key] = (first, work(info._raw_info, node))
    return cached[1]


def _of_connection(raw: Any, node: type) -> Reads:
    found: list[FieldNode] = []
    for field_node in raw.field_nodes:
        for item in _fields(raw, field_node.selection_set):
            if item.name.value in _CONNECTION_ITEMS:
                inner = _CONNECTION_ITEMS[item.name.value]
                if inner is None:
                    found.append(item)
                else:
                    found.extend(f for f in _fields(raw, item.selection_set) if f.name.value == inner)
    return _reads(raw, node, found)


def _of_node(raw: Any, node: type) -> Reads:
    return _reads(raw, node, list(raw.field_nodes))


def _reads(raw: Any, node: type, field_nodes: list[FieldNode]) -> Reads:
    definition = get_object_definition(node, strict=True)
    kind = BY_LABEL.get(definition.name)
    graphql_type = raw.schema.get_type(definition.name)
    if kind is None or not isinstance(graphql_type, GraphQLObjectType):
        return None
    names: set[str] = set()
    for field_node in field_nodes:
        for item in _fields(raw, field_node.selection_set):
            reads = field_reads(node, kind.title, graphql_type, item.name.value)
            if reads is None:
                return None
            names.update(reads)
    wanted = frozenset(names)
    return wanted if kind.reads_known(wanted) else None


def field_reads(node: Any, title: str, graphql_type: GraphQLObjectType, name: str) -> Iterable[str] | None:
    """What the field `name` of a node type reads of its node (None: it may read anything)."""
    if name == "__typename" or name == "id":
        return ()
    field_def = graphql_type.fields.get(name)
    if field_def is None:  # a field of another type, from a fragment on it: not this node's
        return ()
    field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if field is None:
        return None
    if READS in (field.metadata or {}):
        renamed = getattr(node, "names", {})
        return [renamed.get(title, title) if read == TITLE else read for read in field.metadata[READS]]
    if field.base_resolver is not None:
        return None  # it may read anything of its node
    declared = getattr(node, "reads", {})
    if field.python_name in declared:
        return declared[field.python_name]
    return (getattr(node, "names", {}).get(field.python_name, field.python_name),)


def _fields(raw: Any, selection_set: SelectionSetNode | None) -> Iterable[FieldNode]:
    """The fields of a selection set, through its fragments (whatever type they are on)."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(raw, selection.selection_set)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = raw.fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(raw, fragment.selection_set)
