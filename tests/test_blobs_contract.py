"""One contract for every blob store: the filesystem store, and S3 through boto3 against moto's S3
server, run as a real process on a free port and spoken to over real HTTP."""

import hashlib
import io
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from localneo4j import free_port
from storage.blobs import BlobNotFound, BlobStore, blob_key
from storage.blobs.filesystem import FilesystemBlobStore
from storage.blobs.s3 import S3BlobStore

OWNER = "0b7c3a52-0000-4000-8000-000000000001"
OTHER = "0b7c3a52-0000-4000-8000-000000000002"


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 server (moto[server]), a real process on 127.0.0.1."""
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None and time.monotonic() < deadline, "moto's server did not start"
        try:
            httpx.get(f"{url}/moto-api/", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


def s3_store(moto_url: str, bucket: str) -> S3BlobStore:
    return S3BlobStore(
        bucket,
        endpoint_url=moto_url,
        region="eu-west-1",
        access_key_id="testing",
        secret_access_key="testing",
    )


@pytest.fixture(params=["filesystem", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "filesystem":
        blobs: BlobStore = FilesystemBlobStore(tmp_path / "blobs")
    else:
        # A bucket of its own per test, made by the store itself on first use.
        blobs = s3_store(request.getfixturevalue("moto_url"), f"kindred-{tmp_path.name.lower()[-40:]}")
    yield blobs
    await blobs.close()


async def read_all(store: BlobStore, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in store.read(key, start, end)])


async def test_a_blob_is_kept_under_its_owner_and_content_hash(store: BlobStore) -> None:
    data = b"%PDF-1.4 a small file\n" * 100
    stored = await store.put(OWNER, io.BytesIO(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.key == f"{OWNER}/{stored.sha256}"
    assert (stored.size, stored.created) == (len(data), True)
    assert await store.size(stored.key) == len(data)
    assert await read_all(store, stored.key) == data


async def test_the_same_bytes_twice_are_stored_once(store: BlobStore) -> None:
    first = await store.put(OWNER, io.BytesIO(b"same bytes"))
    again = await store.put(OWNER, io.BytesIO(b"same bytes"))
    assert again.key == first.key and again.created is False
    other = await store.put(OTHER, io.BytesIO(b"same bytes"))
    assert other.key != first.key and other.created is True  # never shared across owners


async def test_a_byte_range_reads_only_those_bytes(store: BlobStore) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)  # over several read chunks
    stored = await store.put(OWNER, io.BytesIO(data))
    assert await read_all(store, stored.key, 10, 20) == data[10:20]
    assert (
        await read_all(store, stored.key, 1024 * 1024 - 5, 2 * 1024 * 1024 + 5)
        == data[1024 * 1024 - 5 : 2 * 1024 * 1024 + 5]
    )
    assert await read_all(store, stored.key, len(data) - 3) == data[-3:]


async def test_a_large_file_is_stored_whole(store: BlobStore, tmp_path: Path) -> None:
    """20 MB: over the S3 store's multipart threshold, so it goes up in parts."""
    source = tmp_path / "large.bin"
    block = os.urandom(1024 * 1024)
    with source.open("wb") as out:
        for _ in range(20):
            out.write(block)
    with source.open("rb") as handle:
        stored = await store.put(OWNER, handle)
    assert stored.size == 20 * 1024 * 1024
    copy = tmp_path / "copy.bin"
    await store.download(stored.key, str(copy))
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == stored.sha256


async def test_deleting_a_blob_removes_it_and_a_missing_one_is_not_found(store: BlobStore) -> None:
    stored = await store.put(OWNER, io.BytesIO(b"to be deleted"))
    await store.delete(stored.key)
    assert await store.size(stored.key) is None
    with pytest.raises(BlobNotFound):
        await read_all(store, stored.key)
    await store.delete(stored.key)  # again: no error


async def test_deleting_an_owner_removes_their_blobs_only(store: BlobStore) -> None:
    mine = [await store.put(OWNER, io.BytesIO(f"mine {i}".encode())) for i in range(3)]
    theirs = await store.put(OTHER, io.BytesIO(b"theirs"))
    assert await store.delete_owner(OWNER) == 3
    assert [await store.size(blob.key) for blob in mine] == [None, None, None]
    assert await store.size(theirs.key) == len(b"theirs")


async def test_keys_are_only_owner_and_hash(store: BlobStore) -> None:
    with pytest.raises(ValueError):
        await store.put("../escape", io.BytesIO(b"x"))
    with pytest.raises(ValueError):
        await store.size(f"{OWNER}/../../etc/passwd")
    with pytest.raises(ValueError):
        blob_key(OWNER, "not-a-hash")


async def test_a_presigned_url_serves_the_blob_on_s3_for_a_while(moto_url: str) -> None:
    store = s3_store(moto_url, "kindred-presigned")
    try:
        stored = await store.put(OWNER, io.BytesIO(b"ID3 an audio file"))
        url = await store.presigned_url(stored.key, filename="talk.mp3", mime="audio/mpeg", seconds=60)
        assert url is not None and "X-Amz-Signature" in url
        async with httpx.AsyncClient() as http:
            answer = await http.get(url, headers={"Range": "bytes=4-8"})
            assert answer.status_code == 206 and answer.content == b"an au"
            tampered = url.replace(stored.sha256, hashlib.sha256(b"other").hexdigest())
            assert (await http.get(tampered)).status_code == 403
    finally:
        await store.close()


async def test_the_filesystem_store_has_no_presigned_urls(tmp_path: Path) -> None:
    store = FilesystemBlobStore(tmp_path)
    stored = await store.put(OWNER, io.BytesIO(b"x"))
    assert await store.presigned_url(stored.key, filename="x", mime="x/y", seconds=60) is None
