"""Conflicts with a recipient, about topics, from active to resolved (seed 002)."""

import datetime as dt
from enum import Enum

import strawberry
from strawberry import relay

from resolvers import conflicts as resolve
from resolvers.context import Context
from resolvers.pages import PageArgs
from schema.relay import (
    Connection,
    DeletePayload,
    OrderDirection,
    OwnedNode,
    listing,
    node_uid,
    related,
    related_one,
    values_of,
)

Info = strawberry.Info[Context, None]


@strawberry.enum
class ConflictStatus(Enum):
    ACTIVE = "active"
    PROCESSING = "processing"
    ANALYZED = "analyzed"
    RESOLVED = "resolved"


@strawberry.type(description="A conflict with someone in the viewer's life.")
class Conflict(OwnedNode):
    label = "Conflict"
    id: relay.NodeID[str]
    status: ConflictStatus
    started_at: dt.datetime
    ended_at: dt.datetime | None
    severity: float | None = strawberry.field(description="0 to 1.")
    summary: str | None
    cycle_phase: str | None
    created_at: dt.datetime

    recipient = related_one("conflict.recipients", "Recipient", "schema.recipients", "Who it is with.")

    topics = related("conflict.topics", "Concept", "schema.concepts", "What it is about.")


@strawberry.input
class CreateConflictInput:
    recipient_id: relay.GlobalID
    status: ConflictStatus = ConflictStatus.ACTIVE
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    severity: float | None = None
    summary: str | None = None
    cycle_phase: str | None = None
    topics: list[str] | None = strawberry.field(default=None, description="Names; new ones are made.")


@strawberry.input
class UpdateConflictInput:
    id: relay.GlobalID
    status: ConflictStatus | None = strawberry.UNSET
    started_at: dt.datetime | None = strawberry.UNSET
    ended_at: dt.datetime | None = strawberry.UNSET
    severity: float | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    cycle_phase: str | None = strawberry.UNSET


@strawberry.input
class ConflictFilter:
    statuses: list[ConflictStatus] | None = None
    severity_at_least: float | None = None
    severity_at_most: float | None = None
    topic: str | None = None
    recipient_id: relay.GlobalID | None = None


@strawberry.enum
class ConflictOrderField(Enum):
    STARTED_AT = "started_at"
    SEVERITY = "severity"


@strawberry.type
class ConflictQuery:
    @strawberry.field(description="The viewer's conflicts.")
    async def conflicts(
        self,
        info: Info,
        filter: ConflictFilter | None = None,
        order_by: ConflictOrderField = ConflictOrderField.STARTED_AT,
        direction: OrderDirection = OrderDirection.DESC,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Conflict]:
        given = filter or ConflictFilter()
        where = {
            "statuses": [s.value for s in given.statuses or ()],
            "severity_min": given.severity_at_least,
            "severity_max": given.severity_at_most,
            "topic": given.topic,
            "recipient": node_uid(given.recipient_id, "Recipient") if given.recipient_id else None,
        }
        args = PageArgs(first, after, last, before)
        return await listing(info, resolve.page, where, order_by, direction, args, Conflict.from_row)


@strawberry.type
class ConflictMutation:
    @strawberry.mutation(description="Records a conflict with a recipient, about topics.")
    async def create_conflict(self, info: Info, input: CreateConflictInput) -> Conflict:
        values = {k: v for k, v in values_of(input).items() if k not in ("recipient_id", "topics")}
        recipient = node_uid(input.recipient_id, "Recipient")
        row = await resolve.create(info.context, values, recipient, list(input.topics or ()))
        return Conflict.from_row({"node": row})

    @strawberry.mutation(description="Changes a conflict (its status, end, severity, ...); null clears.")
    async def update_conflict(self, info: Info, input: UpdateConflictInput) -> Conflict:
        values = {k: v for k, v in values_of(input).items() if k != "id"}
        return Conflict.from_row(
            {"node": await resolve.update(info.context, node_uid(input.id, "Conflict"), values)}
        )

    @strawberry.mutation(description="Deletes a conflict.")
    async def delete_conflict(self, info: Info, id: relay.GlobalID) -> DeletePayload:
        deleted = await resolve.delete(info.context, node_uid(id, "Conflict"))
        return DeletePayload(deleted_id=id, deleted_count=len(deleted))
