"""The shortest path between any two nodes the viewer reads (theirs, or shared with their couple)."""

from typing import Annotated

import strawberry
from strawberry import relay

from resolvers import paths as resolve
from schema import nodes
from schema.relay import Info


@strawberry.type(description="One relationship of a path, in its own direction.")
class PathStep:
    kind: str = strawberry.field(description="What kind of link it is (INTERESTED_IN, INTENDED_FOR, ...).")
    from_id: relay.GlobalID = strawberry.field(description="The node it starts from.")
    to_id: relay.GlobalID = strawberry.field(description="The node it goes to.")


@strawberry.type(description="A path: its nodes in order, and the relationships between them.")
class Path:
    nodes: list[relay.Node] = strawberry.field(description="The nodes from one end to the other.")
    steps: list[PathStep] = strawberry.field(description="The relationships between them, in order.")

    @strawberry.field(description="How many relationships long.")
    def length(self) -> int:
        return len(self.steps)


@strawberry.type
class PathQuery:
    @strawberry.field(
        description="A shortest path between two nodes the viewer reads (up to 8 steps), or null: through "
        "their own nodes and what their partner shared with their couple, nothing else."
    )
    async def shortest_path(
        self,
        info: Info,
        from_: Annotated[relay.GlobalID, strawberry.argument(name="from", description="One end.")],
        to: Annotated[relay.GlobalID, strawberry.argument(description="The other end.")],
    ) -> Path | None:
        found = await resolve.shortest(
            info.context, (from_.type_name, from_.node_id), (to.type_name, to.node_id)
        )
        if found is None:
            return None
        labels = {uid: label for label, uid in found["nodes"]}
        steps = [
            PathStep(kind=kind, from_id=relay.GlobalID(labels[a], a), to_id=relay.GlobalID(labels[b], b))
            for kind, a, b in found["steps"]
        ]
        on_path = await nodes.load(info, found["nodes"])
        if None in on_path:
            return None  # an end that is not one of the viewer's nodes (a path from it to itself)
        return Path(nodes=on_path, steps=steps)
