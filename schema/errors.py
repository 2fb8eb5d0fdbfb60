"""What a client sees of an error: always an `extensions.code`, never the inside of an internal failure."""

import logging

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors

from errors import KindredError, ServiceUnavailable
from graph.driver import UNAVAILABLE

logger = logging.getLogger("kindred.errors")


def classify(error: GraphQLError) -> None:
    """Gives a code to the errors graphql-core and Strawberry raise themselves: parsing, validation,
    variables and arguments."""
    if error.extensions and "code" in error.extensions:
        return
    if isinstance(error, GraphQLSyntaxError):
        code = "GRAPHQL_PARSE_FAILED"
    elif error.path is None and error.message.startswith("Variable '$"):
        code = "BAD_USER_INPUT"
    elif error.path is None:
        code = "GRAPHQL_VALIDATION_FAILED"
    elif isinstance(error.original_error, GraphQLError):
        code = "BAD_USER_INPUT"  # an argument that could not be read, such as an id that is no id
    else:
        return
    error.extensions = {**(error.extensions or {}), "code": code}


def is_internal(error: GraphQLError) -> bool:
    """A failure while resolving a field that Kindred did not raise on purpose."""
    original = error.original_error
    return (
        error.path is not None
        and original is not None
        and not isinstance(original, KindredError | GraphQLError)
    )


def log_internal(errors: list[GraphQLError], request_id: str) -> None:
    for error in errors:
        if is_internal(error):
            logger.error("request %s: %s", request_id, error.message, exc_info=error.original_error)


class MaskInternalErrors(MaskErrors):
    """Shows Kindred's own errors as they are; anything else becomes INTERNAL_SERVER_ERROR, but for the
    graph store down or too busy (after the driver's retries), which is SERVICE_UNAVAILABLE: a client
    may send the same request again."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_internal, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = self.execution_context.context.request_id
        assert error.original_error is not None  # is_internal: only a resolver's own failure is masked
        shown = shown_for(error.original_error, request_id)
        return GraphQLError(
            shown.message,
            nodes=error.nodes,
            path=error.path,
            original_error=shown,
            extensions=shown.extensions,
        )


def shown_for(error: BaseException, request_id: str) -> KindredError:
    """What a client is told of a failure Kindred did not raise on purpose: that the graph store is
    unavailable (it may try again), or only that something failed inside, with the request's id."""
    if isinstance(error, UNAVAILABLE):
        return ServiceUnavailable(
            "The graph store is unavailable or busy: try again shortly.", requestId=request_id
        )
    return KindredError("Internal server error.", requestId=request_id)
