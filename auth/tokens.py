"""Session tokens: signed JWTs (HS256) that say whose they are, their id, the user's token generation
they were issued in, and when they expire. Verifying one needs no I/O; whether it was logged out since
is for the user's auth state to say."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from errors import Unauthenticated

_ISSUER = "kindred"
_ALGORITHM = "HS256"


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
