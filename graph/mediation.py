"""Cypher for mediation: what an analysis of a conflict reads (the turns of the conversations named), its
analyses and repair plans, each version superseding the current one of its author for that conflict
(SUPERSEDES, and `superseded_by` on the older), the marks on a plan's action items, and a rant's approval
for mediation.

An analysis or a plan may be of a conflict the viewer's partner shared, and a plan of the partner's
shared analysis: those links (ANALYZES, REPAIRS, PLANNED_FROM) join nodes of two owners, and every read
of them goes through the kinds' scope, so neither member reads through them what is not shared.
"""

import json
from typing import Any

from neo4j import AsyncManagedTransaction

from errors import BadUserInput, Forbidden, NotFound
from graph import couples, events, nodes
from graph.couples import PARTNER_ACCOUNT
from graph.events import EventKind
from graph.kind import MEMBER_OF, SHARED_WITH, Kind
from graph.kinds import (
    ABOUT,
    ANALYSIS_EVIDENCE,
    ANALYSIS_SUPERSEDES,
    ANALYZES,
    BY_LABEL,
    CONFLICT,
    CONFLICT_ANALYSIS,
    CONVERSATION,
    MESSAGE,
    PLAN_SUPERSEDES,
    PLANNED_FROM,
    REPAIR_PLAN,
    REPAIRS,
)
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.refs import Ref
from graph.traversals import Traversal

# The relations, both ways: a conflict's analyses and plans, an analysis's plans, what each supersedes
# and what superseded it, and the messages an analysis quotes (and, from a message, the analyses).
ANALYSES_OF_CONFLICT = Traversal.along(ANALYZES, CONFLICT_ANALYSIS)
CONFLICT_OF_ANALYSIS = Traversal.along(ANALYZES, CONFLICT)
PLANS_OF_CONFLICT = Traversal.along(REPAIRS, REPAIR_PLAN)
CONFLICT_OF_PLAN = Traversal.along(REPAIRS, CONFLICT)
PLANS_OF_ANALYSIS = Traversal.along(PLANNED_FROM, REPAIR_PLAN)
ANALYSIS_OF_PLAN = Traversal.along(PLANNED_FROM, CONFLICT_ANALYSIS)
ANALYSIS_SUPERSEDED = Traversal(
    "ConflictAnalysis", "(p)-[:SUPERSEDES]->(n:ConflictAnalysis)", CONFLICT_ANALYSIS
)
ANALYSIS_SUPERSEDING = Traversal(
    "ConflictAnalysis", "(p)<-[:SUPERSEDES]-(n:ConflictAnalysis)", CONFLICT_ANALYSIS
)
PLAN_SUPERSEDED = Traversal("RepairPlan", "(p)-[:SUPERSEDES]->(n:RepairPlan)", REPAIR_PLAN)
PLAN_SUPERSEDING = Traversal("RepairPlan", "(p)<-[:SUPERSEDES]-(n:RepairPlan)", REPAIR_PLAN)
EVIDENCE_OF_ANALYSIS = Traversal.along(ANALYSIS_EVIDENCE, MESSAGE)
ANALYSES_OF_MESSAGE = Traversal.along(ANALYSIS_EVIDENCE, CONFLICT_ANALYSIS)


def condition(kind: Kind, conflict: str | None = None, current: bool | None = None) -> Condition:
    """Of an analysis or a plan (`kind`): of this conflict (one the viewer reads), and current (none
    superseded it) or not."""
    rel = ANALYZES.type if kind is CONFLICT_ANALYSIS else REPAIRS.type
    return Condition.of(
        (
            f"EXISTS {{ (n)-[:{rel}]->(c:Conflict {{uid: $conflict}}) WHERE {CONFLICT.scope('c')} }}",
            "conflict",
            conflict,
        ),
        ("(n.superseded_by IS NULL) = $current", "current", current),
    )


async def partner_of(tx: AsyncManagedTransaction, *, owner: str) -> str | None:
    """The uid of the other member of the owner's couple, if they are in one."""
    query = f"""
    MATCH (:User {{uid: $owner}})-[:{MEMBER_OF}]->(:Couple)<-[:{MEMBER_OF}]-(p:User) WHERE p.uid <> $owner
    RETURN p.uid AS uid
    """
    record = await (await tx.run(query, owner=owner)).single()
    return record["uid"] if record else None


