"""Cypher for Occasion nodes: dates that matter, and when each comes next."""

from typing import Any

from graph.pages import Condition

# The next occurrence on or after today (UTC) of `n`: the date itself if it has not passed or does not
# recur; else the same day next month or year. Adding a duration keeps 29 February a valid date.
NEXT_OCCURRENCE = """CASE
  WHEN n.date >= date() OR NOT coalesce(n.recurring, false) THEN n.date
  WHEN n.recurrence = 'monthly' THEN
    [k IN [(date().year - n.date.year) * 12 + date().month - n.date.month] |
      CASE WHEN n.date + duration({months: k}) >= date()
        THEN n.date + duration({months: k}) ELSE n.date + duration({months: k + 1}) END][0]
  ELSE
    [k IN [date().year - n.date.year] |
      CASE WHEN n.date + duration({years: k}) >= date()
        THEN n.date + duration({years: k}) ELSE n.date + duration({years: k + 1}) END][0]
END"""

SORTS = {"date": "n.date", "next": NEXT_OCCURRENCE, "importance": "n.importance", "name": "n.name"}


def condition(
    types: list[str] | None = None,
    date_from: Any = None,
    date_to: Any = None,
    within_days: int | None = None,
    recipient: str | None = None,
) -> Condition:
    within = f"date() <= ({NEXT_OCCURRENCE}) <= date() + duration({{days: $within_days}})"
    return Condition.of(
        ("n.occasion_type IN $types", "types", types),
        ("n.date >= $date_from", "date_from", date_from),
        ("n.date <= $date_to", "date_to", date_to),
        (within, "within_days", within_days),
        (
            "EXISTS { (:Recipient {uid: $recipient, owner: $owner})-[:HAS_OCCASION]->(n) }",
            "recipient",
            recipient,
        ),
    )
