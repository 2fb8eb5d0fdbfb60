"""Personas for agents: asked of a person (one of the viewer's recipients, or the viewer), for a context
and a detail level, built by a persona mapper (generation/persona_mappers.py) from their mindscape, or
served again while one built for the same ask holds; rated by whoever used one; and their relations."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from errors import NotFound
from generation.persona_mappers import MAPPERS, PER_LAYER, Mapper, chosen
from graph import mindscape, personas
from graph.kinds import PERSONA
from graph.pages import Row
from resolvers import checks, nodes
from resolvers.context import Context
from resolvers.mindscape import CONFIRMED, HELD, fingerprint
from resolvers.pages import Order, PageArgs, Paged

DEFAULT_TTL_HOURS = 24  # personas expire after their TTL, 24 hours by default
MAX_CONTEXT = 2_000
MAX_OUTCOME = 2_000


async def persona(
    context: Context,
    recipient: str | None,
    *,
    detail: str,
    task: str | None,
    mapper: str | None,
    version: str | None,
    ttl_hours: int | None,
) -> Row:
    """A persona of `recipient` (of the viewer when None) that has not expired: one built for the same ask
    from the mindscape as it is now, or a new one. NotFound when the recipient is not one of the viewer's."""
    task = checks.text(task, "context", MAX_CONTEXT, lines=True)
    hours = checks.in_range(ttl_hours, *PERSONA.ranges["ttl_hours"], "ttl_hours") or DEFAULT_TTL_HOURS
    used = chosen(mapper, version)
    # An agent (an API key) is told only what the person confirmed; the person sees what is proposed too.
    agent = by_key(context)
    statuses = CONFIRMED if agent else HELD
    found = await context.graph.read(
        mindscape.read,
        owner=context.viewer,
        recipient=recipient,
        statuses=statuses,
        per_layer=PER_LAYER[detail],
    )
    if found is None:
        raise NotFound("No person of yours has this id.", field="of")
    stamp = fingerprint(found.stamps)
    again = await context.graph.write(
        personas.served_again,
        owner=context.viewer,
        recipient=recipient,
        mapper=used.name,
        version=used.version,
        detail=detail,
        context=task,
        mindscape_version=stamp,
        confirmed_only=agent,
    )
    if again is not None:
        return again
    return await _built(context, used, found, recipient, detail, task, int(hours), stamp, agent)


def by_key(context: Context) -> bool:
    """Whether an API key asks: it reads only personas built from confirmed insights alone (by a key)."""
    return context.credential is not None and context.credential.kind == "api_key"


async def _built(
    context: Context,
    used: Mapper,
    found: mindscape.Found,
    recipient: str | None,
    detail: str,
    task: str | None,
    hours: int,
    stamp: str,
    confirmed_only: bool,
) -> Row:
    built = used.build(found, task, detail)
    whom = found.person.node.get("name") if found.person is not None else "You"
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "name": f"{whom} ({detail.replace('_', ' ')})",
        "detail": detail,
        "context": task,
        "core": built.core,
        "overlay": built.overlay,
        "mapper": used.name,
        "mapper_version": used.version,
        "mindscape_version": stamp,
        "about_viewer": recipient is None,
        "ttl_hours": hours,
        "expires_at": now + timedelta(hours=hours),
        "access_count": 1,
        "last_accessed_at": now,
        "confirmed_only": confirmed_only,
    }
    return await context.graph.write(
        personas.create,
        owner=context.viewer,
        uid=str(uuid4()),
        values={k: v for k, v in values.items() if v is not None},
        recipient=recipient,
        evidence=built.evidence,
    )


async def rate(context: Context, uid: str, rating: int, outcome: str | None) -> Row:
    checks.in_range(rating, 1, 5, "rating")
    told = checks.text(outcome, "outcome", MAX_OUTCOME, lines=True) or ""
    return await context.graph.write(
        personas.rate,
        owner=context.viewer,
        uid=uid,
        rating=rating,
        outcome=told,
        confirmed_only=by_key(context),
    )


async def mappers(context: Context) -> list[dict[str, Any]]:
    """Every mapper version, with the feedback on the viewer's personas it built."""
    rows = await context.graph.read(personas.feedback_by_version, owner=context.viewer)
    summed = {(row["mapper"], row["version"]): row for row in rows}
    return [{"mapper": mapper, "feedback": summed.get((mapper.name, mapper.version))} for mapper in MAPPERS]


delete = nodes.delete_of(PERSONA)


async def by_uids(context: Context, uids: list[str]) -> list[Row]:
    """The viewer's personas among these; for an API key, only those built from confirmed insights alone
    (what a node by id, a search hit and a rating read)."""
    rows = await nodes.by_uids(context, PERSONA, uids)
    return [row for row in rows if row.node.get("confirmed_only")] if by_key(context) else rows


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    """A page of the viewer's personas; an API key's holds only those built from confirmed insights."""
    told = True if by_key(context) else None
    return await nodes.page(context, PERSONA, personas.condition(**where, confirmed_only=told), orders, args)


# The personas of a person (Recipient.personas) and built from an insight (Insight.personas); the person
# of a persona, and the insights it was built from.
of_recipient = nodes.relation(personas.OF_RECIPIENT)
of_insight = nodes.relation(personas.OF_INSIGHT)
about = nodes.relation_one(personas.RECIPIENTS, Order("created_at"))
evidence = nodes.relation(personas.EVIDENCE)
