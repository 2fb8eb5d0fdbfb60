"""Cypher for challenges (seed 004): templates and their versions, the challenges taken on from them, and
the trophy a completed one earns. Each write is one transaction with its events; a refusal writes
nothing."""

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from errors import AlreadyCompleted, BadUserInput, NotFound, TemplateDeprecated
from graph import events, growth, nodes
from graph.events import EventKind
from graph.kinds import (
    ARTIFACT,
    AWARDED_FOR,
    CHALLENGE,
    CHALLENGE_SUBJECTS,
    CHALLENGE_TEMPLATE,
    FROM_TEMPLATE,
    GROWING,
    TEMPLATE_SUPERSEDES,
)
from graph.nodes import Link
from graph.pages import Condition, Row
from graph.refs import Ref
from graph.traversals import Traversal

ABOUT = "ABOUT"
TROPHY = "trophy"

# The relations that reach challenges, templates and trophies.
OF_TEMPLATE = Traversal.along(FROM_TEMPLATE, CHALLENGE)
TEMPLATE = Traversal.along(FROM_TEMPLATE, CHALLENGE_TEMPLATE)
SUPERSEDES = Traversal("ChallengeTemplate", "(p)-[:SUPERSEDES]->(n:ChallengeTemplate)", CHALLENGE_TEMPLATE)
SUPERSEDED_BY = Traversal("ChallengeTemplate", "(p)<-[:SUPERSEDES]-(n:ChallengeTemplate)", CHALLENGE_TEMPLATE)
TROPHY_OF = Traversal.along(AWARDED_FOR, ARTIFACT)
AWARDED_CHALLENGE = Traversal.along(AWARDED_FOR, CHALLENGE)
CHALLENGE_SUBJECT = Traversal.each(CHALLENGE, ABOUT, towards=False)
CHALLENGES_ABOUT = Traversal.each(CHALLENGE, ABOUT, towards=True)
ARTIFACT_SUBJECT = Traversal.each(ARTIFACT, ABOUT, towards=False)
ARTIFACTS_ABOUT = Traversal.each(ARTIFACT, ABOUT, towards=True)

# A template's status, and the statuses it may move to by an update: a draft is published or dropped,
# an active one deprecated; a deprecated one stays so (a revision replaces it).
NEXT_STATUS: Mapping[str, frozenset[str]] = {
    "draft": frozenset({"draft", "active", "deprecated"}),
    "active": frozenset({"active", "deprecated"}),
    "deprecated": frozenset({"deprecated"}),
}


def template_condition(statuses: list[str] | None = None, current: bool | None = None) -> Condition:
    newest = "NOT EXISTS { (:ChallengeTemplate)-[:SUPERSEDES]->(n) }"
    return Condition.of(
        ("n.status IN $statuses", "statuses", statuses),
        (f"({newest}) = $current", "current", current),
    )


def challenge_condition(
    statuses: list[str] | None = None, template: str | None = None, about: Ref | None = None
) -> Condition:
    return Condition.of(
        ("n.status IN $statuses", "statuses", statuses),
        (
            "EXISTS { (n)-[:FROM_TEMPLATE]->(:ChallengeTemplate {uid: $template, owner: $owner}) }",
            "template",
            template,
        ),
        _about(about),
    )


def artifact_condition(kinds: list[str] | None = None, about: Ref | None = None) -> Condition:
    return Condition.of(
        ("n.kind IN $kinds", "kinds", kinds),
        _about(about),
    )


def _about(about: Ref | None) -> tuple[str, str, str | None]:
    """The clause of a list filtered to what is ABOUT the owner's node `about`, matched with its label
    (one of the subjects: no other label is written into the Cypher), so through that label's uid index
    and never a node of another kind with the same uid. Nothing is about a node of another kind."""
    if about is None:
        return ("true", "about", None)
    if about.label not in CHALLENGE_SUBJECTS:
        return ("false", "about", about.uid)
    return (f"EXISTS {{ (n)-[:ABOUT]->(:{about.label} {{uid: $about, owner: $owner}}) }}", "about", about.uid)


async def create_template(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, values: dict[str, Any]
) -> Row:
    """A template's first version."""
    return await nodes.create(tx, CHALLENGE_TEMPLATE, owner=owner, uid=uid, values={**values, "version": 1})


