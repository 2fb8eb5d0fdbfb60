"""Blobs in S3 or any S3-compatible store, through boto3 (synchronous: each call runs in a thread).

Large files go up in parts through boto3's own transfer manager (multipart above a threshold); the
bucket is made on first use if it is missing. Downloads by clients use short-lived presigned URLs.
"""

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable
from typing import Any, BinaryIO, TypeVar

import boto3
from anyio import to_thread
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from storage.blobs import CHUNK_BYTES, BlobNotFound, BlobsUnavailable, StoredBlob, blob_key, owner_of

T = TypeVar("T")
# Parts of 8 MiB, two at a time: a 200 MB upload holds about 16 MiB of it in memory at once.
TRANSFER = TransferConfig(
    multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024, max_concurrency=2
)
_MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


class S3BlobStore:
    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        timeout_seconds: float = 30,
    ) -> None:
        self.bucket = bucket
        # Unset credentials fall back to boto3's own chain (environment, profile, instance role).
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                connect_timeout=timeout_seconds,
                read_timeout=timeout_seconds,
                retries={"max_attempts": 3, "mode": "standard"},
                signature_version="s3v4",
            ),
        )
        self.region = region
        self._bucket_ready = False
        self._bucket_lock = asyncio.Lock()

    async def _call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        await self._ensure_bucket()
        return await self._run(function, *args, **kwargs)

    @staticmethod
    async def _run(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return await to_thread.run_sync(lambda: function(*args, **kwargs))
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code")) in _MISSING:
                raise BlobNotFound(str(kwargs.get("Key", ""))) from error
            raise
        except BotoCoreError as error:  # unreachable, timed out, no credentials
            raise BlobsUnavailable(str(error)) from error

    async def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        async with self._bucket_lock:
            if self._bucket_ready:
                return
            try:
                await self._run(self.client.head_bucket, Bucket=self.bucket)
            except BlobNotFound:
                await self._run(self.client.create_bucket, Bucket=self.bucket, **self._location())
            self._bucket_ready = True

    def _location(self) -> dict[str, Any]:
        # us-east-1 is the one region S3 refuses a location constraint for.
        if self.region and self.region != "us-east-1":
            return {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
        return {}

    async def put(self, owner: str, source: BinaryIO) -> StoredBlob:
        blob_key(owner, "0" * 64)
        # The key is the content's hash, so the file is hashed first (in chunks), then sent in parts
        # only if the owner does not have it yet.
        start = source.tell()
        sha256, size = await to_thread.run_sync(_digest, source)
        key = blob_key(owner, sha256)
        if await self.size(key) is not None:
            return StoredBlob(key, sha256, size, created=False)
        source.seek(start)
        await self._call(self.client.upload_fileobj, source, self.bucket, key, Config=TRANSFER)
        return StoredBlob(key, sha256, size, created=True)

    async def size(self, key: str) -> int | None:
        owner_of(key)
        try:
            head = await self._call(self.client.head_object, Bucket=self.bucket, Key=key)
        except BlobNotFound:
            return None
        return int(head["ContentLength"])

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        owner_of(key)
        if end is not None and end <= start:
            return
        byte_range = f"bytes={start}-{'' if end is None else end - 1}"
        answer = await self._call(self.client.get_object, Bucket=self.bucket, Key=key, Range=byte_range)
        body = answer["Body"]
        try:
            while chunk := await self._run(body.read, CHUNK_BYTES):
                yield chunk
        finally:
            body.close()

    async def download(self, key: str, path: str) -> None:
        owner_of(key)
        await self._call(self.client.download_file, self.bucket, key, path, Config=TRANSFER)

    async def delete(self, key: str) -> None:
        owner_of(key)
        await self._call(self.client.delete_object, Bucket=self.bucket, Key=key)

    async def delete_owner(self, owner: str) -> int:
        prefix = blob_key(owner, "0" * 64).rsplit("/", 1)[0] + "/"
        deleted = 0
        while True:
            listed = await self._call(self.client.list_objects_v2, Bucket=self.bucket, Prefix=prefix)
            keys = [{"Key": item["Key"]} for item in listed.get("Contents", [])]
            if not keys:
                return deleted
            await self._call(self.client.delete_objects, Bucket=self.bucket, Delete={"Objects": keys})
            deleted += len(keys)

    async def presigned_url(self, key: str, *, filename: str, mime: str, seconds: int) -> str | None:
        owner_of(key)
        await self._ensure_bucket()
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentType": mime,
            "ResponseContentDisposition": _disposition(filename),
        }
        return await self._run(
            self.client.generate_presigned_url, "get_object", Params=params, ExpiresIn=seconds
        )

    async def close(self) -> None:
        await to_thread.run_sync(self.client.close)


def _digest(source: BinaryIO) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _disposition(filename: str) -> str:
    """An attachment header naming the file, safe for any name (RFC 6266's filename*)."""
    from urllib.parse import quote

    ascii_name = "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in filename
    )
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
