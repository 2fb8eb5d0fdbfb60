"""Cypher for Conversation and Message nodes: a conversation with what it is about and whom it is with;
a message appended at the next position of its conversation (its `seq` on the IN link), superseding an
older one when it is an edit; the relations that reach both; and the mediator's counts per speaker."""

from typing import Any

from neo4j import AsyncManagedTransaction

from errors import BadUserInput, Closed, NotFound
from graph import couples, events, joint_sessions, nodes
from graph.events import EventKind
from graph.kinds import (
    CONCEPT,
    CONVERSATION,
    CONVERSATION_SUBJECTS,
    DOCUMENT,
    HAS_ATTACHMENT,
    IN,
    MESSAGE,
    PARTICIPANT,
    RECIPIENT,
    SAID_BY,
)
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.properties import for_create
from graph.refs import Ref
from graph.traversals import Traversal

# A conversation's messages: the current ones (none superseded), or every one ever written.
MESSAGES = Traversal("Conversation", "(p)<-[:IN]-(n:Message) WHERE n.superseded_by IS NULL", MESSAGE)
ALL_MESSAGES = Traversal.along(IN, MESSAGE)
# What a message reaches: its conversation, who said it, the documents it carries.
CONVERSATION_OF_MESSAGE = Traversal.along(IN, CONVERSATION)
SPEAKER = Traversal.along(SAID_BY, RECIPIENT)
ATTACHMENTS = Traversal.along(HAS_ATTACHMENT, DOCUMENT)
NAMED_CONCEPTS = Traversal("Message", "(p)-[:MENTIONS]->(n:Concept)", CONCEPT)
# Whom a conversation is with (what it is about is its kind's computed `about_ref`).
PARTICIPANTS = Traversal.along(PARTICIPANT, RECIPIENT)
# What reaches conversations and messages from the other side.
OF_RECIPIENT = Traversal("Recipient", "(p)<-[:PARTICIPANT|ABOUT]-(n:Conversation)", CONVERSATION)
OF_OCCASION = Traversal("Occasion", "(p)<-[:ABOUT]-(n:Conversation)", CONVERSATION)
OF_CONFLICT = Traversal("Conflict", "(p)<-[:ABOUT]-(n:Conversation)", CONVERSATION)
OF_CONCEPT = Traversal("Concept", "(p)<-[:ABOUT]-(n:Conversation)", CONVERSATION)
MESSAGES_OF_RECIPIENT = Traversal("Recipient", "(p)<-[:SAID_BY|MENTIONS]-(n:Message)", MESSAGE)
MESSAGES_OF_CONCEPT = Traversal("Concept", "(p)<-[:MENTIONS]-(n:Message)", MESSAGE)
MESSAGES_OF_DOCUMENT = Traversal.along(HAS_ATTACHMENT, MESSAGE)


def condition(
    purposes: list[str] | None = None,
    statuses: list[str] | None = None,
    about: Ref | None = None,
    participant: str | None = None,
) -> Condition:
    subject = f":{about.label}" if about is not None and about.label in CONVERSATION_SUBJECTS else ""
    return Condition.of(
        ("n.purpose IN $purposes", "purposes", purposes),
        ("n.status IN $statuses", "statuses", statuses),
        (
            f"EXISTS {{ (n)-[:ABOUT]->({subject} {{uid: $about, owner: $owner}}) }}",
            "about",
            about and about.uid,
        ),
        (
            "EXISTS { (n)-[:PARTICIPANT]->(:Recipient {uid: $participant, owner: $owner}) }",
            "participant",
            participant,
        ),
    )


async def create(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    about: Ref | None,
    participants: list[str],
) -> Row:
    """The conversation with what it is about and whom it is with; NotFound (nothing written) when one of
    them is not the owner's."""
    links = [Link(PARTICIPANT.type, PARTICIPANT.target, recipient) for recipient in participants]
    if about is not None:
        links.append(Link("ABOUT", about.label, about.uid))
    return await nodes.create(tx, CONVERSATION, owner=owner, uid=uid, values=values, links=links)


