"""Insights: checked, written with whom they concern and what they are derived from; confirmed or rejected
by their status. And their relations, both ways: the insights that reach a recipient or a memory, and
the recipients and memories an insight reaches."""

from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from graph import insights
from graph.kinds import INSIGHT
from graph.pages import Row
from resolvers import checks, nodes
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

MAX_STATEMENT = 2_000


async def create(context: Context, values: dict[str, Any], recipients: list[str], evidence: list[str]) -> Row:
    checks.text(values.get("statement"), "statement", MAX_STATEMENT, required=True, lines=True)
    return await context.graph.write(
        insights.create,
        owner=context.viewer,
        uid=str(uuid4()),
        values=_checked({k: v for k, v in values.items() if v is not None}),
        recipients=recipients,
        evidence=evidence,
    )


async def update(context: Context, uid: str, values: dict[str, Any]) -> Row:
    """Changes the fields given; confirming or rejecting an insight is setting its status."""
    return await nodes.update(context, INSIGHT, uid, _checked(values))


async def delete(context: Context, uid: str) -> list[str]:
    return await nodes.delete(context, INSIGHT, uid)


async def by_uids(context: Context, uids: list[str]) -> list[Row]:
    return await nodes.by_uids(context, INSIGHT, uids)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    return await nodes.page(context, INSIGHT, insights.condition(**where), orders, args)


# The relations that reach them, each a resolver of the fields of that name (Recipient.insights,
# Memory.insights); and the recipients and memories an insight reaches (Insight.recipients, .memories).
of_recipient = nodes.relation(insights.OF_RECIPIENT)
of_memory = nodes.relation(insights.OF_MEMORY)
recipients = nodes.relation(insights.RECIPIENTS)
memories = nodes.relation(insights.MEMORIES)


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("statement") is not None:
        values["statement"] = checks.text(values["statement"], "statement", MAX_STATEMENT, lines=True)
    checks.ranges(INSIGHT, values)
    checks.json_object(values.get("value"), "value")
    return values
