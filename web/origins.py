"""Which pages may open a WebSocket to /graphql: the same origin, a client that is no browser (it sends no
Origin), and the origins KINDRED_CORS_ORIGINS names, the same list that lets them make HTTP requests.

A browser applies no CORS to a WebSocket handshake and sends the user's cookies with it, so the Origin
header is checked before the socket is accepted. Strawberry checks it too, against a list it calls
`allowed_origins`; its refusal would tell the user to edit a setting Kindred does not have, so Kindred
checks first, with the same rules, and names its own setting."""

import logging
from collections.abc import Collection, Mapping

from strawberry.http.websocket_origin import is_same_origin, normalize_allowed_origins, normalize_origin

logger = logging.getLogger("kindred.origins")
SETTING = "KINDRED_CORS_ORIGINS"


def allowed(origins: Collection[str]) -> frozenset[str]:
    """KINDRED_CORS_ORIGINS as origins a browser sends (lowercase, no default port, no trailing slash),
    "*" for any; a ValueError naming the setting for an entry that is no origin."""
    try:
        return normalize_allowed_origins([origin.rstrip("/") for origin in origins])
    except ValueError:
        wrong = [
            origin for origin in origins if origin != "*" and normalize_origin(origin.rstrip("/")) is None
        ]
        raise ValueError(
            f"{SETTING} lists {wrong or list(origins)}: each must be an origin like https://app.example.com "
            "(scheme, host and port if not the default, no path), or *."
        ) from None


def admits(headers: Mapping[str, str], origins: frozenset[str]) -> bool:
    """Whether a WebSocket handshake with these headers (lowercase names) may go on; a refusal is logged
    with the setting that would admit it."""
    origin = headers.get("origin")
    if origin is None:  # no browser: it carries no one's cookies
        return True
    host = headers.get("host")
    if headers.get("sec-fetch-site") == "same-origin" or is_same_origin(origin, host):
        return True
    if "*" in origins or normalize_origin(origin) in origins:
        return True
    logger.warning(
        "Refused a WebSocket from origin %r to host %r: to let pages on it subscribe, add it to %s "
        "(a comma-separated list, the one CORS uses).",
        origin,
        host,
        SETTING,
    )
    return False
