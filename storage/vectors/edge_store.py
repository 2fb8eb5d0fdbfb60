"""Vectors on disk in process with qdrant-edge, Qdrant's own engine as a library: the embedded default.

One shard (a folder under the data folder) per collection, the same payload and filters as a Qdrant server,
searched in Rust with the owner filter applied through its keyword index (the tenant key). Its calls block,
so each runs in a worker thread.

New points go to an appendable segment that a search scans exactly (0.3 ms per 1,000 points an owner
has). qdrant-edge builds its HNSW index only when asked (`optimize`, run at start when
KINDRED_VECTORS_INDEX_AT_START is set: it holds Python's GIL while it builds, so it cannot run beside
requests), turning segments over its indexing threshold into
indexed ones; a search then walks the graph (`HNSW_EF` candidates) instead of every point.

A shard's folder is locked by one process: one Kindred instance per data folder; several instances share
a Qdrant server instead (QDRANT_URL).
"""

import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import anyio
import qdrant_edge as edge

from storage.vectors import (
    AUTHOR,
    VectorHit,
    VectorPoint,
    VectorSpace,
    batches,
    check_vector,
    merge,
    owned_vectors,
    point_id,
)

T = TypeVar("T")
_INDEXED = {"owner": True, "uid": False, "label": False}  # keyword payload indexes; True: the tenant key
# Candidates an indexed search keeps while it walks the HNSW graph (at least its limit): the higher, the
# nearer its answers to an exact scan's (bench/search_size.py measures the overlap) and the slower.
HNSW_EF = 256


