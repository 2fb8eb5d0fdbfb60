"""How a memory's importance fades (seed 001's importance for retention and consolidation).

A memory's effective importance is its importance (0.5 when none was given) halved every half-life
since it was last touched (its last change, else when it was recorded):

    effective = importance * 0.5 ** (age_days / half_life_days)

where age_days counts the whole days gone by (it changes once a day, not from one read to the next).

The half-life is HALF_LIFE_DAYS, times LASTING for what is meant to last (importance of LASTING_AT or
more, or an identity memory), times 1 + RECALL_GAIN for each time it was recalled (an insight that
rests on it: it was drawn on as evidence), at most RECALL_MOST of them; changing it recalls it too (its
age counts from then). The daily consolidation
(dispatch/consolidation.py) marks a memory `faded_at` once its effective importance is under FADED, and
unmarks it when it rises again (it was changed, or recalled): nothing is deleted.
"""

HALF_LIFE_DAYS = 30.0
LASTING = 4.0
LASTING_AT = 0.8
RECALL_GAIN = 0.5
RECALL_MOST = 6
FADED = 0.05
DEFAULT_IMPORTANCE = 0.5


def effective_importance(node: str = "n", now: str = "datetime()") -> str:
    """Cypher for the effective importance of the Memory `node` at `now` (a Cypher datetime)."""
    importance = f"coalesce({node}.importance, {DEFAULT_IMPORTANCE})"
    lasting = (
        f"CASE WHEN {importance} >= {LASTING_AT} OR {node}.kind = 'identity' THEN {LASTING} ELSE 1.0 END"
    )
    recalls = f"COUNT {{ ({node})<-[:DERIVED_FROM]-(:Insight) }}"
    recalled = (
        f"(1.0 + {RECALL_GAIN} * CASE WHEN {recalls} > {RECALL_MOST} THEN {RECALL_MOST} ELSE {recalls} END)"
    )
    # In whole days: the value holds all day (two reads of one answer agree), and moves once a day.
    age = f"toFloat(duration.inDays(coalesce({node}.updated_at, {node}.created_at, {now}), {now}).days)"
    return (
        f"{importance} * 0.5 ^ (CASE WHEN {age} > 0 THEN {age} ELSE 0.0 END"
        f" / ({HALF_LIFE_DAYS} * {lasting} * {recalled}))"
    )
