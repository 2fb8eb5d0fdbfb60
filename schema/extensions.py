"""Schema extensions: who may run an operation, and what a client sees of an error."""

import logging
from collections.abc import Iterator

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext

from errors import KindredError, Unauthenticated

logger = logging.getLogger("kindred.errors")

# Root fields anyone may ask for; every other one needs a viewer (deny unless listed).
PUBLIC_ROOT_FIELDS = frozenset({"signUp", "logIn", "__typename", "__schema", "__type"})


class RequireViewer(SchemaExtension):
    """Refuses, before anything runs, an operation without a viewer that asks for a non-public field."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.context.viewer_uid is None and not _public_only(context):
            error = context.context.auth_error or Unauthenticated("Log in, or send an API key, to do this.")
            context.result = ExecutionResult(
                data=None, errors=[GraphQLError(error.message, extensions=error.extensions)]
            )
        yield


class MaskInternalErrors(MaskErrors):
    """Shows Kindred's own errors as they are; anything else becomes INTERNAL_SERVER_ERROR."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_internal, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        request_id = self.execution_context.context.request_id
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        return masked


def log_internal_errors(errors: list[GraphQLError], request_id: str) -> None:
    for error in errors:
        if _is_internal(error):
            logger.error("request %s: %s", request_id, error.message, exc_info=error.original_error)


def _is_internal(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, KindredError | GraphQLError)


def _public_only(context: ExecutionContext) -> bool:
    document = context.graphql_document
    operation = get_operation_ast(document, context.operation_name) if document else None
    if operation is None:
        return True  # nothing will run; graphql-core reports why
    fragments = {f.name.value: f for f in document.definitions if hasattr(f, "type_condition")}
    return _root_fields(operation.selection_set, fragments) <= PUBLIC_ROOT_FIELDS


def _root_fields(selection_set: SelectionSetNode, fragments: dict, seen: frozenset = frozenset()) -> set[str]:
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
