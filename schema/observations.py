"""Observations: raw input as it was seen (a chat log, a document, an interview, an assessment, what the
viewer noted), from which source and when, whom it is about; immutable, and reviewed once."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph import kinds
from resolvers import documents as document_resolvers
from resolvers import observations as resolve
from resolvers.pages import Order
from schema.deletion import deleting
from schema.docs import described
from schema.documents import Document, DocumentOrder
from schema.events import Actor
from schema.ordering import ordering
from schema.placed import Placed
from schema.recipients import Recipient
from schema.relay import (
    Info,
    OwnedNode,
    attach,
    enum_values,
    listing,
    node_uid,
    optional_uid,
    related,
    related_one,
    values_of,
)
from schema.selection import reading


@strawberry.enum(description="Where an observation came from.")
class ObservationSource(Enum):
    CHAT_LOG = strawberry.enum_value("chat_log", description="A conversation: a chat, a message thread.")
    DOCUMENT = strawberry.enum_value("document", description="A document: a letter, a note, a PDF.")
    INTERVIEW = strawberry.enum_value("interview", description="An interview with the person.")
    ASSESSMENT = strawberry.enum_value("assessment", description="An assessment (MBTI, DISC, ...).")
    MANUAL = strawberry.enum_value("manual", description="Noted by the viewer themselves.")
    IMPORT = strawberry.enum_value("import", description="Imported from another system or an API.")
    OTHER = strawberry.enum_value("other", description="Anything else: say what in sourceDetail.")


@strawberry.enum(description="Where an observation's review stands.")
class ObservationStatus(Enum):
    PENDING = strawberry.enum_value("pending", description="Not reviewed yet.")
    APPROVED = strawberry.enum_value("approved", description="Accepted as evidence.")
    REJECTED = strawberry.enum_value("rejected", description="Not accepted: see reviewReason.")


@strawberry.enum(description="What a review decides.")
class ReviewDecision(Enum):
    _value_: str  # what strawberry.enum_value leaves as each member's value
    APPROVE = strawberry.enum_value("approved", description="Accept it as evidence.")
    REJECT = strawberry.enum_value("rejected", description="Do not accept it.")


OBSERVATION = {
    "content": "What was seen, as it was: 1 to 20,000 characters.",
    "source": "Where it came from.",
    "source_detail": 'Where exactly (a channel, a file, an assessment: "slack #family"), up to 200 '
    "characters.",
    "observed_at": "When it was seen. Give a time zone; it is kept in UTC. Now, by default.",
    "status": "Where its review stands: pending until approved or rejected, once.",
    "reviewed_at": "When its review was decided (UTC); null while pending.",
    "review_reason": "Why it was approved or rejected, as the reviewer said; null if they did not.",
    "created_at": "When it was recorded (UTC).",
    "updated_at": "When it was last changed (UTC): by its review, never otherwise.",
    "about_id": "Whom it is about: the id of one of the viewer's recipients.",
}


@strawberry.type(
    description="Raw input as it was seen, from a source, at a time: immutable once written; reviewed once."
)
@described(OBSERVATION)
class Observation(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    content: str
    source: ObservationSource
    source_detail: str | None
    observed_at: dt.datetime
    status: ObservationStatus
    reviewed_at: dt.datetime | None
    review_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(
        description="Who decided its review: the session or API key of the request that did (the viewer's "
        "own); null while pending.",
        metadata=reading("reviewed_by"),
    )
    def reviewed_by(self) -> Actor | None:
        return Actor.of(self.kept.get("reviewed_by"))

    about = related_one(Recipient, resolve.about, "Whom it is about, if anyone.")
    documents = related(
        Document, DocumentOrder, document_resolvers.of_observation, "Its documents (the source as it was)."
    )


@strawberry.input(description="A new observation: written once, never changed after (only reviewed).")
@described(OBSERVATION)
class CreateObservationInput:
    content: str
    source: ObservationSource
    source_detail: str | None = None
    observed_at: dt.datetime | None = None
    about_id: relay.GlobalID | None = None


@strawberry.input(description="Which observations to list: all the conditions given hold.")
class ObservationFilter:
    statuses: list[ObservationStatus] | None = strawberry.field(
        default=None, description="Only these review statuses."
    )
    sources: list[ObservationSource] | None = strawberry.field(
        default=None, description="Only these sources."
    )
    about_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those about this recipient."
    )
    since: dt.datetime | None = strawberry.field(default=None, description="Seen at or after this time.")
    until: dt.datetime | None = strawberry.field(default=None, description="Seen at or before this time.")


@ordering(
    kinds.OBSERVATION,
    "observations",
    {"observed_at": "When it was seen.", "created_at": "When it was recorded."},
)
class ObservationOrder: ...


# The other end of its relation reaches observations too: that field is declared here, with the kind.
attach(
    Recipient,
    "observations",
    related(Observation, ObservationOrder, resolve.of_recipient, "What was observed about them."),
)


def _where(given: ObservationFilter) -> dict[str, Any]:
    return {
        "statuses": enum_values(given.statuses),
        "sources": enum_values(given.sources),
        "recipient": optional_uid(given.about_id, "Recipient", "aboutId"),
        "since": given.since,
        "until": given.until,
    }


@strawberry.type
class ObservationQuery:
    observations = listing(
        Observation,
        ObservationFilter,
        ObservationOrder,
        [Order("observed_at", descending=True)],
        _where,
        resolve.page,
        "The viewer's observations, the latest seen first by default.",
    )


@strawberry.type
class ObservationMutation:
    @strawberry.mutation(
        description="Records an observation, pending its review. It is never changed after: record a new "
        "one instead."
    )
    async def create_observation(
        self,
        info: Info,
        input: Annotated[CreateObservationInput, strawberry.argument(description="The observation.")],
    ) -> Observation:
        values = values_of(input, leave=("about_id",))
        values["observed_at"] = values.get("observed_at") or dt.datetime.now(dt.UTC)
        about = optional_uid(input.about_id, "Recipient", "aboutId")
        return Observation.from_row(await resolve.create(info.context, values, about))

    @strawberry.mutation(
        description="Approves or rejects a pending observation, with a reason, as the session or API key "
        "of this request. A review is final: a decided observation refuses another (ALREADY_DECIDED)."
    )
    async def review_observation(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The observation.")],
        decision: Annotated[ReviewDecision, strawberry.argument(description="Approve or reject it.")],
        reason: Annotated[str | None, strawberry.argument(description="Why, up to 2,000 characters.")] = None,
    ) -> Observation:
        uid = node_uid(id, "Observation")
        return Observation.from_row(await resolve.review(info.context, uid, decision.value, reason))

    delete_observation = deleting(
        "Observation",
        resolve.delete,
        "Deletes an observation and its attached documents (what was derived from it stays).",
        "The observation.",
    )
