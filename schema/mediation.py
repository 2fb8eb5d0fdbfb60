"""Mediation: conflict analyses (the habits each partner showed, what set the conflict off, the patterns
between them, each finding with the words it rests on), repair plans with action items each partner
marks done, rants approved for mediation, and mediation sessions, one's own or joint."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph import kinds
from resolvers import mediation as resolve
from resolvers.pages import Order
from schema import selection
from schema.conflicts import Conflict, ConflictOrder
from schema.conversations import Conversation, Message, MessageOrder
from schema.deletion import deleting
from schema.docs import described
from schema.ordering import order_fields, order_key
from schema.placed import Placed
from schema.relay import (
    Info,
    OwnedNode,
    attach,
    listing,
    node_uid,
    optional_uid,
    related,
    related_one,
)


@strawberry.enum(description="What an analysis found.")
class FindingKind(Enum):
    HORSEMAN = strawberry.enum_value(
        "horseman",
        description="A habit that hurts a talk (Gottman's four horsemen): criticism, contempt, "
        "defensiveness or stonewalling.",
    )
    ANTIDOTE = strawberry.enum_value(
        "antidote",
        description="What heals such a habit: a gentle start-up, appreciation, taking responsibility, "
        "self-soothing.",
    )
    TRIGGER = strawberry.enum_value(
        "trigger", description="A topic that set the conflict off (money, chores, time, family, ...)."
    )
    PATTERN = strawberry.enum_value(
        "pattern",
        description="What went on between the two: one criticizes and the other defends, one pursues and "
        "the other withdraws, criticism escalates into contempt.",
    )


@strawberry.type(description="One thing an analysis found, with the words it rests on.")
class Finding:
    kind: FindingKind = strawberry.field(description="What it is.")
    name: str = strawberry.field(
        description='Which one: "criticism", "appreciation", "money", "criticize_defend", ...'
    )
    speaker_name: str = strawberry.field(description="Who said it (empty for a pattern between both).")
    by_viewer: bool = strawberry.field(description="Whether the viewer said it.")
    quote: str = strawberry.field(description="The words it rests on.")
    message_id: relay.GlobalID | None = strawberry.field(description="The message those words are in.")
    seq: int = strawberry.field(description="That message's position in its conversation.")
    weight: float = strawberry.field(description="How strongly it rests on those words, 0 to 1.")


ANALYSIS = {
    "summary": "What was found, in a few sentences.",
    "patterns": "The habits and patterns found, by name.",
    "triggers": "What set the conflict off, by topic.",
    "generator": 'What made it: "deterministic" (word and phrase patterns), or a model ("openai:<model>"); '
    "the patterns stand in when the model fails or answers no analysis.",
    "generator_version": "The version of what made it.",
    "joint": "Whether it was made to be shared with the couple (shared as it was made): it reads a rant "
    "only if its author approved the rant for mediation.",
    "includes_private": "Whether it read a rant not approved for mediation: then it is its author's "
    "alone and is never shared.",
    "created_at": "When it was made (UTC).",
    "updated_at": "When it last changed (UTC): when a newer one superseded it.",
}


# Analyses and plans are versioned alike: each new one supersedes the viewer's current one, which stays.
def _current(noun: str) -> Any:
    """The field that says whether an analysis or a plan is current (none superseded it)."""

    def current(self: Placed) -> bool:
        return self.kept.get("superseded_by") is None

    return strawberry.field(
        resolver=current,
        description=f"Whether it is the current {noun} (none superseded it).",
        metadata=selection.reading("superseded_by"),
    )


def _versions(node: Any, superseded: Any, superseding: Any, noun: str) -> tuple[Any, Any]:
    """The fields `supersedes` and `supersededBy` of an analysis or a plan (`node`, a lazy reference)."""
    return (
        related_one(node, superseded, f"The {noun} it replaced, if any (still readable)."),
        related_one(node, superseding, f"The {noun} that replaced it; null while it is current."),
    )


@strawberry.type(description="A mediator's analysis of a conflict: one version; a newer one supersedes it.")
@described(ANALYSIS)
class ConflictAnalysis(OwnedNode, Placed):
    load = staticmethod(resolve.analyses_by_uids)
    id: relay.NodeID[str]
    summary: str
    patterns: list[str]
    triggers: list[str]
    generator: str
    generator_version: str
    joint: bool
    includes_private: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    current = _current("analysis")

    @strawberry.field(
        description="Each finding, with who said it and the words it rests on.",
        metadata=selection.reading("findings"),
    )
    def findings(self, info: Info) -> list[Finding]:
        return [
            Finding(
                kind=FindingKind(found["kind"]),
                name=found["name"],
                speaker_name=found["speaker_name"],
                by_viewer=found["by_viewer"],
                quote=found["quote"],
                message_id=relay.GlobalID("Message", found["message"]) if found.get("message") else None,
                seq=found["seq"],
                weight=found["weight"],
            )
            for found in resolve.findings(info.context, self.kept.get("findings"))
        ]

    conflict = related_one(Conflict, resolve.conflict_of_analysis, "The conflict it analyses.")
    supersedes, superseded_by = _versions(
        Annotated["ConflictAnalysis", strawberry.lazy("schema.mediation")],
        resolve.analysis_superseded,
        resolve.analysis_superseding,
        "analysis",
    )
    evidence = related(
        Message,
        MessageOrder,
        resolve.evidence_of_analysis,
        "The viewer's messages it quotes, each DERIVED_FROM it with a weight.",
    )


@strawberry.enum(description="Whom an action item (or its note) is for, as the viewer sees it.")
class Assignee(Enum):
    ME = strawberry.enum_value("me", description="The viewer.")
    PARTNER = strawberry.enum_value("partner", description="The viewer's partner in their couple.")
    BOTH = strawberry.enum_value("both", description="Both of them.")


@strawberry.type(description="A step of a repair plan: a task for one partner or both.")
class ActionItem:
    id: str = strawberry.field(description="The item, within its plan (give it to markActionItem).")
    text: str = strawberry.field(description="What to do.")
    assignee: Assignee = strawberry.field(description="Whom it is for.")
    done: bool = strawberry.field(description="Whether everyone it is for marked it done.")
    done_by_viewer: bool = strawberry.field(description="Whether the viewer marked it done.")
    mine: bool = strawberry.field(description="Whether it is for the viewer (so they mark it).")
    private_note: str | None = strawberry.field(
        description="A note for the viewer's eyes alone (what they said, what to try); null for the "
        "partner, who never reads it."
    )


@strawberry.type(description="How far a plan is: its items done out of all.")
class Progress:
    done: int = strawberry.field(description="Items done by everyone they are for.")
    total: int = strawberry.field(description="All its items.")

    @strawberry.field(description="Done out of all, 0 to 100 (0 for a plan without items).")
    def percent(self) -> float:
        return round(100 * self.done / self.total, 2) if self.total else 0.0


PLAN = {
    "summary": "What the plan is, in a sentence or a few.",
    "generator": 'What made it: "deterministic" (suggested from its analysis) or "person" (items given).',
    "generator_version": "The version of what made it.",
    "joint": "Whether it was made to be shared with the couple (shared as it was made).",
    "includes_private": "Whether its analysis read a rant not approved for mediation: then it is its "
    "author's alone and is never shared.",
    "created_at": "When it was made (UTC).",
    "updated_at": "When it last changed (UTC): an item marked, or a newer plan superseding it.",
}


@strawberry.type(description="A plan to repair after a conflict: action items each partner marks done.")
@described(PLAN)
class RepairPlan(OwnedNode, Placed):
    load = staticmethod(resolve.plans_by_uids)
    id: relay.NodeID[str]
    summary: str
    generator: str
    generator_version: str
    joint: bool
    includes_private: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    current = _current("plan")

    @strawberry.field(
        description="Its items done out of all.", metadata=selection.reading("done_count", "item_count")
    )
    def progress(self) -> Progress:
        return Progress(
            done=int(self.kept.get("done_count") or 0), total=int(self.kept.get("item_count") or 0)
        )

    @strawberry.field(description="Its action items, in order.", metadata=selection.reading("items"))
    def action_items(self, info: Info) -> list[ActionItem]:
        return [
            ActionItem(**{**item, "assignee": Assignee(item["assignee"])})
            for item in resolve.action_items(info.context, self.kept.get("items"))
        ]

    conflict = related_one(Conflict, resolve.conflict_of_plan, "The conflict it repairs.")
    analysis = related_one(ConflictAnalysis, resolve.analysis_of_plan, "The analysis it was made from.")
    supersedes, superseded_by = _versions(
        Annotated["RepairPlan", strawberry.lazy("schema.mediation")],
        resolve.plan_superseded,
        resolve.plan_superseding,
        "plan",
    )


# Analyses and plans are ordered alike: one enum of what either list may be ordered by.
assert kinds.CONFLICT_ANALYSIS.sorts == kinds.REPAIR_PLAN.sorts, "analyses and plans share their order"
MediationOrderField = order_fields(
    "Mediation", kinds.CONFLICT_ANALYSIS.sorts, "analyses or plans", {"created_at": "When it was made."}
)


@order_key(MediationOrderField, "conflict analyses")
class ConflictAnalysisOrder: ...


@order_key(MediationOrderField, "repair plans")
class RepairPlanOrder: ...


@strawberry.input(description="Which analyses or plans to list: all the conditions given hold.")
class MediationFilter:
    conflict_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those of this conflict."
    )
    current: bool | None = strawberry.field(
        default=None, description="Only the current ones (true), or only those superseded (false)."
    )


def _where(given: MediationFilter) -> dict[str, Any]:
    conflict = optional_uid(given.conflict_id, "Conflict", "conflictId")
    return {"conflict": conflict, "current": given.current}


attach(
    ConflictAnalysis,
    "repair_plans",
    related(RepairPlan, RepairPlanOrder, resolve.plans_of_analysis, "The repair plans made from it."),
)
attach(
    Conflict,
    "analyses",
    related(
        ConflictAnalysis, ConflictAnalysisOrder, resolve.analyses_of_conflict, "Its analyses, every version."
    ),
)
attach(
    Conflict,
    "repair_plans",
    related(RepairPlan, RepairPlanOrder, resolve.plans_of_conflict, "Its repair plans, every version."),
)
attach(
    Message,
    "analyses",
    related(
        ConflictAnalysis, ConflictAnalysisOrder, resolve.analyses_of_message, "The analyses that quote it."
    ),
)
del ConflictOrder  # imported for its module's types to be loaded first


@strawberry.input(description="What to analyze: a conflict, from the conversations about it.")
class AnalyzeConflictInput:
    conflict_id: relay.GlobalID = strawberry.field(
        description="The conflict (the viewer's, or shared with them)."
    )
    conversation_ids: list[relay.GlobalID] = strawberry.field(
        description="1 to 20 conversations to read: a fight's transcript, mediation sessions, the viewer's "
        "rants (each the viewer's, or shared with them)."
    )
    joint: bool = strawberry.field(
        default=False,
        description="Made to be shared with the couple, and shared at once: a rant is read only if its "
        "author approved it for mediation (the others are left out).",
    )


@strawberry.input(description="A step of a plan, as a person writes it.")
class ActionItemInput:
    text: str = strawberry.field(description="What to do: 1 to 500 characters.")
    assignee: Assignee = strawberry.field(
        default=Assignee.ME, description="Whom it is for; the viewer by default."
    )
    private_note: str | None = strawberry.field(
        default=None, description="A note for one partner's eyes alone, up to 1,000 characters."
    )
    note_for: Assignee | None = strawberry.field(
        default=None,
        description="Whom the note is for (ME or PARTNER): by default whom the item is for (say it for "
        "an item for BOTH).",
    )


@strawberry.input(description="A repair plan to make from an analysis.")
class PlanRepairInput:
    analysis_id: relay.GlobalID = strawberry.field(
        description="The analysis (the viewer's, or shared with them)."
    )
    summary: str | None = strawberry.field(
        default=None, description="What the plan is, up to 2,000 characters."
    )
    items: list[ActionItemInput] | None = strawberry.field(
        default=None,
        description="1 to 30 steps; none given, the steps the analysis suggests (an antidote for each habit "
        "found, for whoever used it, and a talk for both).",
    )
    joint: bool = strawberry.field(default=False, description="Shared with the couple as it is made.")


@strawberry.type
class MediationQuery:
    conflict_analyses = listing(
        ConflictAnalysis,
        MediationFilter,
        ConflictAnalysisOrder,
        [Order("created_at", descending=True)],
        _where,
        resolve.analyses,
        "Conflict analyses the viewer made or that were shared with them, the newest first by default.",
    )
    repair_plans = listing(
        RepairPlan,
        MediationFilter,
        RepairPlanOrder,
        [Order("created_at", descending=True)],
        _where,
        resolve.plans,
        "Repair plans the viewer made or that were shared with them, the newest first by default.",
    )


@strawberry.type
class MediationMutation:
    @strawberry.mutation(
        description="Analyzes a conflict from the conversations named: a new version that supersedes the "
        "viewer's current analysis of it (which stays readable). Joint needs a couple (NOT_FOUND otherwise)."
    )
    async def analyze_conflict(
        self,
        info: Info,
        input: Annotated[AnalyzeConflictInput, strawberry.argument(description="What to analyze.")],
    ) -> ConflictAnalysis:
        conflict = node_uid(input.conflict_id, "Conflict", "conflictId")
        conversations = [node_uid(c, "Conversation", "conversationIds") for c in input.conversation_ids]
        return ConflictAnalysis.from_row(
            await resolve.analyze(info.context, conflict, conversations, input.joint)
        )

    @strawberry.mutation(
        description="Makes a repair plan from an analysis: a new version that supersedes the viewer's "
        "current plan for the conflict."
    )
    async def plan_repair(
        self, info: Info, input: Annotated[PlanRepairInput, strawberry.argument(description="The plan.")]
    ) -> RepairPlan:
        analysis = node_uid(input.analysis_id, "ConflictAnalysis", "analysisId")
        items = None
        if input.items is not None:
            items = [
                {
                    "text": item.text,
                    "assignee": item.assignee.value,
                    "private_note": item.private_note,
                    "note_for": item.note_for.value if item.note_for else None,
                }
                for item in input.items
            ]
        return RepairPlan.from_row(
            await resolve.plan(info.context, analysis, items, input.summary, input.joint)
        )

    @strawberry.mutation(
        description="Marks an action item done (or not done) for the viewer: only whom it is for marks it."
    )
    async def mark_action_item(
        self,
        info: Info,
        plan_id: Annotated[relay.GlobalID, strawberry.argument(description="The plan.")],
        item_id: Annotated[str, strawberry.argument(description="The item, by its id in the plan.")],
        done: Annotated[bool, strawberry.argument(description="Done (true) or not done (false).")] = True,
    ) -> RepairPlan:
        plan = node_uid(plan_id, "RepairPlan", "planId")
        return RepairPlan.from_row(await resolve.mark(info.context, plan, item_id, done))

    @strawberry.mutation(
        description="Approves (or withdraws approval of) one of the viewer's rants for mediation: an "
        "analysis made to be shared may then read it. The rant itself stays the viewer's alone."
    )
    async def approve_rant_for_mediation(
        self,
        info: Info,
        conversation_id: Annotated[relay.GlobalID, strawberry.argument(description="The rant.")],
        approved: Annotated[bool, strawberry.argument(description="Approve (true) or withdraw.")] = True,
    ) -> Conversation:
        uid = node_uid(conversation_id, "Conversation", "conversationId")
        return Conversation.from_row(await resolve.approve_rant(info.context, uid, approved))

    @strawberry.mutation(
        description="Starts a mediation session about a conflict: the viewer's own, or joint, made together "
        "with their partner (shared at once; both add messages and change it). Joint needs a couple."
    )
    async def start_mediation(
        self,
        info: Info,
        conflict_id: Annotated[relay.GlobalID, strawberry.argument(description="The conflict.")],
        title: Annotated[
            str | None, strawberry.argument(description="Its title, up to 200 characters.")
        ] = None,
        joint: Annotated[bool, strawberry.argument(description="Made together with the partner.")] = False,
    ) -> Conversation:
        conflict = node_uid(conflict_id, "Conflict", "conflictId")
        return Conversation.from_row(await resolve.start_session(info.context, conflict, title, joint))

    delete_conflict_analysis = deleting(
        "ConflictAnalysis",
        resolve.delete_analysis,
        "Deletes one of the viewer's conflict analyses (its plans stay).",
        "The analysis.",
    )

    delete_repair_plan = deleting(
        "RepairPlan", resolve.delete_plan, "Deletes one of the viewer's repair plans.", "The plan."
    )
