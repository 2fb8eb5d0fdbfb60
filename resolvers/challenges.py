"""Challenges: templates checked and versioned, challenges started from them, their progress, their end
(completed once, earning a trophy; or abandoned). And the relations that reach them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import uuid4

from errors import BadUserInput
from graph import challenges, growth
from graph.kinds import CHALLENGE, CHALLENGE_SUBJECTS, CHALLENGE_TEMPLATE
from graph.pages import Row
from graph.refs import Ref
from resolvers import checks, nodes
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged

MAX_STEPS = 100


def template_values(
    context: Context, values: dict[str, Any], dimensions: list[tuple[str, float]] | None
) -> dict[str, Any]:
    """A template's fields checked, its dimensions (configured ones, each once, an amount over 0 and up to
    what one growth credit holds) as two lists."""
    if values.get("name") is not None:
        values["name"] = checks.text(values["name"], "name", 200)
    if values.get("description") is not None:
        values["description"] = checks.text(values["description"], "description", 5_000, lines=True)
    if values.get("steps") is not None:
        if len(values["steps"]) > MAX_STEPS:
            raise BadUserInput(f"steps holds at most {MAX_STEPS} items.", field="steps")
        values["steps"] = [checks.text(s, "steps", 1_000, required=True, lines=True) for s in values["steps"]]
    checks.ranges(CHALLENGE_TEMPLATE, values)
    if dimensions is not None:
        keys = [key for key, _ in dimensions]
        if not keys:
            raise BadUserInput("A challenge advances at least one growth dimension.", field="dimensions")
        if len(set(keys)) < len(keys):
            raise BadUserInput("Each growth dimension is given once.", field="dimensions")
        known = context.settings.growth_dimension_keys
        for key, amount in dimensions:
            checks.text(key, "dimensions", 100, required=True)
            if key not in known:
                raise BadUserInput(
                    f"No growth dimension {key!r}: one of {', '.join(known)}.", field="dimensions"
                )
            if not 0 < amount <= growth.MAX_DELTA:
                raise BadUserInput(f"An amount is over 0 and up to {growth.MAX_DELTA:g}.", field="dimensions")
        values["dimension_keys"] = keys
        values["dimension_amounts"] = [float(amount) for _, amount in dimensions]
    return values


async def create_template(
    context: Context, values: dict[str, Any], dimensions: list[tuple[str, float]]
) -> Row:
    checks.text(values.get("name"), "name", 200, required=True)
    values = template_values(context, {k: v for k, v in values.items() if v is not None}, dimensions)
    values.setdefault("steps", [])
    values.setdefault("target", max(len(values["steps"]), 1))
    values.setdefault("status", "active")
    return await context.graph.write(
        challenges.create_template, owner=context.viewer, uid=str(uuid4()), values=values
    )


async def revise_template(
    context: Context, uid: str, values: dict[str, Any], dimensions: list[tuple[str, float]] | None
) -> Row:
    """A new version of a template: what is given, the rest as the version it revises."""
    values = template_values(context, {k: v for k, v in values.items() if v is not None}, dimensions)
    if values.get("steps") is not None and "target" not in values:
        values["target"] = max(len(values["steps"]), 1)
    return await context.graph.write(
        challenges.revise_template, owner=context.viewer, uid=uid, revision=str(uuid4()), values=values
    )


async def update_template(
    context: Context, uid: str, values: dict[str, Any], dimensions: list[tuple[str, float]] | None
) -> Row:
    checks.kept(values, *CHALLENGE_TEMPLATE.unclearable)
    values = template_values(context, values, dimensions)
    return await context.graph.write(challenges.update_template, owner=context.viewer, uid=uid, values=values)


async def start(context: Context, template: str, about: Ref | None, due_at: datetime | None) -> Row:
    if about is not None and about.label not in CHALLENGE_SUBJECTS:
        raise BadUserInput(
            f"A challenge is about one of the viewer's {', '.join(CHALLENGE_SUBJECTS)} nodes.",
            field="aboutId",
        )
    return await context.graph.write(
        challenges.start,
        owner=context.viewer,
        uid=str(uuid4()),
        template=template,
        about=about,
        due_at=due_at,
    )


async def progress(context: Context, uid: str, steps_done: int | None, share: float | None) -> Row:
    """Its progress as steps done or as a share 0-1: exactly one of them."""
    if (steps_done is None) == (share is None):
        raise BadUserInput("Give stepsDone or progress (one of them).", field="stepsDone")
    checks.ranges(CHALLENGE, {"steps_done": steps_done, "progress": share})
    return await context.graph.write(
        challenges.progress, owner=context.viewer, uid=uid, steps_done=steps_done, share=share
    )


async def complete(context: Context, uid: str) -> Row:
    row, _ = await context.graph.write(
        challenges.complete,
        owner=context.viewer,
        uid=uid,
        trophy=str(uuid4()),
        dimensions=context.settings.growth_dimension_keys,
    )
    return row


async def abandon(context: Context, uid: str) -> Row:
    return await context.graph.write(challenges.abandon, owner=context.viewer, uid=uid)


async def delete(context: Context, uid: str) -> list[str]:
    return await nodes.delete(context, CHALLENGE, uid)


async def templates_by_uids(context: Context, uids: list[str]) -> list[Row]:
    return await nodes.by_uids(context, CHALLENGE_TEMPLATE, uids)


async def by_uids(context: Context, uids: list[str]) -> list[Row]:
    return await nodes.by_uids(context, CHALLENGE, uids)


async def templates(
    context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs
) -> Paged:
    return await nodes.page(context, CHALLENGE_TEMPLATE, challenges.template_condition(**where), orders, args)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    return await nodes.page(context, CHALLENGE, challenges.challenge_condition(**where), orders, args)


# The relations: a challenge's template and the challenges of a template; a template's versions either
# way; a challenge's subject (one list of several kinds) and each subject's challenges.
of_template = nodes.relation(challenges.OF_TEMPLATE)
template = nodes.relation_one(challenges.TEMPLATE, Order("created_at"))
supersedes = nodes.relation_one(challenges.SUPERSEDES, Order("created_at"))
superseded_by = nodes.relation_one(challenges.SUPERSEDED_BY, Order("created_at"))
about = nodes.relations(challenges.CHALLENGE_SUBJECT)
about_each = nodes.relation_each(challenges.CHALLENGES_ABOUT)
