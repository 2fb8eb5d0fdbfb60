"""AES-GCM sealing of a user's sensitive fields with their data key, and of data keys with a master key.

A sealed field names the data key it was sealed with (`s1:<key id>:<nonce+ciphertext>`), and a wrapped
data key names the master key that wraps it (`w1:<master version>:<nonce+ciphertext>`), so a rotation of
the master key and the reads that follow it agree on which key opens what. Each is bound (as associated
data) to where it belongs: a field to its owner, node and name; a data key to its owner and id. A copy
moved anywhere else does not open.
"""

import base64
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEALED = "s1"
WRAPPED = "w1"
KEY_BYTES = 32
_NONCE_BYTES = 12


class Unreadable(Exception):
    """A sealed value (or a wrapped key) that cannot be opened: its key is gone, or it was altered."""


def field_where(owner: str, label: str, uid: str, name: str) -> str:
    """What a sealed field is bound to: a copy moved to another node, field or user does not open."""
    return f"{owner}:{label}:{uid}:{name}"


def key_where(owner: str, key_id: str) -> str:
    """What a wrapped data key is bound to: its owner and its id."""
    return f"data-key:{owner}:{key_id}"


def new_data_key() -> tuple[str, bytes]:
    """A fresh data key and its id."""
    return secrets.token_hex(8), AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(SEALED + ":")


def seal(text: str, key_id: str, key: bytes, where: str) -> str:
    """`text` sealed with the data key `key_id`, bound to `where` (owner, node and field)."""
    return f"{SEALED}:{key_id}:{_encrypt(key, text.encode(), where)}"


def key_id_of(sealed: str) -> str:
    """The id of the data key a sealed value names."""
    parts = sealed.split(":", 2)
    if len(parts) != 3 or parts[0] != SEALED:
        raise Unreadable("This is not a sealed value.")
    return parts[1]


def open_sealed(sealed: str, key_id: str | None, key: bytes | None, where: str) -> str:
    """The text of a sealed value; Unreadable when its data key is gone or it does not belong `where`."""
    named = key_id_of(sealed)
    if key is None or key_id != named:
        raise Unreadable(f"The data key {named} this value was sealed with is gone: it cannot be read.")
    return _decrypt(key, sealed.split(":", 2)[2], where).decode()


def wrap(key: bytes, master_version: str, master: bytes, where: str) -> str:
    """A data key wrapped by the master key `master_version`, bound to `where` (owner and key id)."""
    return f"{WRAPPED}:{master_version}:{_encrypt(master, key, where)}"


def master_version_of(wrapped: str) -> str:
    parts = wrapped.split(":", 2)
    if len(parts) != 3 or parts[0] != WRAPPED:
        raise Unreadable("This is not a wrapped data key.")
    return parts[1]


def unwrap(wrapped: str, master: bytes, where: str) -> bytes:
    return _decrypt(master, wrapped.split(":", 2)[2], where)


def _encrypt(key: bytes, plain: bytes, where: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plain, where.encode())).decode()


def _decrypt(key: bytes, encoded: str, where: str) -> bytes:
    try:
        raw = base64.b64decode(encoded, validate=True)
        return AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], where.encode())
    except (InvalidTag, ValueError) as error:
        raise Unreadable("This value does not open with its key: it was altered or moved.") from error