async def refuse_unreadable(tx: AsyncManagedTransaction, kind: Kind, *, owner: str, uid: str) -> str:
    """The owner of the node, which the viewer reads (theirs, or shared with them); NotFound otherwise."""
    query = f"""MATCH (n:{kind.label} {{uid: $uid}}) WHERE {kind.scope()}
    AND {kind.visible} RETURN n.owner AS o"""
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    if record is None:
        raise NotFound(f"No {kind.label} of yours, or shared with you, has this id.", id=uid)
    return str(record["o"])


# The turns of the conversations analysed: each current message that a person said (not the mediator's
# own), in order of conversation and position; who said it (a user by their account, or the person a
# participant message names, by the account that person is linked to if any), and whether it is from a
# rant and whose, and whether its author approved it for mediation.
_TURNS = f"""
UNWIND range(0, size($conversations) - 1) AS place
MATCH (c:Conversation {{uid: $conversations[place]}}) WHERE {CONVERSATION.scope("c")}
MATCH (c)<-[i:IN]-(m:Message)
WHERE m.superseded_by IS NULL AND m.text <> '' AND m.role IN ['user', 'participant']
OPTIONAL MATCH (m)-[:SAID_BY]->(r:Recipient)
OPTIONAL MATCH (r)-[:{PARTNER_ACCOUNT}]->(account:User)
OPTIONAL MATCH (author:User {{uid: m.owner}})
WITH place, c, i, m, r, account, author
ORDER BY place, i.seq
RETURN c.uid AS conversation, c.purpose = 'rant' AS rant, coalesce(c.mediation_approved, false) AS approved,
       EXISTS {{ (c)-[:{SHARED_WITH}]->(:Couple) }} AS shared,
       m.uid AS message, m.owner AS owner, i.seq AS seq, m.text AS text,
       CASE WHEN m.role = 'user' THEN m.owner WHEN account IS NOT NULL THEN account.uid
            WHEN r IS NOT NULL THEN 'recipient:' + r.uid ELSE 'someone' END AS speaker,
       CASE WHEN m.role = 'user' THEN coalesce(author.name, 'You') WHEN r IS NOT NULL THEN r.name
            ELSE 'Someone' END AS name
"""


async def turns(
    tx: AsyncManagedTransaction, *, owner: str, conflict: str, conversations: list[str]
) -> list[dict[str, Any]]:
    """What an analysis of the conflict reads: the turns of the conversations named (each the viewer's, or
    shared with them; a rant is only ever its author's). NotFound (nothing read) when the conflict or one
    of the conversations is not."""
    await refuse_unreadable(tx, CONFLICT, owner=owner, uid=conflict)
    query = f"""
    UNWIND $conversations AS uid
    OPTIONAL MATCH (c:Conversation {{uid: uid}}) WHERE {CONVERSATION.scope("c")}
    WITH uid, c WHERE c IS NULL
    RETURN collect(uid) AS missing
    """
    missing = (await (await tx.run(query, owner=owner, conversations=conversations)).single(strict=True))[
        "missing"
    ]
    if missing:
        raise NotFound("Not every conversation named is yours or shared with you.", ids=missing)
    return [dict(record) async for record in await tx.run(_TURNS, owner=owner, conversations=conversations)]


async def _supersede(tx: AsyncManagedTransaction, kind: Kind, *, owner: str, uid: str, conflict: str) -> None:
    """The owner's current analysis (or plan) of the conflict, if any, becomes superseded by `uid`: its
    SUPERSEDES link from the new one and its `superseded_by` (a partner it is shared with is told by
    events.append)."""
    rel = ANALYZES.type if kind is CONFLICT_ANALYSIS else REPAIRS.type
    sup = ANALYSIS_SUPERSEDES.type if kind is CONFLICT_ANALYSIS else PLAN_SUPERSEDES.type
    query = f"""
    MATCH (new:{kind.label} {{uid: $uid, owner: $owner}})
    MATCH (old:{kind.label} {{owner: $owner}})-[:{rel}]->(:Conflict {{uid: $conflict}})
    WHERE old.superseded_by IS NULL AND old <> new
    SET old.superseded_by = new.uid, old.updated_at = datetime()
    MERGE (new)-[:{sup}]->(old)
    RETURN old.uid AS old
    """
    records = [r async for r in await tx.run(query, uid=uid, owner=owner, conflict=conflict)]
    for record in records:
        await events.append(tx, owner, EventKind.updated(kind.label), [Ref(kind.label, record["old"])])


