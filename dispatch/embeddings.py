"""The embedding consumer: keeps each searched node's text vector (and its full-text copy) in step.

For the nodes an event names, and the nodes whose text names them, it re-reads the texts from Neo4j
(one query per label), upserts their vectors and deletes the points of those that are gone. Re-reading
makes it idempotent and order-free: an event applied twice, or late, writes what the graph holds now.

Only texts that changed are embedded again: each node keeps the key of the vector made for it
(`search_key`, its text and the embedder's model and size hashed), and a text whose key is unchanged is
passed over (a gift made for Mom names her, so her text and her other gifts' are read again, but they
read as before). `reindex` embeds everything whatever the keys say.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from dispatch import Event, Services
from graph import couple_texts, search
from graph.events import GROWTH_RECORDED, LEARNED, POSITIONS_CHANGED, SHARED_NODE_CHANGED, EventKind
from graph.kinds import COUPLE_SEARCHED_LABELS, SEARCHED_LABELS
from graph.migrations import COUPLE_TEXT_LABELS
from graph.refs import Ref
from storage.vectors import AUTHOR, VectorPoint, couple_owner, couple_point

NAME = "embeddings"
REINDEX_BATCH = 256
COUPLE_BATCH = 64  # couple points embedded at once


def handles(kind: str) -> bool:
    # The layout's, growth credited and what Kindred learned: no text changed; a partner's shared node:
    # its author's vectors, not this owner's.
    parsed = EventKind.parse(kind)
    return parsed not in (POSITIONS_CHANGED, SHARED_NODE_CHANGED, GROWTH_RECORDED) and parsed not in LEARNED


async def handle(services: Services, events: Sequence[Event]) -> None:
    by_owner: dict[str, set[Ref]] = defaultdict(set)
    for event in events:
        if not handles(event.kind):
            continue
        by_owner[event.owner].update(Ref.parse(text) for text in event.nodes)
    for owner, named in by_owner.items():
        refs = {ref for ref in named if ref.label in SEARCHED_LABELS}
        followed = named if couple_texts.follows(named) else set()
        if not refs and not followed:
            continue
        # Their search texts and couple texts in one read (an owner in no couple pays nothing more).
        texts, couple = await services.graph.read(
            couple_texts.with_search_texts, owner=owner, refs=refs, named=followed
        )
        if texts is not None:
            await _refresh(services, owner, *texts)
        if followed:
            await _keep_couple(services, followed, couple)


async def refresh_couple(services: Services, owner: str, refs: Iterable[Ref], *, force: bool = False) -> None:
    """Keeps the couple points (and couple texts) of these nodes in step with their shares: a shared
    node's own text (or a shared document's passage) embedded under its couple's key, where its text or
    couple changed (or always, with `force`: a reindex dropped the points); dropped once it is no longer
    shared, or gone (storage/vectors, graph/couple_texts.py)."""
    refs = set(refs)
    found = await services.graph.read(couple_texts.couple_texts, owner=owner, refs=refs)
    await _keep_couple(services, refs, found, force=force)


async def _keep_couple(
    services: Services, refs: set[Ref], found: list[dict[str, Any]], *, force: bool = False
) -> None:
    """The couple points and texts of these nodes as `found` (graph/couple_texts.py) says they are now."""
    present = {row["ref"] for row in found}
    keys = {row["ref"]: _key(services, row["couple"] + "\n" + row["text"]) for row in found if row["couple"]}
    changed = [row for row in found if row["ref"] in keys and (force or row["key"] != keys[row["ref"]])]
    dropped = [row["ref"] for row in found if row["couple"] is None and row["key"] is not None]
    dropped += [ref for ref in refs if ref.label in COUPLE_TEXT_LABELS and ref not in present]
    await _embed_couple(services, changed)
    gone: dict[str, list[str]] = defaultdict(list)
    for label, uid in dropped:
        gone[label].append(couple_point(uid))
    for label, point_keys in gone.items():
        await services.vectors.delete(search.vector_kind(label), point_keys)
    kept = [
        {"label": row["ref"].label, "uid": row["ref"].uid, "text": row["text"], "key": keys[row["ref"]]}
        for row in changed
    ]
    kept += [{"label": label, "uid": uid, "text": None, "key": None} for label, uid in dropped]
    if kept:
        await services.graph.write(couple_texts.keep_couple_texts, rows=kept)


async def _embed_couple(services: Services, rows: list[dict[str, Any]]) -> None:
    """The couple points of these shared nodes, embedded and written (by batches: a document may have
    thousands of passages)."""
    for start in range(0, len(rows), COUPLE_BATCH):
        batch = rows[start : start + COUPLE_BATCH]
        vectors = await services.embedder.embed([row["text"] for row in batch])
        points: dict[str, list[VectorPoint]] = defaultdict(list)
        for row, vector in zip(batch, vectors, strict=True):
            label, uid = row["ref"]
            point = VectorPoint(
                uid=uid,
                owner=couple_owner(row["couple"]),
                label=label,
                text=row["text"],
                vector=vector,
                payload={AUTHOR: row["author"]},
                key=couple_point(uid),
            )
            points[search.vector_kind(label)].append(point)
        for kind, kind_points in points.items():
            await services.vectors.upsert(kind, kind_points)


async def _refresh(
    services: Services,
    owner: str,
    refs: set[Ref],
    texts: dict[str, dict[str, str]],
    kept: dict[str, dict[str, str]],
) -> None:
    """Re-embeds these nodes of one owner and what names them (graph/search.py's
    `texts_with_dependents`: the texts of those that exist and their kept keys), where their text
    changed; drops the points of the deleted."""
    changed = {
        label: {
            uid: text for uid, text in by_uid.items() if kept.get(label, {}).get(uid) != _key(services, text)
        }
        for label, by_uid in texts.items()
    }
    await _write(services, owner, changed)
    gone: dict[str, list[str]] = defaultdict(list)
    for label, uid in refs:
        if uid not in texts.get(label, {}):
            gone[label].append(uid)
    for label, uids in gone.items():
        await services.vectors.delete(search.vector_kind(label), uids)


async def _write(services: Services, owner: str, texts: dict[str, dict[str, str]]) -> None:
    items = [(label, uid, text) for label, by_uid in texts.items() for uid, text in by_uid.items()]
    if not items:
        return
    vectors = await services.embedder.embed([text for _, _, text in items])
    points: dict[str, list[VectorPoint]] = defaultdict(list)
    for (label, uid, text), vector in zip(items, vectors, strict=True):
        points[label].append(VectorPoint(uid=uid, owner=owner, label=label, text=text, vector=vector))
    for label, label_points in points.items():
        await services.vectors.upsert(search.vector_kind(label), label_points)
    keys = {
        label: {uid: _key(services, text) for uid, text in by_uid.items()} for label, by_uid in texts.items()
    }
    await services.graph.write(search.keep_texts, owner=owner, texts=texts, keys=keys)


def _key(services: Services, text: str) -> str:
    """What a vector was made of: the text, by this model at this size."""
    embedder = services.embedder
    made_of = f"{embedder.model_id}\n{embedder.dimensions}\n{text}"
    return hashlib.sha256(made_of.encode()).hexdigest()[:32]


async def reindex(services: Services) -> int:
    """Rebuilds every collection from Neo4j: drops them, then embeds every searched node, and the couple
    point of each one shared with a couple (the same collections hold those). Events that arrive
    meanwhile are still delivered afterwards (idempotently). Returns the nodes indexed."""
    total = 0
    for label in SEARCHED_LABELS:
        await services.vectors.drop(search.vector_kind(label))
        await services.vectors.ensure(search.vector_kind(label))
        after = ""
        while batch := await services.graph.read(
            search.all_nodes, label=label, after=after, limit=REINDEX_BATCH
        ):
            after = batch[-1][1]
            by_owner: dict[str, list[Ref]] = defaultdict(list)
            for owner, uid in batch:
                by_owner[owner].append(Ref(label, uid))
            for owner, refs in by_owner.items():
                await _write(services, owner, await services.graph.read(search.texts, owner=owner, refs=refs))
                if label in COUPLE_SEARCHED_LABELS:
                    await refresh_couple(services, owner, refs, force=True)
            total += len(batch)
    return total
