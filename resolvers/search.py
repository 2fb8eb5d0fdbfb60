"""Semantic search: candidates from the vector ranking and from the full-text indexes, each scored 0 to 1
from signals computed on data the viewer reads (meaning, words, graph; resolvers/search_score.py; a
partner's shared node on its own fields alone, graph/search.py), hits
below the relevance floor left out. Memories also weigh their importance and recency. The schema hydrates
the hits (re-checking the owner) in one query per type."""

import asyncio
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from errors import BadUserInput, NotFound, OutOfScope, SearchUnavailable
from graph import couples, search
from graph.kinds import BY_LABEL, DOMAIN_LABELS, SALIENT, SEARCHED_LABELS
from graph.migrations import PASSAGE_LABEL
from graph.refs import Ref
from resolvers import search_words
from resolvers.context import Context
from resolvers.search_score import FLOOR, WEIGHTS, Features, Signal, Weights, signals
from resolvers.search_words import Words
from storage.embeddings import EmbeddingsUnavailable, ModelMissing
from storage.embeddings.query_cache import QueryCache
from storage.vectors import VectorHit, VectorsUnavailable, couple_owner

MAX_FIRST = 100
MIN_POOL = 50  # candidates the vector ranking gives, at least
LEXICAL_POOL = 200  # candidates the full-text indexes give, at most (their order is not a signal)
RECENCY_HALF_LIFE_DAYS = 180.0
# Passages of Documents (dispatch/documents.py) are kept as points of this label in the DOCUMENT_KIND
# collection and as (:DocumentChunk) nodes; a hit on one answers its Document and where in it.
DOCUMENT = "Document"
CHUNK_LABEL = PASSAGE_LABEL


