"""Cypher for Persona nodes: a persona of a person (one of the owner's recipients, or the owner), built by
a versioned mapper from the insights about them (DERIVED_FROM each), served again while it holds (not
expired, built from the mindscape as it is now), rated by whoever used it. Its relations, both ways, are
walked as graph/kinds.py declares them (`Traversal.along`)."""

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from errors import NotFound
from graph import events, nodes
from graph.events import EventKind
from graph.kinds import INSIGHT, PERSONA, PERSONA_EVIDENCE, PERSONA_OF, RECIPIENT
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.refs import Ref
from graph.rows import native
from graph.traversals import Traversal

# The personas of a person, the person of a persona, the insights one was built from, and the personas
# built from an insight.
OF_RECIPIENT = Traversal.along(PERSONA_OF, PERSONA)
RECIPIENTS = Traversal.along(PERSONA_OF, RECIPIENT)
EVIDENCE = Traversal.along(PERSONA_EVIDENCE, INSIGHT)
OF_INSIGHT = Traversal.along(PERSONA_EVIDENCE, PERSONA)


def condition(
    recipient: str | None = None,
    about_viewer: bool | None = None,
    expired: bool | None = None,
    confirmed_only: bool | None = None,
) -> Condition:
    """Which personas a list holds; `confirmed_only`: only those built from confirmed insights alone (what
    an API key reads)."""
    return Condition.of(
        ("EXISTS { (n)-[:OF]->(:Recipient {uid: $recipient, owner: $owner}) }", "recipient", recipient),
        ("n.about_viewer = $about_viewer", "about_viewer", about_viewer),
        ("(n.expires_at <= datetime()) = $expired", "expired", expired),
        ("coalesce(n.confirmed_only, false) = $confirmed_only", "confirmed_only", confirmed_only),
    )


async def create(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    recipient: str | None,
    evidence: list[str],
) -> Row:
    """The persona, with whom it is of and the insights it was built from; NotFound (nothing written)
    when one of them is not the owner's."""
    links = [Link(PERSONA_OF.type, PERSONA_OF.target, recipient)] if recipient else []
    links += [
        Link(PERSONA_EVIDENCE.type, PERSONA_EVIDENCE.target, insight) for insight in dict.fromkeys(evidence)
    ]
    return await nodes.create(tx, PERSONA, owner=owner, uid=uid, values=values, links=links)


async def served_again(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    recipient: str | None,
    mapper: str,
    version: str,
    detail: str,
    context: str | None,
    mindscape_version: str,
    confirmed_only: bool,
) -> Row | None:
    """A persona built for the same ask (person, mapper version, detail, context) from the mindscape as
    it is now and not expired (and, `confirmed_only`, from confirmed insights alone), counted as served
    once more; None when there is none."""
    query = f"""
    MATCH (n:Persona {{owner: $owner}})
    WHERE n.mapper = $mapper AND n.mapper_version = $version AND n.detail = $detail
      AND n.mindscape_version = $mindscape_version AND n.expires_at > datetime()
      AND (NOT $confirmed_only OR coalesce(n.confirmed_only, false))
      AND coalesce(n.context, '') = coalesce($context, '')
      AND CASE WHEN $recipient IS NULL THEN n.about_viewer
               ELSE EXISTS {{ (n)-[:OF]->(:Recipient {{uid: $recipient, owner: $owner}}) }} END
    WITH n ORDER BY n.created_at DESC LIMIT 1
    SET n.access_count = coalesce(n.access_count, 0) + 1, n.last_accessed_at = datetime()
    RETURN {PERSONA.projection} AS n
    """
    params = dict(
        owner=owner,
        recipient=recipient,
        mapper=mapper,
        version=version,
        detail=detail,
        context=context,
        mindscape_version=mindscape_version,
        confirmed_only=confirmed_only,
    )
    record = await (await tx.run(query, params)).single()
    return PERSONA.row(record["n"]) if record is not None else None


async def rate(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, rating: int, outcome: str, confirmed_only: bool
) -> Row:
    """Adds one rating (and what came of the task) to the persona; NotFound when it is not the owner's
    (or, `confirmed_only`, not built from confirmed insights alone: not one an API key reads)."""
    query = f"""
    MATCH (n:Persona {{uid: $uid, owner: $owner}})
    WHERE NOT $confirmed_only OR coalesce(n.confirmed_only, false)
    SET n.feedback_ratings = coalesce(n.feedback_ratings, []) + $rating,
        n.feedback_outcomes = coalesce(n.feedback_outcomes, []) + $outcome, n.updated_at = datetime()
    RETURN {PERSONA.projection} AS n
    """
    params = dict(owner=owner, uid=uid, rating=rating, outcome=outcome, confirmed_only=confirmed_only)
    record = await (await tx.run(query, params)).single()
    if record is None:
        raise NotFound("No persona of yours has this id.", id=uid)
    await events.append(tx, owner, EventKind.updated(PERSONA.label), [Ref(PERSONA.label, uid)])
    return PERSONA.row(record["n"])


async def feedback_by_version(tx: AsyncManagedTransaction, *, owner: str) -> list[dict[str, Any]]:
    """Per mapper and version, over the owner's personas: how many were built, how many ratings they
    got, their sum, and how many outcomes were told."""
    query = """
    MATCH (n:Persona {owner: $owner})
    WITH n.mapper AS mapper, n.mapper_version AS version, n, coalesce(n.feedback_ratings, []) AS ratings
    RETURN mapper, version, count(n) AS personas, sum(size(ratings)) AS ratings,
           sum(reduce(t = 0, r IN ratings | t + r)) AS rating_sum,
           sum(size([o IN coalesce(n.feedback_outcomes, []) WHERE o <> ''])) AS outcomes
    """
    return [native(dict(record)) async for record in await tx.run(query, owner=owner)]


async def expired(tx: AsyncManagedTransaction, *, before: datetime, limit: int) -> list[tuple[str, str]]:
    """Up to `limit` personas (owner, uid) that expired before `before` (their grace over), by owner:
    what the purge deletes."""
    query = """
    MATCH (n:Persona) WHERE n.expires_at < $before
    RETURN n.owner AS owner, n.uid AS uid ORDER BY owner LIMIT $limit
    """
    return [(r["owner"], r["uid"]) async for r in await tx.run(query, before=before, limit=limit)]


async def purge(tx: AsyncManagedTransaction, *, owner: str, uids: list[str], before: datetime) -> int:
    """Deletes these personas of the owner that expired before `before`, each with its Deleted event, as
    deleting it through the API would."""
    where = "n.uid IN $uids AND n.expires_at < $before"
    return len(await nodes.delete_where(tx, PERSONA, owner=owner, where=where, uids=uids, before=before))
