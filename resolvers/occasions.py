"""Occasions: checked, then written and read through the owned-node queries."""

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from errors import BadUserInput
from graph import occasions
from graph.owned import Link
from graph.pages import Rows
from resolvers import checks, owned
from resolvers.context import Context
from resolvers.pages import PageArgs

LABEL = "Occasion"


async def create(context: Context, values: dict[str, Any], recipients: list[str]) -> dict[str, Any]:
    links = [Link("HAS_OCCASION", "Recipient", uid, outgoing=False) for uid in recipients]
    return await owned.create(context, LABEL, checked_new(values), links)


def checked_new(values: dict[str, Any]) -> dict[str, Any]:
    """A new occasion as it will be written (recurring ones recur yearly unless told otherwise)."""
    checks.text(values.get("name"), "name", 100, required=True)
    if values.get("recurring") and not values.get("recurrence"):
        values["recurrence"] = "yearly"
    return _checked(values)


async def update(context: Context, uid: str, values: dict[str, Any]) -> dict[str, Any]:
    checks.kept(values, "name", "occasion_type", "date", "recurring")
    return await owned.update(context, LABEL, uid, _checked(values))


async def delete(context: Context, uid: str) -> list[str]:
    return await owned.delete(context, LABEL, uid)


async def page(
    context: Context,
    *,
    types: list[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    within_days: int | None = None,
    recipient: str | None = None,
    order: str,
    descending: bool,
    args: PageArgs,
) -> tuple[Rows, Callable[[], Awaitable[int]]]:
    checks.in_range(within_days, 0, 3660, "within_days")
    where = occasions.condition(types, date_from, date_to, within_days, recipient)
    return await owned.page(context, LABEL, where, occasions.SORTS[order], descending, args)


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("name") is not None:
        values["name"] = checks.text(values["name"], "name", 100)
    checks.in_range(values.get("importance"), 1, 10, "importance")
    checks.in_range(values.get("budget_min"), 0, 10**9, "budget_min")
    checks.in_range(values.get("budget_max"), 0, 10**9, "budget_max")
    low, high = values.get("budget_min"), values.get("budget_max")
    if low is not None and high is not None and low > high:
        raise BadUserInput("budgetMin must not be over budgetMax.", field="budgetMin")
    for days in values.get("reminder_days") or ():
        checks.in_range(days, 0, 366, "reminder_days")
    return values
