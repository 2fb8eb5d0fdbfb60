"""Personas for agents: what an agent is told of a person, for a task, at a detail level, built
by a versioned persona mapper from their mindscape, expiring after its TTL, and rated by the agent."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from generation.persona_mappers import Mapper
from graph import kinds
from resolvers import personas as resolve
from resolvers.pages import Order
from schema.deletion import deleting
from schema.docs import described
from schema.insights import Insight, InsightOrder
from schema.ordering import ordering
from schema.placed import Placed
from schema.recipients import Recipient
from schema.relay import (
    Info,
    OwnedNode,
    attach,
    listing,
    node_uid,
    optional_uid,
    related,
    related_one,
)


@strawberry.enum(description="How much of a person a persona tells.")
class PersonaDetail(Enum):
    _value_: str  # what strawberry.enum_value leaves as each member's value
    INSTANT = strawberry.enum_value("instant", description="The few surest things: quick to read.")
    BALANCED = strawberry.enum_value("balanced", description="Enough for most tasks.")
    DEEP_DIVE = strawberry.enum_value("deep_dive", description="Everything known, the surest first.")


PERSONA = {
    "name": "Whom it is of, and at which detail.",
    "detail": "How much of the person it tells.",
    "context": "The task it was asked for, as the agent said it; null for none.",
    "core": "What lasts of the person (JSON): identity (narrative, core beliefs, fundamental goals, "
    "personality profile), preferences, knowledge profile and response patterns.",
    "overlay": "What is changing now, and what the task's words touch (JSON): current focus, relevant to "
    "the context.",
    "mapper": "The persona mapper that built it.",
    "mapper_version": "The version of that mapper.",
    "mindscape_version": "The version of the person's mindscape it was built from.",
    "about_viewer": "Whether it is a persona of the viewer themselves.",
    "ttl_hours": "How many hours it is served for after it was built: 1 to 168.",
    "expires_at": "When it expires (UTC): from then on it is never served to an agent again.",
    "expired": "Whether it has expired.",
    "access_count": "How many times it was served.",
    "last_accessed_at": "When it was last served (UTC).",
    "feedback_ratings": "Every rating it got (1-5), oldest first.",
    "feedback_outcomes": "What came of each rated task, as told with the rating (empty when not told).",
    "feedback_count": "How many ratings it got.",
    "average_rating": "Its mean rating, 1-5; null before the first.",
    "created_at": "When it was built (UTC).",
    "updated_at": "When it was last changed (UTC): by a rating.",
}


@strawberry.type(
    description="A persona of a person for an agent: a core of what lasts and an overlay for a task, built "
    "from their mindscape by a versioned mapper, traceable to the insights it used, and temporary."
)
@described(PERSONA)
class Persona(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    name: str
    detail: PersonaDetail
    context: str | None
    core: JSON
    overlay: JSON
    mapper: str
    mapper_version: str
    mindscape_version: str
    about_viewer: bool
    ttl_hours: int
    expires_at: dt.datetime
    expired: bool
    access_count: int
    last_accessed_at: dt.datetime | None
    feedback_ratings: list[int]
    feedback_outcomes: list[str]
    feedback_count: int
    average_rating: float | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description='What built it, as "mapper@version".')
    def generator(self) -> str:
        return f"{self.mapper}@{self.mapper_version}"

    recipient = related_one(Recipient, resolve.about, "Whom it is of; null for the viewer themselves.")
    insights = related(Insight, InsightOrder, resolve.evidence, "The insights it was built from.")


@strawberry.type(description="The feedback on the viewer's personas one mapper version built.")
class MapperFeedback:
    personas: int = strawberry.field(description="How many personas it built.")
    ratings: int = strawberry.field(description="How many ratings they got.")
    rating_sum: int = strawberry.field(description="The sum of those ratings.")
    average_rating: float | None = strawberry.field(description="Their mean, 1-5; null before the first.")
    outcomes: int = strawberry.field(description="How many ratings told what came of the task.")


@strawberry.type(description="A version of a persona mapper: how personas are built from a mindscape.")
class PersonaMapper:
    name: str = strawberry.field(description="Its name.")
    version: str = strawberry.field(description="Its version (semantic: major.minor.patch).")
    purpose: str = strawberry.field(description="What it is for.")
    deprecated: bool = strawberry.field(
        description="Deprecated: it builds no new personas (MAPPER_DEPRECATED); those it built stay."
    )
    parent_version: str | None = strawberry.field(description="The version it was made from.")
    replaced_by: str | None = strawberry.field(description="The version to ask for instead, if deprecated.")
    feedback: MapperFeedback = strawberry.field(description="The feedback on the viewer's personas it built.")

    @classmethod
    def of(cls, mapper: Mapper, summed: dict[str, Any] | None) -> "PersonaMapper":
        row = summed or {"personas": 0, "ratings": 0, "rating_sum": 0, "outcomes": 0}
        average = row["rating_sum"] / row["ratings"] if row["ratings"] else None
        feedback = MapperFeedback(
            personas=row["personas"],
            ratings=row["ratings"],
            rating_sum=row["rating_sum"],
            average_rating=average,
            outcomes=row["outcomes"],
        )
        return cls(
            name=mapper.name,
            version=mapper.version,
            purpose=mapper.purpose,
            deprecated=mapper.status == "deprecated",
            parent_version=mapper.parent_version,
            replaced_by=mapper.replaced_by,
            feedback=feedback,
        )


@strawberry.input(description="Which personas to list: all the conditions given hold.")
class PersonaFilter:
    about_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those of this recipient."
    )
    about_viewer: bool | None = strawberry.field(
        default=None, description="Only those of the viewer (or not)."
    )
    expired: bool | None = strawberry.field(
        default=None, description="Only expired ones (or only live ones)."
    )


@ordering(kinds.PERSONA, "personas", {"created_at": "When it was built.", "expires_at": "When it expires."})
class PersonaOrder: ...


# The other ends of its relations reach personas too: those fields are declared here, with the kind.
attach(Recipient, "personas", related(Persona, PersonaOrder, resolve.of_recipient, "Personas of them."))
attach(Insight, "personas", related(Persona, PersonaOrder, resolve.of_insight, "Personas built from it."))


def _where(given: PersonaFilter) -> dict[str, Any]:
    return {
        "recipient": optional_uid(given.about_id, "Recipient", "aboutId"),
        "about_viewer": given.about_viewer,
        "expired": given.expired,
    }


@strawberry.type
class PersonaQuery:
    personas = listing(
        Persona,
        PersonaFilter,
        PersonaOrder,
        [Order("created_at", descending=True)],
        _where,
        resolve.page,
        "The viewer's personas, expired ones included (see `expired`), the newest first by default.",
    )

    @strawberry.field(
        description="Every persona mapper version, deprecated ones included, with the feedback on the "
        "viewer's personas each built."
    )
    async def persona_mappers(self, info: Info) -> list[PersonaMapper]:
        return [
            PersonaMapper.of(row["mapper"], row["feedback"]) for row in await resolve.mappers(info.context)
        ]


@strawberry.type
class PersonaMutation:
    @strawberry.mutation(
        description="A persona of a person for an agent's task, built or served again (a mutation: it "
        "may build one, and it counts each time one is served): one built for the same ask from their "
        "mindscape as it is now and not expired, or a new one (never an expired one). NOT_FOUND when `of` "
        "is none of the viewer's recipients. A deprecated mapper version is refused (MAPPER_DEPRECATED). "
        "An API key needs a scope that allows personas."
    )
    async def request_persona(
        self,
        info: Info,
        of: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="The recipient it is of; the viewer themselves when not given."),
        ] = None,
        context: Annotated[
            str | None, strawberry.argument(description="The agent's task, up to 2,000 characters.")
        ] = None,
        detail: Annotated[
            PersonaDetail, strawberry.argument(description="How much to tell.")
        ] = PersonaDetail.BALANCED,
        mapper: Annotated[
            str | None, strawberry.argument(description="The mapper to build it with; the default one.")
        ] = None,
        mapper_version: Annotated[
            str | None, strawberry.argument(description="Its version; its newest active one.")
        ] = None,
        ttl_hours: Annotated[
            int | None, strawberry.argument(description="Hours to serve a new one for, 1 to 168; 24.")
        ] = None,
    ) -> Persona:
        recipient = node_uid(of, "Recipient", "of") if of is not None else None
        row = await resolve.persona(
            info.context,
            recipient,
            detail=detail.value,
            task=context,
            mapper=mapper,
            version=mapper_version,
            ttl_hours=ttl_hours,
        )
        return Persona.from_row(row)

    @strawberry.mutation(
        description="Rates a persona (expired or not) after using it: 1 to 5, and what came of the task. "
        "Kept with the persona and summed per mapper version (personaMappers)."
    )
    async def rate_persona(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The persona.")],
        rating: Annotated[int, strawberry.argument(description="How well it served, 1 to 5.")],
        outcome: Annotated[
            str | None, strawberry.argument(description="What came of the task, up to 2,000 characters.")
        ] = None,
    ) -> Persona:
        return Persona.from_row(await resolve.rate(info.context, node_uid(id, "Persona"), rating, outcome))

    delete_persona = deleting("Persona", resolve.delete, "Deletes a persona.", "The persona.")
