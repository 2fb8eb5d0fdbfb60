"""An API key's scope (auth/scopes.py), enforced on the operation before it runs: from the document
alone, so a refused operation reads and writes nothing.

- a key that may not write: every mutation is refused;
- a key limited to named kinds writes only those: each root field of a mutation must create, update or
  delete a node of one of its kinds, or link or unlink two of them (schema/scope_writes.py); every id its
  arguments give must be of one of them; and its result is read as any other field (below). What a
  delete takes with it is checked where it is deleted (graph/nodes.py `delete`);
- a key limited to personas: any root field but a persona's (`requestPersona`, `ratePersona`) is refused,
  and so is any field that reads another kind than Persona (the person it is of, its insights);
- a key limited to named kinds: any field, fragment or connection whose type is a node of another kind
  (or reads one: a mindscape reads insights; or holds the whole account: its events, sessions, keys and
  exports) is refused.

What a type does not say (a node by id, search hits, the view, paths, live deltas: any kind) is limited
where those reads choose their labels (`Scope.readable`, `Scope.allows`).
"""

from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)

from auth.scopes import PERSONA_FIELDS, Scope
from errors import OutOfScope
from graph.kinds import BY_LABEL
from schema import scope_writes

# Types that are no kind but read nodes of kinds.
READS: dict[str, frozenset[str]] = {"Mindscape": frozenset({"Insight"})}
# Types that hold the whole account, whatever its kinds: never read with a key limited to some. The
# companion's state is the person's own moment in the app (what they look at, the orb's mood), not a
# kind of node: a key limited to kinds reads none of it; a full key reads it, and changes it if it writes.
WHOLE_ACCOUNT = frozenset(
    {
        "Event",
        "Session",
        "ApiKey",
        "AccountExport",
        "ExportConnection",
        "Companion",
        "CompanionChange",
        "Activity",
        "GrowthProfile",
    }
)


def refusal(
    scope: Scope,
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any] | None = None,
) -> OutOfScope | None:
    """Why this key may not run this operation (with these variables), or None."""
    if scope.full:
        return None
    if operation.operation is OperationType.MUTATION and not scope.writes:
        return OutOfScope("This API key may only read: it makes no changes.")
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    walk = _Walk(scope, schema, fragments)
    if scope.personas_only:
        outside = walk.root_fields(operation.selection_set) - PERSONA_FIELDS
        if outside:
            return OutOfScope("This API key may only ask for personas and rate them.", fields=sorted(outside))
    if scope.reads is None:
        return None
    if operation.operation is OperationType.MUTATION and not scope.personas_only:
        refused = scope_writes.refusal(scope, root, walk.root_nodes(operation.selection_set), variables)
        if refused is not None:
            return refused
    return walk.selections(operation.selection_set, root, frozenset())


class _Walk:
    def __init__(self, scope: Scope, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.scope, self.schema, self.fragments = scope, schema, fragments

    def root_fields(self, selection_set: SelectionSetNode) -> set[str]:
        return {node.name.value for node in self.root_nodes(selection_set)}

    def root_nodes(
        self, selection_set: SelectionSetNode, seen: frozenset[str] = frozenset()
    ) -> list[FieldNode]:
        """The fields of this selection, through its fragments."""
        nodes: list[FieldNode] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                nodes.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                nodes += self.root_nodes(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    nodes += self.root_nodes(fragment.selection_set, seen | {selection.name.value})
        return nodes

    def selections(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, seen: frozenset[str]
    ) -> OutOfScope | None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                refused = self._field(selection, parent, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = self.schema.get_type(condition.name.value) if condition else parent
                refused = self._type(kind, selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                kind = self.schema.get_type(fragment.type_condition.name.value)
                refused = self._type(kind, fragment.selection_set, seen | {selection.name.value})
            else:
                continue
            if refused is not None:
                return refused
        return None

    def _field(self, node: FieldNode, parent: GraphQLNamedType, seen: frozenset[str]) -> OutOfScope | None:
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:
            return None  # __typename, introspection
        return self._type(_named(definition.type), node.selection_set, seen, node.name.value)

    def _type(
        self,
        kind: GraphQLNamedType | None,
        selection_set: SelectionSetNode | None,
        seen: frozenset[str],
        field: str | None = None,
    ) -> OutOfScope | None:
        if kind is None:
            return None
        needs = _needs(self.schema, kind.name)
        if needs is None or any(not self.scope.allows(label) for label in needs):
            where = f"{field} ({kind.name})" if field else kind.name
            return OutOfScope(f"This API key may not read {where}.", type=kind.name)
        return self.selections(selection_set, kind, seen)


def _named(kind: GraphQLOutputType) -> GraphQLNamedType:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    return kind


@lru_cache(maxsize=512)
def _needs(schema: GraphQLSchema, name: str) -> frozenset[str] | None:
    """The kinds a value of this type reads (None: the whole account); a connection or edge reads what
    its nodes do."""
    if name in WHOLE_ACCOUNT:
        return None
    if name in BY_LABEL:
        return frozenset({name})
    if name in READS:
        return READS[name]
    kind = schema.get_type(name)
    if isinstance(kind, GraphQLObjectType) and name.endswith(("Connection", "Edge")):
        inner = kind.fields.get("edges") or kind.fields.get("node")
        if inner is not None:
            return _needs(schema, _named(inner.type).name)
    return frozenset()