class EdgeStore:
    def __init__(self, root: Path, space: VectorSpace, indexing_threshold_kb: int | None = None) -> None:
        self.space = space
        # The size of unindexed vectors (KB) past which `optimize` indexes a segment: qdrant's default
        # (10 MB, 6,800 points of 384 dimensions) unless given.
        self._indexing_threshold_kb = indexing_threshold_kb
        self._root = root
        self._shards: dict[str, edge.EdgeShard] = {}
        self._opening = threading.Lock()
        self.exact = False  # every search an exact scan, index or not (a benchmark's comparison)

    async def ensure(self, kind: str) -> None:
        await self._run(self._shard, self.space.collection(kind))

    async def upsert(self, kind: str, points: Sequence[VectorPoint]) -> None:
        if not points:
            return
        for point in points:
            check_vector(self.space, point.vector)
        edge_points = [edge.Point(p.point_id(), list(p.vector), p.full_payload()) for p in points]
        await self._update(kind, edge.UpdateOperation.upsert_points(edge_points))

    async def delete(self, kind: str, uids: Sequence[str]) -> None:
        if uids:
            await self._update(kind, edge.UpdateOperation.delete_points([point_id(uid) for uid in uids]))

    async def delete_owner(self, owner: str) -> None:
        operation = edge.UpdateOperation.delete_points_by_filter(_filter(owner))
        for name in self._names():
            await self._run(lambda name=name: self._shard(name).update(operation))

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
        request = edge.SearchRequest(
            query=edge.Query.Nearest(list(vector)),
            limit=limit,
            filter=_filter(owner, labels, exclude, also),
            with_payload=True,
            params=edge.SearchParams(hnsw_ef=max(HNSW_EF, limit), exact=self.exact),
        )
        found = []
        for kind in kinds:
            name = self.space.collection(kind)
            points = await self._run(lambda name=name: self._shard(name).search(request))
            found.append([VectorHit.of(kind, point.score, point.payload or {}) for point in points])
        return merge(found, limit)

    async def vectors(self, kind: str, uids: Sequence[str], *, owner: str) -> dict[str, list[float]]:
        shard = await self._run(self._existing, self.space.collection(kind))
        found: dict[str, list[float]] = {}
        if shard is None:  # never written: nothing stored, and no empty shard made for it
            return found
        for batch in batches(uids):
            ids = [point_id(uid) for uid in batch]
            records = await self._run(lambda ids=ids: shard.retrieve(ids, True, True))
            found.update(owned_vectors(((r.payload, r.vector) for r in records), owner))
        return found

    async def count(self, kind: str, owner: str | None = None) -> int:
        request = edge.CountRequest(exact=True, filter=_filter(owner) if owner else None)
        name = self.space.collection(kind)
        return await self._run(lambda: self._shard(name).count(request))

    async def drop(self, kind: str) -> None:
        name = self.space.collection(kind)
        await self._run(self._drop, name)

    async def close(self) -> None:
        await self._run(self._close_all)

    async def optimize(self) -> None:
        """Builds the HNSW index of every collection of this space whose unindexed points passed the
        indexing threshold (a no-op in microseconds for one that did not). It holds the GIL while it
        builds (minutes at 100,000 points on 2 cores): run it where nothing is being served."""
        for name in self._names():
            await self._run(lambda name=name: self._shard(name).optimize())

    def _names(self) -> list[str]:
        """The collections of this space on disk."""
        if not self._root.exists():
            return []
        suffix = self.space.collection("x").removeprefix("kindred__x")
        return sorted(p.name for p in self._root.glob(f"kindred__*{suffix}") if p.is_dir())

    async def _update(self, kind: str, operation: edge.UpdateOperation) -> None:
        name = self.space.collection(kind)
        await self._run(lambda: self._shard(name).update(operation))

    async def _run(self, function: Callable[..., T], *args: object) -> T:
        return await anyio.to_thread.run_sync(function, *args)

    def _shard(self, name: str) -> edge.EdgeShard:
        with self._opening:
            shard = self._shards.get(name)
            if shard is None:
                shard = self._shards[name] = self._open(self._root / name)
            return shard

    def _existing(self, name: str) -> edge.EdgeShard | None:
        """The collection's shard if it is open or on disk; None (and nothing created) if not."""
        path = self._root / name
        with self._opening:
            shard = self._shards.get(name)
            if shard is None and path.exists() and any(path.iterdir()):
                shard = self._shards[name] = self._open(path)
            return shard

    def _open(self, path: Path) -> edge.EdgeShard:
        if path.exists() and any(path.iterdir()):
            return edge.EdgeShard.load(str(path))
        path.mkdir(parents=True, exist_ok=True)
        vectors = edge.EdgeVectorParams(size=self.space.dimensions, distance=edge.Distance.Cosine)
        optimizers = edge.EdgeOptimizersConfig(indexing_threshold=self._indexing_threshold_kb)
        shard = edge.EdgeShard.create(str(path), edge.EdgeConfig(vectors=vectors, optimizers=optimizers))
        for key, tenant in _INDEXED.items():
            index = edge.KeywordIndexParams(is_tenant=tenant)
            shard.update(edge.UpdateOperation.create_field_index(key, index))
        return shard

    def _drop(self, name: str) -> None:
        with self._opening:
            shard = self._shards.pop(name, None)
            if shard is not None:
                shard.close()
            shutil.rmtree(self._root / name, ignore_errors=True)

    def _close_all(self) -> None:
        with self._opening:
            for shard in self._shards.values():
                shard.flush()
                shard.close()
            self._shards.clear()


def _filter(
    owner: str, labels: Sequence[str] | None = None, exclude: Sequence[str] = (), also: Sequence[str] = ()
) -> edge.Filter:
    # The owner's points, and those of the `also` keys (a couple's) that another member wrote.
    owned = edge.MatchAny([owner, *also]) if also else edge.MatchValue(owner)
    must: list = [edge.FieldCondition(key="owner", match=owned)]
    if labels is not None:
        must.append(edge.FieldCondition(key="label", match=edge.MatchAny(list(labels))))
    must_not: list = [edge.FieldCondition(key="uid", match=edge.MatchAny(list(exclude)))] if exclude else []
    if also:
        must_not.append(edge.FieldCondition(key=AUTHOR, match=edge.MatchValue(owner)))
    return edge.Filter(must=must, must_not=must_not or None)
