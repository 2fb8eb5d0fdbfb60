"""The blob store interface: a user's files (PDFs, audio, photos), content-addressed and scoped by owner.

A blob's key is "<owner>/<sha256 of its bytes>": the same file stored twice by one user is kept once,
and no key of one user can name another's blob. `put` reads its source once, in chunks (never whole in
memory), hashing as it goes. Which Documents still need a blob is the graph's to say: the store deletes
what it is told to.
"""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

CHUNK_BYTES = 1024 * 1024  # what is read (and held) at a time
_OWNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobsUnavailable(Exception):
    """The blob store cannot be reached: uploads and downloads fail for now; deletions are retried."""


class BlobNotFound(Exception):
    """No blob has this key."""


@dataclass(frozen=True)
class StoredBlob:
    key: str
    sha256: str
    size: int
    created: bool  # False when the owner already had these bytes: nothing new was written


def blob_key(owner: str, sha256: str) -> str:
    if not _OWNER.fullmatch(owner):
        raise ValueError(f"not an owner's uid: {owner!r}")
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a sha256 in hex: {sha256!r}")
    return f"{owner}/{sha256}"


def owner_of(key: str) -> str:
    owner, _, sha256 = key.partition("/")
    blob_key(owner, sha256)  # refuses anything that is not a key this module made
    return owner


class BlobStore(Protocol):
    async def put(self, owner: str, source: BinaryIO) -> StoredBlob:
        """Stores the bytes of `source` (read from its current position to its end) under the owner's
        key for their sha256; storing bytes the owner already has writes nothing."""
        ...

    async def size(self, key: str) -> int | None:
        """The blob's size in bytes, or None when there is none."""
        ...

    def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The blob's bytes from `start` up to (not including) `end`, in chunks; BlobNotFound if none."""
        ...

    async def download(self, key: str, path: str) -> None:
        """Copies the blob into a local file (for extraction); BlobNotFound if none."""
        ...

    async def delete(self, key: str) -> None:
        """Removes the blob (a missing one is no error)."""
        ...

    async def delete_owner(self, owner: str) -> int:
        """Removes every blob of the owner; returns how many there were."""
        ...

    async def presigned_url(self, key: str, *, filename: str, mime: str, seconds: int) -> str | None:
        """A URL anyone holding it may download the blob from for `seconds`, or None when this store
        has no such URLs (the app serves the blob itself then)."""
        ...

    async def close(self) -> None: ...


__all__ = [
    "CHUNK_BYTES",
    "BlobNotFound",
    "BlobStore",
    "BlobsUnavailable",
    "StoredBlob",
    "blob_key",
    "owner_of",
]
