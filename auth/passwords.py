"""Passwords, hashed with argon2id: hashing, verifying in constant time whether the account exists or
not, and telling when a stored hash needs the current parameters."""

import secrets
from functools import cache

from anyio import to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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
