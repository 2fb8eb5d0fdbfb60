"""The couple texts: what a partner searches a node shared with them by, kept in step with its shares.

A node a partner may read (shared with the couple, or through what it belongs to) is searched by them on
its own fields alone (its kind's `Searched.linked` left out: the names of the people and concepts it is
linked to may be unshared). While it is shared, that text is kept on it as `couple_text` (the couple
full-text index, graph/migrations.py's COUPLE_INDEX) with `couple_key`, the key of its couple point
(storage/vectors): dispatch/embeddings.py reads these rows (with the search texts, in one
transaction) and writes them back. A shared document's passages are kept the same way: their own text
is all they hold.
"""

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import search
from graph.kind import SHARED_WITH
from graph.kinds import BY_LABEL, COUPLE_SEARCHED_LABELS, DOCUMENT
from graph.migrations import COUPLE_TEXT_LABELS, PASSAGE_LABEL
from graph.refs import Ref
from graph.rows import native

# The nodes whose couple texts follow a named node's: a conversation's messages, a document's passages.
HOLDERS = ("Conversation", DOCUMENT.label)


def follows(refs: Iterable[Ref]) -> bool:
    """Whether a couple text may follow a change to one of these nodes."""
    return any(ref.label in COUPLE_TEXT_LABELS or ref.label in HOLDERS for ref in refs)


async def with_search_texts(
    tx: AsyncManagedTransaction, *, owner: str, refs: set[Ref], named: set[Ref]
) -> tuple[
    tuple[set[Ref], dict[str, dict[str, str]], dict[str, dict[str, str]]] | None, list[dict[str, Any]]
]:
    """What the embeddings consumer reads in one transaction: the search texts of `refs` with their
    dependents (graph/search.py's `texts_with_dependents`; None without refs) and the couple texts of
    `named` (none without)."""
    texts = await search.texts_with_dependents(tx, owner=owner, refs=refs) if refs else None
    return texts, await couple_texts(tx, owner=owner, refs=named) if named else []


async def couple_texts(
    tx: AsyncManagedTransaction, *, owner: str, refs: Iterable[Ref]
) -> list[dict[str, Any]]:
    """Of these nodes, those a partner may read that exist: the owner's, every message of the owner's
    conversations named (a joint session holds both members' messages) and every passage of the owner's
    documents named. Each with its author, the couple it is shared with (or shared through; None when
    not shared), its own text (as a partner searches it) and the key of its couple point as kept
    (`key`)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for label, uid in refs:
        if label in COUPLE_TEXT_LABELS and uid:
            wanted[label].add(uid)
    held = {label: [uid for held_label, uid in refs if held_label == label] for label in HOLDERS}
    if any(held.values()):
        wanted["Message"].update(
            await _held(tx, owner, "(c:Conversation)<-[:IN]-(m:Message)", held["Conversation"])
        )
        passages = "(c:Document)-[:HAS_CHUNK]->(m:DocumentChunk)"
        wanted[PASSAGE_LABEL].update(await _held(tx, owner, passages, held[DOCUMENT.label]))
    found: list[dict[str, Any]] = []
    for label, uids in wanted.items():
        if uids:
            rows = _passages(tx, uids) if label == PASSAGE_LABEL else _nodes(tx, label, uids)
            found.extend([row async for row in rows])
    return found


async def _held(tx: AsyncManagedTransaction, owner: str, pattern: str, uids: list[str]) -> list[str]:
    """The uids of the nodes `m` held by the owner's nodes `c` of these uids (by `pattern`)."""
    if not uids:
        return []
    query = f"MATCH {pattern} WHERE c.uid IN $uids AND c.owner = $owner RETURN collect(m.uid) AS uids"
    record = await (await tx.run(query, owner=owner, uids=uids)).single(strict=True)
    return list(record["uids"])


async def _nodes(tx: AsyncManagedTransaction, label: str, uids: set[str]) -> AsyncIterator[dict[str, Any]]:
    kind = BY_LABEL[label]
    searched = kind.searched
    assert searched is not None and label in COUPLE_SEARCHED_LABELS
    via = "n" if kind.shareable else "via"
    through = f"MATCH {kind.shared_through} " if kind.shared_through else ""
    query = f"""
    MATCH (n:{label}) WHERE n.uid IN $uids
    OPTIONAL CALL (n) {{
      {through}MATCH ({via})-[:{SHARED_WITH}]->(c:Couple) RETURN c.uid AS couple LIMIT 1
    }}
    CALL (n) {{ {searched.fields} }}
    RETURN uid, fields, n.owner AS author, couple, n.couple_key AS key"""
    async for r in await tx.run(query, uids=sorted(uids)):
        text = searched.compose(searched.own(native(r["fields"])))
        yield {
            "ref": Ref(label, r["uid"]),
            "author": r["author"],
            "couple": r["couple"],
            "text": text,
            "key": r["key"],
        }


async def _passages(tx: AsyncManagedTransaction, uids: set[str]) -> AsyncIterator[dict[str, Any]]:
    """Passages, shared while their document is shared and in sight (a deleted one's are not)."""
    query = f"""
    MATCH (n:{DOCUMENT.label})-[:HAS_CHUNK]->(p:{PASSAGE_LABEL}) WHERE p.uid IN $uids
    OPTIONAL CALL (n) {{
      MATCH (n)-[:{SHARED_WITH}]->(c:Couple) WHERE {DOCUMENT.visible} RETURN c.uid AS couple LIMIT 1
    }}
    RETURN p.uid AS uid, p.text AS text, p.owner AS author, couple, p.couple_key AS key"""
    async for r in await tx.run(query, uids=sorted(uids)):
        ref = Ref(PASSAGE_LABEL, r["uid"])
        yield {
            "ref": ref,
            "author": r["author"],
            "couple": r["couple"],
            "text": r["text"] or "",
            "key": r["key"],
        }


async def keep_couple_texts(tx: AsyncManagedTransaction, *, rows: list[dict[str, Any]]) -> None:
    """Keeps each node's own text where the couple full-text index reads it, with its couple point's
    key; a row with no text removes both (the node is no longer shared)."""
    for label in sorted({row["label"] for row in rows}):
        if label not in COUPLE_TEXT_LABELS:
            raise ValueError(f"not a label with a couple text: {label}")
        query = f"""
        UNWIND $rows AS row
        MATCH (n:{label} {{uid: row.uid}}) SET n.couple_text = row.text, n.couple_key = row.key
        """
        of_label = [row for row in rows if row["label"] == label]
        await (await tx.run(query, rows=of_label)).consume()
