"""Conflicts: with a recipient, about topics, from active to resolved; and the relations that reach
conflicts."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from graph import conflicts
from graph.conflicts import CONFLICT
from graph.pages import Row
from resolvers import checks, nodes, sealed
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged


async def create(context: Context, values: dict[str, Any], recipient: str, topics: list[str]) -> Row:
    values = _checked({"started_at": datetime.now(UTC), **{k: v for k, v in values.items() if v is not None}})
    topics = checks.texts(topics, "topics", 20)
    uid = str(uuid4())
    values = await sealed.seal(context, CONFLICT, uid, values)
    return await context.graph.write(
        conflicts.create,
        owner=context.viewer,
        uid=uid,
        values=values,
        recipient=recipient,
        topics=topics,
    )


async def update(context: Context, uid: str, values: dict[str, Any]) -> Row:
    values = await sealed.seal(context, CONFLICT, uid, _checked(values))
    return await nodes.update(context, CONFLICT, uid, values)


delete = nodes.delete_of(CONFLICT)
by_uids = nodes.by_uids_of(CONFLICT)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    checks.in_range(where.get("severity_min"), 0, 1, "severity_at_least")
    checks.in_range(where.get("severity_max"), 0, 1, "severity_at_most")
    if where.get("topic") is not None:
        checks.text(where["topic"], "topic", 100)
    return await nodes.page(context, CONFLICT, conflicts.condition(**where), orders, args)


async def private_note(context: Context, uid: str, stored: Any) -> str | None:
    return await sealed.opened(context, CONFLICT.label, uid, "private_note", stored)


# The relations that reach them, each a resolver of the fields of that name.
of_recipient = nodes.relation(conflicts.OF_RECIPIENT)
of_concept = nodes.relation(conflicts.OF_CONCEPT)


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    checks.ranges(CONFLICT, values)
    if values.get("summary") is not None:
        values["summary"] = checks.text(values["summary"], "summary", 4000, lines=True)
    if values.get("cycle_phase") is not None:
        values["cycle_phase"] = checks.text(values["cycle_phase"], "cycle_phase", 50)
    return values
