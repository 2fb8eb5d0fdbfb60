"""The documents consumer: extracts each new Document's text off the request path, and removes what a
deleted Document leaves behind.

A PDF's text is read page by page (pypdf); a recording is transcribed when the server has a
transcriber (the local Whisper model or OpenAI's API, KINDRED_TRANSCRIBER), else marked untranscribed.
The text is cut into chunks that keep their page (or their times), kept as (:DocumentChunk) nodes and
embedded into the vector store's DOCUMENT_KIND collection, where `search` finds them. A recording's
transcript becomes its conflict's, and the text of each voice note (a message without text) carrying
it. Every step re-reads the graph, so an event delivered twice does nothing more (a Document done is
left as it is); a service that is down raises, and the dispatcher retries. Once its passages are kept,
they are read for proposed insights (dispatch/proposals.py's `propose_document`).

A Document deleted (or whose node was) is purged: its chunks' vectors, its blob unless another
Document of the owner keeps the same bytes, then its nodes.
"""

import logging
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import mutagen
from anyio import to_thread

from dispatch import Event, Services, embeddings, mentions, pdf_text, proposals
from dispatch.fair_queue import FairQueue
from graph import documents
from graph.events import Change, EventKind
from graph.refs import Ref
from graph.search import DOCUMENT_KIND
from storage.blobs import BlobNotFound
from storage.transcription import Segment, TranscriptionFailed, TranscriptionUnavailable
from storage.vectors import VectorPoint, couple_point

NAME = "documents"
CHUNK_LABEL = "DocumentChunk"
CHUNK_CHARS = 800  # about 150 words: a passage MiniLM (256 tokens at most) embeds whole
OVERLAP_CHARS = 120  # a phrase cut by a chunk's end is whole in the next one
EMBED_BATCH = 64
DONE = frozenset({"ready", "failed", "untranscribed"})

logger = logging.getLogger("kindred.documents")


def handles(kind: str) -> bool:
    # A new Document, and a deleted one or a deleted node Documents were attached to.
    parsed = EventKind.parse(kind)
    return parsed == documents.DOCUMENT_CREATED or parsed.change == Change.DELETED


async def handle(services: Services, events: Sequence[Event]) -> None:
    created: dict[str, list[str]] = defaultdict(list)
    purged: set[str] = set()
    for event in events:
        kind = EventKind.parse(event.kind)
        if kind == documents.DOCUMENT_CREATED:
            refs = (Ref.parse(text) for text in event.nodes)
            created[event.owner].extend(ref.uid for ref in refs if ref.label == "Document")
        elif kind.change == Change.DELETED:
            purged.add(event.owner)
    for owner in purged:
        await purge(services, owner)
    for owner, uids in created.items():
        for uid in dict.fromkeys(uids):
            if services.extractions is not None:
                services.extractions.submit(owner, uid)  # its turn comes among the other owners'
            else:
                await extract(services, owner, uid)


def fair_queue(services: Services) -> FairQueue:
    """Where this instance's Documents wait for extraction, each owner in turn (dispatch/fair_queue.py),
    so one user's heavy or many documents never hold back another's."""
    return FairQueue(
        lambda owner, uid: _extract_in_turn(services, owner, uid), services.extraction.concurrency
    )


async def _extract_in_turn(services: Services, owner: str, uid: str) -> None:
    await extract(services, owner, uid)
    # Deleted while it was extracted: the consumer's purge may have come before the chunks it made.
    if await services.graph.read(documents.visible, owner=owner, uid=uid) is None:
        await purge(services, owner)


async def resume(services: Services) -> None:
    """At start: Documents whose extraction never finished (the event was handed over, then the
    process stopped) wait again. Extraction is idempotent, so one also resumed elsewhere costs only time."""
    if services.extractions is None:
        return
    for row in await services.graph.read(documents.unfinished):
        services.extractions.submit(row["owner"], row["uid"])


