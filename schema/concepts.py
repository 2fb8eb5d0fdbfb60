"""Concepts: interests, conflict topics, gift categories and values, and how they relate to each other."""

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from graph import kinds
from resolvers import concepts as resolve
from resolvers import conflicts as conflict_resolvers
from resolvers import gifts as gift_resolvers
from resolvers import memories as memory_resolvers
from resolvers import recipients as recipient_resolvers
from resolvers.pages import Order, PageArgs
from schema.deletion import deleting
from schema.docs import described
from schema.lazy import (
    Conflict,
    ConflictOrder,
    Gift,
    GiftOrder,
    Memory,
    MemoryOrder,
    Recipient,
    RecipientOrder,
)
from schema.ordering import ordering
from schema.placed import Placed
from schema.relay import (
    Connection,
    Edge,
    Info,
    OwnedNode,
    connection,
    enum_values,
    listing,
    node_uid,
    paged,
    related,
    values_of,
)

# The API's names of the properties it names otherwise (graph/kinds.py).
_NAMES = {api: name for name, api in kinds.CONCEPT.api_names.items()}


@strawberry.enum(description="What a concept stands for.")
class ConceptKind(Enum):
    INTEREST = "interest"
    TOPIC = "topic"
    VALUE = "value"
    GIFT_CATEGORY = "gift_category"
    PLACE = strawberry.enum_value("place", description="A place: a city, a café, a trail.")
    SKILL = strawberry.enum_value("skill", description="A skill: guitar, negotiation, sourdough.")
    EMOTION = strawberry.enum_value("emotion", description="An emotion: joy, grief, anxiety.")
    OTHER = "other"


if TYPE_CHECKING:  # its members are the graph's concept links, read when the module loads: to mypy, an Enum
    ConceptLinkKind = Enum
else:
    ConceptLinkKind = strawberry.enum(
        Enum("ConceptLinkKind", {name: name for name in kinds.CONCEPT_LINKS}),
        description="How two concepts relate.",
    )
CONCEPT = {
    "id": "The concept to change.",
    "name": "Its name, 1 to 100 characters: one concept per name, whatever the case and spacing.",
    "kind": "What it stands for; an interest by default.",
    "description": "What it means to the viewer, up to 2,000 characters.",
    "created_at": "When it was made (UTC).",
}


@strawberry.type(description="An interest, topic, value or gift category: one per name per user.")
@described(CONCEPT)
class Concept(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    names = _NAMES
    id: relay.NodeID[str]
    name: str
    kind: ConceptKind
    description: str | None
    created_at: dt.datetime

    @paged("The concepts within `depth` links of this one, nearest first, then by name.")
    async def neighbors(
        self,
        info: Info,
        paging: PageArgs,
        depth: Annotated[int, strawberry.argument(description="How many links away at most: 1 to 4.")] = 1,
        kinds: Annotated[
            list[ConceptLinkKind] | None,
            strawberry.argument(description="Follow only links of these kinds; all by default."),
        ] = None,
    ) -> "ConceptNeighborConnection":
        where = {"uid": self.id, "depth": depth, "types": enum_values(kinds)}
        rows, count = await resolve.neighbors(info.context, where, resolve.NEAREST, paging)
        page = connection(rows, paging, Concept.from_row, count)
        edges = [
            ConceptNeighborEdge(cursor=edge.cursor, node=edge.node, distance=row.sort[0])
            for edge, row in zip(page.edges, rows.items, strict=True)
        ]
        return ConceptNeighborConnection(edges=edges, page_info=page.page_info, count=count)

    recipients = related(
        Recipient, RecipientOrder, recipient_resolvers.of_concept, "The people interested in it."
    )
    memories = related(Memory, MemoryOrder, memory_resolvers.of_concept, "The memories that mention it.")
    gifts = related(Gift, GiftOrder, gift_resolvers.of_concept, "The gifts tagged with it.")
    conflicts = related(Conflict, ConflictOrder, conflict_resolvers.of_concept, "The conflicts about it.")


@strawberry.type(description="A concept near another, and how many links away it is.")
class ConceptNeighborEdge(Edge[Concept]):
    distance: int = strawberry.field(description="How many links away: 1 to 4.")


@strawberry.type(description="One page of a concept's neighbors, nearest first.")
class ConceptNeighborConnection(Connection[Concept]):
    # A narrower edge than Connection's (with its distance); the list is never written through the base.
    edges: list[ConceptNeighborEdge] = strawberry.field(  # type: ignore[assignment]
        description="The neighbors of this page, with their distance and cursors."
    )


@strawberry.input(description="A concept of the viewer's: the one of that name is returned if it exists.")
@described(CONCEPT)
class ConceptInput:
    name: str
    kind: ConceptKind = ConceptKind.INTEREST
    description: str | None = None


@strawberry.input(
    description="Changes to a concept: only the fields given change; null clears the description."
)
@described(CONCEPT)
class UpdateConceptInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    kind: ConceptKind | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


@strawberry.input(description="Which concepts to list: all the conditions given hold.")
class ConceptFilter:
    kinds: list[ConceptKind] | None = strawberry.field(default=None, description="Only these kinds.")
    name_contains: str | None = strawberry.field(
        default=None, description="The name contains this text, ignoring case."
    )


@ordering(kinds.CONCEPT, "concepts")
class ConceptOrder: ...


def _where(given: ConceptFilter) -> dict[str, Any]:
    return {"kinds": enum_values(given.kinds), "name_contains": given.name_contains}


@strawberry.type
class ConceptQuery:
    concepts = listing(
        Concept,
        ConceptFilter,
        ConceptOrder,
        [Order("name")],
        _where,
        resolve.page,
        "The viewer's concepts: filtered, ordered (by name by default), a page at a time.",
    )


@strawberry.type
class ConceptMutation:
    @strawberry.mutation(description="The viewer's concept of this name: made if new, else the one there is.")
    async def create_concept(
        self, info: Info, input: Annotated[ConceptInput, strawberry.argument(description="The concept.")]
    ) -> Concept:
        row = await resolve.ensure(info.context, input.name, input.kind.value, input.description)
        return Concept.from_row(row)

    @strawberry.mutation(description="Renames or changes the kind of a concept; null clears the description.")
    async def update_concept(
        self,
        info: Info,
        input: Annotated[UpdateConceptInput, strawberry.argument(description="The changes.")],
    ) -> Concept:
        values = values_of(input, _NAMES, leave=("id",))
        return Concept.from_row(await resolve.update(info.context, node_uid(input.id, "Concept"), values))

    delete_concept = deleting("Concept", resolve.delete, "Deletes a concept and its links.", "The concept.")
