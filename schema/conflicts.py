"""Conflicts with a recipient, about topics, from active to resolved."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph import kinds
from resolvers import concepts as concept_resolvers
from resolvers import conflicts as resolve
from resolvers import documents as document_resolvers
from resolvers import recipients as recipient_resolvers
from resolvers.pages import Order
from schema import selection
from schema.deletion import deleting
from schema.docs import described
from schema.lazy import Concept, ConceptOrder, Document, DocumentOrder, Recipient
from schema.mentions import mentions_of
from schema.ordering import ordering
from schema.placed import Placed
from schema.relay import (
    Info,
    OwnedNode,
    enum_values,
    listing,
    node_uid,
    optional_uid,
    related,
    related_one,
    values_of,
)


@strawberry.enum(description="Where a conflict stands.")
class ConflictStatus(Enum):
    ACTIVE = "active"
    PROCESSING = "processing"
    ANALYZED = "analyzed"
    RESOLVED = "resolved"


CONFLICT = {
    "id": "The conflict to change.",
    "recipient_id": "Who it is with: one of the viewer's recipients.",
    "status": "Where it stands; active by default.",
    "started_at": "When it began; now by default. Give a time zone; it is kept in UTC.",
    "ended_at": "When it ended: not before it began. Give a time zone; it is kept in UTC.",
    "severity": "How serious it is, 0 (minor) to 1 (grave).",
    "summary": "What it is about, in the viewer's words, up to 4,000 characters.",
    "cycle_phase": 'Where it is in its cycle ("tension", "repair"), up to 50 characters.',
    "created_at": "When it was recorded (UTC).",
    "topics": "What it is about, by name (up to 20): concepts, made where new.",
    "private_note": (
        "What the viewer keeps to themselves about it, up to 10,000 characters: stored encrypted with"
        " their own key, shown to them alone, never searched or drawn, and in live updates only when"
        " they chose to see it there (setShowSensitive)."
    ),
    "transcript": "The transcript of its recording, once transcribed (a Document with the RECORDING role).",
}


@strawberry.type(description="A conflict with someone in the viewer's life.")
@described(CONFLICT)
class Conflict(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    status: ConflictStatus
    started_at: dt.datetime
    ended_at: dt.datetime | None
    severity: float | None
    summary: str | None
    cycle_phase: str | None
    created_at: dt.datetime
    transcript: str | None

    @strawberry.field(description=CONFLICT["private_note"], metadata=selection.reading("private_note"))
    async def private_note(self, info: Info) -> str | None:
        return await resolve.private_note(info.context, str(self.id), self.kept.get("private_note"))

    recipient = related_one(Recipient, recipient_resolvers.of_conflict, "Who it is with.")
    topics = related(Concept, ConceptOrder, concept_resolvers.of_conflict, "What it is about.")
    mentions = mentions_of("Conflict")
    documents = related(
        Document, DocumentOrder, document_resolvers.of_conflict, "Its documents (recordings)."
    )


@strawberry.input(description="A new conflict with a recipient, about topics.")
@described(CONFLICT)
class CreateConflictInput:
    recipient_id: relay.GlobalID
    status: ConflictStatus = ConflictStatus.ACTIVE
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    severity: float | None = None
    summary: str | None = None
    cycle_phase: str | None = None
    private_note: str | None = None
    topics: list[str] | None = None


@strawberry.input(description="Changes to a conflict: only the fields given change; null clears one.")
@described(CONFLICT)
class UpdateConflictInput:
    id: relay.GlobalID
    status: ConflictStatus | None = strawberry.UNSET
    started_at: dt.datetime | None = strawberry.UNSET
    ended_at: dt.datetime | None = strawberry.UNSET
    severity: float | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    cycle_phase: str | None = strawberry.UNSET
    private_note: str | None = strawberry.UNSET


@strawberry.input(description="Which conflicts to list: all the conditions given hold.")
class ConflictFilter:
    statuses: list[ConflictStatus] | None = strawberry.field(default=None, description="Only these statuses.")
    severity_at_least: float | None = strawberry.field(default=None, description="Severity 0 to 1, at least.")
    severity_at_most: float | None = strawberry.field(default=None, description="Severity 0 to 1, at most.")
    topic: str | None = strawberry.field(default=None, description="Only those about this concept, by name.")
    recipient_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those with this recipient."
    )


@ordering(kinds.CONFLICT, "conflicts")
class ConflictOrder: ...


def _where(given: ConflictFilter) -> dict[str, Any]:
    return {
        "statuses": enum_values(given.statuses),
        "severity_min": given.severity_at_least,
        "severity_max": given.severity_at_most,
        "topic": given.topic,
        "recipient": optional_uid(given.recipient_id, "Recipient", "recipientId"),
    }


@strawberry.type
class ConflictQuery:
    conflicts = listing(
        Conflict,
        ConflictFilter,
        ConflictOrder,
        [Order("started_at", descending=True)],
        _where,
        resolve.page,
        "The viewer's conflicts, the latest first by default.",
    )


@strawberry.type
class ConflictMutation:
    @strawberry.mutation(description="Records a conflict with a recipient, about topics.")
    async def create_conflict(
        self,
        info: Info,
        input: Annotated[CreateConflictInput, strawberry.argument(description="The conflict.")],
    ) -> Conflict:
        values = values_of(input, leave=("recipient_id", "topics"))
        recipient = node_uid(input.recipient_id, "Recipient", "recipientId")
        row = await resolve.create(info.context, values, recipient, list(input.topics or ()))
        return Conflict.from_row(row)

    @strawberry.mutation(
        description="Changes a conflict (its status, end, severity, ...); null clears a field."
    )
    async def update_conflict(
        self,
        info: Info,
        input: Annotated[UpdateConflictInput, strawberry.argument(description="The changes.")],
    ) -> Conflict:
        values = values_of(input, leave=("id",))
        return Conflict.from_row(await resolve.update(info.context, node_uid(input.id, "Conflict"), values))

    delete_conflict = deleting("Conflict", resolve.delete, "Deletes a conflict.", "The conflict.")
