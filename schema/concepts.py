"""Concepts: interests, conflict topics, gift categories and values, and how they relate (seed 004)."""

import datetime as dt
from enum import Enum

import strawberry
from strawberry import relay

from graph.concepts import CONCEPT_LINKS
from resolvers import concepts as resolve
from resolvers.context import Context
from resolvers.pages import PageArgs
from schema.relay import (
    Connection,
    DeletePayload,
    OrderDirection,
    OwnedNode,
    connection,
    node_uid,
    related,
    uid_of,
)

Info = strawberry.Info[Context, None]
_NAMES = {"type": "concept_type"}


@strawberry.enum
class ConceptType(Enum):
    INTEREST = "interest"
    TOPIC = "topic"
    VALUE = "value"
    GIFT_CATEGORY = "gift_category"
    OTHER = "other"


ConceptLinkType = strawberry.enum(Enum("ConceptLinkType", {name: name for name in CONCEPT_LINKS}))


@strawberry.type(description="An interest, topic, value or gift category: one per name per user.")
class Concept(OwnedNode):
    label = "Concept"
    names = _NAMES
    id: relay.NodeID[str]
    name: str
    type: ConceptType
    description: str | None
    created_at: dt.datetime

    @strawberry.field(description="Concepts within `depth` links of this one, nearest first.")
    async def neighbours(
        self,
        info: Info,
        depth: int = 1,
        types: list[ConceptLinkType] | None = None,  # type: ignore[valid-type]
    ) -> list["ConceptNeighbour"]:
        names = [t.value for t in types or ()]
        rows = await resolve.neighbours(info.context, self.id, depth, names)
        return [ConceptNeighbour(concept=Concept.from_row(row), distance=row["distance"]) for row in rows]

    recipients = related(
        "concept.recipients", "Recipient", "schema.recipients", "The people interested in it."
    )

    memories = related("concept.memories", "Memory", "schema.memories", "The memories that mention it.")

    gifts = related("concept.gifts", "Gift", "schema.gifts", "The gifts tagged with it.")

    conflicts = related("concept.conflicts", "Conflict", "schema.conflicts", "The conflicts about it.")


@strawberry.type
class ConceptNeighbour:
    concept: Concept
    distance: int = strawberry.field(description="How many links away.")


@strawberry.input
class ConceptInput:
    name: str
    type: ConceptType = ConceptType.INTEREST
    description: str | None = None


@strawberry.input
class UpdateConceptInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    type: ConceptType | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


@strawberry.enum
class ConceptOrderField(Enum):
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.type
class ConceptQuery:
    @strawberry.field(description="The viewer's concepts.")
    async def concepts(
        self,
        info: Info,
        types: list[ConceptType] | None = None,
        name_contains: str | None = None,
        order_by: ConceptOrderField = ConceptOrderField.NAME,
        direction: OrderDirection = OrderDirection.ASC,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Concept]:
        args = PageArgs(first, after, last, before)
        kinds = [t.value for t in types or ()]
        descending = direction is OrderDirection.DESC
        rows, count = await resolve.page(info.context, kinds, name_contains, order_by.value, descending, args)
        return connection(rows, args.backward, Concept.from_row, uid_of, count)


@strawberry.type
class ConceptMutation:
    @strawberry.mutation(description="The viewer's concept of this name: made if new, else the one there is.")
    async def create_concept(self, info: Info, input: ConceptInput) -> Concept:
        row = await resolve.ensure(info.context, input.name, input.type.value, input.description)
        return Concept.from_row({"node": row})

    @strawberry.mutation(description="Renames or retypes a concept; null clears the description.")
    async def update_concept(self, info: Info, input: UpdateConceptInput) -> Concept:
        values = {k: v for k, v in vars(input).items() if k != "id" and v is not strawberry.UNSET}
        values = {_NAMES.get(k, k): v.value if isinstance(v, Enum) else v for k, v in values.items()}
        return Concept.from_row(
            {"node": await resolve.update(info.context, node_uid(input.id, "Concept"), values)}
        )

    @strawberry.mutation(description="Deletes a concept and its links.")
    async def delete_concept(self, info: Info, id: relay.GlobalID) -> DeletePayload:
        deleted = await resolve.delete(info.context, node_uid(id, "Concept"))
        return DeletePayload(deleted_id=id, deleted_count=len(deleted))
