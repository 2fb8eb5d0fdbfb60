"""Insights: checked, written with whom they concern and what they are derived from; confirmed or rejected
by their status. And their relations, both ways: the insights that reach a recipient or a node of their
evidence, and the recipients and evidence an insight reaches."""

from typing import Any
from uuid import uuid4

from graph import insights
from graph.kinds import INSIGHT, INSIGHT_EVIDENCE
from graph.pages import Row
from graph.refs import Ref
from resolvers import checks, nodes
from resolvers.context import Context

MAX_STATEMENT = 2_000


async def create(
    context: Context, values: dict[str, Any], recipients: list[str], evidence: list[Ref] | None
) -> Row:
    """The insight, with whom it concerns and what it is derived from: the viewer's nodes of any kind
    of INSIGHT_EVIDENCE (another kind is refused; one not the viewer's is NOT_FOUND, nothing written)."""
    checks.text(values.get("statement"), "statement", MAX_STATEMENT, required=True, lines=True)
    values = _checked({k: v for k, v in values.items() if v is not None})
    return await context.graph.write(
        insights.create,
        owner=context.viewer,
        uid=str(uuid4()),
        values=values,
        recipients=recipients,
        evidence=checks.linked(evidence, INSIGHT_EVIDENCE, "evidenceIds") or [],
    )


async def update(
    context: Context, uid: str, values: dict[str, Any], evidence: list[Ref] | None = None
) -> Row:
    """Changes the fields given; confirming or rejecting an insight is setting its status. What it is
    derived from becomes what is given (None: unchanged)."""
    checks.kept(values, *INSIGHT.unclearable)
    values = _checked(values)
    return await context.graph.write(
        insights.update,
        owner=context.viewer,
        uid=uid,
        values=values,
        evidence=checks.linked(evidence, INSIGHT_EVIDENCE, "evidenceIds"),
    )


delete = nodes.delete_of(INSIGHT)
by_uids = nodes.by_uids_of(INSIGHT)
page = nodes.page_of(INSIGHT, insights.condition)


# The relations that reach them, each a resolver of the fields of that name (Recipient.insights, and
# by label the `insights` of each kind of evidence); and what an insight reaches (Insight.recipients,
# its evidence of every kind as one list, .evidence, and its memories alone, .memories).
of_recipient = nodes.relation(insights.OF_RECIPIENT)
derived = nodes.relation_each(insights.DERIVED)
recipients = nodes.relation(insights.RECIPIENTS)
evidence = nodes.relations(insights.DERIVED_FROM)
memories = nodes.relation(insights.DERIVED_FROM["Memory"])
reactions = nodes.relation(insights.REACTIONS)
learned = nodes.relation(insights.LEARNED)


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("statement") is not None:
        values["statement"] = checks.text(values["statement"], "statement", MAX_STATEMENT, lines=True)
    checks.ranges(INSIGHT, values)
    checks.json_object(values.get("value"), "value")
    return values
