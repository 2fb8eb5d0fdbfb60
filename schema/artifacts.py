"""Artifacts: what Kindred made for the viewer to keep. For now trophies, each earned by completing a
challenge (schema/challenges.py), linked to it and to what it was about; drawn and searched."""

import datetime as dt
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from graph import kinds
from graph.kinds import CHALLENGE_SUBJECTS
from resolvers import artifacts as resolve
from resolvers.pages import Order
from schema.challenges import Challenge, subject
from schema.concepts import Concept
from schema.deletion import deleting
from schema.docs import described
from schema.memories import Memory, kinds_named
from schema.nodes import ref_of
from schema.ordering import ordering
from schema.placed import Placed
from schema.recipients import Recipient
from schema.relay import (
    Info,
    OwnedNode,
    attach,
    listing,
    related,
    related_one,
)
from schema.selection import reading


@strawberry.enum(description="What kind of thing an artifact is.")
class ArtifactKind(Enum):
    TROPHY = strawberry.enum_value("trophy", description="Earned by completing a challenge.")


ARTIFACT = {
    "kind": "What kind of thing it is.",
    "title": "What it is called.",
    "description": "What it is for.",
    "created_at": "When it was made, or earned (UTC).",
}


@strawberry.type(description="Something Kindred made for the viewer to keep: a trophy earned by a challenge.")
@described(ARTIFACT)
class Artifact(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    kind: ArtifactKind
    title: str
    description: str | None
    created_at: dt.datetime

    challenge = related_one(Challenge, resolve.challenge, "The challenge that earned it (a trophy's).")

    @strawberry.field(
        description=f"Whom or what it is about: one of the viewer's {kinds_named(CHALLENGE_SUBJECTS)} nodes "
        "(what its challenge was about); null for the viewer themselves.",
        metadata=reading(),
    )
    async def about(self, info: Info) -> relay.Node | None:
        return await subject(info, resolve.about, self.id)


@strawberry.input(description="Which artifacts to list: all the conditions given hold.")
class ArtifactFilter:
    kinds: list[ArtifactKind] | None = strawberry.field(default=None, description="Only these kinds.")
    about_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only those about this person or card."
    )


@ordering(kinds.ARTIFACT, "artifacts", {"created_at": "When it was made.", "title": "Its title."})
class ArtifactOrder: ...


attach(
    Challenge, "trophy", related_one(Artifact, resolve.trophy, "The trophy it earned; null until completed.")
)
for _node, _label in ((Recipient, "Recipient"), (Concept, "Concept"), (Memory, "Memory")):
    attach(
        _node,
        "artifacts",
        related(Artifact, ArtifactOrder, resolve.about_each[_label], "Artifacts about it."),
    )


def _where(given: ArtifactFilter) -> dict[str, Any]:
    return {
        "kinds": [kind.value for kind in given.kinds or ()],
        "about": ref_of(given.about_id, "aboutId") if given.about_id else None,
    }


@strawberry.type
class ArtifactQuery:
    artifacts = listing(
        Artifact,
        ArtifactFilter,
        ArtifactOrder,
        [Order("created_at", descending=True)],
        _where,
        resolve.page,
        "What Kindred made for the viewer to keep (trophies), the newest first by default.",
    )


@strawberry.type
class ArtifactMutation:
    delete_artifact = deleting(
        "Artifact",
        resolve.delete,
        "Deletes an artifact (a trophy: its challenge stays, completed).",
        "The artifact.",
    )
