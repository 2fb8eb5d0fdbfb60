"""Linking any two of the viewer's nodes, with properties on the relationship."""

from enum import Enum
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from errors import BadUserInput
from graph.owned import ENDS
from resolvers import links as resolve
from resolvers.context import Context

Info = strawberry.Info[Context, None]

LinkType = strawberry.enum(
    Enum("LinkType", {name: name for name in ENDS if name != "HAS_OUTCOME"}),
    description="A relationship between two nodes; each joins one kind of node to another.",
)


@strawberry.type
class LinkPayload:
    from_id: relay.GlobalID
    to_id: relay.GlobalID
    type: LinkType  # type: ignore[valid-type]
    changed: bool = strawberry.field(description="Whether anything changed.")


def _ends(source: relay.GlobalID, target: relay.GlobalID) -> tuple[tuple[str, str], tuple[str, str]]:
    for global_id in (source, target):
        if not global_id.node_id:
            raise BadUserInput("Give the ids of two nodes.", field="from")
    return (source.type_name, source.node_id), (target.type_name, target.node_id)


@strawberry.type
class LinkMutation:
    @strawberry.mutation(description="Links two of the viewer's nodes (again: replaces the properties).")
    async def link(
        self,
        info: Info,
        from_: Annotated[relay.GlobalID, strawberry.argument(name="from")],
        to: relay.GlobalID,
        type: LinkType,  # type: ignore[valid-type]
        weight: float | None = None,
        properties: JSON | None = None,
    ) -> LinkPayload:
        props = {**(properties or {}), **({"weight": weight} if weight is not None else {})}
        if not isinstance(properties or {}, dict):
            raise BadUserInput("properties must be an object.", field="properties")
        source, target = _ends(from_, to)
        await resolve.link(info.context, type.value, source, target, props)
        return LinkPayload(from_id=from_, to_id=to, type=type, changed=True)

    @strawberry.mutation(description="Removes a link between two of the viewer's nodes.")
    async def unlink(
        self,
        info: Info,
        from_: Annotated[relay.GlobalID, strawberry.argument(name="from")],
        to: relay.GlobalID,
        type: LinkType,  # type: ignore[valid-type]
    ) -> LinkPayload:
        source, target = _ends(from_, to)
        changed = await resolve.unlink(info.context, type.value, source, target)
        return LinkPayload(from_id=from_, to_id=to, type=type, changed=changed)
