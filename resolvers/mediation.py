"""Mediation: a conflict analysed (by the instance's analyzer, extraction/conflict_analysis.py), repair
plans made from an analysis with action items each partner marks, a rant approved for mediation, and
mediation sessions (one's own, or joint: made together with the couple).

What a rant said goes into an analysis made to be shared (joint) only if its author approved the rant;
an analysis that read an unapproved one is marked so and its kind refuses to share it (and any plan made
from it), so its words never reach the partner.
"""

from dataclasses import asdict
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import uuid4

from errors import BadUserInput, NotFound
from extraction.conflict_analysis import Turn, suggest_steps
from extraction.model_conflict_analysis import create_analyzer
from graph import mediation
from graph.kinds import CONFLICT_ANALYSIS, REPAIR_PLAN
from graph.pages import Row
from resolvers import checks, nodes
from resolvers.context import Context
from resolvers.pages import Order

MAX_CONVERSATIONS = 20
MAX_ITEMS = 30
MAX_ITEM_TEXT = 500
MAX_NOTE = 1_000
# Whom an item is for, or its note, as a client says it: relative to the viewer.
ME, PARTNER, BOTH = "me", "partner", "both"


async def analyze(context: Context, conflict: str, conversations: list[str], joint: bool) -> Row:
    """A new analysis of the conflict from the turns of the conversations named; it supersedes the
    viewer's current one. Joint: made to be shared with the couple (and shared at once), reading a rant
    only if its author approved it."""
    conversations = list(dict.fromkeys(conversations))
    if not 1 <= len(conversations) <= MAX_CONVERSATIONS:
        raise BadUserInput(
            f"Name 1 to {MAX_CONVERSATIONS} conversations to analyze.", field="conversationIds"
        )
    if joint and await context.graph.read(mediation.partner_of, owner=context.viewer) is None:
        # Checked before the analyzer runs (a model's call costs): a joint analysis is shared at once.
        raise NotFound(
            "You are not in a couple: there is no one to share a joint analysis with.", field="joint"
        )
    read = await context.graph.read(
        mediation.turns, owner=context.viewer, conflict=conflict, conversations=conversations
    )
    used = [turn for turn in read if not (joint and turn["rant"] and not turn["approved"])]
    private = any(turn["rant"] and not turn["approved"] for turn in used)
    analyzer = create_analyzer(context.settings)
    result = await analyzer.analyze(
        [Turn(t["speaker"], t["name"], t["text"], t["message"], t["seq"]) for t in used]
    )
    # The messages it rests on: the viewer's own, and, of a joint analysis, the partner's in the sessions
    # shared with the couple that it read (both read those; a private analysis only quotes a partner).
    own = {t["message"] for t in used if t["owner"] == context.viewer}
    theirs = {t["message"] for t in used if joint and t["owner"] != context.viewer and t["shared"]}
    evidence: dict[str, float] = {}
    shared_evidence: dict[str, float] = {}
    for finding in result.findings:
        rests = evidence if finding.message in own else shared_evidence if finding.message in theirs else None
        if rests is not None:
            rests[finding.message] = max(rests.get(finding.message, 0.0), finding.weight)
    values = {
        "summary": result.summary,
        "patterns": result.patterns,
        "triggers": result.triggers,
        "findings": [asdict(finding) for finding in result.findings],
        "generator": result.generator,
        "generator_version": result.version,
        "joint": joint,
        "includes_private": private,
    }
    return await context.graph.write(
        mediation.create_analysis,
        owner=context.viewer,
        uid=str(uuid4()),
        conflict=conflict,
        values=values,
        evidence=evidence,
        shared_evidence=shared_evidence,
        joint=joint,
    )


async def plan(
    context: Context, analysis: str, items: list[dict[str, Any]] | None, summary: str | None, joint: bool
) -> Row:
    """A repair plan from the analysis (the viewer's, or shared with them): the items given, or, none
    given, those the analysis suggests (an antidote for each habit found, for whoever used it, and a talk
    for both). It supersedes the viewer's current plan for the conflict; joint, it is shared at once."""
    summary = checks.text(summary, "summary", 2_000, lines=True)
    partner = await context.graph.read(mediation.partner_of, owner=context.viewer)
    members = [context.viewer, *([partner] if partner else [])]
    stored = [_item(given, index, context.viewer, partner) for index, given in enumerate(items or [])]
    if items is not None and not 1 <= len(items) <= MAX_ITEMS:
        raise BadUserInput(f"A plan holds 1 to {MAX_ITEMS} action items.", field="items")
    source = await context.graph.read(mediation.analysis_for_plan, owner=context.viewer, uid=analysis)
    if items is None:
        steps = suggest_steps(source["findings"], members)
        stored = [
            {
                "id": uuid4().hex[:12],
                "text": step.text,
                "assignees": list(step.assignees),
                "done_by": [],
                "note": step.note,
                "note_for": step.note_for,
            }
            for step in steps
        ]
    values = {
        "summary": summary or f"{len(stored)} steps to repair after this conflict.",
        "items": stored,
        "item_done": [False] * len(stored),
        "generator": "deterministic" if items is None else "person",
        "generator_version": "1",
        "joint": joint,
        "includes_private": source["private"],
    }
    return await context.graph.write(
        mediation.create_plan,
        owner=context.viewer,
        uid=str(uuid4()),
        analysis=analysis,
        conflict=source["conflict"],
        values=values,
        joint=joint,
    )


