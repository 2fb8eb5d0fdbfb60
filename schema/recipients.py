"""Recipients: the people in the viewer's life, with the viewer's relationship to each on KNOWS."""

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.recipients import RecipientFilter
from resolvers import recipients as resolve
from resolvers.context import Context
from resolvers.pages import PageArgs
from schema.relay import (
    Connection,
    DeletePayload,
    OrderDirection,
    connection,
    node_uid,
    ordered,
    related,
    values_of,
)

Info = strawberry.Info[Context, None]


@strawberry.enum
class RelationshipType(Enum):
    FAMILY = "family"
    PARTNER = "romantic"
    FRIEND = "friend"
    COLLEAGUE = "colleague"
    ACQUAINTANCE = "acquaintance"
    OTHER = "other"


@strawberry.enum
class CommunicationFrequency(Enum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    RARELY = "rarely"


@strawberry.enum
class GiftDirection(Enum):
    UNIDIRECTIONAL = "unidirectional"
    BIDIRECTIONAL = "bidirectional"


@strawberry.enum
class Trend(Enum):
    GROWING = "growing"
    STABLE = "stable"
    DECLINING = "declining"


@strawberry.type(description="The viewer's relationship to a recipient: the KNOWS edge (seed 000).")
class Relationship:
    type: RelationshipType
    label: str | None
    since: date | None
    importance: int = strawberry.field(description="1 to 10.")
    closeness: int = strawberry.field(description="1 to 10.")
    communication_frequency: CommunicationFrequency | None
    communication_channels: list[str]
    last_interaction: datetime | None
    emotional_warmth: float | None = strawberry.field(description="0 to 1.")
    conflict_level: float | None = strawberry.field(description="0 to 1.")
    support_level: float | None = strawberry.field(description="0 to 1.")
    gift_direction: GiftDirection | None
    gifts_given_count: int
    gifts_received_count: int
    average_gift_success: float | None = strawberry.field(description="0 to 1, from recorded gift outcomes.")
    preferred_gift_types: list[str]
    failed_gift_types: list[str]
    trend: Trend | None

    @classmethod
    def from_row(cls, knows: dict[str, Any]) -> "Relationship":
        return cls(
            type=RelationshipType(knows["relationship_type"]),
            label=knows.get("relationship_label"),
            since=knows.get("since"),
            importance=knows["importance"],
            closeness=knows["closeness"],
            communication_frequency=_enum(CommunicationFrequency, knows.get("communication_frequency")),
            communication_channels=knows.get("communication_channels") or [],
            last_interaction=knows.get("last_interaction"),
            emotional_warmth=knows.get("emotional_warmth"),
            conflict_level=knows.get("conflict_level"),
            support_level=knows.get("support_level"),
            gift_direction=_enum(GiftDirection, knows.get("gift_direction")),
            gifts_given_count=knows.get("gifts_given_count") or 0,
            gifts_received_count=knows.get("gifts_received_count") or 0,
            average_gift_success=knows.get("average_gift_success"),
            preferred_gift_types=knows.get("preferred_gift_types") or [],
            failed_gift_types=knows.get("failed_gift_types") or [],
            trend=_enum(Trend, knows.get("trend")),
        )


@strawberry.type(description="A person in the viewer's life (seed 000's recipients).")
class Recipient(relay.Node):
    id: relay.NodeID[str]
    name: str
    real_name: str | None
    nickname: str | None
    approximate_age: int | None
    gender: str | None
    location: str | None
    personality_traits: JSON | None
    preferences: JSON | None
    life_context: JSON | None
    created_at: datetime
    updated_at: datetime
    relationship: Relationship

    occasions = related(
        "recipient.occasions",
        "Occasion",
        "schema.occasions",
        "Their occasions: birthdays, anniversaries, ...",
    )

    gifts = related("recipient.gifts", "Gift", "schema.gifts", "The gifts the viewer gave them.")

    memories = related("recipient.memories", "Memory", "schema.memories", "Memories that involve them.")

    conflicts = related("recipient.conflicts", "Conflict", "schema.conflicts", "Conflicts with them.")

    interests = related("recipient.interests", "Concept", "schema.concepts", "What they are interested in.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Recipient":
        recipient = row["recipient"]
        return cls(
            id=recipient["uid"],
            name=recipient["name"],
            real_name=recipient.get("real_name"),
            nickname=recipient.get("nickname"),
            approximate_age=recipient.get("approximate_age"),
            gender=recipient.get("gender"),
            location=recipient.get("location"),
            personality_traits=recipient.get("personality_traits"),
            preferences=recipient.get("preferences"),
            life_context=recipient.get("life_context"),
            created_at=recipient["created_at"],
            updated_at=recipient["updated_at"],
            relationship=Relationship.from_row(row["knows"]),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list["Recipient | None"]:
        rows = await resolve.by_uids(info.context, list(node_ids))
        found = ordered(node_ids, rows, lambda row: row["recipient"]["uid"])
        return [cls.from_row(row) if row else None for row in found]


@strawberry.input
class RelationshipInput:
    type: RelationshipType
    label: str | None = None
    since: date | None = None
    importance: int | None = None
    closeness: int | None = None
    communication_frequency: CommunicationFrequency | None = None
    communication_channels: list[str] | None = None
    last_interaction: datetime | None = None
    emotional_warmth: float | None = None
    conflict_level: float | None = None
    support_level: float | None = None
    gift_direction: GiftDirection | None = None
    gifts_received_count: int | None = None
    preferred_gift_types: list[str] | None = None
    failed_gift_types: list[str] | None = None
    trend: Trend | None = None


@strawberry.input
class RelationshipChanges:
    type: RelationshipType | None = strawberry.UNSET
    label: str | None = strawberry.UNSET
    since: date | None = strawberry.UNSET
    importance: int | None = strawberry.UNSET
    closeness: int | None = strawberry.UNSET
    communication_frequency: CommunicationFrequency | None = strawberry.UNSET
    communication_channels: list[str] | None = strawberry.UNSET
    last_interaction: datetime | None = strawberry.UNSET
    emotional_warmth: float | None = strawberry.UNSET
    conflict_level: float | None = strawberry.UNSET
    support_level: float | None = strawberry.UNSET
    gift_direction: GiftDirection | None = strawberry.UNSET
    gifts_received_count: int | None = strawberry.UNSET
    preferred_gift_types: list[str] | None = strawberry.UNSET
    failed_gift_types: list[str] | None = strawberry.UNSET
    trend: Trend | None = strawberry.UNSET


@strawberry.input
class CreateRecipientInput:
    name: str
    relationship: RelationshipInput
    real_name: str | None = None
    nickname: str | None = None
    approximate_age: int | None = None
    gender: str | None = None
    location: str | None = None
    personality_traits: JSON | None = None
    preferences: JSON | None = None
    life_context: JSON | None = None


@strawberry.input
class UpdateRecipientInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    real_name: str | None = strawberry.UNSET
    nickname: str | None = strawberry.UNSET
    approximate_age: int | None = strawberry.UNSET
    gender: str | None = strawberry.UNSET
    location: str | None = strawberry.UNSET
    personality_traits: JSON | None = strawberry.UNSET
    preferences: JSON | None = strawberry.UNSET
    life_context: JSON | None = strawberry.UNSET
    relationship: RelationshipChanges | None = strawberry.UNSET


@strawberry.enum
class RecipientOrderField(Enum):
    NAME = "name"
    IMPORTANCE = "importance"
    CLOSENESS = "closeness"
    CREATED_AT = "created_at"


@strawberry.input
class RecipientOrder:
    field: RecipientOrderField = RecipientOrderField.NAME
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class RecipientFilterInput:
    relationship_types: list[RelationshipType] | None = None
    importance_at_least: int | None = None
    importance_at_most: int | None = None
    name_contains: str | None = None


@strawberry.type
class RecipientQuery:
    @strawberry.field(description="The viewer's recipients: filtered, ordered, one page at a time.")
    async def recipients(
        self,
        info: Info,
        filter: RecipientFilterInput | None = None,
        order_by: RecipientOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Recipient]:
        order_by = order_by or RecipientOrder()
        where = _filter(filter or RecipientFilterInput())
        args = PageArgs(first, after, last, before)
        descending = order_by.direction is OrderDirection.DESC
        rows, count = await resolve.page(info.context, where, order_by.field.value, descending, args)
        backward = last is not None or (before is not None and first is None)
        return connection(rows, backward, Recipient.from_row, lambda row: row["recipient"]["uid"], count)


@strawberry.type
class RecipientMutation:
    @strawberry.mutation(description="Adds a person to the viewer's life, with the relationship to them.")
    async def create_recipient(self, info: Info, input: CreateRecipientInput) -> Recipient:
        return Recipient.from_row(await resolve.create(info.context, *new_recipient_values(input)))

    @strawberry.mutation(
        description="Changes what is given of a recipient and the relationship; null clears."
    )
    async def update_recipient(self, info: Info, input: UpdateRecipientInput) -> Recipient:
        uid = node_uid(input.id, "Recipient")
        values = {k: v for k, v in values_of(input).items() if k not in ("id", "relationship")}
        changes = input.relationship
        knows = values_of(changes, _KNOWS_NAMES) if changes else {}
        return Recipient.from_row(await resolve.update(info.context, uid, values, knows))

    @strawberry.mutation(description="Deletes a recipient and what only belonged to them.")
    async def delete_recipient(self, info: Info, id: relay.GlobalID) -> DeletePayload:
        deleted = await resolve.delete(info.context, node_uid(id, "Recipient"))
        return DeletePayload(deleted_id=id, deleted_count=len(deleted))


_KNOWS_NAMES = {"type": "relationship_type", "label": "relationship_label"}


def new_recipient_values(given: CreateRecipientInput) -> tuple[dict[str, Any], dict[str, Any]]:
    """(recipient, relationship) of a create input, as the graph names them."""
    recipient = {k: v for k, v in values_of(given).items() if k != "relationship"}
    return recipient, values_of(given.relationship, _KNOWS_NAMES)


def _enum(kind: Any, value: str | None) -> Any:
    return kind(value) if value is not None else None


def _filter(given: RecipientFilterInput) -> RecipientFilter:
    return RecipientFilter(
        relationship_types=tuple(t.value for t in given.relationship_types or ()),
        importance_min=given.importance_at_least,
        importance_max=given.importance_at_most,
        name_contains=given.name_contains,
    )
