"""Occasions: checked, then written and read through the shared node queries; and the relations that
reach occasions."""

from collections.abc import Sequence
from typing import Any

from errors import BadUserInput
from graph import occasions
from graph.nodes import Link
from graph.occasions import OCCASION
from graph.pages import Row
from resolvers import checks, nodes
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged


async def create(context: Context, values: dict[str, Any], recipients: list[str]) -> Row:
    links = [Link("HAS_OCCASION", "Recipient", uid, outgoing=False) for uid in recipients]
    return await nodes.create(context, OCCASION, checked_new(values), links)


def checked_new(values: dict[str, Any]) -> dict[str, Any]:
    """A new occasion as it will be written (recurring ones recur yearly unless told otherwise)."""
    checks.text(values.get("name"), "name", 100, required=True)
    if values.get("recurring") and not values.get("recurrence"):
        values["recurrence"] = "yearly"
    return _checked(values)


async def update(context: Context, uid: str, values: dict[str, Any]) -> Row:
    return await nodes.update(context, OCCASION, uid, _checked(values))


delete = nodes.delete_of(OCCASION)
by_uids = nodes.by_uids_of(OCCASION)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    """A page of the viewer's occasions, filtered as graph/occasions.py's `condition` has it."""
    checks.in_range(where.get("within_days"), 0, 3660, "within_days")
    return await nodes.page(context, OCCASION, occasions.condition(**where), orders, args)


# The relations that reach them, each a resolver of the fields of that name.
of_recipient = nodes.relation(occasions.OF_RECIPIENT)
of_gift = nodes.relation_one(occasions.OF_GIFT, Order("date"))


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("name") is not None:
        values["name"] = checks.text(values["name"], "name", 100)
    if values.get("significance") is not None:
        values["significance"] = checks.text(values["significance"], "significance", 2000, lines=True)
    checks.ranges(OCCASION, values)
    if values.get("reminder_days") is not None:
        if len(values["reminder_days"]) > 10:
            raise BadUserInput("reminderDays holds at most 10 days.", field="reminderDays")
        for days in values["reminder_days"]:
            checks.in_range(days, 0, 366, "reminder_days")
    return values
