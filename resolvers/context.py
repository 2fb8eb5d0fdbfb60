"""The request context every resolver gets: settings, the graph, the request id and the viewer.

Whose a credential is, and whether it still holds, is auth/'s to say (auth/viewer.py); `authenticate`,
`confirm` and `recheck` keep its answers here, for one request or for the life of a WebSocket."""

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response

from auth.scopes import FULL, Scope
from auth.viewer import Credential, credential_of, problem_with
from errors import Forbidden, KindredError, Unauthenticated
from graph.driver import Graph
from graph.refs import Ref
from resolvers.loaders import Loaders
from settings import Settings
from storage.blobs import BlobStore
from storage.cache import Cache
from storage.companion import CompanionCaches
from storage.embeddings import Embedder
from storage.pubsub import PubSub
from storage.vectors import VectorStore


@dataclass
class Context:
    connection: HTTPConnection | None
    response: Response | None
    settings: Settings
    graph: Graph
    request_id: str
    viewer_uid: str | None = None
    auth_error: KindredError | None = field(default=None, repr=False)
    # What a WebSocket client sent in connection_init (set by Strawberry).
    connection_params: dict[str, Any] | None = field(default=None, repr=False)
    _loaders: Loaders | None = field(default=None, repr=False)
    # The auth-state cache (storage/); None checks every credential against Neo4j (the demo seed).
    auth_cache: Cache | None = field(default=None, repr=False)
    # Conversations' working memory, kept hot (resolvers/working_memory.py); None keeps no hot copy.
    working_memory: Cache | None = field(default=None, repr=False)
    # Each person's last list of gift recommendations (resolvers/recommendations.py); None keeps none.
    recommendations: Cache | None = field(default=None, repr=False)
    # The companion's orb and scene state (resolvers/companion.py); None keeps none.
    companion: CompanionCaches | None = field(default=None, repr=False)
    # This request's working memories, read together (a DataLoader: resolvers/working_memory.py).
    working_memories: Any = field(default=None, repr=False)
    # The rate limits (storage/rate_limits.py), for the per-email limit of logIn and signUp.
    rate_limits: Any = field(default=None, repr=False)
    credential: Credential | None = field(default=None, repr=False)
    # Whether the credential was checked against the auth state yet (see `confirm`).
    confirmed: bool = field(default=False, repr=False)
    # What semantic search reads (None where an app runs without them).
    embedder: Embedder | None = field(default=None, repr=False)
    vectors: VectorStore | None = field(default=None, repr=False)
    # Where live updates arrive (subscriptions, resolvers/live.py).
    pubsub: PubSub | None = field(default=None, repr=False)
    # Where uploaded files are kept (None where an app runs without them).
    blobs: BlobStore | None = field(default=None, repr=False)
    # What each list field of this request's document reads of its nodes (schema/selection.py), worked
    # out once per field, not once per parent.
    reads: dict[Any, Any] = field(default_factory=dict, repr=False)
    # The viewer's data key (id, key), unwrapped once per request (resolvers/sealed.py).
    data_key: tuple[str, bytes] | None = field(default=None, repr=False)

    @property
    def loaders(self) -> Loaders:
        """This request's DataLoaders (made on first use, so they batch within one request only)."""
        if self._loaders is None:
            self._loaders = Loaders(self.graph, self.viewer)
        return self._loaders

    @property
    def viewer(self) -> str:
        """The uid of the user making the request; Unauthenticated when there is none."""
        if self.viewer_uid is None:
            raise self.auth_error or Unauthenticated("Log in, or send an API key, to do this.")
        return self.viewer_uid

    @property
    def actor(self) -> str | None:
        """Who the Events this request writes name as their actor: its Session, or its ApiKey."""
        if self.credential is None or self.viewer_uid is None:
            return None
        label = "Session" if self.credential.kind == "session" else "ApiKey"
        return str(Ref(label, self.credential.credential_id))

    @property
    def scope(self) -> Scope:
        """What the request's credential may do: every scope for a session token, a key's own for a key."""
        return self.credential.scope if self.credential is not None else FULL

    @property
    def session(self) -> Credential:
        """The session token of the request: managing credentials needs one, an API key is Forbidden."""
        if self.credential is None or self.viewer_uid is None:
            raise self.auth_error or Unauthenticated("Log in to do this.")
        if self.credential.kind != "session":
            raise Forbidden("An API key cannot manage credentials: log in and use the session token.")
        return self.credential


async def authenticate(context: Context, authorization: object) -> None:
    """Sets the viewer from a `Bearer <token or API key>` credential, or the reason it was refused.

    A session token is only verified here (signature, expiry: no I/O), so the limits that refuse an
    operation before it runs still reach nothing; `confirm` checks it against the auth state next.
    """
    if authorization is None or authorization == "":
        return
    try:
        secret, graph, cache = context.settings.signing_secret, context.graph, context.auth_cache
        context.credential = await credential_of(authorization, secret, graph, cache)
    except KindredError as error:
        context.auth_error = error
        return
    context.viewer_uid = context.credential.user_uid
    context.confirmed = context.credential.kind == "api_key"  # its lookup checked its owner too


async def confirm(context: Context) -> None:
    """Checks the credential against the auth state (logged out, account gone or suspended) once per
    context: after it, a viewer is one whose credential holds, or there is none and auth_error says why."""
    if context.confirmed or context.credential is None:
        return
    problem = await recheck(context)
    context.confirmed = True
    if problem is not None:
        context.viewer_uid, context.credential, context.auth_error = None, None, problem


async def recheck(context: Context) -> KindredError | None:
    """Why the credential a (WebSocket) context authenticated with is no longer good, or None."""
    credential = context.credential
    if credential is None:
        return Unauthenticated("Log in, or send an API key, to do this.")
    return await problem_with(credential, context.graph, context.auth_cache)