# The next position is taken under the conversation's write lock (its first SET), so concurrent appends
# queue there and each reads the number the one before it left: distinct, gap-free positions.
_APPEND = """
{changeable}
WITH n AS c
SET c.message_lock = true
WITH c, coalesce(c.message_seq, 0) + 1 AS seq
SET c.message_seq = seq
REMOVE c.message_lock
WITH c, seq
OPTIONAL MATCH (old:Message {uid: $supersedes, owner: $owner})-[was:IN]->(c)
CREATE (m:Message) SET m = $props, m.created_at = datetime(), m.updated_at = datetime()
CREATE (m)-[:IN {seq: seq, place: coalesce(was.place, was.seq, seq)}]->(c)
WITH c, seq, old, m
CALL (m) {
  OPTIONAL MATCH (r:Recipient {uid: $recipient, owner: $owner})
  FOREACH (x IN CASE WHEN r IS NULL THEN [] ELSE [r] END | CREATE (m)-[:SAID_BY]->(x))
  RETURN count(r) AS speakers
}
CALL (m) {
  UNWIND $attachments AS attached
  MATCH (d:Document {uid: attached, owner: $owner}) WHERE d.deleted_at IS NULL
  CREATE (m)-[:HAS_ATTACHMENT]->(d)
  RETURN count(DISTINCT d) AS documents
}
WITH c, seq, old, m, speakers, documents, old.superseded_by IS NOT NULL AS taken
FOREACH (x IN CASE WHEN old IS NULL OR taken THEN [] ELSE [old] END | SET x.superseded_by = m.uid)
RETURN c.status AS status, speakers, documents, old IS NOT NULL AS found, taken
""".replace(
    "{changeable}",
    CONVERSATION.changeable("conversation"),  # the author's, or one made together
)


# A recording's transcript, from its passages (`d`'s chunks, in order): the text a voice note takes.
TRANSCRIPT = """reduce(said = '', t IN COLLECT {{
  MATCH ({0})-[:HAS_CHUNK]->(c:DocumentChunk) RETURN c.text ORDER BY c.index
}} | said + CASE said WHEN '' THEN '' ELSE ' ' END + t)"""
MAX_TEXT = 20_000  # what a message holds; a longer transcript is cut (the passages keep it whole)
# Why a message without text is refused: only a recording that will be transcribed gives it one.
NO_TEXT = (
    "Say what the message says, or attach a voice note (an audio document, not one that failed or was "
    "left untranscribed): its transcript becomes the text."
)

# A voice note appended: each audio document it carries is locked (as the transcript's writer locks
# it, graph/documents.py's `transcribed`), so either the transcript is here already and the message
# takes it now, or the writer, coming after, finds the message waiting for it.
_VOICE = f"""
MATCH (m:Message {{uid: $uid, owner: $owner}})
CALL (m) {{
  MATCH (m)-[:HAS_ATTACHMENT]->(d:Document {{kind: 'audio'}})
  WHERE NOT d.status IN ['failed', 'untranscribed']  // a recording never transcribed gives no text
  SET d.transcript_lock = true
  REMOVE d.transcript_lock
  WITH d ORDER BY d.created_at
  RETURN count(d) AS voices, head(collect(CASE WHEN d.status = 'ready' THEN d END)) AS heard
}}
CALL (m, heard) {{
  WITH m, heard WHERE heard IS NOT NULL
  SET m.text = left({TRANSCRIPT.format("heard")}, {MAX_TEXT}), m.transcribed = true
}}
RETURN voices
"""


