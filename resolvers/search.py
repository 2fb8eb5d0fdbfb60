"""Semantic search: the vector ranking fused (reciprocal rank fusion) with the full-text ranking over the
same texts and, given a node to search near, with graph distance from it; memories also weigh their
importance and recency. The schema hydrates the hits (re-checking the owner) in one query per type."""

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from errors import BadUserInput, NotFound, SearchUnavailable
from graph import search
from graph.kinds import DOMAIN_LABELS, SALIENT, SEARCHED_LABELS
from graph.refs import Ref
from resolvers.context import Context
from storage.embeddings import EmbeddingsUnavailable, ModelMissing
from storage.vectors import VectorHit, VectorsUnavailable

MAX_FIRST = 100
RRF_K = 60  # the constant of reciprocal rank fusion (Cormack et al.): damps the weight of the top ranks
MIN_POOL = 50  # candidates each ranker gives the fusion, at least
RECENCY_HALF_LIFE_DAYS = 180.0
# The full-text ranking counts only its strong matches (a Lucene score within this share of its best),
# at half the vector ranking's weight: measured on tests/search_set.py, plain RRF of every full-text
# match let shared words ("my", "day") outrank the meaning (recall@5 0.80 against 0.97 for vectors).
LEXICAL_WEIGHT = 0.5
LEXICAL_SHARE = 0.8
# Passages of Documents (dispatch/documents.py) are found by their vectors alone, kept as points of
# this label in the "document" collection; a hit on one answers its Document and where in it.
DOCUMENT = "Document"
CHUNK_LABEL = "DocumentChunk"


@dataclass(frozen=True)
class Hit:
    label: str
    uid: str
    score: float
    matched: str
    chunk: dict[str, Any] | None = None  # a Document's passage: {document, page, start/end_seconds}


def checked_query(context: Context, query: str) -> str:
    text = " ".join(query.split())
    if not search.lucene(text):
        raise BadUserInput("Say what to search for: the query has no words.", field="query")
    if len(text) > context.settings.max_search_query:
        limit = context.settings.max_search_query
        raise BadUserInput(f"A search query is at most {limit} characters.", field="query")
    return text


def checked_first(first: int) -> int:
    if not 1 <= first <= MAX_FIRST:
        raise BadUserInput(f"first must be 1 to {MAX_FIRST}.", field="first")
    return first


async def find(
    context: Context,
    query: str,
    *,
    labels: list[str] | None = None,
    first: int = 10,
    near: Ref | None = None,
    hybrid: bool = True,
) -> list[Hit]:
    """The viewer's best `first` nodes for `query` (with `hybrid` off: the vector ranking alone)."""
    text, first = checked_query(context, query), checked_first(first)
    if near is not None and near.label not in DOMAIN_LABELS:
        raise BadUserInput("near must be the id of one of your nodes.", field="near")
    labels = labels or [*SEARCHED_LABELS, DOCUMENT]
    pool = max(MIN_POOL, 3 * first)
    vector = await _embed(context, text)
    hits = await _nearest(context, vector, labels, pool)
    signals = await context.graph.read(
        search.signals,
        owner=context.viewer,
        query=text,
        labels=labels,
        limit=pool if hybrid else 0,
        candidates=[Ref(hit.label, hit.uid) for hit in hits],
        near=near if hybrid else None,
    )
    found = _fuse(hits, signals, first, near is not None and hybrid)
    passages = {hit.uid: hit.payload for hit in hits if hit.label == CHUNK_LABEL}
    return [replace(hit, chunk=passages.get(hit.uid)) if hit.label == CHUNK_LABEL else hit for hit in found]


async def similar(context: Context, label: str, uid: str, first: int = 10) -> list[Hit]:
    """The viewer's nodes whose text is nearest this node's (the node itself left out)."""
    first = checked_first(first)
    texts = await context.graph.read(search.texts, owner=context.viewer, refs=[Ref(label, uid)])
    text = texts.get(label, {}).get(uid)
    if text is None:
        raise NotFound("No searchable node of yours has this id.", id=uid)
    vector = await _embed(context, text)
    hits = await _nearest(context, vector, list(SEARCHED_LABELS), first, exclude=[uid])
    return [Hit(hit.label, hit.uid, hit.score, hit.text) for hit in hits]


async def _embed(context: Context, text: str) -> list[float]:
    if context.embedder is None:
        raise SearchUnavailable("Search is not available on this server.")
    try:
        return (await context.embedder.embed([text]))[0]
    except ModelMissing as error:
        raise SearchUnavailable(
            "Search is not available on this server: its embedding model is not installed."
        ) from error
    except EmbeddingsUnavailable as error:
        raise SearchUnavailable("Search is unavailable for now: try again later.") from error


async def _nearest(
    context: Context, vector: list[float], labels: list[str], limit: int, exclude: list[str] | None = None
) -> list[VectorHit]:
    if context.vectors is None:
        raise SearchUnavailable("Search is not available on this server.")
    kinds = [search.vector_kind(label) for label in labels]
    try:
        return await context.vectors.search(
            kinds, vector, owner=context.viewer, limit=limit, exclude=exclude or ()
        )
    except VectorsUnavailable as error:
        raise SearchUnavailable("Search is unavailable for now: try again later.") from error


def _fuse(hits: list[VectorHit], signals: dict, first: int, near: bool) -> list[Hit]:
    scores: dict[Ref, float] = defaultdict(float)
    matched: dict[Ref, str] = {}
    for rank, hit in enumerate(hits):
        ref = Ref(hit.label, hit.uid)
        scores[ref] += 1 / (RRF_K + rank + 1)
        matched[ref] = hit.text
    lexical = signals["lexical"]
    strong = (
        [row for row in lexical if row["score"] >= LEXICAL_SHARE * lexical[0]["score"]] if lexical else []
    )
    for rank, row in enumerate(strong):
        scores[row["ref"]] += LEXICAL_WEIGHT / (RRF_K + rank + 1)
        matched.setdefault(row["ref"], row["text"] or "")
    nodes = signals["nodes"]
    if near:
        reachable = [ref for ref in scores if nodes.get(ref, {}).get("distance") is not None]
        reachable.sort(key=lambda ref: nodes[ref]["distance"])
        for rank, ref in enumerate(reachable):
            scores[ref] += 1 / (RRF_K + rank + 1)
    now = datetime.now(UTC)
    for ref in scores:
        if ref.label in SALIENT and ref in nodes:
            scores[ref] *= _salience(nodes[ref], now)
    best = sorted(scores, key=lambda ref: scores[ref], reverse=True)[:first]
    fused = []
    for ref in best:
        label, uid = ref
        fused.append(Hit(label, uid, scores[ref], matched.get(ref, "")))
    return fused


def _salience(node: dict, now: datetime) -> float:
    """A salient node's weight (a memory's): relevance first, then importance (0-1) and recency (halving
    every 180 days)."""
    importance = node.get("importance")
    importance = 0.5 if importance is None else max(0.0, min(1.0, float(importance)))
    recency = 0.5
    if node.get("at"):
        at = datetime.fromisoformat(node["at"].replace("Z", "+00:00"))
        age_days = max(0.0, (now - at).total_seconds() / 86400)
        recency = math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)
    return 0.85 + 0.1 * importance + 0.05 * recency
