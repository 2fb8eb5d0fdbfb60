"""Insights: what the viewer's graph has come to know about a person (a trait, goal, belief, preference,
fact or pattern), how sure it is, whom it concerns and what it is derived from (memories, observations,
documents, messages: its `evidence`, and each of those its `insights`, are schema/evidence.py's)."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph import kinds
from graph.kinds import INSIGHT_EVIDENCE
from resolvers import insights as resolve
from resolvers.pages import Order
from schema.deletion import deleting
from schema.docs import described
from schema.memories import Memory, MemoryOrder, kinds_named
from schema.nodes import refs_of
from schema.ordering import ordering
from schema.placed import Placed
from schema.recipients import Recipient, RecipientOrder
from schema.relay import (
    Info,
    OwnedNode,
    attach,
    enum_values,
    listing,
    node_uid,
    optional_uid,
    related,
    uids,
    values_of,
)


@strawberry.enum(description="What kind of thing an insight says about someone.")
class InsightCategory(Enum):
    TRAIT = strawberry.enum_value("trait", description="Who they are: a lasting quality.")
    GOAL = strawberry.enum_value("goal", description="What they want to reach.")
    BELIEF = strawberry.enum_value("belief", description="What they hold true.")
    PREFERENCE = strawberry.enum_value("preference", description="What they like or dislike.")
    FACT = strawberry.enum_value("fact", description="Something true of them.")
    PATTERN = strawberry.enum_value("pattern", description="Something they do again and again.")


@strawberry.enum(description="Where an insight stands with the viewer.")
class InsightStatus(Enum):
    PROPOSED = strawberry.enum_value("proposed", description="Suggested, not yet confirmed by the viewer.")
    CONFIRMED = strawberry.enum_value("confirmed", description="The viewer agrees it holds.")
    REJECTED = strawberry.enum_value("rejected", description="The viewer says it does not hold.")
    OUTDATED = strawberry.enum_value("outdated", description="It held once and no longer does.")


INSIGHT = {
    "id": "The insight to change.",
    "category": "What kind of thing it says.",
    "statement": "What is known, in a sentence or a few: 1 to 2,000 characters.",
    "value": 'Free-form detail of it, as a JSON object up to 20 KB (`{"cuisine": "Thai"}`).',
    "confidence": "How sure it is, 0 (a guess) to 1 (certain); 0.5 by default.",
    "volatility": "How likely it is to change, 0 (settled) to 1 (fleeting).",
    "status": "Where it stands with the viewer; proposed by default. Confirm or reject it by setting it.",
    "extractor": 'Which extractor proposed it from its evidence: "deterministic" (patterns), '
    '"openai:<model>" (a model), "outcomes" (learned from gift outcomes); null when a person wrote it.',
    "created_at": "When it was recorded (UTC).",
    "updated_at": "When it was last changed (UTC).",
    "recipient_ids": "Whom it concerns: ids of the viewer's recipients.",
    "about_viewer": "Whether it is about the viewer themselves (their own mindscape), whether or not it "
    "also concerns recipients; false by default.",
    "evidence_ids": "What it is derived from, its evidence: ids of the viewer's "
    f"{kinds_named(INSIGHT_EVIDENCE)} nodes. In an update, the whole new set (an empty list removes them "
    "all; null keeps them).",
}


@strawberry.type(description="Something the viewer's graph has come to know about a person.")
@described(INSIGHT)
class Insight(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    category: InsightCategory
    statement: str
    value: JSON | None
    confidence: float
    volatility: float | None
    status: InsightStatus
    about_viewer: bool
    extractor: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    recipients = related(Recipient, RecipientOrder, resolve.recipients, "Whom it concerns.")
    memories = related(
        Memory,
        MemoryOrder,
        resolve.memories,
        "The memories it is derived from: its evidence that is memories (all of it is `evidence`).",
    )


@strawberry.input(description="A new insight, with whom it concerns and what it is derived from.")
@described(INSIGHT)
class CreateInsightInput:
    category: InsightCategory
    statement: str
    value: JSON | None = None
    confidence: float | None = None
    volatility: float | None = None
    status: InsightStatus | None = None
    recipient_ids: list[relay.GlobalID] | None = None
    about_viewer: bool | None = None
    evidence_ids: list[strawberry.ID] | None = None


@strawberry.input(description="Changes to an insight: only the fields given change; null clears one.")
@described(INSIGHT)
class UpdateInsightInput:
    id: relay.GlobalID
    category: InsightCategory | None = strawberry.UNSET
    statement: str | None = strawberry.UNSET
    value: JSON | None = strawberry.UNSET
    confidence: float | None = strawberry.UNSET
    volatility: float | None = strawberry.UNSET
    status: InsightStatus | None = strawberry.UNSET
    about_viewer: bool | None = strawberry.UNSET
    evidence_ids: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input(description="Which insights to list: all the conditions given hold.")
class InsightFilter:
    categories: list[InsightCategory] | None = strawberry.field(
        default=None, description="Only these categories."
    )
    statuses: list[InsightStatus] | None = strawberry.field(default=None, description="Only these statuses.")
    recipient_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those concerning this recipient."
    )
    about_viewer: bool | None = strawberry.field(
        default=None, description="Only those about the viewer themselves (true), or only the others (false)."
    )


@ordering(kinds.INSIGHT, "insights", {"confidence": "How sure it is.", "created_at": "When it was recorded."})
class InsightOrder: ...


# The other ends of its relations reach insights too: whom it concerns here, with the kind; each kind of
# its evidence by schema/evidence.py, with the rest of the relations to several kinds.
attach(
    Recipient,
    "insights",
    related(Insight, InsightOrder, resolve.of_recipient, "What the viewer's graph knows about them."),
)


def _where(given: InsightFilter) -> dict[str, Any]:
    return {
        "categories": enum_values(given.categories),
        "statuses": enum_values(given.statuses),
        "recipient": optional_uid(given.recipient_id, "Recipient", "recipientId"),
        "about_viewer": given.about_viewer,
    }


@strawberry.type
class InsightQuery:
    insights = listing(
        Insight,
        InsightFilter,
        InsightOrder,
        [Order("confidence", descending=True), Order("created_at", descending=True)],
        _where,
        resolve.page,
        "What the viewer's graph knows about people, the surest first by default.",
    )


@strawberry.type
class InsightMutation:
    @strawberry.mutation(description="Records an insight, with whom it concerns and what it is derived from.")
    async def create_insight(
        self,
        info: Info,
        input: Annotated[CreateInsightInput, strawberry.argument(description="The insight.")],
    ) -> Insight:
        values = values_of(input, leave=("recipient_ids", "evidence_ids"))
        recipients = uids(input.recipient_ids, "Recipient", "recipientIds")
        evidence = refs_of(input.evidence_ids, "evidenceIds")
        return Insight.from_row(await resolve.create(info.context, values, recipients, evidence))

    @strawberry.mutation(
        description="Changes what is given of an insight (confirm or reject it by its status); null clears "
        "a field."
    )
    async def update_insight(
        self,
        info: Info,
        input: Annotated[UpdateInsightInput, strawberry.argument(description="The changes.")],
    ) -> Insight:
        values = values_of(input, leave=("id", "evidence_ids"))
        uid = node_uid(input.id, "Insight")
        evidence = refs_of(input.evidence_ids, "evidenceIds")
        return Insight.from_row(await resolve.update(info.context, uid, values, evidence))

    delete_insight = deleting(
        "Insight",
        resolve.delete,
        "Deletes an insight (whom it concerns and its evidence stay).",
        "The insight.",
    )
