"""The Cypher of preferences learned from gift outcomes (dispatch/outcome_preferences.py): the (person,
gift category) pairs a change may have moved, each with every outcome of the owner's gifts of that
category (case folded) for that person, and the insight already learned from them."""

from collections.abc import Iterable
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.kinds import RESTS_ON

# An outcome-learned preference's claim: this prefix, the recipient's uid, "|", the folded category.
CLAIM_PREFIX = "outcomes|"


async def tallies(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    gifts: Iterable[str],
    recipients: Iterable[str] = (),
    everything: bool = False,
) -> list[dict[str, Any]]:
    """For the pairs these changes may have moved: each of these gifts' people with the gift's category
    now, and the pairs of the preferences already learned of these gifts' people, of these `recipients`,
    or (`everything`: after a deletion, whose people are gone from the log) of all the owner's people.

    Rows of `recipient`, `name`, `category` (as first written; the key when no outcome is left), `key`
    (folded), `outcomes` (uid, success, given of each) and `insight` (the learned one's uid, status,
    statement, confidence, value as stored and evidence, or null)."""
    query = f"""
    CALL () {{
      MATCH (g:Gift {{owner: $owner}})-[:INTENDED_FOR]->(r:Recipient {{owner: $owner}})
      WHERE g.uid IN $gifts AND trim(coalesce(g.category, '')) <> ''
      RETURN r.uid AS recipient, toLower(trim(g.category)) AS key
      UNION
      MATCH (i:Insight {{owner: $owner}}) WHERE i.claim STARTS WITH $prefix
      WITH substring(i.claim, size($prefix)) AS rest
      WITH split(rest, '|')[0] AS recipient, rest
      WITH recipient, substring(rest, size(recipient) + 1) AS key
      WHERE $everything OR recipient IN $recipients
         OR EXISTS {{ MATCH (g:Gift {{owner: $owner}})-[:INTENDED_FOR]->(:Recipient {{uid: recipient}})
                     WHERE g.uid IN $gifts }}
      RETURN recipient, key
    }}
    MATCH (r:Recipient {{uid: recipient, owner: $owner}})
    CALL (r, key) {{
      OPTIONAL MATCH (r)<-[:INTENDED_FOR]-(h:Gift {{owner: $owner}})-[:HAS_OUTCOME]->(o:GiftOutcome)
      WHERE o.owner = $owner AND toLower(trim(h.category)) = key
      WITH h, o ORDER BY o.created_at
      // collect() passes over the null of a pair with no outcome left
      RETURN collect(CASE WHEN o IS NOT NULL THEN
               {{uid: o.uid, success: o.success, given: coalesce(o.was_given, true)}} END) AS outcomes,
             head(collect(trim(h.category))) AS written
    }}
    OPTIONAL MATCH (i:Insight {{owner: $owner, claim: $prefix + r.uid + '|' + key}})
    RETURN r.uid AS recipient, r.name AS name, coalesce(written, key) AS category, key, outcomes,
           CASE WHEN i IS NULL THEN null ELSE {{uid: i.uid, status: i.status, statement: i.statement,
             confidence: i.confidence, value: i.value,
             evidence: [(i)-[:{RESTS_ON}]->(e:GiftOutcome) | e.uid]}} END AS insight
    ORDER BY recipient, key
    """
    result = await tx.run(
        query,
        owner=owner,
        gifts=sorted(set(gifts)),
        recipients=sorted(set(recipients)),
        everything=everything,
        prefix=CLAIM_PREFIX,
    )
    return [record.data() async for record in result]
