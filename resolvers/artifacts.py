"""Artifacts: what Kindred made for the viewer to keep (a challenge's trophy). Read, listed and deleted;
made by what earns them (resolvers/challenges.py's complete)."""

from collections.abc import Sequence
from typing import Any

from graph import challenges
from graph.kinds import ARTIFACT
from graph.pages import Row
from resolvers import nodes
from resolvers.context import Context
from resolvers.pages import Order, PageArgs, Paged


async def by_uids(context: Context, uids: list[str]) -> list[Row]:
    return await nodes.by_uids(context, ARTIFACT, uids)


async def page(context: Context, where: dict[str, Any], orders: Sequence[Order], args: PageArgs) -> Paged:
    return await nodes.page(context, ARTIFACT, challenges.artifact_condition(**where), orders, args)


async def delete(context: Context, uid: str) -> list[str]:
    return await nodes.delete(context, ARTIFACT, uid)


# A trophy's challenge, a challenge's trophy; what a trophy is about, and each subject's artifacts.
challenge = nodes.relation_one(challenges.AWARDED_CHALLENGE, Order("created_at"))
trophy = nodes.relation_one(challenges.TROPHY_OF, Order("created_at"))
about = nodes.relations(challenges.ARTIFACT_SUBJECT)
about_each = nodes.relation_each(challenges.ARTIFACTS_ABOUT)
