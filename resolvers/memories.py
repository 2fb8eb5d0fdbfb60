"""Memories: checked, written with who they involve and what they mention; short-term ones expire."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from errors import BadUserInput
from graph import memories
from graph.pages import Rows
from resolvers import checks, owned
from resolvers.context import Context
from resolvers.pages import PageArgs

LABEL = "Memory"
SHORT_TERM_HOURS = 24


async def create(
    context: Context,
    values: dict[str, Any],
    recipients: list[str],
    mentions: list[str],
    ttl_hours: float | None,
) -> dict[str, Any]:
    checks.text(values.get("content"), "content", 20_000, required=True)
    values = _checked(values)
    if values.get("kind") == "short_term":
        hours = (
            SHORT_TERM_HOURS if ttl_hours is None else checks.in_range(ttl_hours, 0.01, 24 * 30, "ttl_hours")
        )
        values["expires_at"] = datetime.now(UTC) + timedelta(hours=hours)
    elif ttl_hours is not None:
        raise BadUserInput("Only short-term memories expire.", field="ttlHours")
    mentions = [checks.text(name, "concepts", 100, required=True) or "" for name in mentions]
    return await context.graph.write(
        memories.create,
        owner=context.viewer,
        uid=str(uuid4()),
        values=values,
        recipients=recipients,
        mentions=mentions,
    )


async def update(context: Context, uid: str, values: dict[str, Any]) -> dict[str, Any]:
    if "content" in values:
        checks.text(values["content"], "content", 20_000, required=True)
    checks.kept(values, "kind")
    return await owned.update(context, LABEL, uid, _checked(values))


async def delete(context: Context, uid: str) -> list[str]:
    return await owned.delete(context, LABEL, uid)


async def page(
    context: Context, where: dict[str, Any], order: str, descending: bool, args: PageArgs
) -> tuple[Rows, Callable[[], Awaitable[int]]]:
    return await owned.page(
        context, LABEL, memories.condition(**where), memories.SORTS[order], descending, args
    )


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    checks.in_range(values.get("valence"), -1, 1, "valence")
    checks.in_range(values.get("arousal"), 0, 1, "arousal")
    checks.in_range(values.get("importance"), 0, 1, "importance")
    if values.get("place") is not None:
        values["place"] = checks.text(values["place"], "place", 200)
    return values
