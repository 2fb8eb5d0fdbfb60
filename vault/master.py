"""The master key that wraps every user's data key: KINDRED_MASTER_KEY (base64 of 32 bytes) when set,
else the key file `master-key` in the data folder, made (0600) the first time it is needed.

A rotation writes the new key to `master-key.next` before it re-wraps any data key and renames it over
`master-key` after, so a rotation cut short leaves both files: the ring holds both, and each wrapped key
names the version that opens it.
"""

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vault.sealing import KEY_BYTES, Unreadable, master_version_of, unwrap, wrap

ENV = "KINDRED_MASTER_KEY"
FILE = "master-key"
NEXT = "master-key.next"


class BadMasterKey(ValueError):
    """A master key that is not base64 of 32 bytes."""


def version_of(key: bytes) -> str:
    """A master key's version: a short fingerprint, which names it without revealing it."""
    return hashlib.sha256(b"kindred-master-key" + key).hexdigest()[:12]


def decode(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadMasterKey("The master key must be base64 of 32 random bytes.") from error
    if len(key) != KEY_BYTES:
        raise BadMasterKey("The master key must be base64 of 32 random bytes.")
    return key


def encode(key: bytes) -> str:
    return base64.b64encode(key).decode()


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def write_key(path: Path, key: bytes) -> None:
    """Writes a key file readable by its owner alone (0600 from its creation, never wider)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(encode(key) + "\n")
    path.chmod(0o600)


@dataclass(frozen=True)
class Ring:
    """The master keys this instance holds, by version; `current` wraps new data keys."""

    current: str
    keys: dict[str, bytes]

    def wrap(self, key: bytes, where: str) -> str:
        return wrap(key, self.current, self.keys[self.current], where)

    def unwrap(self, wrapped: str, where: str) -> bytes:
        version = master_version_of(wrapped)
        master = self.keys.get(version)
        if master is None:
            raise Unreadable(f"The master key {version} that wraps this data key is not here.")
        return unwrap(wrapped, master, where)


def load(data_dir: Path, environment: str | None = None) -> Ring:
    """The ring from KINDRED_MASTER_KEY (given, or from the environment) or the data folder's key file."""
    given = environment if environment is not None else os.environ.get(ENV)
    if given:
        key = decode(given)
        return Ring(version_of(key), {version_of(key): key})
    path = data_dir / FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: read theirs
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(encode(new_key()) + "\n")
    key = decode(path.read_text())
    keys = {version_of(key): key}
    pending = data_dir / NEXT
    if pending.exists():  # a rotation cut short: some data keys may be wrapped by its new key already
        nxt = decode(pending.read_text())
        keys[version_of(nxt)] = nxt
    return Ring(version_of(key), keys)


def ring(data_dir: Path, *, fresh: bool = False) -> Ring:
    """The master keys of this data folder (or KINDRED_MASTER_KEY), read once per process; again when
    `fresh` (a rotation by `./kindred rotate-key` happened while this process ran) or when a key file
    changed (a rotation, a restored key)."""
    if fresh:
        _ring.cache_clear()
    files = (data_dir / FILE, data_dir / NEXT)
    return _ring(data_dir, tuple(path.stat().st_mtime_ns if path.exists() else 0 for path in files))


@cache
def _ring(data_dir: Path, _files: tuple[int, ...]) -> Ring:
    return load(data_dir)
