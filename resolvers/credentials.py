"""Passwords (argon2id), signed session tokens (JWT) and API keys (random, kept only as a SHA-256 hash)."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from anyio import to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from errors import Unauthenticated

API_KEY_PREFIX = "kdr_"
_ISSUER = "kindred"
_ALGORITHM = "HS256"
_hasher = PasswordHasher()


async def hash_password(password: str) -> str:
    # argon2 is deliberately slow: off the event loop, so other requests go on meanwhile.
    return await to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """False for a wrong password; with no hash, spends the same time, so unknown emails do not show."""
    try:
        matched = await to_thread.run_sync(_hasher.verify, password_hash or _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def _decoy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def issue_token(user_uid: str, secret: str, ttl_seconds: int) -> str:
    now = datetime.now(UTC)
    claims = {"sub": user_uid, "iss": _ISSUER, "iat": now, "exp": now + timedelta(seconds=ttl_seconds)}
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def token_subject(token: str, secret: str) -> str:
    """The user uid a valid token was issued to; Unauthenticated for an expired or forged one."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            issuer=_ISSUER,
            options={"require": ["sub", "iat", "exp", "iss"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise Unauthenticated("Your session has expired: log in again.") from error
    except jwt.InvalidTokenError as error:
        raise Unauthenticated("The bearer token is not valid: log in again.") from error
    return str(claims["sub"])


def new_api_key() -> tuple[str, str, str]:
    """A fresh key, its hash and the prefix shown to tell keys apart. Only the hash is stored."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, api_key_hash(key), key[: len(API_KEY_PREFIX) + 6]


def api_key_hash(key: str) -> str:
    # A key carries 256 random bits, so a fast hash is enough; a slow one would tax every request.
    return hashlib.sha256(key.encode()).hexdigest()


def is_api_key(credential: str) -> bool:
    return credential.startswith(API_KEY_PREFIX)
