"""Vectors through qdrant-client: a Qdrant server or cluster (QDRANT_URL), or qdrant-client's local mode.

Local mode (path=) keeps the same API on disk in process, but it is a brute-force stand-in (it scans every
point in Python and warns past 20,000): the embedded default is qdrant-edge (edge_store.py) unless the
setting embedded_vectors says "local". Every failure to reach the server is raised as VectorsUnavailable.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from qdrant_client import AsyncQdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from storage.vectors import (
    AUTHOR,
    VectorHit,
    VectorPoint,
    VectorSpace,
    VectorsUnavailable,
    batches,
    check_vector,
    merge,
    owned_vectors,
    point_id,
)

_INDEXED = {"owner": True, "uid": False, "label": False}  # keyword payload indexes; True: the tenant key


class QdrantStore:
    def __init__(self, client: AsyncQdrantClient, space: VectorSpace, payload_indexes: bool = True) -> None:
        self.space = space
        self._client = client
        self._payload_indexes = payload_indexes
        self._ensured: set[str] = set()

    @classmethod
    def server(
        cls, url: str, space: VectorSpace, api_key: str | None = None, timeout_seconds: float = 5
    ) -> "QdrantStore":
        # No version check at start: it would be one more request to a server that may be down.
        client = AsyncQdrantClient(
            url=url, api_key=api_key, timeout=int(max(1, timeout_seconds)), check_compatibility=False
        )
        return cls(client, space)

    @classmethod
    def local(cls, path: Path, space: VectorSpace) -> "QdrantStore":
        path.mkdir(parents=True, exist_ok=True)
        # Local mode scans every point and has no payload indexes: creating them would only warn.
        return cls(AsyncQdrantClient(path=str(path)), space, payload_indexes=False)

    async def ensure(self, kind: str) -> None:
        name = self.space.collection(kind)
        if name in self._ensured:
            return
        async with self._reaching():
            if not await self._client.collection_exists(name):
                vectors = models.VectorParams(size=self.space.dimensions, distance=models.Distance.COSINE)
                await self._client.create_collection(name, vectors_config=vectors)
            for key, tenant in _INDEXED.items() if self._payload_indexes else ():
                schema = models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=tenant)
                await self._client.create_payload_index(name, key, field_schema=schema, wait=True)
        self._ensured.add(name)

    async def upsert(self, kind: str, points: Sequence[VectorPoint]) -> None:
        if not points:
            return
        for point in points:
            check_vector(self.space, point.vector)
        await self.ensure(kind)
        structs = [
            models.PointStruct(id=point.point_id(), vector=list(point.vector), payload=point.full_payload())
            for point in points
        ]
        async with self._reaching():
            await self._client.upsert(self.space.collection(kind), points=structs, wait=True)

    async def delete(self, kind: str, uids: Sequence[str]) -> None:
        if not uids:
            return
        await self.ensure(kind)
        selector = models.PointIdsList(points=[point_id(uid) for uid in uids])
        async with self._reaching():
            await self._client.delete(self.space.collection(kind), points_selector=selector, wait=True)

    async def delete_owner(self, owner: str) -> None:
        selector = models.FilterSelector(filter=_filter(owner))
        for name in await self._collections():
            async with self._reaching():
                await self._client.delete(name, points_selector=selector, wait=True)

    async def search(
        self,
        kinds: Sequence[str],
        vector: Sequence[float],
        *,
        owner: str,
        limit: int = 10,
        labels: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        also: Sequence[str] = (),
    ) -> list[VectorHit]:
        check_vector(self.space, vector)
        found = []
        for kind in kinds:
            await self.ensure(kind)
            async with self._reaching():
                response = await self._client.query_points(
                    self.space.collection(kind),
                    query=list(vector),
                    query_filter=_filter(owner, labels, exclude, also),
                    limit=limit,
                    with_payload=True,
                )
            found.append([VectorHit.of(kind, point.score, point.payload or {}) for point in response.points])
        return merge(found, limit)

    async def vectors(self, kind: str, uids: Sequence[str], *, owner: str) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        name = self.space.collection(kind)
        if name not in self._ensured:
            async with self._reaching():
                if not await self._client.collection_exists(name):
                    return found  # never written: nothing stored, and no empty collection made for it
        for batch in batches(uids):
            async with self._reaching():
                records = await self._client.retrieve(
                    self.space.collection(kind),
                    ids=[point_id(uid) for uid in batch],
                    with_payload=True,
                    with_vectors=True,
                )
            found.update(owned_vectors(((r.payload, r.vector) for r in records), owner))
        return found

    async def count(self, kind: str, owner: str | None = None) -> int:
        await self.ensure(kind)
        async with self._reaching():
            counted = await self._client.count(
                self.space.collection(kind), count_filter=_filter(owner) if owner else None, exact=True
            )
        return counted.count

    async def drop(self, kind: str) -> None:
        name = self.space.collection(kind)
        async with self._reaching():
            await self._client.delete_collection(name)
        self._ensured.discard(name)

    async def optimize(self) -> None:
        """A Qdrant server indexes in the background, and local mode has no index to build."""

    async def close(self) -> None:
        await self._client.close()

    async def _collections(self) -> list[str]:
        suffix = self.space.collection("x").removeprefix("kindred__x")
        async with self._reaching():
            found = await self._client.get_collections()
        return [
            c.name for c in found.collections if c.name.startswith("kindred__") and c.name.endswith(suffix)
        ]

    @asynccontextmanager
    async def _reaching(self) -> AsyncIterator[None]:
        try:
            yield
        except (ResponseHandlingException, httpx.TransportError, ConnectionError, TimeoutError) as error:
            raise VectorsUnavailable(f"Qdrant cannot be reached: {error}") from error
        except UnexpectedResponse as error:
            if error.status_code in (502, 503, 504):
                raise VectorsUnavailable(f"Qdrant is unavailable: {error}") from error
            raise


def _filter(
    owner: str, labels: Sequence[str] | None = None, exclude: Sequence[str] = (), also: Sequence[str] = ()
) -> models.Filter:
    # The owner's points, and those of the `also` keys (a couple's) that another member wrote.
    owned = models.MatchAny(any=[owner, *also]) if also else models.MatchValue(value=owner)
    must: list[models.Condition] = [models.FieldCondition(key="owner", match=owned)]
    if labels is not None:
        must.append(models.FieldCondition(key="label", match=models.MatchAny(any=list(labels))))
    must_not: list[models.Condition] = []
    if exclude:
        must_not.append(models.FieldCondition(key="uid", match=models.MatchAny(any=list(exclude))))
    if also:
        must_not.append(models.FieldCondition(key=AUTHOR, match=models.MatchValue(value=owner)))
    return models.Filter(must=must, must_not=must_not or None)
