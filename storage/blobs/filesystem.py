"""The embedded blob store: files under a folder (data/blobs), one per owner and content hash."""

import hashlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO
from uuid import uuid4

from anyio import to_thread

from storage.blobs import CHUNK_BYTES, BlobNotFound, StoredBlob, blob_key, owner_of


class FilesystemBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        # A blob is written here first and moved into place once whole, so no reader sees half a file.
        self._incoming = root / ".incoming"

    def path(self, key: str) -> Path:
        """Where a blob's file is (for a streaming response that serves byte ranges)."""
        owner_of(key)  # only keys of this module's shape reach the filesystem
        return self.root / key

    async def put(self, owner: str, source: BinaryIO) -> StoredBlob:
        blob_key(owner, "0" * 64)  # the owner is refused before anything is written
        return await to_thread.run_sync(self._put, owner, source)

    def _put(self, owner: str, source: BinaryIO) -> StoredBlob:
        self._incoming.mkdir(parents=True, exist_ok=True)
        staged = self._incoming / str(uuid4())
        digest, size = hashlib.sha256(), 0
        try:
            with staged.open("wb") as out:
                while chunk := source.read(CHUNK_BYTES):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            key = blob_key(owner, digest.hexdigest())
            final = self.path(key)
            if final.exists():
                return StoredBlob(key, digest.hexdigest(), size, created=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, final)
            return StoredBlob(key, digest.hexdigest(), size, created=True)
        finally:
            staged.unlink(missing_ok=True)

    async def size(self, key: str) -> int | None:
        path = self.path(key)
        return path.stat().st_size if path.is_file() else None

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self.path(key)
        try:
            handle = await to_thread.run_sync(path.open, "rb")
        except FileNotFoundError as error:
            raise BlobNotFound(key) from error
        try:
            await to_thread.run_sync(handle.seek, start)
            left = None if end is None else max(0, end - start)
            while left is None or left > 0:
                want = CHUNK_BYTES if left is None else min(CHUNK_BYTES, left)
                chunk = await to_thread.run_sync(handle.read, want)
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk
        finally:
            handle.close()

    async def download(self, key: str, path: str) -> None:
        source = self.path(key)
        if not source.is_file():
            raise BlobNotFound(key)
        await to_thread.run_sync(shutil.copyfile, source, path)

    async def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    async def delete_owner(self, owner: str) -> int:
        folder = self.path(blob_key(owner, "0" * 64)).parent
        if not folder.is_dir():
            return 0
        count = sum(1 for item in folder.iterdir() if item.is_file())
        await to_thread.run_sync(shutil.rmtree, folder)
        return count

    async def presigned_url(self, key: str, *, filename: str, mime: str, seconds: int) -> str | None:
        return None  # the app serves these blobs itself (web/downloads.py)

    async def close(self) -> None:
        return None
