"""A person's mindscape: what the viewer's graph knows of one of their recipients, or of the viewer
themselves, read from the insights about them (graph/mindscape.py), with a version that changes
whenever what it answers does."""

import hashlib
from dataclasses import dataclass

from graph import mindscape
from graph.mindscape import Found
from resolvers import checks
from resolvers.context import Context

# An item leaves the mindscape when rejected or outdated; proposed ones are in unless left out.
HELD = ["proposed", "confirmed"]
CONFIRMED = ["confirmed"]
DEFAULT_PER_LAYER = 20
MAX_PER_LAYER = 100


@dataclass(frozen=True)
class Mindscape:
    found: Found
    version: str


async def of(
    context: Context, recipient: str | None, include_proposed: bool, per_layer: int
) -> Mindscape | None:
    """The mindscape of `recipient` (of the viewer when None); None when it is not one of the viewer's
    recipients, as `node(id:)` answers for it."""
    checks.in_range(per_layer, 1, MAX_PER_LAYER, "per_layer")
    found = await context.graph.read(
        mindscape.read,
        owner=context.viewer,
        recipient=recipient,
        statuses=HELD if include_proposed else CONFIRMED,
        per_layer=per_layer,
    )
    if found is None:
        return None
    return Mindscape(found, fingerprint(found.stamps))


def fingerprint(stamps: list[str]) -> str:
    """A fingerprint of every insight in it and when each last changed: it changes when one is added,
    changed or leaves (deleted, rejected, outdated, no longer about the person)."""
    digest = hashlib.sha256("\n".join(stamps).encode()).hexdigest()
    return f"{len(stamps)}-{digest[:16]}"
