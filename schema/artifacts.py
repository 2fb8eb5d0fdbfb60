"""Artifacts: what Kindred made for the viewer to keep. For now trophies, each earned by completing a
challenge (schema/challenges.py), linked to it and to what it was about; drawn and searched."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph.kinds import CHALLENGE_SUBJECTS
from resolvers import artifacts as resolve
from resolvers.pages import Order
from schema.challenges import Challenge, subject
from schema.concepts import Concept
from schema.docs import described
from schema.memories import Memory, kinds_named
from schema.nodes import ref_of
from schema.placed import Placed
from schema.recipients import Recipient
from schema.relay import (
    DeletePayload,
    Info,
    OrderDirection,
    OwnedNode,
    attach,
    listing,
    node_uid,
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


@strawberry.enum(description="What a list of artifacts may be ordered by.")
class ArtifactOrderField(Enum):
    CREATED_AT = strawberry.enum_value("created_at", description="When it was made.")
    TITLE = strawberry.enum_value("title", description="Its title.")


@strawberry.input(description="One key of an ordering of artifacts.")
class ArtifactOrder:
    field: ArtifactOrderField = strawberry.field(description="The field to order by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending (the default) or descending."
    )


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
    @strawberry.mutation(description="Deletes an artifact (a trophy: its challenge stays, completed).")
    async def delete_artifact(
        self, info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The artifact.")]
    ) -> DeletePayload:
        deleted = await resolve.delete(info.context, node_uid(id, "Artifact"))
        return DeletePayload(deleted_id=id, deleted_count=len(deleted))
