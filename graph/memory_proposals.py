"""The Cypher of proposed memories (dispatch/memory_proposals.py): where a text's episodes belong (a
message's conversation), the memories an extractor proposed by their claim or their evidence, and those
left resting on nothing once their evidence was deleted.

Every value is a parameter, every match carries the owner.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from neo4j import AsyncManagedTransaction

from graph.kinds import RESTS_ON
from graph.refs import Ref

# An episode's claim starts with this, then the scope it was told in ("Conversation:<uid>", or the text's
# own ref), "|", then what the episode is known by (extraction/episodes.py's Episode.claim).
CLAIM_PREFIX = "episode|"


@dataclass
class ProposedMemory:
    """A memory an extractor proposed: its claim, status, content, whom it involves, the keys it was
    proposed by and its evidence."""

    uid: str
    claim: str
    status: str
    content: str
    people: set[str] = field(default_factory=set)
    keys: list[str] = field(default_factory=list)
    evidence: set[Ref] = field(default_factory=set)


async def conversations(
    tx: AsyncManagedTransaction, *, owner: str, messages: Iterable[str]
) -> dict[str, str]:
    """Message uid -> the uid of the conversation it is in (the scope its episodes are told in)."""
    query = """
    MATCH (m:Message {owner: $owner})-[:IN]->(c:Conversation) WHERE m.uid IN $uids
    RETURN m.uid AS message, c.uid AS conversation
    """
    result = await tx.run(query, owner=owner, uids=sorted(set(messages)))
    return {record["message"]: record["conversation"] async for record in result}


async def proposed(
    tx: AsyncManagedTransaction, *, owner: str, claims: Iterable[str], evidence: Iterable[Ref]
) -> list[ProposedMemory]:
    """The memories an extractor proposed that make one of these claims or rest on one of these nodes."""
    query = f"""
    CALL () {{
      MATCH (n:Memory {{owner: $owner}}) WHERE n.claim IN $claims RETURN n
      UNION
      MATCH (n:Memory {{owner: $owner}})-[:{RESTS_ON}]->(e {{owner: $owner}})
      WHERE n.claim IS NOT NULL AND labels(e)[0] + ':' + e.uid IN $evidence
      RETURN n
    }}
    RETURN n.uid AS uid, n.claim AS claim, n.status AS status, n.content AS content,
           coalesce(n.claim_keys, []) AS keys,
           [(n)-[:INVOLVES]->(r:Recipient) | r.uid] AS people,
           [(n)-[:{RESTS_ON}]->(e) WHERE e.owner = $owner | labels(e)[0] + ':' + e.uid] AS evidence
    """
    result = await tx.run(query, owner=owner, claims=sorted(set(claims)), evidence=sorted(map(str, evidence)))
    return [
        ProposedMemory(
            r["uid"],
            r["claim"],
            r["status"],
            r["content"],
            set(r["people"]),
            list(r["keys"]),
            {Ref.parse(text) for text in r["evidence"]},
        )
        async for r in result
    ]


async def latest(tx: AsyncManagedTransaction, *, owner: str, scope: str) -> str | None:
    """The claim of the episode last proposed in this scope (a conversation) that is still proposed: where a
    sentence with no time of its own joins."""
    query = """
    MATCH (n:Memory {owner: $owner}) WHERE n.claim STARTS WITH $prefix AND n.status = 'proposed'
    RETURN n.claim AS claim ORDER BY n.created_at DESC LIMIT 1
    """
    record = await (await tx.run(query, owner=owner, prefix=f"{CLAIM_PREFIX}{scope}|")).single()
    return None if record is None else str(record["claim"])
