"""Kindred's error kinds, each with the `extensions.code` a client sees.

Resolvers raise these; schema/errors.py turns them into GraphQL errors and masks everything else.
"""

from typing import Any


class KindredError(Exception):
    """An error the client caused or may act on; its message is shown as it is."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        # graphql-core copies an exception's `extensions` dict into the error the client sees.
        self.extensions = {"code": self.code, **extensions}


class BadUserInput(KindredError):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None, **extensions: Any) -> None:
        if field is not None:
            extensions["field"] = field
        super().__init__(message, **extensions)


class Unauthenticated(KindredError):
    code = "UNAUTHENTICATED"


class Forbidden(KindredError):
    code = "FORBIDDEN"


class NotFound(KindredError):
    code = "NOT_FOUND"


class Closed(KindredError):
    """A write to something closed to it: a message appended to a closed conversation."""

    code = "CLOSED"


class LimitExceeded(KindredError):
    """An operation over one of the configured limits (cost, depth, ...): refused before it runs."""

    code = "GRAPHQL_VALIDATION_FAILED"


class RateLimited(KindredError):
    code = "RATE_LIMITED"


class PersistedQueryNotFound(KindredError):
    code = "PERSISTED_QUERY_NOT_FOUND"

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


class SubscriptionOverflow(KindredError):
    """A subscription fell too far behind its live updates: it is ended, and resumes with `since:`."""

    code = "SUBSCRIPTION_OVERFLOW"


class ServiceUnavailable(KindredError):
    """The graph store cannot be reached or is too busy now: the same request may be sent again later."""

    code = "SERVICE_UNAVAILABLE"


class SearchUnavailable(KindredError):
    """The vector store cannot be reached: search cannot answer now (writes still commit)."""

    code = "SEARCH_UNAVAILABLE"


class AlreadyDecided(KindredError):
    """A decision that is made once and is final (an observation's review): asked for again, refused."""

    code = "ALREADY_DECIDED"


class AlreadyCoupled(KindredError):
    """A couple asked of someone already in one: one couple per account at a time."""

    code = "ALREADY_IN_COUPLE"


class Expired(KindredError):
    """A one-time code used after it expired (a couple's invite)."""

    code = "EXPIRED"


class NotShareable(KindredError):
    """A node of a kind that is never shared (graph/kind.py's `shareable`) asked to be shared."""

    code = "NOT_SHAREABLE"


class OutOfScope(KindredError):
    """An API key asked for what its scope leaves out (a write with a read-only key, a kind it may not
    read); nothing was read or written."""

    code = "OUT_OF_SCOPE"


class TemplateDeprecated(KindredError):
    """A challenge started from a template version that is deprecated: nothing is started."""

    code = "TEMPLATE_DEPRECATED"


class AlreadyCompleted(KindredError):
    """A challenge completed a second time: it was completed once, and earned its trophy then."""

    code = "ALREADY_COMPLETED"
