"""Recipients: the people in the viewer's life, with the viewer's relationship to each."""

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from errors import BadUserInput
from graph import kinds
from resolvers import concepts as concept_resolvers
from resolvers import conflicts as conflict_resolvers
from resolvers import documents as document_resolvers
from resolvers import gifts as gift_resolvers
from resolvers import learning as learned
from resolvers import memories as memory_resolvers
from resolvers import occasions as occasion_resolvers
from resolvers import recipients as resolve
from resolvers.pages import Order
from schema.deletion import deleting
from schema.docs import described
from schema.lazy import (
    Concept,
    ConceptOrder,
    Conflict,
    ConflictOrder,
    Document,
    DocumentOrder,
    Gift,
    GiftOrder,
    Memory,
    MemoryOrder,
    Occasion,
    OccasionOrder,
)
from schema.learning import (
    Patterns,
    RelationshipMetric,
    RelationshipSnapshot,
    RelationshipTrend,
    SimilarPerson,
    Since,
    TrendDirection,
    Until,
    patterns_of,
    similar_people,
)
from schema.ordering import ordering
from schema.placed import Placed
from schema.relay import (
    Info,
    OwnedNode,
    from_node,
    listing,
    node_uid,
    related,
    values_of,
)
from schema.selection import reading


@strawberry.enum(description="What kind of relationship the viewer has with someone.")
class RelationshipKind(Enum):
    FAMILY = "family"
    PARTNER = "romantic"
    FRIEND = "friend"
    COLLEAGUE = "colleague"
    ACQUAINTANCE = "acquaintance"
    OTHER = "other"


