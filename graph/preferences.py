"""The Cypher of preferences learned from gift outcomes (dispatch/outcome_preferences.py): for the gifts
given, each of their recipients with every outcome of the owner's gifts of the same category (case
folded) for that person, and the insight already learned from them."""

from collections.abc import Iterable
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.kinds import RESTS_ON

# An outcome-learned preference's claim: this prefix, the recipient's uid, "|", the folded category.
CLAIM_PREFIX = "outcomes|"


async def tallies(tx: AsyncManagedTransaction, *, owner: str, gifts: Iterable[str]) -> list[dict[str, Any]]:
    """Rows of `recipient`, `name`, `category` (as first written), `key` (folded), `outcomes` (uid,
    success, given of each) and `insight` (the learned one's uid, status and evidence, or null)."""
    query = f"""
    MATCH (g:Gift {{owner: $owner}}) WHERE g.uid IN $gifts AND trim(coalesce(g.category, '')) <> ''
    MATCH (g)-[:INTENDED_FOR]->(r:Recipient {{owner: $owner}})
    WITH DISTINCT r, toLower(trim(g.category)) AS key
    CALL (r, key) {{
      MATCH (r)<-[:INTENDED_FOR]-(h:Gift {{owner: $owner}})-[:HAS_OUTCOME]->(o:GiftOutcome {{owner: $owner}})
      WHERE toLower(trim(h.category)) = key
      WITH h, o ORDER BY o.created_at
      RETURN collect({{uid: o.uid, success: o.success, given: coalesce(o.was_given, true)}}) AS outcomes,
             head(collect(trim(h.category))) AS category
    }}
    OPTIONAL MATCH (i:Insight {{owner: $owner, claim: $prefix + r.uid + '|' + key}})
    RETURN r.uid AS recipient, r.name AS name, category, key, outcomes,
           CASE WHEN i IS NULL THEN null ELSE {{uid: i.uid, status: i.status,
             evidence: [(i)-[:{RESTS_ON}]->(e:GiftOutcome) | e.uid]}} END AS insight
    """
    result = await tx.run(query, owner=owner, gifts=sorted(set(gifts)), prefix=CLAIM_PREFIX)
    return [record.data() async for record in result]
