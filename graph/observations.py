"""Cypher for Observation nodes: raw input as it was seen, whom it is about, and its review (pending, then
approved or rejected, once, by whoever the request acts as). Its relations, both ways, are walked as
graph/kinds.py declares them (`Traversal.along`)."""

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from errors import AlreadyDecided, NotFound
from graph import events, nodes
from graph.events import EventKind
from graph.kinds import OBSERVATION, OBSERVED, RECIPIENT
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.refs import Ref
from graph.traversals import Traversal

PENDING = "pending"
# The relation that reaches observations from a person, and the person an observation is about.
OF_RECIPIENT = Traversal.along(OBSERVED, OBSERVATION)
RECIPIENTS = Traversal.along(OBSERVED, RECIPIENT)


def condition(
    statuses: list[str] | None = None,
    sources: list[str] | None = None,
    recipient: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Condition:
    return Condition.of(
        ("n.status IN $statuses", "statuses", statuses),
        ("n.source IN $sources", "sources", sources),
        ("EXISTS { (n)-[:ABOUT]->(:Recipient {uid: $recipient, owner: $owner}) }", "recipient", recipient),
        ("n.observed_at >= $since", "since", since),
        ("n.observed_at <= $until", "until", until),
    )


async def create(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, values: dict[str, Any], about: str | None
) -> Row:
    """The observation, pending its review, with whom it is about; NotFound (nothing written) when that
    person is not the owner's."""
    links = [Link(OBSERVED.type, OBSERVED.target, about)] if about else []
    values = {**values, "status": PENDING}
    return await nodes.create(tx, OBSERVATION, owner=owner, uid=uid, values=values, links=links)


async def review(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, status: str, reason: str | None
) -> Row:
    """Decides a pending observation (approved or rejected), naming who decided (the actor the request
    acts as: graph/events.py) and when. NotFound when it is not the owner's; AlreadyDecided, with nothing
    written, when it was decided before."""
    # The first SET takes the node's write lock before its status is read: of two reviews at once, the
    # second reads the first's decision and is refused.
    query = f"""
    MATCH (n:Observation {{uid: $uid, owner: $owner}})
    SET n.review_lock = true
    WITH n, n.status AS before
    REMOVE n.review_lock
    FOREACH (_ IN CASE WHEN before = $pending THEN [1] ELSE [] END |
      SET n.status = $status, n.reviewed_by = $actor, n.reviewed_at = datetime(),
          n.review_reason = $reason, n.updated_at = datetime())
    RETURN {OBSERVATION.projection} AS n, before
    """
    params = dict(
        uid=uid,
        owner=owner,
        pending=PENDING,
        status=status,
        reason=reason,
        actor=events.current_actor(),
    )
    record = await (await tx.run(query, params)).single()
    if record is None:
        raise NotFound("No Observation of yours has this id.", id=uid)
    if record["before"] != PENDING:
        raise AlreadyDecided(
            f"This observation was {record['before']} already: a review is final.",
            status=record["before"].upper(),
        )
    await events.append(tx, owner, EventKind.updated(OBSERVATION.label), [Ref(OBSERVATION.label, uid)])
    return OBSERVATION.row(record["n"])