async def append(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    conversation: str,
    values: dict[str, Any],
    recipient: str | None,
    attachments: list[str],
    supersedes: str | None,
) -> Row:
    """Appends a message at its conversation's next position; refuses (nothing kept) a conversation that
    is not the owner's or is closed, a speaker or document not theirs, an edit of a message not in
    this conversation or already superseded, and a message without text (a voice note) that carries no
    recording. A voice note's text is "" until its recording's transcript arrives (now, if it has).
    Writes MessageCreated (and MessageUpdated for the message it supersedes)."""
    voice = values.get("text") is None
    values = {**values, "text": ""} if voice else values
    props = for_create(MESSAGE.model, {**values, "uid": uid, "owner": owner, "supersedes": supersedes})
    record = await (
        await tx.run(
            _APPEND,
            owner=owner,
            conversation=conversation,
            props=props,
            recipient=recipient,
            attachments=attachments,
            supersedes=supersedes,
        )
    ).single()
    if record is None:
        raise NotFound("No Conversation of yours has this id.", id=conversation)
    if record["status"] == "closed":
        raise Closed("This conversation is closed: reopen it to add messages.", id=conversation)
    if recipient is not None and record["speakers"] == 0:
        raise NotFound("No Recipient of yours has this id.", id=recipient)
    if record["documents"] < len(set(attachments)):
        raise NotFound("Not every document attached is one of yours.", ids=sorted(set(attachments)))
    if supersedes is not None and not record["found"]:
        raise NotFound("No Message of yours in this conversation has this id.", id=supersedes)
    if record["taken"]:
        raise BadUserInput(
            "This message was superseded already: edit its newest version.", field="supersedes"
        )
    if voice:
        heard = await (await tx.run(_VOICE, uid=uid, owner=owner)).single(strict=True)
        if heard["voices"] == 0:
            raise BadUserInput(NO_TEXT, field="text")
    refs = [Ref(MESSAGE.label, uid), Ref(CONVERSATION.label, conversation)]
    refs += [Ref(RECIPIENT.label, recipient)] if recipient is not None else []
    refs += [Ref(DOCUMENT.label, document) for document in dict.fromkeys(attachments)]
    changes: list[tuple[EventKind, list[Ref]]] = [(EventKind.created(MESSAGE.label), refs)]
    if supersedes is not None:
        changes.append((EventKind.updated(MESSAGE.label), [Ref(MESSAGE.label, supersedes)]))
    await events.append_all(tx, owner, changes)
    return (await nodes.by_uids(tx, MESSAGE, owner=owner, uids=[uid]))[0]


async def take_transcript(tx: AsyncManagedTransaction, *, owner: str, document: str) -> list[str]:
    """The recording's transcript becomes the text of each message carrying it that has none yet (a
    voice note): its one change, not an edit. One MessageUpdated names them; their uids."""
    query = f"""
    MATCH (d:Document {{uid: $document, owner: $owner}}) WHERE d.deleted_at IS NULL
    WITH d, left({TRANSCRIPT.format("d")}, {MAX_TEXT}) AS transcript
    MATCH (m:Message {{owner: $owner}})-[:HAS_ATTACHMENT]->(d)
    WHERE m.text = '' AND NOT coalesce(m.transcribed, false)
    SET m.text = transcript, m.transcribed = true, m.updated_at = datetime()
    RETURN m.uid AS uid
    """
    uids = [record["uid"] async for record in await tx.run(query, owner=owner, document=document)]
    if uids:
        refs = [*(Ref(MESSAGE.label, uid) for uid in uids), Ref(DOCUMENT.label, document)]
        await events.append(tx, owner, EventKind.updated(MESSAGE.label), refs)
    return uids


