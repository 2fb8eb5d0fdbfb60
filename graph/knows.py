"""What gift outcomes teach about a relationship: the gift statistics kept on the viewer's KNOWS edge to a
recipient, recomputed from the outcomes themselves whenever what they count changes."""

from neo4j import AsyncManagedTransaction

# An outcome at or above this success teaches what works for someone; below the other, what does not.
GOOD, POOR = 0.7, 0.4


async def refresh(tx: AsyncManagedTransaction, *, owner: str, recipients: list[str]) -> None:
    """Recomputes, from the outcomes themselves, the gift statistics on KNOWS for these recipients."""
    query = """
    UNWIND $recipients AS recipient
    MATCH (:User {uid: $owner})-[k:KNOWS]->(r:Recipient {uid: recipient, owner: $owner})
    CALL (r) {
      OPTIONAL MATCH (r)<-[:INTENDED_FOR]-(g:Gift {owner: $owner})-[:HAS_OUTCOME]->(o:GiftOutcome)
      WHERE o.was_given
      WITH g, o ORDER BY o.success DESC
      RETURN count(o) AS given, avg(o.success) AS average,
             collect(CASE WHEN o.success >= $good THEN g.category END) AS good,
             collect(CASE WHEN o.success < $poor THEN g.category END) AS poor
    }
    SET k.gifts_given_count = given, k.average_gift_success = average,
        k.preferred_gift_types = [i IN range(0, size(good) - 1) WHERE NOT good[i] IN good[0..i] | good[i]],
        k.failed_gift_types = [i IN range(0, size(poor) - 1) WHERE NOT poor[i] IN poor[0..i] | poor[i]]
    """
    await (await tx.run(query, recipients=recipients, owner=owner, good=GOOD, poor=POOR)).consume()


async def after_link(tx: AsyncManagedTransaction, *, owner: str, source: str, target: str) -> None:
    """A gift was linked to (or unlinked from) a recipient: their statistics count it (or no longer)."""
    await refresh(tx, owner=owner, recipients=[target])
