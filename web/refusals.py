"""One shape for every refusal, whichever layer refuses: a JSON body of GraphQL-over-HTTP's error shape,
`{"errors": [{"message": ..., "extensions": {"code": ...}}]}`, with the HTTP status.

Used by the GraphQL view, the body limit, downloads, and Starlette's own HTTPException (the form
parser, routing's 404 and 405), so no refusal is ever text/plain without a code.
"""

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from web.media_types import JSON

# A refusal's code when the refusing layer gives none, by its status.
CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "BAD_USER_INPUT",
    416: "RANGE_NOT_SATISFIABLE",
    429: "RATE_LIMITED",
}
# What a person reads when the refusing layer says nothing (Starlette's 404 and 405 have no detail).
_MESSAGES = {
    404: "Nothing is served at this path.",
    405: "This method is not allowed here: see the Allow header.",
}


def refusal(
    status: int,
    message: str,
    code: str | None = None,
    *,
    extensions: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    media_type: str = JSON,
) -> Response:
    """The response refusing a request: JSON with `extensions.code` (by the status when not given)."""
    error = {
        "message": message,
        "extensions": {**(extensions or {}), "code": code or CODES.get(status, "BAD_REQUEST")},
    }
    body = json.dumps({"errors": [error]})
    return Response(
        body, status_code=status, headers=dict(headers or {}), media_type=f"{media_type}; charset=utf-8"
    )


async def http_exception(request: Request, error: Exception) -> Response:
    """Starlette's exception handler for HTTPException: its refusals in the same shape as Kindred's."""
    assert isinstance(error, HTTPException)
    status = error.status_code
    # Starlette's default detail is the status phrase ("Not Found"); a sentence says more.
    default = error.detail in ("", HTTPStatus(status).phrase)
    message = _MESSAGES.get(status, error.detail) if default else error.detail
    return refusal(status, message, headers=error.headers)
