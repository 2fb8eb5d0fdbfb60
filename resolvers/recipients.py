"""Recipients: the people in the viewer's life, and the viewer's relationship to each."""

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import uuid4

from errors import BadUserInput, NotFound
from graph import recipients
from graph.pages import Rows
from graph.recipients import RecipientFilter
from resolvers import checks
from resolvers.context import Context
from resolvers.pages import PageArgs

_TEXT_LIMITS = {"name": 100, "real_name": 100, "nickname": 50, "gender": 20, "location": 100}
_SCORES = {"importance": (1, 10), "closeness": (1, 10), "approximate_age": (0, 150)}
_SHARES = ("emotional_warmth", "conflict_level", "support_level", "average_gift_success")
_COUNTS = ("gifts_given_count", "gifts_received_count")


async def create(context: Context, recipient: dict[str, Any], knows: dict[str, Any]) -> dict[str, Any]:
    recipient, knows = checked_new(recipient, knows)
    return await context.graph.write(
        recipients.create, owner=context.viewer, uid=str(uuid4()), recipient=recipient, knows=knows
    )


def checked_new(recipient: dict[str, Any], knows: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new recipient and relationship as they will be written; BadUserInput for what is wrong."""
    checks.text(recipient.get("name"), "name", required=True)
    return _checked(recipient), _checked(knows)


async def update(
    context: Context, uid: str, recipient: dict[str, Any], knows: dict[str, Any]
) -> dict[str, Any]:
    if "name" in recipient:
        checks.text(recipient["name"], "name", required=True)
    if "relationship_type" in knows and knows["relationship_type"] is None:
        raise BadUserInput("A relationship keeps its type: give another one instead.", field="type")
    row = await context.graph.write(
        recipients.update, owner=context.viewer, uid=uid, recipient=_checked(recipient), knows=_checked(knows)
    )
    if row is None:
        raise NotFound("No recipient of yours has this id.", id=uid)
    return row


async def delete(context: Context, uid: str) -> list[str]:
    deleted = await context.graph.write(recipients.delete, owner=context.viewer, uid=uid)
    if deleted is None:
        raise NotFound("No recipient of yours has this id.", id=uid)
    return deleted


async def page(
    context: Context, where: RecipientFilter, order: str, descending: bool, args: PageArgs
) -> tuple[Rows, Callable[[], Awaitable[int]]]:
    """One page of the viewer's recipients, and a function that counts them all (run only if asked)."""
    checks.in_range(where.importance_min, 1, 10, "importanceAtLeast")
    checks.in_range(where.importance_max, 1, 10, "importanceAtMost")
    keyset = args.page(recipients.SORTS[order], descending, context.settings.max_page_size)
    rows = await context.graph.read(recipients.page, owner=context.viewer, where=where, page=keyset)

    async def total() -> int:
        return await context.graph.read(recipients.count, owner=context.viewer, where=where)

    return rows, total


async def by_uids(context: Context, uids: list[str]) -> list[dict[str, Any]]:
    return await context.graph.read(recipients.by_uids, owner=context.viewer, uids=uids)


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    for field, limit in _TEXT_LIMITS.items():
        if values.get(field) is not None:
            values[field] = checks.text(values[field], field, limit)
    for field, (low, high) in _SCORES.items():
        checks.in_range(values.get(field), low, high, field)
    for field in _SHARES:
        checks.in_range(values.get(field), 0, 1, field)
    for field in _COUNTS:
        checks.in_range(values.get(field), 0, 1_000_000, field)
    return values
