"""Cypher for a person's mindscape: the insights about them (a recipient, or the user themselves), grouped
by category, the surest first in each, read in one statement. A query over insights, never a copy."""

from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncManagedTransaction

from graph.kinds import INSIGHT, RECIPIENT
from graph.pages import Row
from graph.rows import datetime_cypher, datetime_of

# The surest first: by confidence, then the latest changed, then by uid (so equal ones keep one order).
SUREST_FIRST = "n.confidence DESC, n.updated_at DESC, n.uid"


@dataclass(frozen=True)
class Layer:
    """The insights of one category: how many there are, and the surest of them."""

    count: int
    items: list[Row]


@dataclass(frozen=True)
class Found:
    """A mindscape as read: whose (the recipient, or None for the user), its layers by category (those
    with no insight left out), when its latest insight changed, and each insight's uid with when it
    last changed (what its version is made from)."""

    person: Row | None
    layers: dict[str, Layer]
    updated_at: datetime | None
    stamps: list[str]


async def read(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    recipient: str | None,
    statuses: list[str],
    per_layer: int,
) -> Found | None:
    """The insights of the given statuses about `recipient` (about the owner themselves when None), each
    category's `per_layer` surest; None when the recipient is not one of the owner's."""
    query = f"""
    OPTIONAL CALL () {{
      MATCH (n:Recipient {{owner: $owner, uid: $recipient}}) {RECIPIENT.joins} WHERE {RECIPIENT.visible}
      RETURN n AS subject, {RECIPIENT.projection} AS person
    }}
    WITH subject, person WHERE $recipient IS NULL OR subject IS NOT NULL
    CALL (subject) {{
      MATCH (n:Insight {{owner: $owner}})
      WHERE n.status IN $statuses AND {INSIGHT.visible}
        AND CASE WHEN subject IS NULL THEN n.about_viewer = true
                 ELSE EXISTS {{ (n)-[:CONCERNS]->(subject) }} END
      WITH n ORDER BY {SUREST_FIRST}
      WITH n.category AS category, collect(n) AS found, max(n.updated_at) AS latest
      CALL (found) {{
        UNWIND found[..$per_layer] AS n {INSIGHT.joins}
        RETURN collect({INSIGHT.projection}) AS items
      }}
      WITH collect({{category: category, count: size(found), items: items}}) AS layers,
           max(latest) AS latest, collect(found) AS founds
      RETURN layers, {datetime_cypher("latest")} AS updated_at,
             reduce(acc = [], found IN founds | acc + found) AS every
    }}
    RETURN person, layers, updated_at,
           [n IN every | n.uid + '@' + toString({datetime_cypher("n.updated_at")})] AS stamps
    """
    result = await tx.run(query, owner=owner, recipient=recipient, statuses=statuses, per_layer=per_layer)
    record = await result.single()
    if record is None:
        return None
    layers = {
        layer["category"]: Layer(layer["count"], [INSIGHT.row(item) for item in layer["items"]])
        for layer in record["layers"]
    }
    person = record["person"]
    return Found(
        person=RECIPIENT.row(person) if person is not None else None,
        layers=layers,
        updated_at=datetime_of(record["updated_at"]),
        stamps=sorted(record["stamps"]),
    )
