"""Cypher for Occasion nodes: dates that matter, when each comes next, and the relations that reach
occasions."""

import json
from datetime import date

from neo4j import AsyncManagedTransaction

from graph import events
from graph.events import OCCASION_UPCOMING
from graph.kinds import NEXT_OCCURRENCE, OCCASION
from graph.pages import Condition
from graph.refs import Ref
from graph.traversals import Traversal

# The relations that reach occasions.
OF_RECIPIENT = Traversal("Recipient", "(p)-[:HAS_OCCASION]->(n:Occasion)", OCCASION)
OF_GIFT = Traversal("Gift", "(p)-[:GIVEN_FOR]->(n:Occasion)", OCCASION)


def condition(
    kinds: list[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    within_days: int | None = None,
    recipient: str | None = None,
) -> Condition:
    within = f"date() <= ({NEXT_OCCURRENCE}) <= date() + duration({{days: $within_days}})"
    return Condition.of(
        ("n.occasion_type IN $kinds", "kinds", kinds),
        ("n.date >= $date_from", "date_from", date_from),
        ("n.date <= $date_to", "date_to", date_to),
        (within, "within_days", within_days),
        (
            "EXISTS { (:Recipient {uid: $recipient, owner: $owner})-[:HAS_OCCASION]->(n) }",
            "recipient",
            recipient,
        ),
    )


# The next occurrence on or after $today (a scheduled job's day, not the database's).
_NEXT_FROM_TODAY = NEXT_OCCURRENCE.replace("date()", "$today")


async def announce(tx: AsyncManagedTransaction, *, today: date, days: int, limit: int) -> int:
    """Writes an OccasionUpcoming event (to its owner) for up to `limit` occasions whose next occurrence
    falls within `days` days of `today` and was not announced yet; each is marked with the occurrence it
    was announced for, so the next run passes over it until the occurrence after. Returns how many."""
    query = f"""
    MATCH (n:Occasion) WHERE n.date IS NOT NULL
    WITH n, {_NEXT_FROM_TODAY} AS next
    WHERE next <= $today + duration({{days: $days}})
      AND (n.announced_for IS NULL OR n.announced_for <> next)
    WITH n, next ORDER BY n.owner, next LIMIT $limit
    SET n.announced_for = next
    RETURN n.owner AS owner, n.uid AS uid, toString(next) AS next
    """
    rows = [record async for record in await tx.run(query, today=today, days=days, limit=limit)]
    for row in rows:
        data = json.dumps({"date": row["next"]})
        await events.append(tx, row["owner"], OCCASION_UPCOMING, [Ref(OCCASION.label, row["uid"])], data)
    return len(rows)
