"""Gifts: given (GAVE) to recipients for occasions, tagged with concepts, and what came of them; and
the relations that reach gifts and their outcomes."""

from collections.abc import Sequence
from typing import Any

from graph import gifts
from graph.gifts import GIFT, OUTCOME, NewGift
from graph.pages import Row
from resolvers import checks, nodes, occasions, recipients
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

MAX_TAGS = 20


async def create(context: Context, **parts: Any) -> Row:
    """A gift and what comes with it (the fields of graph/gifts.py's NewGift), written at once."""
    gift = NewGift(**parts)
    checks.text(gift.values.get("name"), "name", 200, required=True)
    gift.values = _checked_gift(gift.values)
    gift.gave = checked_gave(gift.gave)
    if gift.outcome is not None:
        gift.outcome = checked_outcome(gift.outcome)
    if gift.new_recipient is not None:
        gift.new_recipient = recipients.checked_new(*gift.new_recipient)
    if gift.new_occasion is not None:
        gift.new_occasion = occasions.checked_new(gift.new_occasion)
    gift.tags = checks.texts(gift.tags, "tags", MAX_TAGS)
    return await context.graph.write(gifts.create, owner=context.viewer, gift=gift)


async def record_outcome(context: Context, gift: str, outcome: dict[str, Any]) -> Row:
    """Records what came of a gift; returns the gift as it reads after."""
    return await context.graph.write(
        gifts.record_outcome_of, owner=context.viewer, gift=gift, outcome=checked_outcome(outcome)
    )


async def update(context: Context, uid: str, values: dict[str, Any]) -> Row:
    return await nodes.update(context, GIFT, uid, _checked_gift(values))


async def delete(context: Context, uid: str) -> list[str]:
    within = context.scope.kinds  # an API key limited to some kinds deletes none of the others
    return await context.graph.write(gifts.delete, owner=context.viewer, uid=uid, within=within)


by_uids = nodes.by_uids_of(GIFT)
outcomes_by_uids = nodes.by_uids_of(OUTCOME)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    if where.get("category") is not None:
        checks.text(where["category"], "category", 100)
    return await nodes.page(context, GIFT, gifts.condition(**where), orders, args)


# The relations that reach them, each a resolver of the fields of that name.
of_recipient = nodes.relation(gifts.OF_RECIPIENT)
of_occasion = nodes.relation(gifts.OF_OCCASION)
of_concept = nodes.relation(gifts.OF_CONCEPT)
similar = nodes.relation(gifts.SIMILAR)
complements = nodes.relation(gifts.COMPLEMENTS)
outcome_of = nodes.relation_one(gifts.OUTCOME_OF_GIFT, Order("created_at"))
of_outcome = nodes.relation_one(gifts.GIFT_OF_OUTCOME, Order("created_at"))


def checked_gave(gave: dict[str, Any]) -> dict[str, Any]:
    checks.in_range(gave.get("emotional_investment"), 0, 1, "emotional_investment")
    checks.in_range(gave.get("surprise_level"), 1, 10, "surprise_level")
    checks.in_range(gave.get("reaction_intensity"), 1, 10, "reaction_intensity")
    checks.in_range(gave.get("relationship_impact"), -1, 1, "relationship_impact")
    checks.in_range(gave.get("planning_time_hours"), 0, 10_000, "planning_time_hours")
    checks.in_range(gave.get("financial_investment_cents"), 0, 10**10, "financial_investment_cents")
    if gave.get("immediate_reaction") is not None:
        gave["immediate_reaction"] = checks.text(gave["immediate_reaction"], "immediate_reaction", 500)
    return gave


def checked_outcome(outcome: dict[str, Any]) -> dict[str, Any]:
    checks.ranges(OUTCOME, outcome)
    for field in ("what_worked", "what_did_not_work", "lessons_learned"):
        outcome[field] = checks.text(outcome.get(field), field, 4000, lines=True)
    return outcome


def _checked_gift(values: dict[str, Any]) -> dict[str, Any]:
    checks.ranges(GIFT, values)
    for field, limit in (("name", 200), ("category", 100)):
        if values.get(field) is not None:
            values[field] = checks.text(values[field], field, limit)
    if values.get("description") is not None:
        values["description"] = checks.text(values["description"], "description", 4000, lines=True)
    return values
