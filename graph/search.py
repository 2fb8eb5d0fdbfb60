"""The Cypher of semantic search: the texts of the searched kinds, the nodes whose text a change reaches,
the full-text ranking over the same texts, and the graph signals ranking weighs.

What a kind's text is read from and how it is composed is declared on the kind (graph/kinds.py); the
text is embedded into the vector store and kept on the node as `search_text`, which the full-text index
covers: both rankers see the same words.

A node a partner may read (shared with the couple, or through what it belongs to) is searched by them on
its own fields alone (its kind's `Searched.linked` left out: the names of the people and concepts it is
linked to may be unshared): that text is kept as `couple_text` while it is shared (a full-text index of
its own) and embedded as its couple point (storage/vectors; graph/couple_texts.py keeps both), and a
partner's candidates are read and ranked on those fields only, so neither a hit, its `matched` nor its
score rests on what they cannot read. A shared document's passages are found by the partner the same way.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.kind import Searched
from graph.kinds import (
    BY_LABEL,
    COUPLE_SEARCHED_LABELS,
    DOCUMENT,
    DOMAIN_LABELS,
    SEARCHED_LABELS,
    readable,
    readable_in,
    shared_list,
)
from graph.migrations import COUPLE_INDEX, PASSAGE_INDEX, PASSAGE_LABEL, SEARCH_INDEX
from graph.refs import Ref
from graph.rows import native

# The vector collection kind that holds Documents' passages (every other kind's is its label, lower-cased).
DOCUMENT_KIND = "document"


def _document_of(passage: str) -> str:
    """Cypher: the viewer reads the document of the passage `passage`: theirs, or one a partner shared
    with them (its kind's scope), and in sight."""
    return (
        f"EXISTS {{ MATCH (n:{DOCUMENT.label} {{uid: {passage}.document}}) "
        f"WHERE {DOCUMENT.scope()} AND {DOCUMENT.visible} }}"
    )


def vector_kind(label: str) -> str:
    """The vector collection kind a label's texts are kept in (a document's passages: DOCUMENT_KIND)."""
    return DOCUMENT_KIND if label == PASSAGE_LABEL else label.lower()


def compose(label: str, fields: Mapping[str, Any]) -> str:
    """The text a node of a searched label is searched by (its kind's `searched` says how)."""
    return _searched(label).compose(fields)


def _searched(label: str) -> Searched:
    searched = BY_LABEL[label].searched if label in BY_LABEL else None
    if searched is None:
        raise ValueError(f"not a searched label: {label}")
    return searched


def _by_label(refs: Iterable[Ref]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for label, uid in refs:
        if label in SEARCHED_LABELS and uid:
            grouped[label].append(uid)
    return grouped


async def dependents(tx: AsyncManagedTransaction, *, owner: str, refs: Iterable[Ref]) -> set[Ref]:
    """The nodes whose text names one of these nodes, so changes to them reach it."""
    found: set[Ref] = set()
    for label, uids in _by_label(refs).items():
        pattern = _searched(label).dependents
        if not pattern:
            continue
        query = f"""
        MATCH (n:{label} {{owner: $owner}}) WHERE n.uid IN $uids
        CALL (n) {{ {pattern} }}
        WITH DISTINCT d WHERE d.owner = $owner
        RETURN labels(d)[0] AS label, d.uid AS uid
        """
        found.update([Ref(r["label"], r["uid"]) async for r in await tx.run(query, owner=owner, uids=uids)])
    return found


async def texts(tx: AsyncManagedTransaction, *, owner: str, refs: Iterable[Ref]) -> dict[str, dict[str, str]]:
    """label -> uid -> text of these nodes that exist (one query per label); the missing are gone."""
    found: dict[str, dict[str, str]] = {}
    for label, uids in _by_label(refs).items():
        query = f"MATCH (n:{label} {{owner: $owner}}) WHERE n.uid IN $uids {_searched(label).fields}"
        result = await tx.run(query, owner=owner, uids=uids)
        found[label] = {r["uid"]: compose(label, native(r["fields"])) async for r in result}
    return found


async def texts_with_dependents(
    tx: AsyncManagedTransaction, *, owner: str, refs: Iterable[Ref]
) -> tuple[set[Ref], dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """These nodes and their dependents, the texts of those that exist, and the keys of the vectors
    kept for them: one transaction."""
    refs = set(refs) | await dependents(tx, owner=owner, refs=refs)
    return refs, await texts(tx, owner=owner, refs=refs), await kept_keys(tx, owner=owner, refs=refs)


async def keep_texts(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    texts: Mapping[str, Mapping[str, str]],
    keys: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Keeps each node's text on it, where the full-text index reads it, and the key of the vector made
    of it (`search_key`: the text and the embedder, hashed) when given, so an unchanged text is not
    embedded again."""
    for label, by_uid in texts.items():
        query = f"""
        UNWIND $rows AS row
        MATCH (n:{label} {{uid: row.uid, owner: $owner}}) SET n.search_text = row.text, n.search_key = row.key
        """
        label_keys = (keys or {}).get(label, {})
        rows = [{"uid": uid, "text": text, "key": label_keys.get(uid)} for uid, text in by_uid.items()]
        await (await tx.run(query, owner=owner, rows=rows)).consume()


async def kept_keys(
    tx: AsyncManagedTransaction, *, owner: str, refs: Iterable[Ref]
) -> dict[str, dict[str, str]]:
    """label -> uid -> the `search_key` kept on these nodes (those with one)."""
    found: dict[str, dict[str, str]] = {}
    for label, uids in _by_label(refs).items():
        query = f"""
        MATCH (n:{label} {{owner: $owner}}) WHERE n.uid IN $uids AND n.search_key IS NOT NULL
        RETURN n.uid AS uid, n.search_key AS key
        """
        found[label] = {r["uid"]: r["key"] async for r in await tx.run(query, owner=owner, uids=uids)}
    return found


async def all_nodes(
    tx: AsyncManagedTransaction, *, label: str, after: str, limit: int
) -> list[tuple[str, str]]:
    """(owner, uid) of every node of a searched label, by uid after `after`: what a reindex walks."""
    query = f"""
    MATCH (n:{label}) WHERE n.uid > $after AND n.owner IS NOT NULL
    RETURN n.owner AS owner, n.uid AS uid ORDER BY n.uid LIMIT $limit
    """
    return [(r["owner"], r["uid"]) async for r in await tx.run(query, after=after, limit=limit)]


def lucene(query: str) -> str:
    """A user's words as a Lucene query any of whose terms may match: its syntax characters dropped, and
    its words in lower case, so that AND, OR and NOT are words, never operators (the analyzer folds case
    anyway)."""
    terms = "".join(ch if ch.isalnum() else " " for ch in query).lower().split()
    return " OR ".join(terms)


async def signals(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    query: str,
    labels: list[str],
    passages: bool,
    limit: int,
    candidates: list[Ref],
    near: Ref | None,
    max_distance: int = 4,
    proposed: bool = False,
) -> dict[str, Any]:
    """What ranking needs, read in one transaction and computed from the owner's nodes alone: the nodes
    among `labels` (and documents' passages, with `passages`) whose text holds one of the query's words
    (`lexical`, found through the full-text indexes, whose scores are not used: they weigh words across
    every user), how many nodes the owner has there (`total`), the searched fields of those and of the
    vector `candidates` (`fields`, by Ref; a passage's with its document and place), and their memory
    importance, age and distance from the `near` node (`nodes`, by Ref). With `proposed`, the owner's
    proposed memories are found too. The fields are read by the candidates' uids (an index seek each),
    whatever the owner's graph holds; the words' matches and `total` come from the full-text indexes,
    and the distances from `near` from a shortest path per candidate."""
    lexical, total = await _lexical(
        tx, owner=owner, query=query, labels=labels, passages=passages, limit=limit
    )
    refs = list(dict.fromkeys([*lexical, *candidates]))
    rows = await _field_rows(tx, owner=owner, refs=refs, in_sight=True, proposed=proposed)
    nodes = {ref: {"importance": row["importance"], "at": row["at"]} for ref, row in rows.items()}
    if near is not None and rows:
        elements = {ref: row["element"] for ref, row in rows.items()}
        distances = await _distances(tx, owner=owner, elements=elements, near=near, max_distance=max_distance)
        for ref, node in nodes.items():
            node["distance"] = distances.get(ref)
    return {
        "lexical": lexical,
        "total": total,
        "fields": {
            **{ref: {"fields": row["fields"]} for ref, row in rows.items()},
            **await _passages(tx, owner=owner, refs=refs),
        },
        "nodes": nodes,
    }


async def _lexical(
    tx: AsyncManagedTransaction, *, owner: str, query: str, labels: list[str], passages: bool, limit: int
) -> tuple[list[Ref], int]:
    """The owner's nodes (up to `limit` from each full-text index) that hold a word of the query, and how
    many nodes the owner has among these labels (each counted by its owner index): one statement."""
    searched = [label for label in labels if label in SEARCHED_LABELS]
    indexes = [(SEARCH_INDEX, searched)] if searched else []
    if passages:
        indexes.append((PASSAGE_INDEX, [PASSAGE_LABEL]))
    among = [label for _, labels_of in indexes for label in labels_of]
    if not indexes:
        return [], 0
    branches = [
        f"""CALL db.index.fulltext.queryNodes('{index}', $lucene) YIELD node
        WITH node WHERE node.owner = $owner AND labels(node)[0] IN {labels_of!r}
        RETURN labels(node)[0] + ':' + node.uid AS ref LIMIT $limit"""
        for index, labels_of in indexes
    ]
    shared = [label for label in searched if label in COUPLE_SEARCHED_LABELS]
    readable_of = [f"(labels(node)[0] IN {shared!r} AND {readable('node')})"] if shared else []
    if passages:
        readable_of.append(f"(node:{PASSAGE_LABEL} AND {_document_of('node')})")
    if readable_of:  # a partner's nodes and passages the viewer reads, by their own texts
        branches.append(
            f"""CALL db.index.fulltext.queryNodes('{COUPLE_INDEX}', $lucene) YIELD node
        WITH node WHERE node.owner <> $owner AND ({" OR ".join(readable_of)})
        RETURN labels(node)[0] + ':' + node.uid AS ref LIMIT $limit"""
        )
    found = " UNION ".join(branches)
    counts = " UNION ALL ".join(
        f"MATCH (n:{label} {{owner: $owner}}) RETURN count(n) AS c" for label in among
    )
    statement = f"""
    CALL () {{ {counts} }} WITH sum(c) AS total
    OPTIONAL CALL () {{ {found} }}
    RETURN total, collect(ref) AS refs
    """
    result = await tx.run(statement, lucene=lucene(query), owner=owner, limit=limit)
    record = await result.single(strict=True)
    return [Ref.parse(ref) for ref in record["refs"]], int(record["total"])


async def fields(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    refs: Iterable[Ref],
    in_sight: bool = True,
    proposed: bool = False,
) -> dict[Ref, dict[str, Any]]:
    """The searched fields (as their kind declares them) of these nodes the viewer reads (theirs, or a
    partner's shared node: its own fields alone) that exist, are visible (an expired memory is not) and,
    with `in_sight`, are found by search (their kind's `listed` and `shown`: a proposed memory or an
    expired persona is not; with `proposed`, the owner's proposals are): one statement."""
    rows = await _field_rows(tx, owner=owner, refs=refs, in_sight=in_sight, proposed=proposed)
    return {ref: {"fields": row["fields"]} for ref, row in rows.items()}


async def _field_rows(
    tx: AsyncManagedTransaction, *, owner: str, refs: Iterable[Ref], in_sight: bool, proposed: bool
) -> dict[Ref, dict[str, Any]]:
    """`fields`' nodes, each with its searched fields, its importance and time (a memory's: what ranking
    weighs besides the match) and its element id (for `_distances`, in the same transaction)."""
    grouped = _by_label(refs)
    if not grouped:
        return {}
    result = await tx.run(_fields_statement(in_sight), owner=owner, uids=grouped, proposed=proposed)
    found: dict[Ref, dict[str, Any]] = {}
    async for r in result:
        searched = _searched(r["label"])
        fields_of = native(r["fields"])  # a partner's shared node: its own fields alone
        found[Ref(r["label"], r["uid"])] = {
            "fields": fields_of if r["own"] else searched.own(fields_of),
            "importance": r["importance"],
            "at": r["at"],
            "element": r["element"],
        }
    return found


@cache
def _fields_statement(in_sight: bool) -> str:
    """The fields of the nodes `$uids` names (label -> uids), each searched label a branch that finds
    its nodes by their uid (a unique index seek each: never a scan of the owner's nodes, nor another
    index the planner might prefer for a kind's conditions): one statement, planned once, whichever
    labels a search's candidates have (a label without candidates unwinds nothing)."""
    branches = []
    for label in SEARCHED_LABELS:
        searched, kind = _searched(label), BY_LABEL[label]
        sight = f"AND {kind.visible}" + (
            f" AND {kind.listed_or_proposed} AND {kind.shown}" if in_sight else ""
        )
        branches.append(f"""
        UNWIND coalesce($uids.{label}, []) AS id
        MATCH (n:{label} {{uid: id}}) WHERE {kind.scope()} {sight}
        CALL (n) {{ {searched.fields} }}
        RETURN '{label}' AS label, uid, fields, n AS node""")
    return f"""
    CALL () {{ {" UNION ALL ".join(branches)} }}
    RETURN label, uid, fields, node.owner = $owner AS own, node.importance AS importance,
           toString(coalesce(node.happened_at, node.created_at)) AS at, elementId(node) AS element"""


async def _passages(
    tx: AsyncManagedTransaction, *, owner: str, refs: Iterable[Ref]
) -> dict[Ref, dict[str, Any]]:
    """Documents' passages among these that the viewer reads (of their documents, or of one a partner
    shared with them): their text, their document and where in it they stand."""
    uids = [uid for label, uid in refs if label == PASSAGE_LABEL]
    if not uids:
        return {}
    query = f"""
    MATCH (c:{PASSAGE_LABEL}) WHERE c.uid IN $uids AND {_document_of("c")}
    RETURN c.uid AS uid, c.text AS text, c.document AS document, c.page AS page,
           c.start_seconds AS start_seconds, c.end_seconds AS end_seconds
    """
    found = {}
    async for r in await tx.run(query, owner=owner, uids=uids):
        place = {name: r[name] for name in ("document", "page", "start_seconds", "end_seconds")}
        found[Ref(PASSAGE_LABEL, r["uid"])] = {"fields": {"passage": r["text"]}, "chunk": place}
    return found


async def _distances(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    elements: Mapping[Ref, str],
    near: Ref,
    max_distance: int,
) -> dict[Ref, int]:
    """The distance from `near` of each of these nodes (by element id, read in this transaction) over
    the nodes the viewer may read (theirs, and what a partner shared with them: `near` may be one of
    those), up to `max_distance` steps: one shortest path search per candidate, which tests each node it
    reaches as it expands (`readable_in`: measured at 5,000 memories, 84,000 db hits for 250 candidates
    where `readable` took 1,050,000)."""
    near_label, near_uid = near
    if near_label not in DOMAIN_LABELS:
        raise ValueError(f"not a label of the graph: {near_label}")
    statement = f"""
    {shared_list()}
    MATCH (a:{near_label} {{uid: $near_uid}}) WHERE {readable_in("a")}
    UNWIND $elements AS element
    MATCH (b) WHERE elementId(b) = element
    WITH a, b, shared, element, CASE WHEN b = a THEN null ELSE b END AS other  // no path to itself
    CALL (a, other, shared) {{
      OPTIONAL MATCH p = shortestPath((a)-[*..{max_distance}]-(other))
      WHERE all(x IN nodes(p) WHERE {readable_in("x")})
      RETURN length(p) AS steps
    }}
    RETURN element, CASE WHEN b = a THEN 0 ELSE steps END AS distance
    """
    by_element = {element: ref for ref, element in elements.items()}
    result = await tx.run(statement, owner=owner, elements=list(by_element), near_uid=near_uid)
    return {by_element[r["element"]]: r["distance"] async for r in result if r["distance"] is not None}