@strawberry.enum(description="How often the viewer and someone are in touch.")
class CommunicationFrequency(Enum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    RARELY = "rarely"


@strawberry.enum(description="Whether gifts go one way or both ways in a relationship.")
class GiftDirection(Enum):
    UNIDIRECTIONAL = "unidirectional"
    BIDIRECTIONAL = "bidirectional"


@strawberry.enum(description="Where a relationship is heading.")
class Trend(Enum):
    GROWING = "growing"
    STABLE = "stable"
    DECLINING = "declining"


RELATIONSHIP = {
    "kind": "What kind of relationship it is.",
    "label": 'The viewer\'s own word for it ("mother", "best friend"), up to 100 characters.',
    "since": "The day it began.",
    "importance": "How much the relationship matters to the viewer, 1 (little) to 10 (most); 5 by default.",
    "closeness": "How close they are, 1 (distant) to 10 (closest); 5 by default.",
    "communication_frequency": "How often they are in touch.",
    "communication_channels": 'How they keep in touch ("phone", "email"): up to 20 of 100 characters each.',
    "last_interaction": "When they were last in touch (UTC).",
    "emotional_warmth": "How warm the relationship feels, 0 (cold) to 1 (warmest).",
    "conflict_level": "How much conflict there is, 0 (none) to 1 (constant).",
    "support_level": "How much support there is, 0 (none) to 1 (complete).",
    "gift_direction": "Whether gifts go one way or both ways.",
    "gifts_given_count": "How many gifts the viewer gave them, counted from recorded outcomes.",
    "gifts_received_count": "How many gifts the viewer received from them.",
    "average_gift_success": "The mean success of the viewer's gifts to them, 0 to 1, from recorded outcomes.",
    "preferred_gift_types": "Gift categories that went well (success 0.7 or more), learned from outcomes.",
    "failed_gift_types": "Gift categories that went badly (success under 0.4), learned from outcomes.",
    "trend": "Where the relationship is heading.",
}
RECIPIENT = {
    "name": "What the viewer calls them, 1 to 100 characters.",
    "real_name": "Their full name, up to 100 characters.",
    "nickname": "A nickname, up to 50 characters; name filters match it too.",
    "approximate_age": "About how old they are, in years (0 to 150).",
    "gender": "Their gender, in their own words, up to 20 characters.",
    "location": "Where they live, up to 100 characters.",
    "personality_traits": "Free-form notes on their personality: a JSON object, up to 20 KB.",
    "preferences": "Free-form likes and dislikes: a JSON object, up to 20 KB.",
    "life_context": "Free-form notes on their circumstances: a JSON object, up to 20 KB.",
    "created_at": "When they were added (UTC).",
    "updated_at": "When they were last changed (UTC).",
    "relationship": "The viewer's relationship to them.",
}
# How the graph names the relationship's fields, where it names them otherwise.
_KNOWS_NAMES = {"kind": "relationship_type", "label": "relationship_label"}


@strawberry.type(description="The viewer's relationship to a person in their life.")
@described(RELATIONSHIP)
class Relationship:
    kind: RelationshipKind
    label: str | None
    since: date | None
    importance: int
    closeness: int
    communication_frequency: CommunicationFrequency | None
    communication_channels: list[str]
    last_interaction: datetime | None
    emotional_warmth: float | None
    conflict_level: float | None
    support_level: float | None
    gift_direction: GiftDirection | None
    gifts_given_count: int
    gifts_received_count: int
    average_gift_success: float | None
    preferred_gift_types: list[str]
    failed_gift_types: list[str]
    trend: Trend | None


@strawberry.type(description="A person in the viewer's life, and the viewer's relationship to them.")
@described(RECIPIENT)
class Recipient(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
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
        Occasion,
        OccasionOrder,
        occasion_resolvers.of_recipient,
        "Their occasions: birthdays, anniversaries, ...",
    )
    gifts = related(Gift, GiftOrder, gift_resolvers.of_recipient, "The gifts the viewer gave them.")
    memories = related(Memory, MemoryOrder, memory_resolvers.of_recipient, "The memories that involve them.")
    conflicts = related(Conflict, ConflictOrder, conflict_resolvers.of_recipient, "The conflicts with them.")
    interests = related(Concept, ConceptOrder, concept_resolvers.of_recipient, "What they are interested in.")
    documents = related(
        Document, DocumentOrder, document_resolvers.of_recipient, "Their documents (profiles)."
    )

    @strawberry.field(
        description="The viewer's other people found most alike to this one (at most 5, best first), with "
        "the score and what they share; kept daily and after their interests, relationship or gifts change.",
        metadata=reading(),
    )
    async def similar(self, info: Info) -> list[SimilarPerson]:
        return similar_people(await learned.similar(info.context, self.id))

    @strawberry.field(
        description="Snapshots of the viewer's relationship to them, oldest first: taken when it changes, "
        "and weekly while it does not (at most 240 kept).",
        metadata=reading(),
    )
    async def relationship_history(
        self, info: Info, since: Since = None, until: Until = None
    ) -> list[RelationshipSnapshot]:
        found = await learned.history(info.context, self.id, since, until)
        return [RelationshipSnapshot(**snapshot) for snapshot in found]

    @strawberry.field(
        description="Where one measure of the relationship went between two times (all its history by "
        "default): rising, steady or falling, with the slope of its snapshots.",
        metadata=reading(),
    )
    async def relationship_trend(
        self,
        info: Info,
        since: Since = None,
        until: Until = None,
        metric: Annotated[
            RelationshipMetric,
            strawberry.argument(description="The measure to follow; closeness by default."),
        ] = RelationshipMetric.CLOSENESS,
    ) -> RelationshipTrend:
        found = await learned.trend(info.context, self.id, since, until, metric.value)
        return RelationshipTrend(
            metric=metric,
            direction=TrendDirection(found["direction"]),
            slope=found["slope"],
            points=found["points"],
        )

    @strawberry.field(
        description="Emotional and seasonal patterns of the memories that involve them and the gifts and "
        "occasions for them, with counts.",
        metadata=reading(),
    )
    async def patterns(self, info: Info) -> Patterns:
        return await patterns_of(info, self.id)

    reads: ClassVar[dict[str, tuple[str, ...]]] = {"relationship": ("knows",)}

    @classmethod
    def from_row(cls, row: Any) -> "Recipient":
        knows = row.node.get("knows")  # not read when the selection has no relationship
        relationship = from_node(Relationship, knows, _KNOWS_NAMES) if knows is not None else None
        return from_node(cls, row.node, relationship=relationship)


@strawberry.input(description="The viewer's relationship to a new recipient.")
@described(RELATIONSHIP)
class RelationshipInput:
    kind: RelationshipKind
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


@strawberry.input(description="Changes to a relationship: only the fields given change; null clears one.")
@described(RELATIONSHIP)
class RelationshipChanges:
    kind: RelationshipKind | None = strawberry.UNSET
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


@strawberry.input(description="A new person in the viewer's life.")
@described(RECIPIENT)
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


@strawberry.input(description="Changes to a recipient: only the fields given change; null clears one.")
@described({**RECIPIENT, "id": "The recipient to change.", "relationship": "Changes to the relationship."})
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


@ordering(kinds.RECIPIENT, "recipients")
class RecipientOrder: ...


@strawberry.input(description="Which recipients to list: all the conditions given hold.")
class RecipientFilter:
    relationship_kinds: list[RelationshipKind] | None = strawberry.field(
        default=None, description="Only relationships of these kinds."
    )
    importance_at_least: int | None = strawberry.field(
        default=None, description="Importance 1 to 10, at least."
    )
    importance_at_most: int | None = strawberry.field(
        default=None, description="Importance 1 to 10, at most."
    )
    name_contains: str | None = strawberry.field(
        default=None, description="Name or nickname contains this text, ignoring case."
    )


def _where(given: RecipientFilter) -> dict[str, Any]:
    return dict(
        relationship_kinds=tuple(kind.value for kind in given.relationship_kinds or ()),
        importance_min=given.importance_at_least,
        importance_max=given.importance_at_most,
        name_contains=given.name_contains,
    )


@strawberry.type
class RecipientQuery:
    recipients = listing(
        Recipient,
        RecipientFilter,
        RecipientOrder,
        [Order("name")],
        _where,
        resolve.page,
        "The people in the viewer's life: filtered, ordered (by name by default), a page at a time.",
    )


@strawberry.type
class RecipientMutation:
    @strawberry.mutation(description="Adds a person to the viewer's life, with the relationship to them.")
    async def create_recipient(
        self,
        info: Info,
        input: Annotated[CreateRecipientInput, strawberry.argument(description="The person.")],
    ) -> Recipient:
        return Recipient.from_row(await resolve.create(info.context, *new_recipient_values(input)))

    @strawberry.mutation(
        description="Changes what is given of a recipient and the relationship; null clears a field."
    )
    async def update_recipient(
        self,
        info: Info,
        input: Annotated[UpdateRecipientInput, strawberry.argument(description="The changes.")],
    ) -> Recipient:
        uid = node_uid(input.id, "Recipient")
        values = values_of(input, leave=("id", "relationship"))
        changes = input.relationship
        if changes is None:
            raise BadUserInput(
                "relationship cannot be cleared: give the changes to make.", field="relationship"
            )
        knows = values_of(changes, _KNOWS_NAMES) if changes is not strawberry.UNSET else {}
        return Recipient.from_row(await resolve.update(info.context, uid, values, knows))

    delete_recipient = deleting(
        "Recipient",
        resolve.delete,
        "Deletes a recipient, with their occasions, conflicts and the gifts only for them.",
        "The recipient.",
    )


def new_recipient_values(given: CreateRecipientInput) -> tuple[dict[str, Any], dict[str, Any]]:
    """(recipient, relationship) of a create input, as the graph names them."""
    return values_of(given, leave=("relationship",)), values_of(given.relationship, _KNOWS_NAMES)
