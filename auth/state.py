"""The auth state a credential is checked against, cached so a request does not read Neo4j for it.

A user's state (token generation, the session tokens logged out and not yet expired, the account's
status) and an API key's record are read from Neo4j at most once per `auth_state_ttl_seconds`, into
the cache (Redis when REDIS_URL is set, so every instance sees a logout at once; else in process).
Whatever changes them (logOut, logOutEverywhere, revokeApiKey) writes the graph first and then
replaces or drops the cached entry, so the change holds on the next request.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from auth.scopes import FULL, Scope
from graph import api_keys, users
from graph.driver import Graph
from storage.cache import Cache
from wire import temporal


@dataclass(frozen=True)
class AuthState:
    generation: int
    status: str
    revoked: frozenset[str]

    @classmethod
    def of(cls, row: dict[str, Any]) -> "AuthState":
        return cls(int(row["generation"]), str(row["status"]), frozenset(row["revoked"]))


@dataclass(frozen=True)
class KeyRecord:
    """An active API key as a request needs it: its uid, its owner, its expiry and last use, and what
    it may do (its scope)."""

    uid: str
    owner: str
    expires_at: datetime | None
    last_used_at: datetime | None
    scope: Scope = FULL

    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= datetime.now(UTC)


# An API key's cached record, named anew when its form changed (times tagged as wire/temporal.py does), so
# that during a rolling deploy no instance reads a record it cannot (nor a record without the scope a
# later form keeps, which would read as every scope).
_KEY = "apikey.scoped:{}"
_EARLIER_KEYS = ("key:{}", "apikey:{}")
# When a session's last use was last written to the graph (graph/sessions.py's touch).
_SEEN = "seen:{}"


async def user_state(cache: Cache | None, graph: Graph, uid: str) -> AuthState | None:
    """The auth state of this user; None when the user does not exist (any more)."""
    key = f"user:{uid}"
    cached = await cache.get(key) if cache else None
    if cached is None:
        row = await graph.read(users.auth_state, uid)
        await remember_user(cache, uid, row)
    else:
        row = json.loads(cached)
    return AuthState.of(row) if row else None


async def remember_user(cache: Cache | None, uid: str, row: dict[str, Any] | None) -> None:
    """Caches a user's state as the graph has it now. No such user is not remembered: only a deleted
    account's (still signed) tokens ask, and an erased user's uid must not be kept anywhere."""
    if cache is not None and row is None:
        await cache.delete(f"user:{uid}")
    elif cache is not None:
        await cache.set(f"user:{uid}", json.dumps(row))


async def api_key(cache: Cache | None, graph: Graph, key_hash: str) -> KeyRecord | None:
    """The active, unexpired key with this hash; None for a revoked, expired or unknown one."""
    key = _KEY.format(key_hash)
    cached = await cache.get(key) if cache else None
    if cached is None:
        row = await graph.read(api_keys.active_key, key_hash)
        record = _key_record(row) if row else None
        await remember_key(cache, key_hash, record)
    else:
        loaded = json.loads(cached)
        record = _key_record(loaded) if loaded else None
    return None if record is None or record.expired() else record


async def remember_key(cache: Cache | None, key_hash: str, record: KeyRecord | None) -> None:
    if cache is None:
        return
    row = None
    if record is not None:
        row = {
            "uid": record.uid,
            "owner": record.owner,
            "expires_at": record.expires_at,
            "last_used_at": record.last_used_at,
            "scope": record.scope.row(),
        }
    await cache.set(_KEY.format(key_hash), json.dumps(row, default=temporal.default))


async def forget_user(cache: Cache | None, uid: str) -> None:
    if cache is not None:
        await cache.delete(f"user:{uid}")


async def forget_key(cache: Cache | None, key_hash: str) -> None:
    if cache is not None:
        await cache.delete(_KEY.format(key_hash))
        for earlier in _EARLIER_KEYS:  # what an instance of an earlier version keeps
            await cache.delete(earlier.format(key_hash))


def _key_record(row: dict[str, Any]) -> KeyRecord:
    """A key's record as the graph gives it (datetimes) or the cache keeps it (tagged: wire/temporal.py)."""
    expires_at, last_used_at = temporal.untag(row["expires_at"]), temporal.untag(row["last_used_at"])
    return KeyRecord(row["uid"], row["owner"], expires_at, last_used_at, Scope.of(row.get("scope")))


async def seen_recently(cache: Cache | None, token_id: str, within: timedelta) -> bool:
    """Whether a session's last use was recorded within `within` (no cache: take it as recorded, since
    without one every request would write)."""
    if cache is None:
        return True
    seen = await cache.get(_SEEN.format(token_id))
    return seen is not None and datetime.now(UTC) - datetime.fromisoformat(seen) < within


async def remember_seen(cache: Cache | None, token_id: str) -> None:
    """Notes that a session's last use was just recorded in the graph."""
    if cache is not None:
        await cache.set(_SEEN.format(token_id), datetime.now(UTC).isoformat())