async def purge(services: Services, owner: str) -> None:
    """Removes the owner's deleted or detached Documents: vectors, unshared blobs, then the nodes."""
    if services.blobs is None:
        return
    removable = await services.graph.read(documents.removable, owner=owner)
    if not removable:
        return
    for row in removable:
        if row["chunks"]:  # their own points and, were it shared, their couple points
            await services.vectors.delete(DOCUMENT_KIND, _with_couple_points(row["chunks"]))
        # Asked again just before: an upload of the same bytes may have been recorded meanwhile.
        keep = row["shared"] or await services.graph.read(documents.keeps_key, owner=owner, key=row["key"])
        if row["key"] and not keep:
            await services.blobs.delete(row["key"])
    uids = [row["uid"] for row in removable]
    await proposals.sweep_documents(services, owner, uids)  # what rested on them alone goes first
    await services.graph.write(documents.remove, owner=owner, uids=uids)


async def extract(services: Services, owner: str, uid: str) -> None:
    graph = services.graph
    row = await graph.read(documents.visible, owner=owner, uid=uid)
    if row is None or row.node["status"] in DONE or services.blobs is None:
        return
    node = row.node
    await graph.write(documents.set_status, owner=owner, uid=uid, status="extracting")
    with tempfile.TemporaryDirectory(prefix="kindred-extract-") as folder:
        path = os.path.join(folder, "blob")
        try:
            await services.blobs.download(node["storage_key"], path)
        except BlobNotFound:
            await _fail(services, owner, uid, "its file is missing from the blob store")
            return
        match node["kind"]:
            case "pdf":
                await _extract_pdf(services, owner, uid, path)
            case "audio":
                await _extract_audio(services, owner, node, path)
            case _:
                await graph.write(documents.set_status, owner=owner, uid=uid, status="ready")
    await _propose(services, owner, uid)


async def _propose(services: Services, owner: str, uid: str) -> None:
    """Its passages' claims, proposed. The document is ready whatever happens here: a model that fails
    now costs its proposals (logged), never the document's text."""
    try:
        await proposals.propose_document(services, owner, uid)
    except Exception:
        logger.exception("proposals from document %s failed", uid)


async def _extract_pdf(services: Services, owner: str, uid: str, path: str) -> None:
    limits = services.extraction
    try:
        # In a child process, bounded in pages, seconds and memory; a refusal is final, never retried.
        pages = await pdf_text.page_texts(path, limits.pages, limits.memory_mb, limits.seconds)
    except pdf_text.Refused as refused:
        await _fail(services, owner, uid, refused.reason)
        return
    chunks = [
        {"page": number, "text": text}
        for number, page in enumerate(pages, start=1)
        for text in split_text(page)
    ]
    if len(chunks) > limits.passages:
        await _fail(services, owner, uid, f"it holds more than {limits.passages} passages of text")
        return
    await _index(services, owner, uid, chunks)
    values = {"pages": len(pages)}
    await services.graph.write(documents.set_status, owner=owner, uid=uid, status="ready", values=values)


async def _extract_audio(services: Services, owner: str, node: dict[str, Any], path: str) -> None:
    uid, graph = node["uid"], services.graph
    duration = await to_thread.run_sync(audio_duration, path)
    values = {"duration_seconds": duration} if duration is not None else {}
    if services.transcriber is None:
        await graph.write(documents.set_status, owner=owner, uid=uid, status="untranscribed", values=values)
        return
    try:
        transcript = await services.transcriber.transcribe(path, node["mime"], duration)
    except TranscriptionUnavailable:
        raise  # the service is down or busy: the dispatcher retries with backoff
    except TranscriptionFailed as error:
        await _fail(services, owner, uid, str(error), values)
        return
    except Exception as error:  # a recording that cannot be cut or read: failed, not retried forever
        await _fail(services, owner, uid, f"the recording cannot be read: {type(error).__name__}", values)
        return
    chunks = timed_chunks(transcript.segments)
    await _index(services, owner, uid, chunks)
    if duration is None and transcript.segments:
        values["duration_seconds"] = transcript.segments[-1].end
    # Ready, and its transcript its conflict's and its voice notes' text, in one transaction.
    await graph.write(documents.transcribed, owner=owner, uid=uid, transcript=transcript.text, values=values)


