"""Leaving a joint mediation session (a conversation made together, whose messages are both members'):
the one leaving takes their own words with them. Written once, for a member's delete of their partner's
session (graph/conversations.py's `delete`) and for the end of the couple (graph/couples.py's `leave`).
"""

from neo4j import AsyncManagedTransaction

from graph import nodes
from graph.kinds import MESSAGE

SAID_IN = "EXISTS { (n)-[:IN]->(:Conversation {uid: $uid}) }"


async def drop_messages(
    tx: AsyncManagedTransaction, *, writer: str, uid: str, within: frozenset[str] | None = None
) -> list[str]:
    """Deletes the writer's messages said in the conversation `uid`, each Deleted event in the writer's
    log (written while the session is still shared, the other member's stream drops them: graph/
    events.py); returns every node deleted ("Label:uid"). OutOfScope as nodes.delete_where says."""
    gone = await nodes.delete_where(tx, MESSAGE, owner=writer, where=SAID_IN, within=within, uid=uid)
    return [ref for refs in gone for ref in refs]


async def guest_sessions(tx: AsyncManagedTransaction, *, writer: str, host: str) -> list[str]:
    """The uids of the host's joint sessions (shared now or before) that the writer said something in."""
    query = """
    MATCH (c:Conversation {owner: $host}) WHERE coalesce(c.made_together, false)
      AND EXISTS { (c)<-[:IN]-(:Message {owner: $writer}) }
    RETURN c.uid AS uid ORDER BY uid
    """
    return [r["uid"] async for r in await tx.run(query, writer=writer, host=host)]


async def leave_all(tx: AsyncManagedTransaction, *, writer: str, host: str) -> list[str]:
    """The writer leaves every joint session of the host's (their couple is ending): their messages in
    each go, as when they leave one. Returns every node deleted."""
    deleted: list[str] = []
    for uid in await guest_sessions(tx, writer=writer, host=host):
        deleted.extend(await drop_messages(tx, writer=writer, uid=uid))
    return deleted
