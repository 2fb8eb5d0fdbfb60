"""Cypher for Document nodes (a blob's metadata, attached to the node it belongs to) and their chunks.

(Document)-[:ATTACHED_TO {role}]->(Recipient | Conflict | Memory | Observation), and (Document)-[:HAS_CHUNK]->
(DocumentChunk {index, page, start_seconds, end_seconds, text}) for what extraction found in it.
A Document that is deleted, or whose node is, leaves sight at once (`visible`): deleting one marks it
(`deleted_at`); deleting its node leaves it attached to nothing. The documents consumer then removes
its blob (unless another Document of the owner keeps the same bytes), its chunks' vectors and the nodes,
in `purge` order: so a crash half-way is finished by the next delivery.
"""

from typing import Any

from neo4j import AsyncManagedTransaction

from errors import NotFound
from graph import conversations, events, nodes
from graph.events import EventKind
from graph.kinds import DOCUMENT
from graph.pages import Row
from graph.refs import Ref
from graph.rows import native
from graph.traversals import Traversal

# What a Document may be attached to, as which role.
ROLES = {
    "profile": "Recipient",
    "recording": "Conflict",
    "photo": "Memory",
    "evidence": "Observation",
    "voice_note": "Conversation",  # kept for a conversation, then carried by a message (attachmentIds)
}
DOCUMENT_CREATED = EventKind.created("Document")
OF_RECIPIENT = Traversal("Recipient", "(p)<-[:ATTACHED_TO]-(n:Document)", DOCUMENT)
OF_CONFLICT = Traversal("Conflict", "(p)<-[:ATTACHED_TO]-(n:Document)", DOCUMENT)
OF_MEMORY = Traversal("Memory", "(p)<-[:ATTACHED_TO]-(n:Document)", DOCUMENT)
OF_OBSERVATION = Traversal("Observation", "(p)<-[:ATTACHED_TO]-(n:Document)", DOCUMENT)
OF_CONVERSATION = Traversal("Conversation", "(p)<-[:ATTACHED_TO]-(n:Document)", DOCUMENT)


async def target_exists(tx: AsyncManagedTransaction, *, owner: str, label: str, uid: str) -> bool:
    if label not in ROLES.values():
        return False
    query = f"MATCH (t:{label} {{uid: $uid, owner: $owner}}) RETURN count(t) AS found"
    return (await (await tx.run(query, uid=uid, owner=owner)).single(strict=True))["found"] > 0


async def create(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, values: dict[str, Any], label: str, target: str
) -> Row:
    """The Document, attached to the owner's node `label:target`, and its event; NotFound (nothing
    written) when that node is not the owner's."""
    if label not in ROLES.values():
        raise ValueError(f"a Document is not attached to a {label}")
    query = f"""
    MATCH (t:{label} {{uid: $target, owner: $owner}})
    CREATE (n:Document) SET n = $props, n.created_at = datetime(), n.updated_at = datetime()
    CREATE (n)-[:ATTACHED_TO {{role: $props.role}}]->(t)
    RETURN {DOCUMENT.projection} AS n
    """
    props = {**values, "uid": uid, "owner": owner, "status": "pending", "chunk_count": 0}
    record = await (await tx.run(query, props=props, owner=owner, target=target)).single()
    if record is None:
        raise NotFound(f"No {label} of yours has this id.", id=target)
    await events.append(tx, owner, DOCUMENT_CREATED, [Ref("Document", uid), Ref(label, target)])
    return DOCUMENT.row(record["n"])


async def mark_deleted(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, within: frozenset[str] | None = None
) -> list[str]:
    """Hides the Document at once (the consumer removes it); NotFound if it is not a visible one,
    OutOfScope (nothing hidden) when `within` (the kinds an API key may write) leaves out documents. The
    node it is attached to stays: only the Document is checked."""
    nodes.refuse_outside(within, [str(Ref("Document", uid))])
    query = f"""
    MATCH (n:Document {{uid: $uid, owner: $owner}}) WHERE {DOCUMENT.visible}
    SET n.deleted_at = datetime()
    RETURN head([(n)-[:ATTACHED_TO]->(t) | labels(t)[0] + ':' + t.uid]) AS target
    """
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    if record is None:
        await nodes.refuse_not_authored(tx, DOCUMENT, owner=owner, uid=uid)
        raise NotFound("No Document of yours has this id.", id=uid)
    refs = [str(Ref("Document", uid)), *([record["target"]] if record["target"] else [])]
    await events.append(tx, owner, EventKind.deleted("Document"), refs)
    return refs


