"""The Cypher of proposed insights (dispatch/proposals.py): the texts an extractor reads, with whom their
first person is (a document's by its passages), and the insights an extractor proposed, by their claim or
by their evidence.

Labels come only from graph/kinds.py (through READ, below); every value is a parameter, every match
carries the owner.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import events
from graph.events import EventKind
from graph.kind import Kind
from graph.kinds import BY_LABEL, DOCUMENT, INSIGHT, RESTS_ON
from graph.refs import Ref

# Whom a text's first person is when the viewer wrote or said it (else a Recipient's uid, or null: nobody
# whose claims count, as an assistant's turn).
VIEWER = "viewer"
# The texts read for insights, by label: the property that holds the text, and whom its first person is
# (a Cypher expression on `n`: VIEWER, a Recipient's uid or null). Only the viewer's own turns of a
# conversation are theirs; a participant's are the person the message says spoke. A superseded message
# says nothing any more (its edit does); an observation its review rejected, or a memory past its
# expiry, neither.
READ: Mapping[str, tuple[str, str]] = {
    "Message": (
        "CASE WHEN n.superseded_by IS NULL THEN n.text END",
        f"CASE n.role WHEN 'user' THEN '{VIEWER}' "
        "WHEN 'participant' THEN head([(n)-[:SAID_BY]->(r:Recipient) | r.uid]) END",
    ),
    "Observation": ("CASE WHEN n.status <> 'rejected' THEN n.content END", f"'{VIEWER}'"),
    # A memory an extractor proposed (or one rejected) says nothing until the viewer confirms it.
    "Memory": (
        f"CASE WHEN {BY_LABEL['Memory'].visible} AND {BY_LABEL['Memory'].listed} THEN n.content END",
        f"'{VIEWER}'",
    ),
}
# When a text of each label was written or said: what a time it tells is counted from (Cypher on `n`).
_WRITTEN: Mapping[str, str] = {
    "Message": "coalesce(n.sent_at, n.created_at)",
    "Observation": "coalesce(n.observed_at, n.created_at)",
    "Memory": "n.created_at",
}
# Evidence that still counts: a Document deleted (or attached to nothing) is gone at once, though its node
# waits for the documents consumer's purge.
_KEPT = f"(NOT e:{DOCUMENT.label} OR (e.deleted_at IS NULL AND EXISTS {{ (e)-[:ATTACHED_TO]->() }}))"


@dataclass(frozen=True)
class Source:
    """A text to read: its node, its words now (None: it says nothing any more) and its speaker (VIEWER,
    a Recipient's uid, or None); a document's words are its passages, each with its index."""

    ref: Ref
    text: str | None
    speaker: str | None = None
    passages: tuple[tuple[int, str], ...] = ()
    at: datetime | None = None  # when it was written or said (UTC)


@dataclass
class Proposed:
    """An insight an extractor proposed: its claim, status, the keys it was proposed by, its evidence."""

    uid: str
    claim: str
    status: str
    confidence: float
    keys: list[str] = field(default_factory=list)
    evidence: set[Ref] = field(default_factory=set)


async def sources(tx: AsyncManagedTransaction, *, owner: str, refs: Iterable[Ref]) -> list[Source]:
    """These texts of the owner (those that still exist; others are left out), the oldest first."""
    by_label: dict[str, list[str]] = {}
    for ref in refs:
        if ref.label in READ:
            by_label.setdefault(ref.label, []).append(ref.uid)
    if not by_label:
        return []
    branches = [
        f"MATCH (n:{label}) USING INDEX n:{label}(uid) WHERE n.uid IN $uids.{label} AND n.owner = $owner "
        f"RETURN '{label}' AS label, n.uid AS uid, {READ[label][0]} AS text, {READ[label][1]} AS speaker, "
        f"n.created_at AS made, {_WRITTEN[label]} AS at"
        for label in by_label
    ]
    # In the order they were written: of two texts saying one claim, the first one's words state it.
    union = " UNION ALL ".join(branches)
    query = f"CALL () {{ {union} }} RETURN label, uid, text, speaker, at ORDER BY made, uid"
    result = await tx.run(query, owner=owner, uids=by_label)
    return [
        Source(Ref(r["label"], r["uid"]), r["text"], r["speaker"], at=_utc(r["at"])) async for r in result
    ]


async def document(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> Source | None:
    """A visible Document of the owner as a text to read, by its passages in order; whom its first person
    is: the person a profile is of, the viewer for an observation's evidence, else nobody. None when it is
    gone, or a voice note (its words are its message's, read as that)."""
    query = f"""
    MATCH (n:{DOCUMENT.label} {{uid: $uid, owner: $owner}})-[a:ATTACHED_TO]->(t)
    WHERE {DOCUMENT.visible} AND a.role <> 'voice_note'
    RETURN CASE a.role WHEN 'profile' THEN t.uid WHEN 'evidence' THEN '{VIEWER}' END AS speaker,
           [(n)-[:HAS_CHUNK]->(c:DocumentChunk) | [c.index, c.text]] AS passages, n.created_at AS at
    """
    record = await (await tx.run(query, owner=owner, uid=uid)).single()
    if record is None:
        return None
    passages = tuple(sorted((int(index), str(text)) for index, text in record["passages"] if text))
    return Source(Ref(DOCUMENT.label, uid), None, record["speaker"], passages, _utc(record["at"]))


def _utc(value: Any) -> datetime | None:
    """A stored time (the driver's DateTime) as a Python one in UTC; None when there is none."""
    return None if value is None else value.to_native().astimezone(UTC)


_PROPOSED = f"""
  RETURN n.uid AS uid, n.claim AS claim, n.status AS status, n.confidence AS confidence,
         coalesce(n.claim_keys, []) AS keys,
         [(n)-[:{RESTS_ON}]->(e) WHERE e.owner = $owner | labels(e)[0] + ':' + e.uid] AS evidence"""


async def proposed(
    tx: AsyncManagedTransaction, *, owner: str, claims: Iterable[str], evidence: Iterable[Ref]
) -> list[Proposed]:
    """The insights an extractor proposed that make one of these claims or rest on one of these nodes."""
    query = f"""
    CALL () {{
      MATCH (n:Insight {{owner: $owner}}) WHERE n.claim IN $claims RETURN n
      UNION
      MATCH (n:Insight {{owner: $owner}})-[:{RESTS_ON}]->(e {{owner: $owner}})
      WHERE n.claim IS NOT NULL AND labels(e)[0] + ':' + e.uid IN $evidence
      RETURN n
    }}
    {_PROPOSED}
    """
    result = await tx.run(query, owner=owner, claims=sorted(set(claims)), evidence=sorted(map(str, evidence)))
    return [_proposed(record.data()) async for record in result]


def _proposed(row: dict[str, Any]) -> Proposed:
    return Proposed(
        row["uid"],
        row["claim"],
        row["status"],
        row["confidence"],
        list(row["keys"]),
        {Ref.parse(text) for text in row["evidence"]},
    )


async def orphans(tx: AsyncManagedTransaction, *, owner: str, kind: Kind = INSIGHT) -> list[dict[str, Any]]:
    """The owner's proposals (insights, or memories) an extractor made that rest on nothing now: each its
    uid, its claim and the keys of that claim from each piece of evidence it was proposed from (what
    tells what it rested on)."""
    query = f"""
    MATCH (n:{kind.label} {{owner: $owner}})
    WHERE n.status = 'proposed' AND n.claim IS NOT NULL
      AND NOT EXISTS {{ (n)-[:{RESTS_ON}]->(e) WHERE {_KEPT} }}
    RETURN n.uid AS uid, n.claim AS claim, coalesce(n.claim_keys, []) AS keys
    """
    return [record.data() async for record in await tx.run(query, owner=owner)]


async def sweep(
    tx: AsyncManagedTransaction, *, owner: str, uids: list[str], kind: Kind = INSIGHT
) -> list[str]:
    """Deletes those of the proposals `uids` (insights, or memories) that still rest on nothing and are
    still proposed (their evidence was deleted), with an event; returns their uids. One a person confirmed
    or rejected stays."""
    query = f"""
    MATCH (n:{kind.label} {{owner: $owner}}) WHERE n.uid IN $uids
      AND n.status = 'proposed' AND NOT EXISTS {{ (n)-[:{RESTS_ON}]->(e) WHERE {_KEPT} }}
    WITH collect(n) AS gone
    WITH gone, [x IN gone | x.uid] AS uids
    FOREACH (x IN gone | DETACH DELETE x)
    RETURN uids
    """
    gone: list[str] = (await (await tx.run(query, owner=owner, uids=uids)).single(strict=True))["uids"]
    if gone:
        refs = [Ref(kind.label, uid) for uid in gone]
        await events.append_all(tx, owner, [(EventKind.deleted(kind.label), [ref]) for ref in refs])
    return gone
