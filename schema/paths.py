"""The shortest path between any two of the viewer's nodes."""

from collections import defaultdict
from typing import Annotated, Any

import strawberry
from strawberry import relay

from resolvers import paths as resolve
from resolvers.context import Context

Info = strawberry.Info[Context, None]


@strawberry.type(description="One relationship of a path, in its own direction.")
class PathStep:
    type: str
    from_id: relay.GlobalID
    to_id: relay.GlobalID


@strawberry.type(description="A path: its nodes in order, and the relationships between them.")
class Path:
    nodes: list[relay.Node]
    steps: list[PathStep]

    @strawberry.field(description="How many relationships long.")
    def length(self) -> int:
        return len(self.steps)


@strawberry.type
class PathQuery:
    @strawberry.field(
        description="A shortest path between two of the viewer's nodes (up to 8 steps), or null."
    )
    async def shortest_path(
        self,
        info: Info,
        from_: Annotated[relay.GlobalID, strawberry.argument(name="from")],
        to: relay.GlobalID,
    ) -> Path | None:
        found = await resolve.shortest(
            info.context, (from_.type_name, from_.node_id), (to.type_name, to.node_id)
        )
        if found is None:
            return None
        labels = {uid: label for label, uid in found["nodes"]}
        steps = [
            PathStep(type=kind, from_id=relay.GlobalID(labels[a], a), to_id=relay.GlobalID(labels[b], b))
            for kind, a, b in found["steps"]
        ]
        return Path(nodes=await _nodes(info, found["nodes"]), steps=steps)


async def _nodes(info: Info, refs: list[tuple[str, str]]) -> list[Any]:
    """The path's nodes as their GraphQL types: one query per label on the path, not per node."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for label, uid in refs:
        by_label[label].append(uid)
    found: dict[str, Any] = {}
    for label, uids in by_label.items():
        kind = info.schema.get_type_by_name(label)
        for node in await kind.origin.resolve_nodes(info=info, node_ids=uids):
            if node is not None:
                found[node.id] = node
    return [found[uid] for _, uid in refs if uid in found]