async def _locked(
    tx: AsyncManagedTransaction, label: str, owner: str, uid: str, kind_of: str
) -> dict[str, Any]:
    """The owner's node (its write lock taken first, so two changes at once are one after the other) with
    what its checks read; NotFound when there is none."""
    query = f"""
    MATCH (n:{label} {{uid: $uid, owner: $owner}})
    SET n.lock = true REMOVE n.lock
    RETURN n {{.*}} AS n,
           EXISTS {{ (:ChallengeTemplate)-[:SUPERSEDES]->(n) }} AS superseded,
           head([(n)-[:FROM_TEMPLATE]->(t) | t {{.dimension_keys, .dimension_amounts}}]) AS template,
           head([(n)-[:ABOUT]->(a) | labels(a)[0] + ':' + a.uid]) AS about
    """
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    if record is None:
        raise NotFound(f"No {kind_of} of yours has this id.", id=uid)
    return dict(record)


async def revise_template(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, revision: str, values: dict[str, Any]
) -> Row:
    """A new version of the template `uid` (its newest): what is given, the rest as it was, one version
    up, SUPERSEDES it. An active revision deprecates the version it replaces; that version stays, as
    do the challenges started from it."""
    found = await _locked(tx, CHALLENGE_TEMPLATE.label, owner, uid, "challenge template")
    if found["superseded"]:
        raise BadUserInput("This version was revised already: revise its newest version.", field="id")
    old = found["n"]
    kept = ("name", "description", "difficulty", "dimension_keys", "dimension_amounts", "steps", "target")
    props = {name: old.get(name) for name in kept if old.get(name) is not None}
    props |= {k: v for k, v in values.items() if v is not None} | {"version": old["version"] + 1}
    props.setdefault("status", "active")
    link = Link(TEMPLATE_SUPERSEDES.type, CHALLENGE_TEMPLATE.label, uid)
    row = await nodes.create(tx, CHALLENGE_TEMPLATE, owner=owner, uid=revision, values=props, links=[link])
    if props["status"] == "active":
        await _deprecate_replaced(tx, owner, revision)
    return row


async def update_template(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, values: dict[str, Any]
) -> Row:
    """Changes a draft; of a published version, only its status, forward (NEXT_STATUS). Publishing a
    revision deprecates the version it replaces."""
    found = await _locked(tx, CHALLENGE_TEMPLATE.label, owner, uid, "challenge template")
    status = found["n"]["status"]
    if status != "draft" and set(values) - {"status"}:
        raise BadUserInput(
            f"This version is {status}: only a draft changes. Revise it (reviseChallengeTemplate) for a new "
            "version.",
            field="id",
        )
    if values.get("status") is not None and values["status"] not in NEXT_STATUS[status]:
        raise BadUserInput(f"A {status} template cannot become {values['status']}.", field="status")
    row = await nodes.update(tx, CHALLENGE_TEMPLATE, owner=owner, uid=uid, values=values)
    if values.get("status") == "active":
        await _deprecate_replaced(tx, owner, uid)
    return row


async def _deprecate_replaced(tx: AsyncManagedTransaction, owner: str, uid: str) -> None:
    query = """
    MATCH (:ChallengeTemplate {uid: $uid, owner: $owner})-[:SUPERSEDES]->(o:ChallengeTemplate)
    WHERE o.status <> 'deprecated'
    SET o.status = 'deprecated', o.updated_at = datetime()
    RETURN collect(o.uid) AS uids
    """
    record = await (await tx.run(query, uid=uid, owner=owner)).single(strict=True)
    changes = [
        (EventKind.updated(CHALLENGE_TEMPLATE.label), [Ref(CHALLENGE_TEMPLATE.label, o)])
        for o in record["uids"]
    ]
    if changes:
        await events.append_all(tx, owner, changes)


async def start(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    template: str,
    about: Ref | None,
    due_at: datetime | None,
) -> Row:
    """A challenge from an active template, at its version, optionally about one of the owner's people or
    cards. NotFound for a template (or subject) not the owner's; TEMPLATE_DEPRECATED for a deprecated
    version, BAD_USER_INPUT for a draft."""
    found = await _locked(tx, CHALLENGE_TEMPLATE.label, owner, template, "challenge template")
    t = found["n"]
    if t["status"] == "deprecated":
        newer = await _newest(tx, owner, template)
        raise TemplateDeprecated(
            f"Version {t['version']} of the challenge template {t['name']!r} is deprecated and starts no new "
            "challenges" + (f": start its newest version, {newer}." if newer else "."),
            version=t["version"],
            **({"replacedByVersion": newer} if newer else {}),
        )
    if t["status"] != "active":
        raise BadUserInput("This template is a draft: publish it (status ACTIVE) first.", field="templateId")
    values = {
        "title": t["name"],
        "status": "active",
        "template_version": t["version"],
        "target": t["target"],
        "steps_done": 0,
        "progress": 0.0,
        "started_at": datetime.now(UTC),
        "due_at": due_at,
    }
    links = [Link(FROM_TEMPLATE.type, CHALLENGE_TEMPLATE.label, template)]
    if about is not None:
        if about.label not in CHALLENGE_SUBJECTS:
            raise BadUserInput(f"A challenge is about a {', '.join(CHALLENGE_SUBJECTS)}.", field="aboutId")
        links.append(Link(ABOUT, about.label, about.uid))
    return await nodes.create(tx, CHALLENGE, owner=owner, uid=uid, values=values, links=links)


