"""Where a text of the viewer's names their people and concepts (the MENTIONS links and their places)."""

from typing import Any

from graph.refs import Ref
from resolvers.context import Context


async def of_text(context: Context, label: str, uid: str) -> list[dict[str, Any]]:
    """Each place the text names a node, in field and text order: `field`, `start`, `end`, `text`,
    `automatic`, and the node (`label`, `row`). Batched with the other texts of the same level."""
    return await context.loaders.mentions.load(Ref(label, uid))
