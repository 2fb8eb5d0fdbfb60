"""The request context every resolver gets: settings, the graph, the request id and the viewer."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from starlette.requests import HTTPConnection
from starlette.responses import Response

from auth import keys, tokens
from auth.state import AuthState, KeyRecord, api_key, remember_key, user_state
from errors import Forbidden, KindredError, Unauthenticated
from graph import api_keys
from graph.driver import Graph
from resolvers.loaders import Loaders
from settings import Settings
from storage.blobs import BlobStore
from storage.cache import Cache
from storage.embeddings import Embedder
from storage.pubsub import PubSub
from storage.vectors import VectorStore

# Recording every use of an API key would make each request a write; once a minute is enough to show it.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Credential:
    """What a request authenticated with: a session token (its id and generation) or an API key (its
    uid and hash), whose user, and when it expires."""

    kind: Literal["session", "api_key"]
    user_uid: str
    credential_id: str  # a session token's jti, an API key's uid
    expires_at: datetime | None
    generation: int = 0
    key_hash: str = ""


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
        context.credential = await _credential_of(context, authorization)
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
    try:
        if credential.expires_at is not None and credential.expires_at <= datetime.now(UTC):
            raise Unauthenticated("Your credential has expired: log in again.")
        if credential.kind == "session":
            uid, token_id = credential.user_uid, credential.credential_id
            await _check_session(context, uid, token_id, credential.generation)
        else:
            await _check_api_key(context, credential.key_hash)
    except KindredError as error:
        return error
    return None


async def _credential_of(context: Context, authorization: object) -> Credential:
    text = authorization.strip() if isinstance(authorization, str) else ""
    scheme, _, given = text.partition(" ")
    secret = given.strip()
    if scheme.lower() != "bearer" or not secret:
        raise Unauthenticated("Send credentials as 'Authorization: Bearer <token or API key>'.")
    if keys.is_api_key(secret):
        return await _check_api_key(context, keys.api_key_hash(secret))
    claims = tokens.token_claims(secret, context.settings.signing_secret)
    return Credential("session", claims.subject, claims.token_id, claims.expires_at, claims.generation)


async def _check_session(context: Context, user_uid: str, token_id: str, generation: int) -> None:
    state = await _active_user(context, user_uid)
    if generation != state.generation or token_id in state.revoked:
        raise Unauthenticated("This session has ended (logged out): log in again.")


async def _check_api_key(context: Context, key_hash: str) -> Credential:
    key = await api_key(context.auth_cache, context.graph, key_hash)
    if key is None:
        raise Unauthenticated("This API key is not valid: it may have been revoked or have expired.")
    await _active_user(context, key.owner)
    if key.last_used_at is None or datetime.now(UTC) - key.last_used_at > _LAST_USED_RESOLUTION:
        await context.graph.write(api_keys.mark_used, key.uid)
        used = KeyRecord(key.uid, key.owner, key.expires_at, datetime.now(UTC))
        await remember_key(context.auth_cache, key_hash, used)
    return Credential("api_key", key.owner, key.uid, key.expires_at, key_hash=key_hash)


async def _active_user(context: Context, user_uid: str) -> AuthState:
    state = await user_state(context.auth_cache, context.graph, user_uid)
    if state is None:
        raise Unauthenticated("This account no longer exists.")
    if state.status != "active":
        raise Forbidden(f"This account is {state.status}.", status=state.status)
    return state
