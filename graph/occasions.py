"""Cypher for Occasion nodes: dates that matter, when each comes next, and the relations that reach
occasions."""

from datetime import date

from graph.kinds import NEXT_OCCURRENCE, OCCASION
from graph.pages import Condition
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
