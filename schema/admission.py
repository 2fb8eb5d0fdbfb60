"""Refusals before anything runs: a document that expands to too many fields, no one operation to run,
an operation too costly, a page too large (all before validation), no viewer (before execution).

Each is decided from the parsed operation (and its variables) alone, so nothing reaches Neo4j.
"""

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from errors import BadUserInput, KindredError, LimitExceeded, Unauthenticated
from graph.events import set_actor
from resolvers.context import confirm
from resolvers.pages import DEFAULT_PAGE_SIZE
from schema import scopes
from schema.errors import shown_for

# Root fields anyone may ask for; every other one needs a viewer (deny unless listed).
PUBLIC_ROOT_FIELDS = frozenset({"signUp", "logIn", "__typename", "__schema", "__type"})
PAGE_ARGUMENTS = ("first", "last")
logger = logging.getLogger("kindred.errors")


class NoOperation(KindredError):
    """The document has no one operation to run: several and none named, or none of the name given."""

    code = "GRAPHQL_VALIDATION_FAILED"
    several = "The document holds several operations: say which to run with operationName."
    unknown = "The document has no operation of the operationName given."


class RequireViewer(SchemaExtension):
    """Refuses an operation without a viewer that asks for a non-public field. Runs after the limits,
    so an operation they refuse reaches nothing, not even the auth state of its credential."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        operation = _operation(context)
        if operation is not None and context.result is None:
            await _confirm(context)
        if operation is not None and context.result is None and context.context.viewer_uid is not None:
            # An API key's scope, from the document alone: a refused operation reaches nothing.
            schema = context.schema._schema
            fragments, variables = _fragments(context), context.variables
            refused = scopes.refusal(context.context.scope, schema, operation, fragments, variables)
            if refused is not None:
                _refuse(context, refused)
        if operation is None or context.result is not None or context.context.viewer_uid is not None:
            # What this operation writes names its credential as the actor (graph/events.py).
            previous = set_actor(context.context.actor)
            try:
                yield
            finally:
                set_actor(previous)
            return
        if _root_fields(operation.selection_set, _fragments(context)) - PUBLIC_ROOT_FIELDS:
            _refuse(context, context.context.auth_error or Unauthenticated("Log in, or send an API key."))
        yield


async def _confirm(context: ExecutionContext) -> None:
    """The credential checked against its auth state; a failure to check (Neo4j gone) is logged and
    shown as a field's would be (schema/errors.py), since outside a field the masking extension cannot
    see it."""
    try:
        await confirm(context.context)
    except Exception as error:
        request_id = context.context.request_id
        logger.error("request %s: checking the credential failed", request_id, exc_info=error)
        _refuse(context, shown_for(error, request_id))


@dataclass(frozen=True)
class CostLimits:
    max_cost: int
    max_page_size: int
    unpaged_list_cost: int
    max_fields: int = 1000


class CostLimit(SchemaExtension):
    """Refuses, before validation, a document that expands to too many fields or costs too much.

    Both are decided before graphql-core validates: its rules (the depth limit, overlapping fields)
    walk every spread of every fragment, so a small document of fragments that spread each other twice
    would hold the event loop for seconds. The field count is linear (memoized per fragment) and bounds
    what every later walk does. The cost: a paged field costs its `first` or `last` (the default page
    when neither is given); a list without paging costs `unpaged_list_cost`; the edges and nodes of a
    connection are counted by their page.
    """

    def __init__(self, limits: CostLimits) -> None:
        super().__init__()
        self.limits = limits

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            try:
                self._admit(context, document)
            except RecursionError:
                error = LimitExceeded("This document nests fragments too deeply.", limit="depth")
                context.pre_execution_errors = [GraphQLError(error.message, extensions=error.extensions)]
            except KindredError as error:
                # Strawberry skips validation (and execution) when errors are already set.
                context.pre_execution_errors = [GraphQLError(error.message, extensions=error.extensions)]
        yield

    def _admit(self, context: ExecutionContext, document: DocumentNode) -> None:
        fields = count_fields(document)
        if fields > self.limits.max_fields:
            raise LimitExceeded(
                f"This document expands to {fields} fields (fragments included), over the limit of "
                f"{self.limits.max_fields}: ask for fewer fields or spread fragments fewer times.",
                limit="fields",
                fields=fields,
                maxFields=self.limits.max_fields,
            )
        # Strawberry names the first operation when the client named none, and would run it: a document
        # of several operations must say which (the name the client gave is kept privately).
        named = getattr(context, "_provided_operation_name", None)
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if named is None and len(operations) > 1:
            raise NoOperation(NoOperation.several)
        operation = _operation(context)
        if operation is None:
            raise NoOperation(NoOperation.unknown)
        cost = _Estimate(context, self.limits).of(operation)
        if cost > self.limits.max_cost:
            raise LimitExceeded(
                f"This operation would cost {cost}, over the limit of {self.limits.max_cost}: "
                "ask for smaller pages or fewer nested lists.",
                limit="cost",
                cost=cost,
                maxCost=self.limits.max_cost,
            )


def count_fields(document: DocumentNode) -> int:
    """The fields every definition of the document expands to, each fragment spread counted as its
    fragment's fields: what validation walks. Linear: each fragment is counted once."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    counted: dict[str, int] = {}

    def fragment(name: str, visiting: frozenset[str]) -> int:
        if name in counted:
            return counted[name]
        definition = fragments.get(name)
        if definition is None or name in visiting:
            return 0  # unknown or cyclic: validation refuses it
        counted[name] = selections(definition.selection_set, visiting | {name})
        return counted[name]

    def selections(selection_set: SelectionSetNode | None, visiting: frozenset[str]) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += 1 + selections(selection.selection_set, visiting)
            elif isinstance(selection, InlineFragmentNode):
                total += selections(selection.selection_set, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                total += fragment(selection.name.value, visiting)
        return total

    return sum(
        selections(d.selection_set, frozenset())
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    )


class _Estimate:
    def __init__(self, context: ExecutionContext, limits: CostLimits) -> None:
        self.schema: GraphQLSchema = context.schema._schema
        self.variables = context.variables or {}
        self.fragments = _fragments(context)
        self.limits = limits

    def of(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return self._selections(operation.selection_set, root, frozenset())

    def _selections(self, selection_set: SelectionSetNode | None, parent: Any, seen: frozenset[str]) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = self.schema.get_type(condition.name.value) if condition else parent
                total += self._selections(selection.selection_set, kind, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    kind = self.schema.get_type(fragment.type_condition.name.value)
                    total += self._selections(fragment.selection_set, kind, seen | {selection.name.value})
        return total

    def _field(self, node: FieldNode, parent: Any, seen: frozenset[str]) -> int:
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:
            return 0  # __typename, introspection, or a field validation has refused already
        kind, is_list = _unwrap(definition.type)
        page = self._page_size(node)
        in_connection = getattr(parent, "name", "").endswith("Connection") and node.name.value in (
            "edges",
            "nodes",
        )
        if page is not None:
            multiplier = page
        elif getattr(kind, "name", "").endswith("Connection"):
            multiplier = DEFAULT_PAGE_SIZE  # what the server returns when no size is asked
        elif is_list and not in_connection:
            multiplier = self.limits.unpaged_list_cost
        else:
            multiplier = 1
        return 1 + multiplier * self._selections(node.selection_set, kind, seen)

    def _page_size(self, node: FieldNode) -> int | None:
        sizes = []
        for argument in node.arguments or ():
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                size = self.variables.get(value.name.value)
            elif isinstance(value, IntValueNode):
                size = int(value.value)
            else:
                size = None
            if isinstance(size, int):
                if not 0 <= size <= self.limits.max_page_size:
                    raise BadUserInput(
                        f"{argument.name.value} must be 0 to {self.limits.max_page_size}.",
                        field=argument.name.value,
                        limit="pageSize",
                    )
                sizes.append(size)
        return max(sizes) if sizes else None


def _unwrap(kind: Any) -> tuple[Any, bool]:
    is_list = False
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(kind, GraphQLList)
        kind = kind.of_type
    return kind, is_list


def _operation(context: ExecutionContext) -> OperationDefinitionNode | None:
    document = context.graphql_document
    return get_operation_ast(document, context.operation_name) if document else None


def _fragments(context: ExecutionContext) -> dict[str, FragmentDefinitionNode]:
    document = context.graphql_document
    definitions = document.definitions if document else ()
    return {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}


def _root_fields(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset = frozenset(),
) -> set[str]:
    names: set[str] = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names |= _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                names |= _root_fields(fragment.selection_set, fragments, seen | {selection.name.value})
    return names


def _refuse(context: ExecutionContext, error: KindredError) -> None:
    context.result = ExecutionResult(
        data=None, errors=[GraphQLError(error.message, extensions=error.extensions)]
    )
