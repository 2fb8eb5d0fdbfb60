"""Conflicts: with a recipient, about topics, from active to resolved."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from errors import BadUserInput
from graph import conflicts
from graph.pages import Rows
from resolvers import checks, owned
from resolvers.context import Context
from resolvers.pages import PageArgs

LABEL = "Conflict"


async def create(
    context: Context, values: dict[str, Any], recipient: str, topics: list[str]
) -> dict[str, Any]:
    values = _checked({"started_at": datetime.now(UTC), **{k: v for k, v in values.items() if v is not None}})
    topics = [checks.text(name, "topics", 100, required=True) or "" for name in topics]
    return await context.graph.write(
        conflicts.create,
        owner=context.viewer,
        uid=str(uuid4()),
        values=values,
        recipient=recipient,
        topics=topics,
    )


async def update(context: Context, uid: str, values: dict[str, Any]) -> dict[str, Any]:
    checks.kept(values, "status", "started_at")
    return await owned.update(context, LABEL, uid, _checked(values))


async def delete(context: Context, uid: str) -> list[str]:
    return await owned.delete(context, LABEL, uid)


async def page(
    context: Context, where: dict[str, Any], order: str, descending: bool, args: PageArgs
) -> tuple[Rows, Callable[[], Awaitable[int]]]:
    checks.in_range(where.get("severity_min"), 0, 1, "severity_at_least")
    checks.in_range(where.get("severity_max"), 0, 1, "severity_at_most")
    return await owned.page(
        context, LABEL, conflicts.condition(**where), conflicts.SORTS[order], descending, args
    )


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    checks.in_range(values.get("severity"), 0, 1, "severity")
    if values.get("summary") is not None:
        values["summary"] = checks.text(values["summary"], "summary", 4000)
    started, ended = values.get("started_at"), values.get("ended_at")
    if started is not None and ended is not None and ended < started:
        raise BadUserInput("endedAt must not be before startedAt.", field="endedAt")
    return values
