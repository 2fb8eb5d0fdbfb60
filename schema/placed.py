"""Where the 3D view draws a node: its place in the scene and its community, kept on the node by the
layout consumer. Every type the view draws has them, so a live delta's nodes carry them and a client
moves what moved without asking for a new view."""

from dataclasses import field
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from graph.kinds import BY_LABEL, TITLE_LENGTH
from schema.selection import TITLE, reading


@strawberry.type(description="A place in the 3D scene, in scene units (a link is about 30 long).")
class ViewPosition:
    x: float = strawberry.field(description="Left to right.")
    y: float = strawberry.field(description="Bottom to top.")
    z: float = strawberry.field(description="Back to front.")


@strawberry.interface(description="A node the 3D view draws, with its place there.")
class Placed(relay.Node):
    # The node's properties as it was read: the view's place and community are among them.
    kept: strawberry.Private[dict[str, Any]] = field(default_factory=dict)

    @strawberry.field(
        description="Its place in the 3D view, as graphView draws it: null until the layout has placed it "
        "(just after it is made; a PositionsChanged change follows with its place).",
        metadata=reading("view_x", "view_y", "view_z"),
    )
    def position(self) -> ViewPosition | None:
        x, y, z = self.kept.get("view_x"), self.kept.get("view_y"), self.kept.get("view_z")
        if x is None or y is None or z is None:
            return None
        return ViewPosition(x=x, y=y, z=z)

    @strawberry.field(
        description="What a person knows it by, as the 3D view captions it: a person's or concept's name, a "
        "memory's content, a conflict's summary, ... (at most 80 characters; empty when it has none).",
        metadata=reading(TITLE),
    )
    def title(self) -> str:
        value = getattr(self, BY_LABEL[type(self).__name__].title, None)
        return str((value.value if isinstance(value, Enum) else value) or "")[:TITLE_LENGTH]

    @strawberry.field(
        description="Its community (Leiden) as the 3D view colours it; null until computed.",
        metadata=reading("view_community"),
    )
    def community(self) -> int | None:
        return self.kept.get("view_community")
