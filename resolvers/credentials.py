"""Passwords (argon2id), signed session tokens (JWT) and API keys (random, kept only as a SHA-256 hash)."""

import hashlib
import secrets
from dataclasses import dataclass
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
        await to_thread.run_sync(_hasher.verify, password_hash or _decoy_hash(), password)  # or raises
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def _decoy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class TokenClaims:
    """What a valid session token says: whose it is, its id, the user's token generation it was issued
    in (logOutEverywhere moves the user to the next one), and when it expires."""

    subject: str
    token_id: str
    generation: int
    expires_at: datetime


def issue_token(user_uid: str, generation: int, secret: str, ttl_seconds: int) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": user_uid,
        "iss": _ISSUER,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
        "jti": secrets.token_urlsafe(16),
        "gen": generation,
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def token_claims(token: str, secret: str) -> TokenClaims:
    """The claims of a valid token; Unauthenticated for an expired or forged one."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            issuer=_ISSUER,
            options={"require": ["sub", "iat", "exp", "iss", "jti", "gen"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise Unauthenticated("Your session has expired: log in again.") from error
    except jwt.InvalidTokenError as error:
        raise Unauthenticated("The bearer token is not valid: log in again.") from error
    subject, token_id, generation = claims["sub"], claims["jti"], claims["gen"]
    # Signed by us, so these are ours; the check keeps a token of an older shape from reaching a query.
    if not (isinstance(subject, str) and isinstance(token_id, str) and type(generation) is int):
        raise Unauthenticated("The bearer token is not valid: log in again.")
    return TokenClaims(subject, token_id, generation, datetime.fromtimestamp(claims["exp"], UTC))


def new_api_key() -> tuple[str, str, str]:
    """A fresh key, its hash and the prefix shown to tell keys apart. Only the hash is stored."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, api_key_hash(key), key[: len(API_KEY_PREFIX) + 6]


def api_key_hash(key: str) -> str:
    # A key carries 256 random bits, so a fast hash is enough; a slow one would tax every request.
    return hashlib.sha256(key.encode()).hexdigest()


def is_api_key(credential: str) -> bool:
    return credential.startswith(API_KEY_PREFIX)
