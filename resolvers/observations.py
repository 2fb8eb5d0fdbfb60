"""Observations: checked and written once, with whom they are about; reviewed once (approved or rejected,
with a reason); never changed otherwise. And their relations, both ways."""

from typing import Any
from uuid import uuid4

from graph import observations
from graph.kinds import OBSERVATION
from graph.pages import Row
from resolvers import checks, nodes
from resolvers.context import Context
from resolvers.pages import Order

MAX_CONTENT = 20_000
MAX_DETAIL = 200
MAX_REASON = 2_000


async def create(context: Context, values: dict[str, Any], about: str | None) -> Row:
    values["content"] = checks.text(values.get("content"), "content", MAX_CONTENT, required=True, lines=True)
    if values.get("source_detail") is not None:
        values["source_detail"] = checks.text(values["source_detail"], "source_detail", MAX_DETAIL)
    return await context.graph.write(
        observations.create,
        owner=context.viewer,
        uid=str(uuid4()),
        values={k: v for k, v in values.items() if v is not None},
        about=about,
    )


async def review(context: Context, uid: str, status: str, reason: str | None) -> Row:
    """Approves or rejects a pending observation, once; the viewer's request is who decided."""
    reason = checks.text(reason, "reason", MAX_REASON, lines=True)
    return await context.graph.write(
        observations.review, owner=context.viewer, uid=uid, status=status, reason=reason
    )


delete = nodes.delete_of(OBSERVATION)
by_uids = nodes.by_uids_of(OBSERVATION)
page = nodes.page_of(OBSERVATION, observations.condition)


# The relation that reaches them from a person (Recipient.observations), and the person one is about.
of_recipient = nodes.relation(observations.OF_RECIPIENT)
about = nodes.relation_one(observations.RECIPIENTS, Order("created_at"))
