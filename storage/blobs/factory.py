"""The blob store the settings ask for: S3 when S3_ENDPOINT_URL or S3_BUCKET is set, else the
filesystem under the data folder."""

from settings import Settings
from storage.blobs import BlobStore
from storage.blobs.filesystem import FilesystemBlobStore
from storage.blobs.s3 import S3BlobStore


def create_blob_store(settings: Settings) -> BlobStore:
    if settings.s3_endpoint_url or settings.s3_bucket:
        secret = settings.s3_secret_access_key
        return S3BlobStore(
            settings.s3_bucket or "kindred",
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
            timeout_seconds=settings.s3_timeout_seconds,
        )
    return FilesystemBlobStore(settings.blobs_dir)
