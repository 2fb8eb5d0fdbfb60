"""API keys: random, shown once, kept only as a SHA-256 hash (graph/api_keys.py stores them)."""

import hashlib
import secrets

API_KEY_PREFIX = "kdr_"


def new_api_key() -> tuple[str, str, str]:
    """A fresh key, its hash and the prefix shown to tell keys apart. Only the hash is stored."""
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    return key, api_key_hash(key), key[: len(API_KEY_PREFIX) + 6]


def api_key_hash(key: str) -> str:
    # A key carries 256 random bits, so a fast hash is enough; a slow one would tax every request.
    return hashlib.sha256(key.encode()).hexdigest()


def is_api_key(credential: str) -> bool:
    return credential.startswith(API_KEY_PREFIX)
