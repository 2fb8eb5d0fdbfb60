"""Whose a request is: the credential of its `Authorization: Bearer <session token or API key>`, and
whether that credential still holds.

`credential_of` only verifies a session token (signature, expiry: no I/O), so the limits that refuse an
operation before it runs still reach nothing; an API key is looked up at once (its record and its
owner's state), since nothing else tells whose it is. `problem_with` checks a credential against the
auth state (state.py): expired, logged out, revoked, its account gone or suspended. What a request keeps
of the answer (its viewer, its credential, the reason it has none) is the request context's
(resolvers/context.py), which calls these.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from auth import keys, tokens
from auth.scopes import FULL, Scope
from auth.state import (
    AuthState,
    KeyRecord,
    api_key,
    remember_key,
    remember_seen,
    seen_recently,
    user_state,
)
from errors import Forbidden, KindredError, Unauthenticated
from graph import api_keys, sessions
from graph.driver import Graph
from storage.cache import Cache

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
    scope: Scope = FULL  # a session token's is every scope; an API key's, what it was made with


async def credential_of(
    authorization: object, signing_secret: str, graph: Graph, cache: Cache | None
) -> Credential:
    """The credential of an `Authorization` value; Unauthenticated (or Forbidden, for an API key of a
    suspended account) when it is none."""
    text = authorization.strip() if isinstance(authorization, str) else ""
    scheme, _, given = text.partition(" ")
    secret = given.strip()
    if scheme.lower() != "bearer" or not secret:
        raise Unauthenticated("Send credentials as 'Authorization: Bearer <token or API key>'.")
    if keys.is_api_key(secret):
        return await _check_api_key(graph, cache, keys.api_key_hash(secret))
    claims = tokens.token_claims(secret, signing_secret)
    return Credential("session", claims.subject, claims.token_id, claims.expires_at, claims.generation)


async def problem_with(credential: Credential, graph: Graph, cache: Cache | None) -> KindredError | None:
    """Why this credential is no longer good, or None."""
    try:
        if credential.expires_at is not None and credential.expires_at <= datetime.now(UTC):
            raise Unauthenticated("Your credential has expired: log in again.")
        if credential.kind == "session":
            uid, token_id = credential.user_uid, credential.credential_id
            await _check_session(graph, cache, uid, token_id, credential.generation)
        else:
            await _check_api_key(graph, cache, credential.key_hash)
    except KindredError as error:
        return error
    return None


async def _check_session(
    graph: Graph, cache: Cache | None, user_uid: str, token_id: str, generation: int
) -> None:
    state = await _active_user(graph, cache, user_uid)
    if generation != state.generation or token_id in state.revoked:
        raise Unauthenticated("This session has ended (logged out): log in again.")
    # A session's last use, like an API key's, is written at most once a minute, not on every request.
    if not await seen_recently(cache, token_id, _LAST_USED_RESOLUTION):
        await graph.write(sessions.touch, token_id)
        await remember_seen(cache, token_id)


async def _check_api_key(graph: Graph, cache: Cache | None, key_hash: str) -> Credential:
    key = await api_key(cache, graph, key_hash)
    if key is None:
        raise Unauthenticated("This API key is not valid: it may have been revoked or have expired.")
    await _active_user(graph, cache, key.owner)
    if key.last_used_at is None or datetime.now(UTC) - key.last_used_at > _LAST_USED_RESOLUTION:
        await graph.write(api_keys.mark_used, key.uid)
        used = KeyRecord(key.uid, key.owner, key.expires_at, datetime.now(UTC), key.scope)
        await remember_key(cache, key_hash, used)
    return Credential("api_key", key.owner, key.uid, key.expires_at, key_hash=key_hash, scope=key.scope)


async def _active_user(graph: Graph, cache: Cache | None, user_uid: str) -> AuthState:
    state = await user_state(cache, graph, user_uid)
    if state is None:
        raise Unauthenticated("This account no longer exists.")
    if state.status == "erasing":  # graph/erasure.py: as good as gone from the moment it was asked
        raise Unauthenticated("This account has been deleted.")
    if state.status != "active":
        raise Forbidden(f"This account is {state.status}.", status=state.status)
    return state
