"""Recipients: the people in the viewer's life, the viewer's relationship to each, and the relations
that reach them."""

from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from errors import NotFound
from graph import recipients
from graph.models import Knows
from graph.pages import Row
from graph.properties import unclearable
from graph.recipients import RECIPIENT, RecipientFilter
from resolvers import checks, nodes
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

_TEXT_LIMITS = {"name": 100, "real_name": 100, "nickname": 50, "gender": 20, "location": 100}
# The relationship's own bounds (KNOWS); the person's are declared on the kind.
_SCORES = {"importance": (1, 10), "closeness": (1, 10)}
_SHARES = ("emotional_warmth", "conflict_level", "support_level", "average_gift_success")
_COUNTS = ("gifts_given_count", "gifts_received_count")
_LISTS = {"communication_channels": 20, "preferred_gift_types": 50, "failed_gift_types": 50}
_JSON = ("personality_traits", "preferences", "life_context")


async def create(context: Context, recipient: dict[str, Any], knows: dict[str, Any]) -> Row:
    recipient, knows = checked_new(recipient, knows)
    return await context.graph.write(
        recipients.create, owner=context.viewer, uid=str(uuid4()), recipient=recipient, knows=knows
    )


def checked_new(recipient: dict[str, Any], knows: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new recipient and relationship as they will be written; BadUserInput for what is wrong."""
    checks.text(recipient.get("name"), "name", required=True)
    return _checked(recipient), _checked(knows)


async def update(context: Context, uid: str, recipient: dict[str, Any], knows: dict[str, Any]) -> Row:
    checks.kept(recipient, *RECIPIENT.unclearable)
    checks.kept(knows, *unclearable(Knows))
    row = await context.graph.write(
        recipients.update, owner=context.viewer, uid=uid, recipient=_checked(recipient), knows=_checked(knows)
    )
    if row is None:
        raise NotFound("No recipient of yours has this id.", id=uid)
    return row


async def delete(context: Context, uid: str) -> list[str]:
    within = context.scope.kinds  # an API key limited to some kinds deletes none of the others
    return await context.graph.write(recipients.delete, owner=context.viewer, uid=uid, within=within)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    """A page of the viewer's recipients, filtered as graph/recipients.py's RecipientFilter has it."""
    given = RecipientFilter(**where)
    checks.in_range(given.importance_min, 1, 10, "importance_at_least")
    checks.in_range(given.importance_max, 1, 10, "importance_at_most")
    if given.name_contains is not None:
        checks.text(given.name_contains, "name_contains", 100)
    return await nodes.page(context, RECIPIENT, given.where(), orders, args)


by_uids = nodes.by_uids_of(RECIPIENT)


# The relations that reach them, each a resolver of the fields of that name.
of_occasion = nodes.relation(recipients.OF_OCCASION)
of_gift = nodes.relation(recipients.OF_GIFT)
of_concept = nodes.relation(recipients.OF_CONCEPT)
of_memory = nodes.relation(recipients.OF_MEMORY)
of_conflict = nodes.relation_one(recipients.OF_CONFLICT, Order("name"))


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    for field, limit in _TEXT_LIMITS.items():
        if values.get(field) is not None:
            values[field] = checks.text(values[field], field, limit)
    if values.get("relationship_label") is not None:
        values["relationship_label"] = checks.text(values["relationship_label"], "label", 100)
    checks.ranges(RECIPIENT, values)
    for field, (low, high) in _SCORES.items():
        checks.in_range(values.get(field), low, high, field)
    for field in _SHARES:
        checks.in_range(values.get(field), 0, 1, field)
    for field in _COUNTS:
        checks.in_range(values.get(field), 0, 1_000_000, field)
    for field, most in _LISTS.items():
        if values.get(field) is not None:
            values[field] = checks.texts(values[field], field, most, 100)
    for field in _JSON:
        checks.json_object(values.get(field), field)
    return values
