"""Mediation: a conflict analysed (the four horsemen per speaker, with their quotes), versioned analyses and
plans, action items each partner marks, a note for one partner's eyes, rants that never reach the partner
unless approved, joint sessions both members write in, and what a stranger never reads."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from extraction.conflict_analysis import HORSEMEN, PatternAnalyzer, Turn
from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import LiveServer
from tests.live import CREATE_RECIPIENT, Socket, live_only, live_settings, post, sign_up
from tests.test_bad_input import _snapshot
from tests.test_couples import ACCEPT, INVITE, LEAVE, SHARE, conflict, couple_of_two

CONVERSATION = "mutation ($input: CreateConversationInput!) { createConversation(input: $input) { id } }"
APPEND = "mutation ($input: AppendMessageInput!) { appendMessage(input: $input) { id } }"
ANALYSIS_FIELDS = """id summary patterns triggers generator generatorVersion joint includesPrivate current
  findings { kind name speakerName byViewer quote messageId seq weight }
  conflict { id } supersedes { id } supersededBy { id } evidence { nodes { id text } }"""
ANALYZE = f"""mutation ($input: AnalyzeConflictInput!) {{ analyzeConflict(input: $input) {{ {ANALYSIS_FIELDS} }} }}"""
PLAN_FIELDS = """id summary current joint progress { done total percent }
  actionItems { id text assignee done doneByViewer mine privateNote }
  analysis { id } conflict { id } supersedes { id } supersededBy { id }"""
PLAN = f"""mutation ($input: PlanRepairInput!) {{ planRepair(input: $input) {{ {PLAN_FIELDS} }} }}"""
MARK = f"""mutation ($plan: ID!, $item: String!, $done: Boolean) {{
  markActionItem(planId: $plan, itemId: $item, done: $done) {{ {PLAN_FIELDS} }} }}"""
NODE = f"""query ($id: ID!) {{ node(id: $id) {{ id
  ... on ConflictAnalysis {{ {ANALYSIS_FIELDS} }} ... on RepairPlan {{ {PLAN_FIELDS} }} }} }}"""
ANALYSES = (
    """query ($f: MediationFilter) { conflictAnalyses(filter: $f) { totalCount nodes { id current } } }"""
)
PLANS = """query ($f: MediationFilter) { repairPlans(filter: $f) { totalCount nodes { id current } } }"""
APPROVE = """mutation ($id: ID!, $approved: Boolean) {
  approveRantForMediation(conversationId: $id, approved: $approved) { id mediationApproved } }"""
START = """mutation ($id: ID!, $joint: Boolean) { startMediation(conflictId: $id, title: "Us", joint: $joint) {
  id purpose madeTogether title } }"""
UPDATE_CONVERSATION = """mutation ($input: UpdateConversationInput!) {
  updateConversation(input: $input) { id title } }"""
WITH = "query ($id: ID!) { node(id: $id) { ... on Conflict { recipient { id } } } }"
MESSAGES = """query ($id: ID!) { node(id: $id) { ... on Conversation { messages { nodes { text } } } } }"""

FIGHT = [
    "You always leave the dishes for me. What's wrong with you?",
    "That's not my fault, I was only working late.",
    "Oh poor you. Give me a break.",
    "I'm done talking. Leave me alone.",
]
CALM = [
    "I had a lovely walk in the park today.",
    "Nice, shall we cook pasta tonight?",
    "Sure, I will buy tomatoes on the way home.",
    "See you at seven then.",
]


async def _talk(
    client: GraphQLClient, token: str, lines: list[str], speaker: str, purpose: str = "MEDIATION"
) -> str:
    """A conversation where the viewer and one of their people (`speaker`, a recipient id) take turns."""
    made = await client.data(CONVERSATION, {"input": {"purpose": purpose, "title": "Talk"}}, token=token)
    uid = made["createConversation"]["id"]
    for i, line in enumerate(lines):
        said = {"role": "USER"} if i % 2 == 0 else {"role": "PARTICIPANT", "recipientId": speaker}
        await client.data(APPEND, {"input": {"conversationId": uid, "text": line, **said}}, token=token)
    return uid


async def _fight(client: GraphQLClient, token: str, summary: str) -> tuple[str, str, str]:
    """A conflict with a person, and a conversation of the fight with them: (conflict, person, talk)."""
    made = await conflict(client, token, summary)
    person = (await client.data(WITH, {"id": made["id"]}, token=token))["node"]["recipient"]["id"]
    talk = await _talk(client, token, FIGHT, person)
    return made["id"], person, talk


async def test_the_deterministic_analyzer_finds_each_horseman_and_none_in_a_calm_talk() -> None:
    turns = [Turn("ann" if i % 2 == 0 else "ben", "?", line, f"m{i}", i + 1) for i, line in enumerate(FIGHT)]
    found = (await PatternAnalyzer().analyze(turns)).findings
    horsemen = {(f.name, f.speaker) for f in found if f.kind == "horseman"}
    assert horsemen == {
        ("criticism", "ann"),
        ("contempt", "ann"),
        ("defensiveness", "ben"),
        ("stonewalling", "ben"),
    }
    assert {f.name for f in found if f.kind == "horseman"} == set(HORSEMEN)
    assert {f.name for f in found if f.kind == "antidote"} == set()  # "not my fault" is no apology
    assert {f.name for f in found if f.kind == "pattern"} >= {"criticize_defend", "pursue_withdraw"}
    criticism = next(f for f in found if f.name == "criticism")
    assert criticism.quote.startswith("You always leave the dishes") and criticism.seq == 1
    calm = [Turn("ann" if i % 2 == 0 else "ben", "?", line, f"m{i}", i + 1) for i, line in enumerate(CALM)]
    assert (await PatternAnalyzer().analyze(calm)).findings == ()
    sorry = [Turn("ben", "?", "You're right, I'm sorry. Can we pause and take a break?", "m1", 1)]
    antidotes = {f.name for f in (await PatternAnalyzer().analyze(sorry)).findings if f.kind == "antidote"}
    assert antidotes == {"responsibility", "self_soothing"}


async def test_an_analysis_rests_on_its_messages_and_a_new_one_supersedes_it(client: GraphQLClient) -> None:
    ann = await client.sign_up("an-ann@example.com", name="Ann")
    uid, _, talk = await _fight(client, ann, "Dishes")
    first = (
        await client.data(ANALYZE, {"input": {"conflictId": uid, "conversationIds": [talk]}}, token=ann)
    )["analyzeConflict"]
    assert first["generator"] == "deterministic" and first["generatorVersion"] == "1"
    assert first["conflict"]["id"] == uid and first["current"] and first["supersedes"] is None
    by = {(f["kind"], f["name"]): f for f in first["findings"]}
    assert by[("HORSEMAN", "criticism")]["speakerName"] == "Ann" and by[("HORSEMAN", "criticism")]["byViewer"]
    assert by[("HORSEMAN", "defensiveness")]["byViewer"] is False
    assert by[("HORSEMAN", "stonewalling")]["quote"] == "I'm done talking"
    assert by[("TRIGGER", "chores")]["seq"] == 1
    assert set(first["patterns"]) >= set(HORSEMEN) and "chores" in first["triggers"]
    # Its evidence: the messages it quotes, each DERIVED_FROM it (every turn here had a finding).
    assert {m["text"] for m in first["evidence"]["nodes"]} == set(FIGHT)
    assert by[("HORSEMAN", "criticism")]["messageId"] in {m["id"] for m in first["evidence"]["nodes"]}

    second = (
        await client.data(ANALYZE, {"input": {"conflictId": uid, "conversationIds": [talk]}}, token=ann)
    )["analyzeConflict"]
    assert second["supersedes"] == {"id": first["id"]} and second["current"]
    old = (await client.data(NODE, {"id": first["id"]}, token=ann))["node"]
    assert old["current"] is False and old["supersededBy"] == {"id": second["id"]} and old["summary"]
    listed = await client.data(ANALYSES, {"f": {"conflictId": uid, "current": True}}, token=ann)
    assert listed["conflictAnalyses"]["nodes"] == [{"id": second["id"], "current": True}]
    assert (await client.data(ANALYSES, {"f": {"conflictId": uid}}, token=ann))["conflictAnalyses"][
        "totalCount"
    ] == 2


async def test_a_stranger_reads_and_changes_nothing_and_bad_input_writes_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    ann = await client.sign_up("st-ann@example.com", name="Ann")
    cat = await client.sign_up("st-cat@example.com", name="Cat")
    uid, _, talk = await _fight(client, ann, "Rent")
    analysis = (
        await client.data(ANALYZE, {"input": {"conflictId": uid, "conversationIds": [talk]}}, token=ann)
    )["analyzeConflict"]
    plan = (await client.data(PLAN, {"input": {"analysisId": analysis["id"]}}, token=ann))["planRepair"]
    for id in (analysis["id"], plan["id"]):
        assert (await client.data(NODE, {"id": id}, token=cat))["node"] is None
    assert (await client.data(ANALYSES, token=cat))["conflictAnalyses"]["totalCount"] == 0
    assert (await client.data(PLANS, token=cat))["repairPlans"]["totalCount"] == 0
    before = await _snapshot(graph)
    refused = [
        await client.error(ANALYZE, {"input": {"conflictId": uid, "conversationIds": [talk]}}, token=cat),
        await client.error(PLAN, {"input": {"analysisId": analysis["id"]}}, token=cat),
        await client.error(MARK, {"plan": plan["id"], "item": plan["actionItems"][0]["id"]}, token=cat),
        await client.error(START, {"id": uid}, token=cat),
    ]
    assert [e["extensions"]["code"] for e in refused] == ["NOT_FOUND"] * 4
    bad = [
        await client.error(ANALYZE, {"input": {"conflictId": uid, "conversationIds": []}}, token=ann),
        await client.error(ANALYZE, {"input": {"conflictId": talk, "conversationIds": [talk]}}, token=ann),
        await client.error(PLAN, {"input": {"analysisId": analysis["id"], "items": []}}, token=ann),
        await client.error(
            PLAN, {"input": {"analysisId": analysis["id"], "items": [{"text": " "}]}}, token=ann
        ),
        await client.error(
            PLAN,
            {"input": {"analysisId": analysis["id"], "items": [{"text": "Hug", "noteFor": "ME"}]}},
            token=ann,
        ),
        await client.error(APPROVE, {"id": talk}, token=ann),  # not a rant
    ]
    assert [e["extensions"]["code"] for e in bad] == ["BAD_USER_INPUT"] * 5 + ["BAD_USER_INPUT"]
    # An item for a partner needs a couple: refused, nothing kept.
    alone = await client.error(
        PLAN,
        {"input": {"analysisId": analysis["id"], "items": [{"text": "Call", "assignee": "PARTNER"}]}},
        token=ann,
    )
    assert alone["extensions"]["code"] == "NOT_FOUND"
    assert (await client.error(START, {"id": uid, "joint": True}, token=ann))["extensions"][
        "code"
    ] == "NOT_FOUND"
    assert await _snapshot(graph) == before


async def test_a_plan_is_marked_by_whom_each_item_is_for_and_a_note_is_for_one_partners_eyes(
    client: GraphQLClient,
) -> None:
    ann, ben, cat = await couple_of_two(client, "plan")
    uid, _, talk = await _fight(client, ann, "Late again")
    analysis = (
        await client.data(
            ANALYZE, {"input": {"conflictId": uid, "conversationIds": [talk], "joint": True}}, token=ann
        )
    )["analyzeConflict"]
    assert analysis["joint"] and not analysis["includesPrivate"]
    # Joint: shared at once; Ben reads it (and the conflict stays Ann's, unshared: he reads null there).
    seen = (await client.data(NODE, {"id": analysis["id"]}, token=ben))["node"]
    assert seen["summary"] == analysis["summary"] and seen["conflict"] is None
    items = [
        {"text": "Say one kind thing a day", "assignee": "ME", "privateNote": "You started with criticism."},
        {"text": "Take a break when flooded", "assignee": "PARTNER", "privateNote": "Breathe first."},
        {"text": "Talk for 20 minutes", "assignee": "BOTH"},
    ]
    plan = (
        await client.data(
            PLAN, {"input": {"analysisId": analysis["id"], "items": items, "joint": True}}, token=ann
        )
    )["planRepair"]
    assert plan["progress"] == {"done": 0, "total": 3, "percent": 0.0}
    mine, theirs, both = plan["actionItems"]
    assert (mine["assignee"], mine["mine"], mine["privateNote"]) == (
        "ME",
        True,
        "You started with criticism.",
    )
    assert (theirs["assignee"], theirs["mine"], theirs["privateNote"]) == ("PARTNER", False, None)
    # Ben reads the same plan from his side: his item is his, with his note; Ann's note never.
    bens = (await client.data(NODE, {"id": plan["id"]}, token=ben))["node"]["actionItems"]
    assert [(i["assignee"], i["mine"], i["privateNote"]) for i in bens] == [
        ("PARTNER", False, None),
        ("ME", True, "Breathe first."),
        ("BOTH", True, None),
    ]
    # Each marks their own; neither marks the other's (nothing changes).
    refused = await client.error(MARK, {"plan": plan["id"], "item": mine["id"]}, token=ben)
    assert refused["extensions"]["code"] == "FORBIDDEN"
    marked = (await client.data(MARK, {"plan": plan["id"], "item": theirs["id"]}, token=ben))[
        "markActionItem"
    ]
    assert marked["progress"] == {"done": 1, "total": 3, "percent": 33.33}
    await client.data(MARK, {"plan": plan["id"], "item": both["id"]}, token=ben)
    half = (await client.data(NODE, {"id": plan["id"]}, token=ann))["node"]
    assert half["actionItems"][2]["done"] is False and half["progress"]["done"] == 1  # Ann has not yet
    await client.data(MARK, {"plan": plan["id"], "item": both["id"]}, token=ann)
    await client.data(MARK, {"plan": plan["id"], "item": mine["id"]}, token=ann)
    done = (await client.data(NODE, {"id": plan["id"]}, token=ben))["node"]
    assert done["progress"] == {"done": 3, "total": 3, "percent": 100.0}
    undone = await client.data(MARK, {"plan": plan["id"], "item": theirs["id"], "done": False}, token=ben)
    assert undone["markActionItem"]["progress"]["done"] == 2
    assert (await client.error(MARK, {"plan": plan["id"], "item": "nope"}, token=ben))["extensions"][
        "code"
    ] == "NOT_FOUND"
    # A new plan supersedes Ann's; the old one stays readable. The stranger reads neither.
    suggested = (await client.data(PLAN, {"input": {"analysisId": analysis["id"]}}, token=ann))["planRepair"]
    assert suggested["supersedes"] == {"id": plan["id"]} and suggested["joint"] is False
    assert len(suggested["actionItems"]) >= 3  # an antidote for each habit found, and a talk for both
    assert (await client.data(NODE, {"id": plan["id"]}, token=ann))["node"]["current"] is False
    assert (await client.data(NODE, {"id": suggested["id"]}, token=ben))["node"] is None  # not shared
    assert (await client.data(NODE, {"id": plan["id"]}, token=cat))["node"] is None


async def test_an_unapproved_rant_never_reaches_the_partners_analysis(client: GraphQLClient) -> None:
    ann, ben, _ = await couple_of_two(client, "rant")
    uid, person, talk = await _fight(client, ann, "Money")
    secret = "Whatever, you are pathetic about the rent money and my secret savings"
    rant = await _talk(client, ann, [secret], person, purpose="RANT")
    both = {"conflictId": uid, "conversationIds": [talk, rant]}
    # Her own analysis reads her rant; it is hers alone: sharing it is refused with a code.
    own = (await client.data(ANALYZE, {"input": both}, token=ann))["analyzeConflict"]
    assert own["includesPrivate"] and any("pathetic" in f["quote"] for f in own["findings"])
    refused = await client.error(SHARE, {"id": own["id"]}, token=ann)
    assert refused["extensions"]["code"] == "NOT_SHAREABLE"
    from_own = (await client.data(PLAN, {"input": {"analysisId": own["id"]}}, token=ann))["planRepair"]
    assert (await client.error(SHARE, {"id": from_own["id"]}, token=ann))["extensions"][
        "code"
    ] == "NOT_SHAREABLE"
    # A joint analysis leaves the unapproved rant out: Ben reads it, and none of the rant's words.
    joint = (await client.data(ANALYZE, {"input": {**both, "joint": True}}, token=ann))["analyzeConflict"]
    read = (await client.data(NODE, {"id": joint["id"]}, token=ben))["node"]
    assert read is not None and not read["includesPrivate"]
    assert "pathetic" not in json.dumps(read) and "secret" not in json.dumps(read)
    assert (await client.data(NODE, {"id": own["id"]}, token=ben))["node"] is None
    assert (await client.data(NODE, {"id": rant}, token=ben))["node"] is None
    # Once Ann approves her rant, a joint analysis may read it.
    approved = (await client.data(APPROVE, {"id": rant}, token=ann))["approveRantForMediation"]
    assert approved["mediationApproved"] is True
    assert (await client.error(APPROVE, {"id": rant}, token=ben))["extensions"]["code"] == "NOT_FOUND"
    again = (await client.data(ANALYZE, {"input": {**both, "joint": True}}, token=ann))["analyzeConflict"]
    assert any(
        "pathetic" in f["quote"]
        for f in (await client.data(NODE, {"id": again["id"]}, token=ben))["node"]["findings"]
    )


async def test_a_joint_session_is_written_in_and_changed_by_both_members(client: GraphQLClient) -> None:
    ann, ben, cat = await couple_of_two(client, "joint")
    made = await conflict(client, ann, "Holidays")
    await client.data(SHARE, {"id": made["id"]}, token=ann)
    own = (await client.data(START, {"id": made["id"]}, token=ann))["startMediation"]
    assert (own["purpose"], own["madeTogether"]) == ("MEDIATION", False)
    assert (await client.data(MESSAGES, {"id": own["id"]}, token=ben))["node"] is None  # hers alone
    # Ben starts a joint one about Ann's shared conflict: Ann writes in it and renames it, as Ben does.
    joint = (await client.data(START, {"id": made["id"], "joint": True}, token=ben))["startMediation"]
    assert joint["madeTogether"] is True
    await client.data(
        APPEND,
        {"input": {"conversationId": joint["id"], "role": "USER", "text": "I felt unheard."}},
        token=ben,
    )
    await client.data(
        APPEND,
        {"input": {"conversationId": joint["id"], "role": "USER", "text": "I hear you now."}},
        token=ann,
    )
    renamed = await client.data(
        UPDATE_CONVERSATION, {"input": {"id": joint["id"], "title": "Our talk"}}, token=ann
    )
    assert renamed["updateConversation"]["title"] == "Our talk"
    for token in (ann, ben):
        texts = [
            m["text"]
            for m in (await client.data(MESSAGES, {"id": joint["id"]}, token=token))["node"]["messages"][
                "nodes"
            ]
        ]
        assert texts == ["I felt unheard.", "I hear you now."]
    # Ann's own session stays hers: Ben neither writes in it nor renames it; the stranger touches neither.
    own_append = {"input": {"conversationId": own["id"], "role": "USER", "text": "Hi"}}
    assert (await client.error(APPEND, own_append, token=ben))["extensions"]["code"] == "NOT_FOUND"
    for token in (ben, cat):
        refused = await client.error(
            UPDATE_CONVERSATION, {"input": {"id": own["id"], "title": "x"}}, token=token
        )
        assert refused["extensions"]["code"] == "NOT_FOUND"
    joint_append = {"input": {"conversationId": joint["id"], "role": "USER", "text": "Hi"}}
    assert (await client.error(APPEND, joint_append, token=cat))["extensions"]["code"] == "NOT_FOUND"


DELETE_CONVERSATION = "mutation ($id: ID!) { deleteConversation(id: $id) { deletedCount } }"
MESSAGE_NODE = "query ($id: ID!) { node(id: $id) { id ... on Message { text } } }"


async def _say(client: GraphQLClient, token: str, conversation: str, text: str) -> str:
    given = {"input": {"conversationId": conversation, "role": "USER", "text": text}}
    return str((await client.data(APPEND, given, token=token))["appendMessage"]["id"])


async def test_leaving_a_joint_session_takes_ones_own_words_and_its_author_ends_it_for_both(
    client: GraphQLClient,
) -> None:
    ann, ben, cat = await couple_of_two(client, "leave-joint")
    made = await conflict(client, ann, "Chores")
    await client.data(SHARE, {"id": made["id"]}, token=ann)
    first = (await client.data(START, {"id": made["id"], "joint": True}, token=ben))["startMediation"]["id"]
    bens = await _say(client, ben, first, "I felt unheard.")
    anns = await _say(client, ann, first, "I hear you now.")
    assert (await client.error(DELETE_CONVERSATION, {"id": first}, token=cat))["extensions"]["code"] == (
        "NOT_FOUND"
    )
    # Ann, its partner, leaves: her words go, and the session is Ben's alone, with his.
    left = await client.data(DELETE_CONVERSATION, {"id": first}, token=ann)
    assert left["deleteConversation"]["deletedCount"] == 1
    assert (await client.data(MESSAGES, {"id": first}, token=ann))["node"] is None
    assert (await client.data(MESSAGE_NODE, {"id": bens}, token=ann))["node"] is None
    kept = (await client.data(MESSAGES, {"id": first}, token=ben))["node"]["messages"]["nodes"]
    assert [m["text"] for m in kept] == ["I felt unheard."]
    for token in (ann, ben):
        assert (await client.data(MESSAGE_NODE, {"id": anns}, token=token))["node"] is None

    # Ben, its author, ends another for both: Ann's words go with it, none left behind without it.
    second = (await client.data(START, {"id": made["id"], "joint": True}, token=ben))["startMediation"]["id"]
    hers = await _say(client, ann, second, "Can we split the chores?")
    his = await _say(client, ben, second, "Yes, let us.")
    ended = await client.data(DELETE_CONVERSATION, {"id": second}, token=ben)
    assert ended["deleteConversation"]["deletedCount"] == 3
    for token in (ann, ben, cat):
        assert (await client.data(MESSAGES, {"id": second}, token=token))["node"] is None
        for message in (hers, his):
            assert (await client.data(MESSAGE_NODE, {"id": message}, token=token))["node"] is None


TIMELINE = "query ($id: ID!) { timeline(id: $id) { nodes { kind } } }"


async def test_leaving_the_couple_takes_each_ones_words_out_of_the_others_joint_sessions(
    client: GraphQLClient,
) -> None:
    ann, ben, cat = await couple_of_two(client, "leave-couple-joint")
    made = await conflict(client, ann, "Money")
    await client.data(SHARE, {"id": made["id"]}, token=ann)
    bens_session = (await client.data(START, {"id": made["id"], "joint": True}, token=ben))["startMediation"]
    anns_session = (await client.data(START, {"id": made["id"], "joint": True}, token=ann))["startMediation"]
    his_in_his = await _say(client, ben, bens_session["id"], "I worry about rent.")
    hers_in_his = await _say(client, ann, bens_session["id"], "I worry about savings.")
    hers_in_hers = await _say(client, ann, anns_session["id"], "Let us make a budget.")
    his_in_hers = await _say(client, ben, anns_session["id"], "A spreadsheet, then.")

    await client.data(LEAVE, token=ann)
    # Each keeps their own session with their own words only; the other's words there are gone.
    for token, session, kept in (
        (ben, bens_session, "I worry about rent."),
        (ann, anns_session, "Let us make a budget."),
    ):
        read = (await client.data(MESSAGES, {"id": session["id"]}, token=token))["node"]
        assert [m["text"] for m in read["messages"]["nodes"]] == [kept]
    for token, session in (
        (ann, bens_session),
        (ben, anns_session),
        (cat, bens_session),
        (cat, anns_session),
    ):
        assert (await client.data(MESSAGES, {"id": session["id"]}, token=token))["node"] is None
    # Gone for their writers too (not left in a session nobody of theirs reads), each in its writer's log.
    for token, message in ((ann, hers_in_his), (ben, his_in_hers)):
        assert (await client.data(MESSAGE_NODE, {"id": message}, token=token))["node"] is None
        kinds = [
            e["kind"]
            for e in (await client.data(TIMELINE, {"id": message}, token=token))["timeline"]["nodes"]
        ]
        assert kinds[-1] == "MessageDeleted"
    for token, message in ((ben, his_in_his), (ann, hers_in_hers)):
        assert (await client.data(MESSAGE_NODE, {"id": message}, token=token))["node"] is not None
    # Nothing of either is read by the stranger.
    for message in (his_in_his, hers_in_his, hers_in_hers, his_in_hers):
        assert (await client.data(MESSAGE_NODE, {"id": message}, token=cat))["node"] is None


async def test_a_joint_analysis_rests_on_both_partners_words_in_their_session(client: GraphQLClient) -> None:
    ann, ben, cat = await couple_of_two(client, "joint-evidence")
    made = await conflict(client, ann, "Dishes")
    await client.data(SHARE, {"id": made["id"]}, token=ann)
    session = (await client.data(START, {"id": made["id"], "joint": True}, token=ann))["startMediation"]["id"]
    for i, line in enumerate(FIGHT):  # Ann and Ben take turns
        await _say(client, ann if i % 2 == 0 else ben, session, line)
    both = {"conflictId": made["id"], "conversationIds": [session]}
    private = (await client.data(ANALYZE, {"input": both}, token=ann))["analyzeConflict"]
    assert {m["text"] for m in private["evidence"]["nodes"]} == set(FIGHT[0::2])  # Ben's quoted only
    joint = (await client.data(ANALYZE, {"input": {**both, "joint": True}}, token=ann))["analyzeConflict"]
    assert {m["text"] for m in joint["evidence"]["nodes"]} == set(FIGHT)
    read = (await client.data(NODE, {"id": joint["id"]}, token=ben))["node"]
    assert {m["text"] for m in read["evidence"]["nodes"]} == set(FIGHT)
    assert (await client.data(NODE, {"id": joint["id"]}, token=cat))["node"] is None


# --- live: a shared plan's change reaches both members' graphChanged -----------------------------

CHANGED = """subscription ($since: Int) { graphChanged(since: $since) {
  kind nodesAdded { __typename id } nodesUpdated { __typename id } nodesRemoved { id label } } }"""
CONFLICT = "mutation ($input: CreateConflictInput!) { createConflict(input: $input) { id } }"


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    with live_only(), LiveServer(live_settings(settings)) as live_server:
        yield live_server


async def _next_about(ws: Socket, id: str) -> dict[str, Any]:
    while True:
        delta = (await ws.next())["graphChanged"]
        if id in json.dumps(delta):
            return delta


async def test_a_shared_plans_mark_reaches_both_members_live(server: LiveServer) -> None:
    ann = await sign_up(server, "mlive-ann@example.com")
    ben = await sign_up(server, "mlive-ben@example.com")
    code = (await post(server, INVITE, token=ann))["inviteToCouple"]["code"]
    await post(server, ACCEPT, {"code": code}, ben)
    sam = (await post(server, CREATE_RECIPIENT, {"name": "Sam"}, ann))["createRecipient"]["id"]
    uid = (await post(server, CONFLICT, {"input": {"recipientId": sam}}, ann))["createConflict"]["id"]
    made = await post(server, CONVERSATION, {"input": {"purpose": "MEDIATION"}}, ann)
    talk = made["createConversation"]["id"]
    for i, line in enumerate(FIGHT):
        said = {"role": "USER"} if i % 2 == 0 else {"role": "PARTICIPANT", "recipientId": sam}
        await post(server, APPEND, {"input": {"conversationId": talk, "text": line, **said}}, ann)
    streams = {name: await Socket.open(server, token) for name, token in (("ann", ann), ("ben", ben))}
    for ws in streams.values():
        await ws.subscribe("1", query=CHANGED, since=0)
    analysis = (
        await post(
            server, ANALYZE, {"input": {"conflictId": uid, "conversationIds": [talk], "joint": True}}, ann
        )
    )["analyzeConflict"]["id"]
    items = [{"text": "Talk for 20 minutes", "assignee": "BOTH"}]
    plan = (
        await post(server, PLAN, {"input": {"analysisId": analysis, "items": items, "joint": True}}, ann)
    )["planRepair"]
    for ws in streams.values():
        await _next_about(ws, plan["id"])  # made, and shared: both hear of it
    await post(server, MARK, {"plan": plan["id"], "item": plan["actionItems"][0]["id"]}, ben)
    for ws in streams.values():
        changed = await _next_about(ws, plan["id"])
        assert {"__typename": "RepairPlan", "id": plan["id"]} in changed["nodesUpdated"]
    for ws in streams.values():
        await ws.close()


LIVE_MESSAGES = """subscription ($id: ID!, $after: Int) {
  conversationMessages(conversationId: $id, after: $after) { seq text } }"""


async def test_a_joint_sessions_live_stream_carries_both_partners_words_to_both(server: LiveServer) -> None:
    ann = await sign_up(server, "jlive-ann@example.com")
    ben = await sign_up(server, "jlive-ben@example.com")
    cat = await sign_up(server, "jlive-cat@example.com")
    code = (await post(server, INVITE, token=ann))["inviteToCouple"]["code"]
    await post(server, ACCEPT, {"code": code}, ben)
    sam = (await post(server, CREATE_RECIPIENT, {"name": "Sam"}, ann))["createRecipient"]["id"]
    uid = (await post(server, CONFLICT, {"input": {"recipientId": sam}}, ann))["createConflict"]["id"]
    await post(server, SHARE, {"id": uid}, ann)
    session = (await post(server, START, {"id": uid, "joint": True}, ann))["startMediation"]["id"]
    said = {"conversationId": session, "role": "USER"}
    await post(server, APPEND, {"input": {**said, "text": "I start."}}, ann)
    streams = {name: await Socket.open(server, token) for name, token in (("ann", ann), ("ben", ben))}
    for ws in streams.values():
        await ws.subscribe("1", query=LIVE_MESSAGES, id=session, after=0)
    for ws in streams.values():  # what the graph held: Ann's, read by Ben too
        assert (await ws.next(30))["conversationMessages"] == {"seq": 1, "text": "I start."}
    await post(server, APPEND, {"input": {**said, "text": "Ben answers."}}, ben)
    await post(server, APPEND, {"input": {**said, "text": "Ann again."}}, ann)
    for ws in streams.values():
        heard = [(await ws.next(30))["conversationMessages"] for _ in range(2)]
        assert heard == [{"seq": 2, "text": "Ben answers."}, {"seq": 3, "text": "Ann again."}]
    # The stranger may not listen; once Ann unshares it, Ben's stream ends.
    stranger = await Socket.open(server, cat)
    await stranger.subscribe("1", query=LIVE_MESSAGES, id=session)
    refused = await stranger.receive(30)
    assert "NOT_FOUND" in json.dumps(refused)
    await post(server, "mutation ($id: ID!) { unshareFromCouple(nodeId: $id) }", {"id": session}, ann)
    ended = await streams["ben"].receive(30)
    assert "NOT_FOUND" in json.dumps(ended)
    for ws in (*streams.values(), stranger):
        await ws.close()
