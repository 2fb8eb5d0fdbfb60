"""Memories: checked, written with who they involve and what they mention; short-term ones expire. And
the relations that reach memories."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from errors import BadUserInput
from graph import memories
from graph.kinds import EVIDENCE, REFERABLE
from graph.memories import MEMORY
from graph.pages import Row
from graph.refs import Ref
from resolvers import checks, nodes
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

SHORT_TERM_HOURS = 24
NOTE_LENGTH = 2_000  # a note is short: it annotates, a memory of another kind tells
MAX_TAGS = 50
MAX_STEPS = 100
# The kind-specific texts (graph/kinds.py's MEMORY_FIELDS) and how long each may be.
TEXTS = {"emotion": 100, "trigger": 2_000, "coping": 2_000, "skill": 100, "source": 500}


async def create(
    context: Context,
    values: dict[str, Any],
    recipients: list[str],
    mentions: list[str],
    ttl_hours: float | None,
    evidence: list[Ref] | None = None,
    refers: list[Ref] | None = None,
) -> Row:
    checks.text(values.get("content"), "content", 20_000, required=True, lines=True)
    if values.get("status") is None:
        values.pop("status", None)  # the viewer's own: confirmed
    values = _checked(values)
    if values.get("kind") == "note" and len(refers or ()) != 1:
        raise BadUserInput(
            "A note annotates exactly one node: give one id in refersToIds.", field="refersToIds"
        )
    evidence = checks.linked(evidence, EVIDENCE, "derivedFromIds") or []
    refers = checks.linked(refers, REFERABLE, "refersToIds") or []
    if values.get("kind") == "short_term":
        hours = (
            SHORT_TERM_HOURS if ttl_hours is None else checks.in_range(ttl_hours, 0.01, 24 * 30, "ttl_hours")
        )
        values["expires_at"] = datetime.now(UTC) + timedelta(hours=hours)
    elif ttl_hours is not None:
        raise BadUserInput("Only short-term memories expire.", field="ttlHours")
    mentions = checks.texts(mentions, "concepts", 50)
    return await context.graph.write(
        memories.create,
        owner=context.viewer,
        uid=str(uuid4()),
        values=values,
        recipients=recipients,
        mentions=mentions,
        evidence=evidence,
        refers=refers,
    )


async def update(
    context: Context,
    uid: str,
    values: dict[str, Any],
    evidence: list[Ref] | None = None,
    refers: list[Ref] | None = None,
) -> Row:
    """Changes a memory; one that becomes short-term expires in 24 hours, one that stops being short-term
    no longer expires. What it is derived from and refers to become what is given (null: unchanged)."""
    if values.get("kind") == "short_term":
        values["expires_at"] = datetime.now(UTC) + timedelta(hours=SHORT_TERM_HOURS)
    elif values.get("kind") is not None:
        values["expires_at"] = None
    checks.kept(values, *MEMORY.unclearable)
    values = _checked(values)
    return await context.graph.write(
        memories.update,
        owner=context.viewer,
        uid=uid,
        values=values,
        evidence=checks.linked(evidence, EVIDENCE, "derivedFromIds"),
        refers=checks.linked(refers, REFERABLE, "refersToIds"),
    )


delete = nodes.delete_of(MEMORY)
by_uids = nodes.by_uids_of(MEMORY)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    for field in ("concept", "tag", "skill"):
        if where.get(field) is not None:
            checks.text(where[field], field, 100)
    return await nodes.page(context, MEMORY, memories.condition(**where), orders, args)


# The relations that reach them, each a resolver of the fields of that name.
of_recipient = nodes.relation(memories.OF_RECIPIENT)
of_concept = nodes.relation(memories.OF_CONCEPT)


# A memory's evidence and what it refers to, each one list of nodes of several labels; and, by label, the
# memories derived from, or referring to, a node of that label.
derived_from = nodes.relations(memories.DERIVED_FROM)
referred = nodes.relations(memories.REFERRED)
derived = nodes.relation_each(memories.DERIVED)
referring = nodes.relation_each(memories.REFERRING)


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("content") is not None:
        most = NOTE_LENGTH if values.get("kind") == "note" else 20_000
        values["content"] = checks.text(values["content"], "content", most, lines=True)
    checks.ranges(MEMORY, values)
    if values.get("place") is not None:
        values["place"] = checks.text(values["place"], "place", 200)
    if values.get("tags") is not None:
        values["tags"] = checks.texts(values["tags"], "tags", MAX_TAGS)
    for name, length in TEXTS.items():
        if values.get(name) is not None:
            values[name] = checks.text(values[name], name, length, lines=length > 100)
    if values.get("steps") is not None:
        steps = values["steps"]
        if len(steps) > MAX_STEPS:
            raise BadUserInput(f"steps holds at most {MAX_STEPS} items.", field="steps")
        values["steps"] = [checks.text(step, "steps", 1_000, required=True, lines=True) for step in steps]
        values["steps"] = values["steps"] or None  # no steps at all: none kept
    return values