@dataclass(frozen=True)
class Hit:
    label: str
    uid: str
    score: float
    matched: str  # the text that matched: the node's search text, or the passage
    chunk: dict[str, Any] | None = None  # a Document's passage: {document, page, start/end_seconds}
    fields: tuple[str, ...] = ()  # the node's fields that hold the query's words
    words: tuple[str, ...] = ()  # those words (folded)
    signals: tuple[Signal, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One node a search considers, with its signals."""

    ref: Ref
    text: str
    features: Features
    words: Words
    salience: float = 1.0
    chunk: dict[str, Any] | None = None


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
    min_score: float | None = None,
    proposed: bool = False,
) -> list[Hit]:
    """The viewer's best `first` nodes for `query` scoring at least `min_score` (the floor by default);
    with `hybrid` off, ranked by meaning alone; with `proposed`, their proposed memories among them."""
    text, first = checked_query(context, query), checked_first(first)
    floor = FLOOR if min_score is None else checked_min_score(min_score)
    pool = max(MIN_POOL, 3 * first)
    found = await candidates(
        context, text, labels=labels, near=near, hybrid=hybrid, pool=pool, proposed=proposed
    )
    return ranked(found, WEIGHTS, floor, first)


def checked_min_score(min_score: float) -> float:
    if not 0 <= min_score <= 1:
        raise BadUserInput("minScore must be between 0 and 1.", field="minScore")
    return min_score


async def candidates(
    context: Context,
    text: str,
    *,
    labels: list[str] | None = None,
    near: Ref | None = None,
    hybrid: bool = True,
    pool: int = MIN_POOL,
    proposed: bool = False,
) -> list[Candidate]:
    """Every node the query's meaning or words point to, with its signals (unscored)."""
    if near is not None and near.label not in DOMAIN_LABELS:
        raise BadUserInput("near must be the id of one of your nodes.", field="near")
    if near is not None and not context.scope.allows(near.label):
        raise OutOfScope("This API key may not read the node given as near.", field="near")
    labels = context.scope.readable(labels, [*SEARCHED_LABELS, DOCUMENT]) or [*SEARCHED_LABELS, DOCUMENT]
    couple = asyncio.create_task(_couples_points(context))  # read while the query is embedded
    try:
        vector = await _embed(context, text)
    except BaseException:  # the embedder's error is the answer (SEARCH_UNAVAILABLE), not the read's
        couple.cancel()
        await asyncio.gather(couple, return_exceptions=True)
        raise
    also = await couple
    hits = await _nearest(context, vector, labels, pool, also=also)
    read = await context.graph.read(
        search.signals,
        owner=context.viewer,
        query=text,
        labels=labels,
        passages=DOCUMENT in labels,
        limit=LEXICAL_POOL if hybrid else 0,
        candidates=[Ref(hit.label, hit.uid) for hit in hits],
        near=near if hybrid else None,
        proposed=proposed,
    )
    # A node the vector ranking did not return is no nearer than its last hit (when it was cut short).
    cosines = {Ref(hit.label, hit.uid): hit.score for hit in hits}
    floor = hits[-1].score if len(hits) >= pool else -1.0
    texts = {Ref(hit.label, hit.uid): hit.text for hit in hits}
    query = search_words.content(text) if hybrid else []
    documents = {ref: _folded(row["fields"]) for ref, row in read["fields"].items()}
    weights = search_words.rarity(query, documents.values(), read["total"])
    now = datetime.now(UTC)
    found = []
    for ref in dict.fromkeys([*cosines, *read["lexical"]]):
        row = read["fields"].get(ref)
        if row is None:  # gone from the graph since it was embedded
            continue
        fields = search_words.field_texts(row["fields"])
        words = search_words.match(query, weights, fields, _named(ref.label))
        node = read["nodes"].get(ref, {})
        features = Features(
            cosine=cosines.get(ref, floor),
            coverage=words.coverage,
            named=words.named,
            phrase=words.phrase,
            closeness=_closeness(node.get("distance")) if near is not None and hybrid else 0.0,
        )
        text_of = texts.get(ref) or fields.get("passage") or search.compose(ref.label, row["fields"])
        salience = _salience(node, now) if ref.label in SALIENT else 1.0
        found.append(Candidate(ref, text_of, features, words, salience, row.get("chunk")))
    return found


def ranked(found: list[Candidate], weights: Weights, floor: float, first: int) -> list[Hit]:
    """The candidates scored, those at or over the floor, best first."""
    scored = [(weights.score(c.features) * c.salience, c) for c in found]
    scored = [(score, c) for score, c in scored if score >= floor]
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [
        Hit(
            c.ref.label,
            c.ref.uid,
            round(score, 4),
            c.text,
            chunk=c.chunk,
            fields=c.words.fields,
            words=c.words.found,
            signals=tuple(signals(c.features, bool(c.words.found))),
        )
        for score, c in scored[:first]
    ]


def _folded(fields: dict[str, Any]) -> set[str]:
    return {word for text in search_words.field_texts(fields).values() for word in search_words.words(text)}


def _named(label: str) -> tuple[str, ...]:
    kind = BY_LABEL.get(label)
    return kind.searched.named if kind is not None and kind.searched is not None else ()


def _closeness(distance: int | None) -> float:
    return 0.0 if distance is None else 1.0 / max(1, distance)


async def _couples_points(context: Context) -> list[str]:
    """The owner keys of the points the viewer also searches: their couple's (a partner's shared nodes,
    by their own fields), none out of a couple."""
    couple = await context.graph.read(couples.couple_of, owner=context.viewer)
    return [couple_owner(couple)] if couple else []


async def similar(context: Context, label: str, uid: str, first: int = 10) -> list[Hit]:
    """The nodes the viewer reads (theirs, and what a partner shared with them) whose text is nearest
    this node's (the node itself left out). A partner's shared node is compared by its own fields, as
    they search it; a node the viewer does not read is NotFound."""
    first = checked_first(first)
    if not context.scope.allows(label) or label not in SEARCHED_LABELS:
        raise NotFound("No searchable node of yours has this id.", id=uid)
    ref = Ref(label, uid)
    read = await context.graph.read(search.fields, owner=context.viewer, refs=[ref], in_sight=False)
    if ref not in read:
        raise NotFound("No searchable node of yours has this id.", id=uid)
    vector = await _embed(context, search.compose(label, read[ref]["fields"]))
    labels = context.scope.readable(None, SEARCHED_LABELS) or list(SEARCHED_LABELS)
    near = await _nearest(
        context, vector, labels, 2 * first, exclude=[uid], also=await _couples_points(context)
    )
    # Only what search would find: a proposed or rejected memory has a point too, but is not listed (a
    # passage is hydrated through its document's own rule).
    kept = [Ref(h.label, h.uid) for h in near if h.label in SEARCHED_LABELS]
    found = await context.graph.read(search.fields, owner=context.viewer, refs=kept)
    hits = [h for h in near if h.label not in SEARCHED_LABELS or Ref(h.label, h.uid) in found][:first]
    return [
        Hit(hit.label, hit.uid, round(max(0.0, hit.score), 4), hit.text, signals=(Signal.MEANING,))
        for hit in hits
    ]


async def _embed(context: Context, text: str) -> list[float]:
    if context.embedder is None:
        raise SearchUnavailable("Search is not available on this server.")
    try:
        if isinstance(context.embedder, QueryCache):  # kept per viewer
            return await context.embedder.query(text, context.viewer)
        return (await context.embedder.embed_now([text]))[0]
    except ModelMissing as error:
        raise SearchUnavailable(
            "Search is not available on this server: its embedding model is not installed."
        ) from error
    except EmbeddingsUnavailable as error:
        raise SearchUnavailable("Search is unavailable for now: try again later.") from error


async def _nearest(
    context: Context,
    vector: list[float],
    labels: list[str],
    limit: int,
    exclude: list[str] | None = None,
    also: list[str] | None = None,
) -> list[VectorHit]:
    if context.vectors is None:
        raise SearchUnavailable("Search is not available on this server.")
    kinds = [search.vector_kind(label) for label in labels]
    try:
        return await context.vectors.search(
            kinds, vector, owner=context.viewer, limit=limit, exclude=exclude or (), also=also or ()
        )
    except VectorsUnavailable as error:
        raise SearchUnavailable("Search is unavailable for now: try again later.") from error


def _salience(node: dict, now: datetime) -> float:
    """A salient node's weight (a memory's): relevance first (it moves a score by 5% at most), then
    importance (0-1) and recency (halving every 180 days)."""
    importance = node.get("importance")
    importance = 0.5 if importance is None else max(0.0, min(1.0, float(importance)))
    recency = 0.5
    if node.get("at"):
        at = datetime.fromisoformat(node["at"].replace("Z", "+00:00"))
        age_days = max(0.0, (now - at).total_seconds() / 86400)
        recency = math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)
    return 0.95 + 0.03 * importance + 0.02 * recency
