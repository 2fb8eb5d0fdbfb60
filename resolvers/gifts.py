"""Gifts: given (GAVE) to recipients for occasions, tagged with concepts, and what came of them."""

from collections.abc import Awaitable, Callable
from typing import Any

from graph import gifts
from graph.gifts import NewGift
from graph.pages import Rows
from resolvers import checks, occasions, owned, recipients
from resolvers.context import Context
from resolvers.pages import PageArgs

LABEL = "Gift"
_GIFT_SCORES = ("effort_level", "personalization_level", "surprise_factor")


async def create(context: Context, gift: NewGift) -> dict[str, Any]:
    checks.text(gift.values.get("name"), "name", 200, required=True)
    gift.values = _checked_gift(gift.values)
    gift.gave = checked_gave(gift.gave)
    if gift.outcome is not None:
        gift.outcome = checked_outcome(gift.outcome)
    if gift.new_recipient is not None:
        gift.new_recipient = recipients.checked_new(*gift.new_recipient)
    if gift.new_occasion is not None:
        gift.new_occasion = occasions.checked_new(gift.new_occasion)
    gift.tags = [checks.text(tag, "tags", 100, required=True) or "" for tag in gift.tags]
    return await context.graph.write(gifts.create, owner=context.viewer, gift=gift)


async def record_outcome(context: Context, gift: str, outcome: dict[str, Any]) -> dict[str, Any]:
    return await context.graph.write(
        gifts.record_outcome, owner=context.viewer, gift=gift, outcome=checked_outcome(outcome)
    )


async def update(context: Context, uid: str, values: dict[str, Any]) -> dict[str, Any]:
    if "name" in values:
        checks.text(values["name"], "name", 200, required=True)
    return await owned.update(context, LABEL, uid, _checked_gift(values))


async def delete(context: Context, uid: str) -> list[str]:
    return await context.graph.write(gifts.delete, owner=context.viewer, uid=uid)


async def by_uids(context: Context, uids: list[str]) -> list[dict[str, Any]]:
    return await owned.by_uids(context, LABEL, uids)


async def page(
    context: Context, where: dict[str, Any], order: str, descending: bool, args: PageArgs
) -> tuple[Rows, Callable[[], Awaitable[int]]]:
    return await owned.page(context, LABEL, gifts.condition(**where), gifts.SORTS[order], descending, args)


def checked_gave(gave: dict[str, Any]) -> dict[str, Any]:
    checks.in_range(gave.get("emotional_investment"), 0, 1, "emotional_investment")
    checks.in_range(gave.get("surprise_level"), 1, 10, "surprise_level")
    checks.in_range(gave.get("reaction_intensity"), 1, 10, "reaction_intensity")
    checks.in_range(gave.get("relationship_impact"), -1, 1, "relationship_impact")
    checks.in_range(gave.get("planning_time_hours"), 0, 10_000, "planning_time_hours")
    checks.in_range(gave.get("financial_investment_cents"), 0, 10**10, "financial_investment_cents")
    return gave


def checked_outcome(outcome: dict[str, Any]) -> dict[str, Any]:
    checks.in_range(outcome.get("success"), 0, 1, "success")
    checks.in_range(outcome.get("reaction_intensity"), 1, 10, "reaction_intensity")
    checks.in_range(outcome.get("relationship_impact"), -1, 1, "relationship_impact")
    for field in ("what_worked", "what_did_not_work", "lessons_learned"):
        outcome[field] = checks.text(outcome.get(field), field, 4000)
    return outcome


def _checked_gift(values: dict[str, Any]) -> dict[str, Any]:
    for field in _GIFT_SCORES:
        checks.in_range(values.get(field), 1, 10, field)
    checks.in_range(values.get("price_cents"), 0, 10**10, "price_cents")
    for field, limit in (("name", 200), ("category", 100), ("description", 4000)):
        if values.get(field) is not None:
            values[field] = checks.text(values[field], field, limit)
    return values