async def document(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> Row | None:
    """The Document whether visible or not (the consumer's view of it)."""
    query = f"MATCH (n:Document {{uid: $uid, owner: $owner}}) RETURN {DOCUMENT.projection} AS n"
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    return DOCUMENT.row(record["n"]) if record else None


async def visible(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> Row | None:
    query = f"""
    MATCH (n:Document {{uid: $uid, owner: $owner}}) WHERE {DOCUMENT.visible}
    RETURN {DOCUMENT.projection} AS n
    """
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    return DOCUMENT.row(record["n"]) if record else None


async def readable(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> Row | None:
    """The Document if the viewer ($owner) may read it now (theirs, or shared with their couple: its
    kind's scope) and it is not deleted: what a download link opens, re-checked at each download."""
    query = f"""
    MATCH (n:Document {{uid: $uid}}) WHERE {DOCUMENT.scope()} AND {DOCUMENT.visible}
    RETURN {DOCUMENT.projection} AS n
    """
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    return DOCUMENT.row(record["n"]) if record else None


async def unfinished(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
    """Every owner's Documents whose extraction has not finished, oldest first (read once, at start)."""
    query = f"""
    MATCH (n:Document) WHERE n.status IN ['pending', 'extracting'] AND {DOCUMENT.visible}
    RETURN n.owner AS owner, n.uid AS uid ORDER BY n.created_at
    """
    return [record.data() async for record in await tx.run(query)]


async def set_status(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    status: str,
    reason: str | None = None,
    values: dict[str, Any] | None = None,
) -> bool:
    """Extraction's progress (derived state: no event); False when the Document is gone or hidden."""
    query = f"""
    MATCH (n:Document {{uid: $uid, owner: $owner}}) WHERE {DOCUMENT.visible}
    SET n += $values, n.status = $status, n.failure_reason = $reason, n.updated_at = datetime()
    RETURN count(n) AS changed
    """
    params: dict[str, Any] = {
        "uid": uid,
        "owner": owner,
        "status": status,
        "reason": reason,
        "values": values or {},
    }
    return (await (await tx.run(query, **params)).single(strict=True))["changed"] > 0


async def replace_chunks(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, chunks: list[dict[str, Any]]
) -> list[str]:
    """Replaces the Document's chunks with these ({uid, index, page, start_seconds, end_seconds,
    text}); returns the uids of the chunks it had before that are not among them."""
    query = """
    MATCH (n:Document {uid: $uid, owner: $owner})
    OPTIONAL MATCH (n)-[:HAS_CHUNK]->(old:DocumentChunk)
    WITH n, collect(old) AS olds
    WITH n, [x IN olds WHERE NOT x.uid IN $uids | x.uid] AS dropped, olds
    FOREACH (x IN olds | DETACH DELETE x)
    WITH n, dropped
    CALL (n) {
      UNWIND $chunks AS chunk
      CREATE (c:DocumentChunk) SET c = chunk, c.owner = $owner, c.document = n.uid
      CREATE (n)-[:HAS_CHUNK]->(c)
      RETURN count(c) AS made
    }
    SET n.chunk_count = made
    RETURN dropped
    """
    uids = [chunk["uid"] for chunk in chunks]
    record = await (await tx.run(query, uid=uid, owner=owner, uids=uids, chunks=chunks)).single()
    return list(record["dropped"]) if record else []


async def set_transcript(
    tx: AsyncManagedTransaction, *, owner: str, document: str, transcript: str
) -> str | None:
    """A recording's transcript becomes its conflict's (with an event); the conflict's uid or None."""
    query = """
    MATCH (d:Document {uid: $document, owner: $owner})-[:ATTACHED_TO {role: 'recording'}]->
          (c:Conflict {owner: $owner})
    WHERE d.deleted_at IS NULL
    SET c.transcript = $transcript, c.updated_at = datetime()
    RETURN c.uid AS uid
    """
    record = await (await tx.run(query, document=document, owner=owner, transcript=transcript)).single()
    if record is None:
        return None
    await events.append(
        tx, owner, events.CONFLICT_TRANSCRIBED, [Ref("Conflict", record["uid"]), Ref("Document", document)]
    )
    return record["uid"]


async def transcribed(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, transcript: str, values: dict[str, Any]
) -> bool:
    """A recording transcribed (its passages kept already), in one transaction: ready first (which takes
    its write lock, as appending a voice note that carries it does, so that append either sees it ready
    or is seen here), then its transcript becomes its conflict's and its voice notes' text. False when
    it is gone or hidden."""
    if not await set_status(tx, owner=owner, uid=uid, status="ready", values=values):
        return False
    if transcript:
        await set_transcript(tx, owner=owner, document=uid, transcript=transcript)
    await conversations.take_transcript(tx, owner=owner, document=uid)
    return True


async def removable(tx: AsyncManagedTransaction, *, owner: str) -> list[dict[str, Any]]:
    """The owner's Documents to purge (deleted, or attached to nothing), each with its chunks' uids and
    whether a Document still visible keeps the same blob."""
    query = f"""
    MATCH (n:Document {{owner: $owner}}) WHERE NOT {DOCUMENT.visible}
    RETURN n.uid AS uid, n.storage_key AS key,
           [(n)-[:HAS_CHUNK]->(c:DocumentChunk) | c.uid] AS chunks,
           EXISTS {{
             MATCH (o:Document {{owner: $owner, storage_key: n.storage_key}})
             WHERE o.deleted_at IS NULL AND EXISTS {{ (o)-[:ATTACHED_TO]->() }}
           }} AS shared
    """
    return [native(record.data()) async for record in await tx.run(query, owner=owner)]


async def remove(tx: AsyncManagedTransaction, *, owner: str, uids: list[str]) -> int:
    """Deletes these hidden Documents and their chunks (once their blob and vectors are gone)."""
    query = f"""
    MATCH (n:Document {{owner: $owner}}) WHERE n.uid IN $uids AND NOT {DOCUMENT.visible}
    OPTIONAL MATCH (n)-[:HAS_CHUNK]->(c:DocumentChunk)
    DETACH DELETE c
    WITH DISTINCT n
    DETACH DELETE n
    RETURN count(n) AS removed
    """
    return (await (await tx.run(query, owner=owner, uids=uids)).single(strict=True))["removed"]


async def keeps_key(tx: AsyncManagedTransaction, *, owner: str, key: str) -> bool:
    """Whether a visible Document of the owner holds this blob."""
    query = f"""
    MATCH (n:Document {{owner: $owner, storage_key: $key}}) WHERE {DOCUMENT.visible}
    RETURN count(n) > 0 AS kept
    """
    return (await (await tx.run(query, owner=owner, key=key)).single(strict=True))["kept"]
