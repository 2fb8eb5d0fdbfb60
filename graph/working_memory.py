"""Cypher for a conversation's working memory as the graph keeps it: the slots an agent fills (a JSON
property of the conversation, with a version counting their writes) and its last current messages. The
hot copy of it lives in the cache (resolvers/working_memory.py); this is what that copy is built from."""

import json
from collections.abc import Callable
from typing import Any

from neo4j import AsyncManagedTransaction

from errors import NotFound
from graph import events
from graph.events import EventKind
from graph.kinds import CONVERSATION
from graph.refs import Ref

# The stamps a hot copy is checked against: the conversation's last message position (message_seq) and
# its slots' version; and its last `$turns` current messages as [seq, uid], the latest first.
_STATES = """
UNWIND $uids AS uid
MATCH (c:Conversation {uid: uid, owner: $owner})
RETURN c.uid AS uid, coalesce(c.message_seq, 0) AS seq, coalesce(c.working_version, 0) AS version,
       c.working_slots AS slots,
       COLLECT {
         MATCH (c)<-[i:IN]-(m:Message) WHERE m.superseded_by IS NULL AND m.owner = $owner
         WITH i, m ORDER BY i.seq DESC LIMIT $turns
         RETURN [i.seq, m.uid]
       } AS turns
"""


async def states(
    tx: AsyncManagedTransaction, *, owner: str, uids: list[str], turns: int
) -> dict[str, dict[str, Any]]:
    """The working memory of each of these conversations as the graph has it, by uid: {seq, version,
    slots, turns: [(seq, uid)] in order}; those that are not the owner's are left out."""
    found = {}
    async for record in await tx.run(_STATES, owner=owner, uids=uids, turns=turns):
        slots = json.loads(record["slots"]) if record["slots"] else {}
        latest = [(int(seq), str(message)) for seq, message in record["turns"]]
        found[record["uid"]] = {
            "seq": record["seq"],
            "version": record["version"],
            "slots": slots,
            "turns": latest[::-1],
        }
    return found


# The first SET takes the conversation's write lock: concurrent writes of its slots queue there, and each
# reads the slots the one before it left.
_LOCK = """
MATCH (c:Conversation {uid: $uid, owner: $owner})
SET c.working_lock = true
REMOVE c.working_lock
RETURN c.working_slots AS slots
"""
_WRITE = """
MATCH (c:Conversation {uid: $uid, owner: $owner})
SET c.working_slots = $slots, c.working_version = coalesce(c.working_version, 0) + 1,
    c.updated_at = datetime()
"""


async def write_slots(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    change: Callable[[dict[str, Any]], dict[str, Any]],
    turns: int,
) -> dict[str, Any]:
    """Sets the conversation's slots to `change(the slots it has)` (which may refuse: then nothing is
    written), writes ConversationUpdated, and returns the working memory as `states` does; NotFound when
    it is not the owner's conversation."""
    record = await (await tx.run(_LOCK, owner=owner, uid=uid)).single()
    if record is None:
        raise NotFound("No Conversation of yours has this id.", id=uid)
    slots = change(json.loads(record["slots"]) if record["slots"] else {})
    await tx.run(_WRITE, owner=owner, uid=uid, slots=json.dumps(slots) if slots else None)
    await events.append(tx, owner, EventKind.updated(CONVERSATION.label), [Ref(CONVERSATION.label, uid)])
    return (await states(tx, owner=owner, uids=[uid], turns=turns))[uid]  # matched above