def _item(given: dict[str, Any], index: int, viewer: str, partner: str | None) -> dict[str, Any]:
    """An action item as stored: whom it and its note are for as users' uids (PARTNER or BOTH needs a
    couple), checked text."""
    field = f"items[{index}]"
    text = checks.text(given.get("text"), f"{field}.text", MAX_ITEM_TEXT, required=True, lines=True)
    note = checks.text(given.get("private_note"), f"{field}.privateNote", MAX_NOTE, lines=True)

    def users(whom: str) -> list[str]:
        if whom != ME and partner is None:
            raise NotFound("You are not in a couple: an item is for you alone until you are.", field=field)
        return {ME: [viewer], PARTNER: [partner or ""], BOTH: [viewer, partner or ""]}[whom]

    assignees = users(given.get("assignee") or ME)
    note_for = given.get("note_for")
    if note is not None and note_for is None:
        if len(assignees) != 1:
            raise BadUserInput(
                "Say whose eyes a note of an item for both is for (noteFor).", field=f"{field}.noteFor"
            )
        note_for = assignees[0]
    elif note_for is not None:
        if note is None:
            raise BadUserInput(
                "noteFor names whom a note is for: give the note too.", field=f"{field}.noteFor"
            )
        note_for = users(note_for)[0]
    return {
        "id": uuid4().hex[:12],
        "text": text,
        "assignees": assignees,
        "done_by": [],
        "note": note,
        "note_for": note_for,
    }


async def mark(context: Context, plan: str, item: str, done: bool) -> Row:
    return await context.graph.write(mediation.mark, owner=context.viewer, uid=plan, item=item, done=done)


def action_items(context: Context, stored: Any) -> list[dict[str, Any]]:
    """A plan's items as the viewer reads them: whom each is for relative to the viewer, whether it is
    done (by everyone it is for) and by the viewer, and its note only if it is for the viewer's eyes."""
    viewer = context.viewer
    shown: list[dict[str, Any]] = []
    for item in stored if isinstance(stored, list) else []:
        assignees = set(item["assignees"])
        whom = BOTH if len(assignees) > 1 else ME if viewer in assignees else PARTNER
        shown.append(
            {
                "id": item["id"],
                "text": item["text"],
                "assignee": whom,
                "done": assignees <= set(item["done_by"]),
                "done_by_viewer": viewer in item["done_by"],
                "mine": viewer in assignees,
                "private_note": item.get("note") if item.get("note_for") == viewer else None,
            }
        )
    return shown


def findings(context: Context, stored: Any) -> list[dict[str, Any]]:
    """An analysis's findings as the viewer reads them: whether each is about the viewer's own words."""
    return [
        {**found, "by_viewer": found.get("speaker") == context.viewer}
        for found in (stored if isinstance(stored, list) else [])
    ]


async def approve_rant(context: Context, conversation: str, approved: bool) -> Row:
    return await context.graph.write(
        mediation.approve_rant, owner=context.viewer, uid=conversation, approved=approved
    )


async def start_session(context: Context, conflict: str, title: str | None, joint: bool) -> Row:
    title = checks.text(title, "title", 200)
    values = {"started_at": datetime.now(UTC), **({"title": title} if title else {})}
    return await context.graph.write(
        mediation.start_session,
        owner=context.viewer,
        uid=str(uuid4()),
        conflict=conflict,
        values=values,
        joint=joint,
    )


analyses_by_uids = nodes.by_uids_of(CONFLICT_ANALYSIS)
plans_by_uids = nodes.by_uids_of(REPAIR_PLAN)
analyses = nodes.page_of(CONFLICT_ANALYSIS, partial(mediation.condition, CONFLICT_ANALYSIS))
plans = nodes.page_of(REPAIR_PLAN, partial(mediation.condition, REPAIR_PLAN))
delete_analysis = nodes.delete_of(CONFLICT_ANALYSIS)
delete_plan = nodes.delete_of(REPAIR_PLAN)


# The relations, each a resolver of the fields of that name.
analyses_of_conflict = nodes.relation(mediation.ANALYSES_OF_CONFLICT)
plans_of_conflict = nodes.relation(mediation.PLANS_OF_CONFLICT)
plans_of_analysis = nodes.relation(mediation.PLANS_OF_ANALYSIS)
analyses_of_message = nodes.relation(mediation.ANALYSES_OF_MESSAGE)
evidence_of_analysis = nodes.relation(mediation.EVIDENCE_OF_ANALYSIS)
conflict_of_analysis = nodes.relation_one(mediation.CONFLICT_OF_ANALYSIS, Order("created_at"))
conflict_of_plan = nodes.relation_one(mediation.CONFLICT_OF_PLAN, Order("created_at"))
analysis_of_plan = nodes.relation_one(mediation.ANALYSIS_OF_PLAN, Order("created_at"))
analysis_superseded = nodes.relation_one(mediation.ANALYSIS_SUPERSEDED, Order("created_at"))
analysis_superseding = nodes.relation_one(mediation.ANALYSIS_SUPERSEDING, Order("created_at"))
plan_superseded = nodes.relation_one(mediation.PLAN_SUPERSEDED, Order("created_at"))
plan_superseding = nodes.relation_one(mediation.PLAN_SUPERSEDING, Order("created_at"))
