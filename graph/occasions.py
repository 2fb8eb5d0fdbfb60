"""Cypher for Occasion nodes: dates that matter, when each comes next, and the relations that reach
occasions."""

from datetime import date

from graph.models import Occasion
from graph.nodes import Invariant, Kind
from graph.pages import Condition
from graph.rows import Computed, date_of
from graph.traversals import Traversal

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

OCCASION = Kind(
    "Occasion",
    Occasion,
    computed={"next_occurrence": Computed(f"toString({NEXT_OCCURRENCE})", date_of)},
    sorts={
        "date": "n.date",
        "next": NEXT_OCCURRENCE,
        "importance": "n.importance",
        "name": "n.name",
        "created_at": "n.created_at",
    },
    invariants=(
        Invariant(
            "n.budget_min IS NULL OR n.budget_max IS NULL OR n.budget_min <= n.budget_max",
            "budgetMinCents",
            "budgetMinCents must not be over budgetMaxCents.",
        ),
    ),
)
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