def audio_duration(path: str) -> float | None:
    try:
        found = mutagen.File(path)
    except Exception:  # mutagen raises more than MutagenError on a malformed file: no duration then
        return None
    length = getattr(getattr(found, "info", None), "length", None)
    return round(float(length), 3) if length else None


async def _fail(
    services: Services, owner: str, uid: str, reason: str, values: dict[str, Any] | None = None
) -> None:
    logger.info("extraction of document %s failed: %s", uid, reason)
    await services.graph.write(
        documents.set_status, owner=owner, uid=uid, status="failed", reason=reason[:500], values=values
    )


async def _index(services: Services, owner: str, uid: str, chunks: list[dict[str, Any]]) -> None:
    """Embeds the chunks into the vector store, then keeps them in the graph (dropping the vectors of
    chunks an earlier run made and this one did not)."""
    for index, chunk in enumerate(chunks):
        chunk["uid"], chunk["index"] = f"{uid}:{index}", index
    for start in range(0, len(chunks), EMBED_BATCH):
        batch = chunks[start : start + EMBED_BATCH]
        vectors = await services.embedder.embed([chunk["text"] for chunk in batch])
        points = [_point(owner, uid, chunk, vector) for chunk, vector in zip(batch, vectors, strict=True)]
        await services.vectors.upsert(DOCUMENT_KIND, points)
    dropped = await services.graph.write(documents.replace_chunks, owner=owner, uid=uid, chunks=chunks)
    if dropped:
        await services.vectors.delete(DOCUMENT_KIND, _with_couple_points(dropped))
    # Shared before its text was read: its partner finds its passages too (their couple points).
    await embeddings.refresh_couple(services, owner, [Ref("Document", uid)])
    # Its passages name people and concepts too (no event of theirs wakes the mentions consumer).
    passages = [Ref(CHUNK_LABEL, chunk["uid"]) for chunk in chunks]
    await services.graph.write(mentions.relink, owner=owner, texts=passages)


def _with_couple_points(chunks: list[str]) -> list[str]:
    """The keys of these passages' points: their own, and their couple points."""
    return [*chunks, *map(couple_point, chunks)]


def _point(owner: str, document: str, chunk: dict[str, Any], vector: list[float]) -> VectorPoint:
    where = {
        name: chunk[name] for name in ("page", "start_seconds", "end_seconds") if chunk.get(name) is not None
    }
    return VectorPoint(
        uid=chunk["uid"],
        owner=owner,
        label=CHUNK_LABEL,
        text=chunk["text"],
        vector=vector,
        payload={"document": document, **where},
    )


def split_text(text: str, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[str]:
    """Passages of about `size` characters, cut between words, each overlapping the last by about
    `overlap` characters."""
    words = re.sub(r"\s+", " ", text).strip().split(" ")
    if words == [""]:
        return []
    passages: list[str] = []
    current: list[str] = []
    length = 0
    for word in words:
        if current and length + len(word) + 1 > size:
            passages.append(" ".join(current))
            kept: list[str] = []
            while current and sum(len(w) + 1 for w in kept) < overlap:
                kept.insert(0, current.pop())
            current, length = kept, sum(len(w) + 1 for w in kept)
        current.append(word)
        length += len(word) + 1
    passages.append(" ".join(current))
    return passages


def timed_chunks(segments: Iterable[Segment], size: int = CHUNK_CHARS) -> list[dict[str, Any]]:
    """A transcript's segments gathered into passages of about `size` characters, each with the start of
    its first segment and the end of its last."""
    chunks: list[dict[str, Any]] = []
    current: list[Segment] = []
    for segment in segments:
        if not segment.text.strip():
            continue
        if current and sum(len(s.text) + 1 for s in current) + len(segment.text) > size:
            chunks.append(_timed(current))
            current = []
        current.append(segment)
    if current:
        chunks.append(_timed(current))
    return chunks


def _timed(segments: list[Segment]) -> dict[str, Any]:
    text = " ".join(segment.text.strip() for segment in segments)
    return {"text": text, "start_seconds": segments[0].start, "end_seconds": segments[-1].end}
