"""The vector store interface: one collection per embedded kind and vector space, every search by owner.

A collection is named by (kind, model id, dimensions), so vectors of two models never meet: changing the
embedder starts new collections (filled by a reindex) and leaves the old ones as they were. Each point's id
is derived from its node's uid (uuid5), so writing the same node again replaces its point, and its payload
carries owner, uid, label and the embedded text (plus whatever the caller adds). The owner is always a
filter inside the engine (a keyword payload index, marked as the tenant key), never applied afterwards.

A node shared with a couple has a second point, its couple point (`couple_point`): its own fields
embedded, kept under the couple's owner key (`couple_owner`) with its author in `author`. A search
`also` over that key finds the couple's points, never the searcher's own (their own points hold those).
"""

import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# Fixed forever: point ids derive from it, so changing it would orphan every stored point.
POINT_NAMESPACE = uuid.UUID("6f1d8a52-3c0e-5b7a-9a44-0d6e2b7c9f10")
# Payload keys the store owns; a caller's extra payload cannot override them.
RESERVED = frozenset({"owner", "uid", "label", "text"})
# Who wrote a couple point (its owner key is the couple's): a search leaves out the searcher's own.
AUTHOR = "author"


def couple_owner(couple: str) -> str:
    """The owner key of a couple's points: what each member's search reads `also`."""
    return f"couple:{couple}"


def couple_point(uid: str) -> str:
    """The key of a node's couple point (its own point is keyed by its uid)."""
    return f"{uid}#couple"


class VectorsUnavailable(Exception):
    """The vector store cannot be reached: search answers SEARCH_UNAVAILABLE, writes are retried later."""


@dataclass(frozen=True)
class VectorSpace:
    """The model a store's vectors come from: its id and its number of dimensions."""

    model_id: str
    dimensions: int

    def collection(self, kind: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", kind):
            raise ValueError(f"a vector kind is lower-case letters, digits and _: {kind!r}")
        model = re.sub(r"[^a-z0-9]+", "-", self.model_id.lower()).strip("-")
        return f"kindred__{kind}__{model}__{self.dimensions}"

    def holds(self, collection: str) -> bool:
        """Whether a collection's name is one of this space's (of any kind)."""
        suffix = self.collection("x").removeprefix("kindred__x")
        return collection.startswith("kindred__") and collection.endswith(suffix)


@dataclass(frozen=True)
class VectorPoint:
    uid: str
    owner: str
    label: str
    text: str
    vector: Sequence[float]
    payload: Mapping[str, Any] = field(default_factory=dict)
    key: str = ""  # what its point id derives from, when not its uid (a couple point's)

    def point_id(self) -> str:
        return point_id(self.key or self.uid)

    def full_payload(self) -> dict[str, Any]:
        extra = {key: value for key, value in self.payload.items() if key not in RESERVED}
        return {**extra, "owner": self.owner, "uid": self.uid, "label": self.label, "text": self.text}


@dataclass(frozen=True)
class VectorHit:
    kind: str
    uid: str
    label: str
    score: float
    text: str
    payload: dict[str, Any]

    @classmethod
    def of(cls, kind: str, score: float, payload: dict[str, Any]) -> "VectorHit":
        text, uid, label = payload["text"], payload["uid"], payload["label"]
        return cls(kind=kind, uid=uid, label=label, score=score, text=text, payload=payload)


def point_id(uid: str) -> str:
    return str(uuid.uuid5(POINT_NAMESPACE, uid))


# Point ids asked of a store in one call by `vectors`: a long list of uids is read in batches of this.
RETRIEVE_BATCH = 1_000


def batches(uids: Sequence[str], size: int = RETRIEVE_BATCH) -> list[Sequence[str]]:
    """The uids in consecutive slices of at most `size`."""
    return [uids[at : at + size] for at in range(0, len(uids), size)]


def owned_vectors(
    records: Iterable[tuple[Mapping[str, Any] | None, Any]], owner: str
) -> dict[str, list[float]]:
    """(payload, vector) of retrieved points to {uid: vector}, the points of another owner left out."""
    found = {}
    for payload, vector in records:
        if payload and payload.get("owner") == owner and isinstance(vector, list):
            found[str(payload["uid"])] = list(vector)
    return found


class VectorStore(Protocol):
    space: VectorSpace

    async def ensure(self, kind: str) -> None:
        """Create the kind's collection (and its payload indexes) if it is missing; idempotent."""
        ...

    async def upsert(self, kind: str, points: Sequence[VectorPoint]) -> None:
        """Write these points (a node written again replaces its point); visible to search on return."""
        ...

    async def delete(self, kind: str, uids: Sequence[str]) -> None:
        """Remove the points of these node uids, or keys (uids without a point are ignored)."""
        ...

    async def delete_owner(self, owner: str) -> None:
        """Remove every point of this owner, in every collection of this store's vector space."""
        ...

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
        """The owner's `limit` nearest points over these kinds, best first (cosine similarity).

        `labels` keeps only points of those node labels; `exclude` drops these node uids (e.g. the node
        itself in "similar to"); `also`, more owner keys read (a couple's), their points by the owner
        left out."""
        ...

    async def vectors(self, kind: str, uids: Sequence[str], *, owner: str) -> dict[str, list[float]]:
        """The stored vectors of these node uids (their own points, not their couple points), by uid: those
        that have a point AND whose point is `owner`'s; another owner's uid and an unknown one are left
        out. What a job reads instead of embedding again texts the embeddings consumer already did."""
        ...

    async def count(self, kind: str, owner: str | None = None) -> int: ...

    async def drop(self, kind: str) -> None:
        """Delete the kind's collection with all its points (a reindex starts from nothing)."""
        ...

    async def optimize(self) -> None:
        """Builds the search index of what grew since the last time (an embedded engine's, which does
        not index on its own; a Qdrant server's optimizer does it in the background: nothing to do)."""
        ...

    async def close(self) -> None: ...


def merge(hits: Sequence[Sequence[VectorHit]], limit: int) -> list[VectorHit]:
    """The best `limit` of several kinds' hits (cosine scores are comparable within one vector space)."""
    merged = [hit for kind_hits in hits for hit in kind_hits]
    merged.sort(key=lambda hit: hit.score, reverse=True)
    return merged[:limit]


def check_vector(space: VectorSpace, vector: Sequence[float]) -> None:
    if len(vector) != space.dimensions:
        raise ValueError(f"a vector of {len(vector)} dimensions given to a store of {space.dimensions}")
