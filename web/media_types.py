"""Content negotiation for GraphQL over HTTP: application/graphql-response+json or application/json."""

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in, or None when the client accepts neither."""
    if not accept or not accept.strip():
        return JSON  # the specification's default for a client that does not say
    best, best_rank = None, (0.0, 0)
    for part in accept.split(","):
        media, *params = (piece.strip().lower() for piece in part.split(";"))
        quality = _quality(params)
        if media == GRAPHQL_RESPONSE_JSON:
            candidate, rank = GRAPHQL_RESPONSE_JSON, (quality, 2)
        elif media in (JSON, "application/*", "*/*"):
            candidate, rank = JSON, (quality, 1)
        else:
            continue
        if quality > 0 and rank > best_rank:
            best, best_rank = candidate, rank
    return best


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