async def _link_readable(
    tx: AsyncManagedTransaction,
    kind: Kind,
    *,
    owner: str,
    uid: str,
    ends: list[tuple[str, Ref]],
    weights: dict[str, float] | None = None,
) -> None:
    """Links the owner's new node to each end the viewer reads (theirs, or shared with them: a partner's
    conflict, or their message in a joint session, with its `weights` given by uid). An end they no
    longer read (unshared since the caller checked it) is NotFound, so the whole write is undone rather
    than kept without what it is of."""
    for rel, end in ends:
        target = BY_LABEL[end.label]
        query = f"""
        MATCH (n:{kind.label} {{uid: $uid, owner: $owner}})
        MATCH (m:{end.label} {{uid: $end}}) WHERE {target.scope("m")}
        MERGE (n)-[r:{rel}]->(m)
        SET r.weight = $weight
        RETURN count(m) AS linked
        """
        weight = (weights or {}).get(end.uid)
        params = dict(uid=uid, owner=owner, end=end.uid, weight=weight)
        record = await (await tx.run(query, params)).single(strict=True)
        if record["linked"] == 0:
            raise NotFound(f"No {end.label} of yours, or shared with you, has this id.", id=end.uid)


async def _made(
    tx: AsyncManagedTransaction,
    kind: Kind,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    links: list[Link],
    ends: list[tuple[str, Ref]],
    conflict: str,
    joint: bool,
    weights: dict[str, float] | None = None,
) -> Row:
    """The analysis or plan with its own links (`links`: to the owner's nodes) and those to nodes the
    viewer reads but may not own (`ends`: a partner's shared conflict or analysis); the current one of the
    conflict superseded; shared with the couple at once when joint (NotFound when in no couple)."""
    await nodes.create(tx, kind, owner=owner, uid=uid, values=values, links=links, event=False)
    await _link_readable(tx, kind, owner=owner, uid=uid, ends=ends, weights=weights)
    await _supersede(tx, kind, owner=owner, uid=uid, conflict=conflict)
    refs = [Ref(kind.label, uid), *(end for _, end in ends), *nodes.refs(links)]
    await events.append(tx, owner, EventKind.created(kind.label), refs)
    if joint:
        await couples.share(tx, kind, owner=owner, uid=uid, shared=True)
    return (await nodes.by_uids(tx, kind, owner=owner, uids=[uid]))[0]


async def create_analysis(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    conflict: str,
    values: dict[str, Any],
    evidence: dict[str, float],
    joint: bool,
    shared_evidence: dict[str, float] | None = None,
) -> Row:
    """The analysis of the conflict, DERIVED_FROM the viewer's messages it quotes (message uid ->
    weight) and, `shared_evidence`, the partner's messages in a shared session that the viewer reads
    (a joint analysis rests on both partners' words); it supersedes the viewer's current analysis of
    the conflict."""
    links = [Link(ANALYSIS_EVIDENCE.type, MESSAGE.label, m, props={"weight": w}) for m, w in evidence.items()]
    ends = [(ANALYZES.type, Ref(CONFLICT.label, conflict))]
    weights = shared_evidence or {}
    ends += [(ANALYSIS_EVIDENCE.type, Ref(MESSAGE.label, m)) for m in weights]
    return await _made(
        tx,
        CONFLICT_ANALYSIS,
        owner=owner,
        uid=uid,
        values=values,
        links=links,
        ends=ends,
        conflict=conflict,
        joint=joint,
        weights=weights,
    )


