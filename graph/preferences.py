"""The Cypher of preferences learned from gift outcomes and reactions (dispatch/outcome_preferences.py):
the (person, gift category) pairs a change may have moved, each with every outcome of the owner's gifts
of that category (case folded) for that person, the owner's reactions to recommendations of that category
for them, and the insight already learned from them."""

from collections.abc import Iterable
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import nodes
from graph.kinds import INSIGHT, LEARNED_FROM, RECOMMENDATION, RESTS_ON
from graph.refs import Ref

LEARNED = LEARNED_FROM.type
# An outcome-learned preference's claim: this prefix, the recipient's uid, "|", the folded category.
CLAIM_PREFIX = "outcomes|"


async def tallies(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    gifts: Iterable[str],
    recipients: Iterable[str] = (),
    everything: bool = False,
    recommendations: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """For the pairs these changes may have moved: each of these gifts' people with the gift's category
    now, and the pairs of the preferences already learned of these gifts' people, of these `recipients`,
    or (`everything`: after a deletion, whose people are gone from the log) of all the owner's people;
    and the pair of each of these `recommendations` (reacted to, or a reaction taken back).

    Rows of `recipient`, `name`, `category` (as first written; the key when no outcome is left), `key`
    (folded), `outcomes` (uid, success, given of each), `reactions` (uid, reaction of each recommendation
    of that category for them the owner reacted to) and `insight` (the learned one's uid, status,
    statement, confidence, value as stored, evidence and the recommendations it counts, or null)."""
    query = f"""
    CALL () {{
      MATCH (g:Gift {{owner: $owner}})-[:INTENDED_FOR]->(r:Recipient {{owner: $owner}})
      WHERE g.uid IN $gifts AND trim(coalesce(g.category, '')) <> ''
      RETURN r.uid AS recipient, toLower(trim(g.category)) AS key
      UNION
      MATCH (m:GiftRecommendation {{owner: $owner}})-[:RECOMMENDED_FOR]->(r:Recipient {{owner: $owner}})
      WHERE m.uid IN $recommendations AND trim(coalesce(m.category, '')) <> ''
      RETURN r.uid AS recipient, toLower(trim(m.category)) AS key
      UNION
      MATCH (i:Insight {{owner: $owner}}) WHERE i.claim STARTS WITH $prefix
      WITH i, substring(i.claim, size($prefix)) AS rest
      WITH i, split(rest, '|')[0] AS recipient, rest
      WITH i, recipient, substring(rest, size(recipient) + 1) AS key
      WHERE $everything OR recipient IN $recipients
         OR EXISTS {{ MATCH (g:Gift {{owner: $owner}})-[:INTENDED_FOR]->(:Recipient {{uid: recipient}})
                     WHERE g.uid IN $gifts }}
         OR EXISTS {{ MATCH (i)-[:{LEARNED}]->(m:GiftRecommendation) WHERE m.uid IN $recommendations }}
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
    CALL (r, key) {{
      OPTIONAL MATCH (r)<-[:RECOMMENDED_FOR]-(m:GiftRecommendation {{owner: $owner}})
      WHERE m.reaction IS NOT NULL AND toLower(trim(m.category)) = key
      WITH m ORDER BY m.reacted_at, m.uid
      RETURN collect(CASE WHEN m IS NOT NULL THEN {{uid: m.uid, reaction: m.reaction}} END) AS reactions,
             head(collect(trim(m.category))) AS suggested
    }}
    OPTIONAL MATCH (i:Insight {{owner: $owner, claim: $prefix + r.uid + '|' + key}})
    RETURN r.uid AS recipient, r.name AS name, coalesce(written, suggested, key) AS category, key, outcomes,
           reactions,
           CASE WHEN i IS NULL THEN null ELSE {{uid: i.uid, status: i.status, statement: i.statement,
             confidence: i.confidence, value: i.value,
             evidence: [(i)-[:{RESTS_ON}]->(e:GiftOutcome) | e.uid],
             reactions: [(i)-[l:{LEARNED}]->(e:GiftRecommendation) | [e.uid, l.weight]]}} END AS insight
    ORDER BY recipient, key
    """
    result = await tx.run(
        query,
        owner=owner,
        gifts=sorted(set(gifts)),
        recipients=sorted(set(recipients)),
        everything=everything,
        recommendations=sorted(set(recommendations)),
        prefix=CLAIM_PREFIX,
    )
    return [record.data() async for record in result]


async def relearn(tx: AsyncManagedTransaction, *, owner: str, uid: str, weights: dict[str, float]) -> None:
    """The preference `uid` counts exactly these recommendations' reactions (uid -> weight), with the
    events of the links made and removed."""
    await nodes.relink(
        tx,
        INSIGHT,
        owner=owner,
        uid=uid,
        rel=LEARNED_FROM.type,
        targets=[Ref(RECOMMENDATION.label, other) for other in sorted(weights)],
    )
    query = f"""
    MATCH (i:Insight {{uid: $uid, owner: $owner}})-[l:{LEARNED_FROM.type}]->(m:GiftRecommendation)
    SET l.weight = $weights[m.uid]
    """
    await (await tx.run(query, uid=uid, owner=owner, weights=weights)).consume()
