"""The request context every resolver gets: settings, the graph, the request id and the viewer."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response

from errors import Unauthenticated
from graph import api_keys
from graph.driver import Graph
from resolvers import credentials
from resolvers.loaders import Loaders
from settings import Settings
from storage.embeddings import Embedder
from storage.vectors import VectorStore

# Recording every use of an API key would make each request a write; once a minute is enough to show it.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass
class Context:
    connection: HTTPConnection | None
    response: Response | None
    settings: Settings
    graph: Graph
    request_id: str
    viewer_uid: str | None = None
    auth_error: Unauthenticated | None = field(default=None, repr=False)
    # What a WebSocket client sent in connection_init (set by Strawberry).
    connection_params: dict[str, Any] | None = field(default=None, repr=False)
    _loaders: Loaders | None = field(default=None, repr=False)
    # What semantic search reads (None where an app runs without them).
    embedder: Embedder | None = field(default=None, repr=False)
    vectors: VectorStore | None = field(default=None, repr=False)

    @property
    def loaders(self) -> Loaders:
        """This request's DataLoaders (made on first use, so they batch within one request only)."""
        if self._loaders is None:
            self._loaders = Loaders(self.graph, self.viewer, self.settings.max_page_size)
        return self._loaders

    @property
    def viewer(self) -> str:
        """The uid of the user making the request; Unauthenticated when there is none."""
        if self.viewer_uid is None:
            raise self.auth_error or Unauthenticated("Log in, or send an API key, to do this.")
        return self.viewer_uid


async def authenticate(context: Context, authorization: str | None) -> None:
    """Sets the viewer from a `Bearer <token or API key>` credential, or the reason it was refused."""
    if not authorization:
        return
    scheme, _, credential = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        context.auth_error = Unauthenticated(
            "Send credentials as 'Authorization: Bearer <token or API key>'."
        )
        return
    try:
        context.viewer_uid = await _viewer_of(context, credential.strip())
    except Unauthenticated as error:
        context.auth_error = error


async def _viewer_of(context: Context, credential: str) -> str:
    if not credentials.is_api_key(credential):
        return credentials.token_subject(credential, context.settings.signing_secret)
    key = await context.graph.read(api_keys.active_key, credentials.api_key_hash(credential))
    if key is None:
        raise Unauthenticated("This API key is not valid: it may have been revoked or have expired.")
    last_used = key["last_used_at"]
    if last_used is None or datetime.now(UTC) - last_used > _LAST_USED_RESOLUTION:
        await context.graph.write(api_keys.mark_used, key["uid"])
    return key["owner"]