async def mediation(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> list[dict[str, Any]]:
    """Who spoke in the conversation and how: for the viewer (recipient null) and each of their people
    who takes part or spoke, the current messages they said, their average sentiment and its trend
    (their messages' sentiments in order). Computed from the messages, never stored."""
    query = """
    MATCH (c:Conversation {uid: $uid, owner: $owner})
    CALL (c) {
      MATCH (c)-[:PARTICIPANT]->(r:Recipient) RETURN r.uid AS speaker
      UNION
      MATCH (c)<-[:IN]-(:Message)-[:SAID_BY]->(r:Recipient) RETURN r.uid AS speaker
      UNION
      RETURN null AS speaker
    }
    CALL (c, speaker) {
      OPTIONAL MATCH (c)<-[i:IN]-(m:Message)
      WHERE m.superseded_by IS NULL AND m.owner = $owner
        AND CASE WHEN speaker IS NULL THEN m.role = 'user'
                 ELSE EXISTS { (m)-[:SAID_BY]->(:Recipient {uid: speaker}) } END
      WITH i, m ORDER BY i.seq
      RETURN count(m) AS messages, avg(m.sentiment) AS average, collect(m.sentiment) AS trend
    }
    RETURN speaker, messages, average, trend ORDER BY speaker IS NOT NULL, speaker
    """
    result = await tx.run(query, owner=owner, uid=uid)
    return [dict(record) async for record in result]


# How many messages a live subscription reads from the graph at a time (catching up after `after`).
LIVE_PAGE = 100


async def newest_seq(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> int | None:
    """The position of the conversation's newest message (0 before any, superseded ones counted); None
    when the viewer does not read it (theirs, or shared with their couple: a joint session)."""
    query = f"""
    MATCH (c:Conversation {{uid: $uid}}) WHERE {CONVERSATION.scope("c")}
    RETURN coalesce(c.message_seq, 0) AS seq"""
    record = await (await tx.run(query, owner=owner, uid=uid)).single()
    return record["seq"] if record is not None else None


async def messages_after(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, after: int, limit: int = LIVE_PAGE
) -> list[Row]:
    """The conversation's messages after a position (superseded ones too: each has its own), in order of
    position, at most `limit`, whoever wrote them (both members write in a joint session); none when
    the viewer does not read the conversation."""
    query = f"""
    MATCH (held:Conversation {{uid: $uid}})<-[seat:IN]-(n:Message)
    WHERE {CONVERSATION.scope("held")} AND {MESSAGE.scope()} AND seat.seq > $after AND {MESSAGE.visible}
    WITH held, seat, n ORDER BY seat.seq LIMIT $limit
    RETURN collect({MESSAGE.projection}) AS rows
    """
    record = await (await tx.run(query, owner=owner, uid=uid, after=after, limit=limit)).single(strict=True)
    return [MESSAGE.row(node) for node in record["rows"]]


async def delete(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, within: frozenset[str] | None = None
) -> list[str]:
    """Deletes the owner's conversation and its messages; returns every node deleted ("Label:uid").

    A joint session (made together, shared with the couple) holds both members' messages, so it is left
    as one: its author's delete ends it for both, every message going with it (each in its writer's log,
    so the partner's stream drops theirs: nothing stays behind without the session it was said in); the
    partner's delete is their leaving it: their own messages go, and it is no longer shared, so it stays
    its author's alone with what they wrote. Anything else is refused as nodes.delete refuses, and all of
    it when it reaches a kind outside `within` (an API key's)."""
    query = f"""
    MATCH (c:Conversation {{uid: $uid}}) WHERE {CONVERSATION.scope("c")}
    RETURN c.owner AS author, coalesce(c.made_together, false) AS joint,
           COLLECT {{ MATCH (c)<-[:IN]-(m:Message) WHERE m.owner <> c.owner
                      RETURN DISTINCT m.owner }} AS writers
    """
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    if record is None or not record["joint"]:
        return await nodes.delete(tx, CONVERSATION, owner=owner, uid=uid, within=within)
    author: str = record["author"]
    if author != owner:  # the partner leaves the session
        gone = await joint_sessions.drop_messages(tx, writer=owner, uid=uid, within=within)
        await couples.share(tx, CONVERSATION, owner=author, uid=uid, shared=False)
        return gone
    deleted: list[str] = []
    for writer in sorted(record["writers"]):
        deleted.extend(await joint_sessions.drop_messages(tx, writer=writer, uid=uid, within=within))
    return await nodes.delete(tx, CONVERSATION, owner=owner, uid=uid, within=within) + deleted