async def analysis_for_plan(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> dict[str, Any]:
    """What a plan is made from: the analysis (the viewer's, or shared with them), its conflict, its
    findings and whether it is its author's alone; NotFound otherwise."""
    query = f"""
    MATCH (n:ConflictAnalysis {{uid: $uid}}) WHERE {CONFLICT_ANALYSIS.scope()}
    MATCH (n)-[:{ANALYZES.type}]->(c:Conflict)
    RETURN c.uid AS conflict, n.findings AS findings, coalesce(n.includes_private, false) AS private,
           n.owner AS owner
    """
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    if record is None:
        raise NotFound("No ConflictAnalysis of yours, or shared with you, has this id.", id=uid)
    found = dict(record)
    found["findings"] = json.loads(found["findings"]) if isinstance(found["findings"], str) else []
    return found


async def create_plan(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    analysis: str,
    conflict: str,
    values: dict[str, Any],
    joint: bool,
) -> Row:
    """The plan, PLANNED_FROM the analysis and REPAIRS its conflict; it supersedes the viewer's current
    plan for the conflict."""
    ends = [
        (PLANNED_FROM.type, Ref(CONFLICT_ANALYSIS.label, analysis)),
        (REPAIRS.type, Ref(CONFLICT.label, conflict)),
    ]
    return await _made(
        tx,
        REPAIR_PLAN,
        owner=owner,
        uid=uid,
        values=values,
        links=[],
        ends=ends,
        conflict=conflict,
        joint=joint,
    )


async def mark(tx: AsyncManagedTransaction, *, owner: str, uid: str, item: str, done: bool) -> Row:
    """Marks one action item of a plan (the viewer's, or shared with them) done or not done for the
    viewer: only whom the item is for marks it (Forbidden otherwise); the plan's progress follows. The
    plan's lock is taken before its items are read, so two marks queue instead of losing one."""
    query = f"""
    MATCH (n:RepairPlan {{uid: $uid}}) WHERE {REPAIR_PLAN.scope()}
    SET n.item_lock = true
    REMOVE n.item_lock
    RETURN n.items AS items
    """
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    if record is None:
        raise NotFound("No RepairPlan of yours, or shared with you, has this id.", id=uid)
    items: list[dict[str, Any]] = json.loads(record["items"] or "[]")
    found = next((i for i in items if i["id"] == item), None)
    if found is None:
        raise NotFound("This plan has no action item with this id.", id=item)
    if owner not in found["assignees"]:
        raise Forbidden("This action item is not yours to mark: only whom it is for marks it.", id=item)
    marked = set(found["done_by"]) - {owner} | ({owner} if done else set())
    found["done_by"] = sorted(marked)
    update = """
    MATCH (n:RepairPlan {uid: $uid})
    SET n.items = $items, n.item_done = $done, n.updated_at = datetime()
    RETURN n.owner AS author
    """
    finished = [set(i["assignees"]) <= set(i["done_by"]) for i in items]
    record = await (
        await tx.run(update, uid=uid, items=json.dumps(items), done=finished, owner=owner)
    ).single(strict=True)
    await events.append(tx, owner, EventKind.updated(REPAIR_PLAN.label), [Ref(REPAIR_PLAN.label, uid)])
    return (await nodes.by_uids(tx, REPAIR_PLAN, owner=owner, uids=[uid]))[0]


async def approve_rant(tx: AsyncManagedTransaction, *, owner: str, uid: str, approved: bool) -> Row:
    """Its author approves (or withdraws approval of) their rant for mediation: an analysis made to be
    shared may then read it. NotFound when it is not theirs; BadUserInput when it is not a rant."""
    query = """
    MATCH (n:Conversation {uid: $uid, owner: $owner})
    WITH n, n.purpose = 'rant' AS rant
    CALL (n, rant) { WITH n WHERE rant SET n.mediation_approved = $approved, n.updated_at = datetime() }
    RETURN rant
    """
    record = await (await tx.run(query, uid=uid, owner=owner, approved=approved)).single()
    if record is None:
        raise NotFound("No Conversation of yours has this id.", id=uid)
    if not record["rant"]:
        raise BadUserInput(
            "Only a rant is approved for mediation: other conversations are shared instead.",
            field="conversationId",
        )
    await events.append(tx, owner, EventKind.updated(CONVERSATION.label), [Ref(CONVERSATION.label, uid)])
    return (await nodes.by_uids(tx, CONVERSATION, owner=owner, uids=[uid]))[0]


async def start_session(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, conflict: str, values: dict[str, Any], joint: bool
) -> Row:
    """A mediation session about the conflict (the viewer's, or shared with them): the viewer's own, or,
    joint, made together and shared with their couple at once, so both members add to it (NotFound when
    in no couple: nothing is kept)."""
    await refuse_unreadable(tx, CONFLICT, owner=owner, uid=conflict)
    values = {**values, "purpose": "mediation", "made_together": joint}
    await nodes.create(tx, CONVERSATION, owner=owner, uid=uid, values=values, event=False)
    about = next(r for r in ABOUT if r.target == CONFLICT.label)
    await _link_readable(
        tx, CONVERSATION, owner=owner, uid=uid, ends=[(about.type, Ref(CONFLICT.label, conflict))]
    )
    refs = [Ref(CONVERSATION.label, uid), Ref(CONFLICT.label, conflict)]
    await events.append(tx, owner, EventKind.created(CONVERSATION.label), refs)
    if joint:
        await couples.share(tx, CONVERSATION, owner=owner, uid=uid, shared=True)
    return (await nodes.by_uids(tx, CONVERSATION, owner=owner, uids=[uid]))[0]
