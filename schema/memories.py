"""Memories: episodic, semantic, procedural, emotional, identity and short-term (seeds 001 and 004)."""

import datetime as dt
from enum import Enum

import strawberry
from strawberry import relay

from resolvers import memories as resolve
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
    values_of,
)

Info = strawberry.Info[Context, None]


@strawberry.enum
class MemoryKind(Enum):
    EPISODIC = "episodic"
    SEMANTIC = "semantic"
    PROCEDURAL = "procedural"
    EMOTIONAL = "emotional"
    IDENTITY = "identity"
    SHORT_TERM = "short_term"


@strawberry.type(description="Something remembered.")
class Memory(OwnedNode):
    label = "Memory"
    id: relay.NodeID[str]
    kind: MemoryKind
    content: str
    happened_at: dt.datetime | None
    place: str | None
    valence: float | None = strawberry.field(description="-1 (unpleasant) to 1 (pleasant).")
    arousal: float | None = strawberry.field(description="0 (calm) to 1 (intense).")
    importance: float | None = strawberry.field(description="0 to 1.")
    tags: list[str]
    expires_at: dt.datetime | None = strawberry.field(description="When a short-term memory goes.")
    created_at: dt.datetime

    recipients = related("memory.recipients", "Recipient", "schema.recipients", "The people it involves.")

    concepts = related("memory.concepts", "Concept", "schema.concepts", "The concepts it mentions.")


@strawberry.input
class CreateMemoryInput:
    kind: MemoryKind
    content: str
    happened_at: dt.datetime | None = None
    place: str | None = None
    valence: float | None = None
    arousal: float | None = None
    importance: float | None = None
    tags: list[str] | None = None
    recipient_ids: list[relay.GlobalID] | None = None
    concepts: list[str] | None = strawberry.field(default=None, description="Names; new ones are made.")
    ttl_hours: float | None = strawberry.field(default=None, description="Short-term only; 24 by default.")


@strawberry.input
class UpdateMemoryInput:
    id: relay.GlobalID
    kind: MemoryKind | None = strawberry.UNSET
    content: str | None = strawberry.UNSET
    happened_at: dt.datetime | None = strawberry.UNSET
    place: str | None = strawberry.UNSET
    valence: float | None = strawberry.UNSET
    arousal: float | None = strawberry.UNSET
    importance: float | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET


@strawberry.input
class MemoryFilter:
    kinds: list[MemoryKind] | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    recipient_id: relay.GlobalID | None = None
    concept: str | None = None
    tag: str | None = None


@strawberry.enum
class MemoryOrderField(Enum):
    HAPPENED_AT = "happened_at"
    IMPORTANCE = "importance"
    CREATED_AT = "created_at"


@strawberry.type
class MemoryQuery:
    @strawberry.field(description="The viewer's memories (expired short-term ones are gone).")
    async def memories(
        self,
        info: Info,
        filter: MemoryFilter | None = None,
        order_by: MemoryOrderField = MemoryOrderField.HAPPENED_AT,
        direction: OrderDirection = OrderDirection.DESC,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Memory]:
        given = filter or MemoryFilter()
        where = {
            "kinds": [k.value for k in given.kinds or ()],
            "since": given.since,
            "until": given.until,
            "recipient": node_uid(given.recipient_id, "Recipient") if given.recipient_id else None,
            "concept": given.concept,
            "tag": given.tag,
        }
        args = PageArgs(first, after, last, before)
        return await listing(info, resolve.page, where, order_by, direction, args, Memory.from_row)


@strawberry.type
class MemoryMutation:
    @strawberry.mutation(description="Remembers something, with who it involves and what it mentions.")
    async def create_memory(self, info: Info, input: CreateMemoryInput) -> Memory:
        nested = ("recipient_ids", "concepts", "ttl_hours")
        values = {k: v for k, v in values_of(input).items() if k not in nested}
        values["tags"] = values.get("tags") or []
        recipients = [node_uid(i, "Recipient") for i in input.recipient_ids or ()]
        row = await resolve.create(
            info.context, values, recipients, list(input.concepts or ()), input.ttl_hours
        )
        return Memory.from_row({"node": row})

    @strawberry.mutation(description="Changes what is given of a memory; null clears.")
    async def update_memory(self, info: Info, input: UpdateMemoryInput) -> Memory:
        values = {k: v for k, v in values_of(input).items() if k != "id"}
        return Memory.from_row(
            {"node": await resolve.update(info.context, node_uid(input.id, "Memory"), values)}
        )

    @strawberry.mutation(description="Forgets a memory.")
    async def delete_memory(self, info: Info, id: relay.GlobalID) -> DeletePayload:
        deleted = await resolve.delete(info.context, node_uid(id, "Memory"))
        return DeletePayload(deleted_id=id, deleted_count=len(deleted))