async def _newest(tx: AsyncManagedTransaction, owner: str, uid: str) -> int | None:
    """The version number of the newest version that (in turn) supersedes the template `uid`, if any."""
    query = """
    MATCH (t:ChallengeTemplate {uid: $uid, owner: $owner})<-[:SUPERSEDES*1..]-(v:ChallengeTemplate)
    WHERE NOT EXISTS { (:ChallengeTemplate)-[:SUPERSEDES]->(v) }
    RETURN v.version AS version LIMIT 1
    """
    record = await (await tx.run(query, uid=uid, owner=owner)).single()
    return record["version"] if record else None


async def _open(tx: AsyncManagedTransaction, owner: str, uid: str) -> dict[str, Any]:
    """The owner's challenge, while it is active: ALREADY_COMPLETED once completed, BAD_USER_INPUT once
    abandoned."""
    found = await _locked(tx, CHALLENGE.label, owner, uid, "challenge")
    status = found["n"]["status"]
    if status == "completed":
        raise AlreadyCompleted("This challenge was completed already.", id=uid)
    if status != "active":
        raise BadUserInput("This challenge was abandoned: start a new one.", field="id")
    return found


async def progress(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, steps_done: int | None, share: float | None
) -> Row:
    """Sets its progress, as steps done (its share of the target) or as a share 0-1 (the steps it makes,
    rounded down); while active."""
    found = await _open(tx, owner, uid)
    target = found["n"]["target"]
    if steps_done is not None:
        if steps_done > target:
            raise BadUserInput(f"stepsDone must not be over its target, {target}.", field="stepsDone")
        values = {"steps_done": steps_done, "progress": steps_done / target}
    else:
        values = {"progress": share, "steps_done": int((share or 0.0) * target)}
    return await nodes.update(tx, CHALLENGE, owner=owner, uid=uid, values=values)


async def complete(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, trophy: str, dimensions: Collection[str]
) -> tuple[Row, Row]:
    """Completes the challenge (once: ALREADY_COMPLETED after), and its trophy: an Artifact AWARDED_FOR it
    and ABOUT what it is about; and credits its template's growth dimensions, each by its amount, with the
    challenge as their source, to the card it is about (a concept or a memory) or else to the person.
    `dimensions`: the configured dimension keys. Returns the challenge and its trophy."""
    found = await _open(tx, owner, uid)
    challenge = found["n"]
    now = datetime.now(UTC)
    values = {"status": "completed", "completed_at": now, "progress": 1.0, "steps_done": challenge["target"]}
    row = await nodes.update(tx, CHALLENGE, owner=owner, uid=uid, values=values)
    links = [Link(AWARDED_FOR.type, CHALLENGE.label, uid)]
    if found["about"]:
        about = Ref.parse(found["about"])
        links.append(Link(ABOUT, about.label, about.uid))
    earned = {
        "kind": TROPHY,
        "title": challenge["title"],
        "description": f"Earned by completing the challenge “{challenge['title']}”.",
    }
    award = await nodes.create(tx, ARTIFACT, owner=owner, uid=trophy, values=earned, links=links)
    await _credit(tx, owner, uid, found, dimensions)
    return row, award


async def _credit(
    tx: AsyncManagedTransaction, owner: str, uid: str, found: dict[str, Any], dimensions: Collection[str]
) -> None:
    """The growth a completed challenge earns, by its template's dimensions and amounts (none: nothing)."""
    template = found["template"] or {}
    amounts = zip(template.get("dimension_keys") or [], template.get("dimension_amounts") or [], strict=True)
    subject = Ref.parse(found["about"]) if found["about"] else None
    card = subject if subject is not None and subject.label in GROWING else None
    credits = [
        growth.Credit(key, amount, growth.CHALLENGE, source_uid=uid, entity=card) for key, amount in amounts
    ]
    if credits:
        await growth.record(tx, owner=owner, credits=credits, dimensions=dimensions)


async def abandon(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> Row:
    await _open(tx, owner, uid)
    values = {"status": "abandoned", "abandoned_at": datetime.now(UTC)}
    return await nodes.update(tx, CHALLENGE, owner=owner, uid=uid, values=values)
