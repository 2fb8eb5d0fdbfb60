"""Linking any two of the viewer's nodes, with properties on the relationship."""

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.kinds import LINKABLE
from resolvers import links as resolve
from schema.relay import Info

if TYPE_CHECKING:  # its members are the graph's link kinds, read when the module loads: to mypy, an Enum
    LinkKind = Enum
else:
    LinkKind = strawberry.enum(
        Enum("LinkKind", {name: name for name in LINKABLE}),
        description="A relationship between two nodes; each joins one kind of node to another "
        "(INTERESTED_IN: a Recipient to a Concept, INTENDED_FOR: a Gift to a Recipient, ...).",
    )
From = Annotated[
    relay.GlobalID, strawberry.argument(name="from", description="The node the link starts from.")
]
To = Annotated[relay.GlobalID, strawberry.argument(description="The node the link goes to.")]
Kind = Annotated[LinkKind, strawberry.argument(description="What kind of link.")]


@strawberry.type(description="What a link or unlink did.")
class LinkPayload:
    from_id: relay.GlobalID = strawberry.field(description="The node the link starts from.")
    to_id: relay.GlobalID = strawberry.field(description="The node the link goes to.")
    kind: LinkKind = strawberry.field(description="What kind of link.")
    changed: bool = strawberry.field(description="Whether anything changed.")


@strawberry.type
class LinkMutation:
    @strawberry.mutation(description="Links two of the viewer's nodes (again: replaces the properties).")
    async def link(
        self,
        info: Info,
        from_: From,
        to: To,
        kind: Kind,
        weight: Annotated[
            float | None, strawberry.argument(description="How strong the link is, 0 to 1.")
        ] = None,
        properties: Annotated[
            JSON | None,
            strawberry.argument(
                description="More about the link: an object of up to 20 names with text, number or "
                "true/false values, or flat lists of them."
            ),
        ] = None,
    ) -> LinkPayload:
        await resolve.link(info.context, kind.value, _ref(from_), _ref(to), properties, weight)
        return LinkPayload(from_id=from_, to_id=to, kind=kind, changed=True)

    @strawberry.mutation(description="Removes a link between two of the viewer's nodes.")
    async def unlink(self, info: Info, from_: From, to: To, kind: Kind) -> LinkPayload:
        changed = await resolve.unlink(info.context, kind.value, _ref(from_), _ref(to))
        return LinkPayload(from_id=from_, to_id=to, kind=kind, changed=changed)


def _ref(global_id: relay.GlobalID) -> tuple[str, str]:
    return global_id.type_name, global_id.node_id
