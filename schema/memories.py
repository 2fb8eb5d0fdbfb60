"""Memories: episodic, semantic, procedural, emotional, identity and short-term."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph import kinds
from graph.kinds import EVIDENCE, REFERABLE
from resolvers import concepts as concept_resolvers
from resolvers import documents as document_resolvers
from resolvers import memories as resolve
from resolvers import recipients as recipient_resolvers
from resolvers.pages import Order
from schema.deletion import deleting
from schema.docs import described
from schema.lazy import Concept, ConceptOrder, Document, DocumentOrder, Recipient, RecipientOrder
from schema.mentions import mentions_of
from schema.nodes import refs_of
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
    uids,
    values_of,
)
from schema.selection import reading


@strawberry.enum(description="What kind of memory it is.")
class MemoryKind(Enum):
    EPISODIC = strawberry.enum_value("episodic", description="Something that happened.")
    SEMANTIC = strawberry.enum_value("semantic", description="Something known.")
    PROCEDURAL = strawberry.enum_value("procedural", description="How to do something.")
    EMOTIONAL = strawberry.enum_value("emotional", description="How something felt.")
    IDENTITY = strawberry.enum_value("identity", description="Who someone is.")
    SHORT_TERM = strawberry.enum_value(
        "short_term", description="For now: it expires (after 24 hours by default)."
    )
    REFLECTION = strawberry.enum_value(
        "reflection",
        description="What the viewer made of something: its sentiment is its valence, what it is about its "
        "refersTo (any of their nodes).",
    )
    NOTE = strawberry.enum_value(
        "note",
        description="An annotation: a short note (up to 2,000 characters) on exactly one node, its refersTo.",
    )


@strawberry.enum(description="Where a memory stands with the viewer.")
class MemoryStatus(Enum):
    PROPOSED = strawberry.enum_value(
        "proposed",
        description="Drawn by an extractor from what was written; not confirmed yet.",
    )
    CONFIRMED = strawberry.enum_value("confirmed", description="Written or confirmed by the viewer.")
    REJECTED = strawberry.enum_value(
        "rejected",
        description="The viewer says it is no memory of theirs: never proposed again from the same evidence.",
    )


def kinds_named(labels: tuple[str, ...]) -> str:
    """The kinds a relation reaches, as a sentence names them (from graph/kinds.py's declarations)."""
    return ", ".join(labels[:-1]) + f" or {labels[-1]}" if len(labels) > 1 else labels[0]


MEMORY = {
    "id": "The memory to change.",
    "kind": "What kind of memory it is.",
    "content": "What is remembered, 1 to 20,000 characters.",
    "happened_at": "When it happened. Give a time zone (2026-05-01T18:00:00+02:00); it is kept in UTC.",
    "place": "Where it happened, up to 200 characters.",
    "valence": "How it felt, -1 (unpleasant) to 1 (pleasant).",
    "arousal": "How intense it was, 0 (calm) to 1 (intense).",
    "importance": "How much it matters, 0 to 1.",
    "tags": "Free labels (up to 50, each up to 100 characters).",
    "expires_at": "When a short-term memory goes (UTC); null for the others.",
    "emotion": "An emotional memory's named emotion (joy, grief, anxiety, ...), up to 100 characters.",
    "intensity": "An emotional memory's strength of that emotion, 0 (faint) to 1 (overwhelming).",
    "trigger": "What set off an emotional memory's emotion, up to 2,000 characters.",
    "coping": "How an emotional memory's emotion was coped with, up to 2,000 characters.",
    "steps": "A procedural memory's steps, in order (up to 100, each up to 1,000 characters).",
    "success_rate": "How often a procedural memory's way of doing it works, 0 (never) to 1 (always).",
    "skill": "The skill a procedural memory is of (guitar, negotiation, ...), up to 100 characters.",
    "proficiency": "A procedural memory's proficiency at its skill, 0 (novice) to 1 (master): each change "
    "is kept in its skillHistory.",
    "confidence": "A semantic or identity memory's certainty, 0 (a guess) to 1 (certain).",
    "source": "Where a semantic or identity memory's knowledge came from, up to 500 characters.",
    "derived_from_ids": "What it is derived from, its evidence: ids of the viewer's "
    f"{kinds_named(EVIDENCE)} nodes. In an update, the whole new set (an empty list removes them all; "
    "null keeps them).",
    "refers_to_ids": f"What else it refers to: ids of the viewer's {kinds_named(REFERABLE)} nodes. In "
    "an update, the whole new set (as derivedFromIds).",
    "created_at": "When it was recorded (UTC).",
    "effective_importance": "Its importance as it decays now: halved every 30 days since it was last "
    "changed, four times slower for what is meant to last (importance 0.8 or more, identity memories), and "
    "slower for each insight drawn from it (each time it was recalled); 0.5 when no importance was "
    "given.",
    "faded_at": "When the daily consolidation found its effective importance under 0.05 (it stays, listed "
    "and searched; a client may dim it); null while it has not faded.",
    "merged_at": "When the daily consolidation found it a near-duplicate of another memory of the same "
    "moment (the same people, within a few days, nearly the same words) and folded it into that one "
    "(mergedIntoId): it stays as it was, listed and searched; a client may leave it out. Null while it is "
    "not merged.",
    "recipient_ids": "Who it involves: ids of the viewer's recipients.",
    "status": "Where it stands with the viewer: one they write is confirmed; one an extractor proposed from "
    "a conversation, an observation or a document is proposed until they confirm or reject it by setting "
    "this. Lists, relations, search and the view show confirmed ones unless a filter asks for others.",
    "extractor": "Which extractor proposed it (deterministic, or openai:<model>); null when the viewer "
    "wrote it.",
    "concepts": "What it mentions, by name (up to 50): concepts, made where new.",
    "ttl_hours": "For a short-term memory: how many hours it lasts (0.01 to 720); 24 by default.",
}


@strawberry.type(description="Something the viewer remembers.")
@described(MEMORY)
class Memory(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    kind: MemoryKind
    content: str
    happened_at: dt.datetime | None
    place: str | None
    valence: float | None
    arousal: float | None
    importance: float | None
    tags: list[str]
    expires_at: dt.datetime | None
    emotion: str | None
    intensity: float | None
    trigger: str | None
    coping: str | None
    steps: list[str] | None
    success_rate: float | None
    skill: str | None
    proficiency: float | None
    confidence: float | None
    source: str | None
    created_at: dt.datetime
    effective_importance: float | None
    faded_at: dt.datetime | None
    merged_at: dt.datetime | None
    status: MemoryStatus
    extractor: str | None

    @strawberry.field(
        description="The memory this near-duplicate was folded into by the daily consolidation (see "
        "mergedAt); null while it is not merged, or when that memory is not one the viewer may read.",
        metadata=reading("merged_into_seen"),
    )
    def merged_into_id(self) -> relay.GlobalID | None:
        uid = self.kept.get("merged_into_seen")
        return relay.GlobalID("Memory", uid) if uid else None

    @strawberry.field(
        description="The near-duplicates of this memory the daily consolidation folded into it, oldest "
        "merge first: each stays, with its own words, people and evidence (empty when none). Only those "
        "the viewer may read are named (a partner reading a shared memory sees none its author kept).",
        metadata=reading("merged_from_seen"),
    )
    def merged_from_ids(self) -> list[relay.GlobalID]:
        return [relay.GlobalID("Memory", uid) for uid in self.kept.get("merged_from_seen") or []]

    @strawberry.field(
        description="A procedural memory's proficiency over time: each level it was given, with when, "
        "oldest first (empty for a memory with no proficiency).",
        metadata=reading("proficiency_levels", "proficiency_dates"),
    )
    def skill_history(
        self,
        since: Annotated[
            dt.datetime | None, strawberry.argument(description="Only the levels set at or after this time.")
        ] = None,
    ) -> list["SkillLevel"]:
        levels = self.kept.get("proficiency_levels") or []
        dates = self.kept.get("proficiency_dates") or []
        history = [
            SkillLevel(proficiency=level, at=_EPOCH + dt.timedelta(microseconds=micros))
            for level, micros in zip(levels, dates, strict=True)
        ]
        return [entry for entry in history if since is None or entry.at >= since]

    recipients = related(Recipient, RecipientOrder, recipient_resolvers.of_memory, "The people it involves.")
    concepts = related(Concept, ConceptOrder, concept_resolvers.of_memory, "The concepts it mentions.")
    documents = related(Document, DocumentOrder, document_resolvers.of_memory, "Its documents (photos).")
    mentions = mentions_of("Memory")


@strawberry.type(description="A proficiency a procedural memory had at its skill, and when it was set.")
class SkillLevel:
    proficiency: float = strawberry.field(description="0 (novice) to 1 (master).")
    at: dt.datetime = strawberry.field(description="When it was set (UTC).")


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@strawberry.input(description="A new memory, with who it involves and what it mentions.")
@described(MEMORY)
class CreateMemoryInput:
    kind: MemoryKind
    content: str
    happened_at: dt.datetime | None = None
    place: str | None = None
    valence: float | None = None
    arousal: float | None = None
    importance: float | None = None
    tags: list[str] | None = None
    emotion: str | None = None
    intensity: float | None = None
    trigger: str | None = None
    coping: str | None = None
    steps: list[str] | None = None
    success_rate: float | None = None
    skill: str | None = None
    proficiency: float | None = None
    confidence: float | None = None
    source: str | None = None
    status: MemoryStatus | None = strawberry.field(
        default=None,
        description="CONFIRMED (the default): the viewer's own; PROPOSED: one an agent suggests for the "
        "viewer to confirm or reject (left out of lists until then).",
    )
    recipient_ids: list[relay.GlobalID] | None = None
    concepts: list[str] | None = None
    ttl_hours: float | None = None
    derived_from_ids: list[strawberry.ID] | None = None
    refers_to_ids: list[strawberry.ID] | None = None


@strawberry.input(description="Changes to a memory: only the fields given change; null clears one.")
@described(MEMORY)
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
    emotion: str | None = strawberry.UNSET
    intensity: float | None = strawberry.UNSET
    trigger: str | None = strawberry.UNSET
    coping: str | None = strawberry.UNSET
    steps: list[str] | None = strawberry.UNSET
    success_rate: float | None = strawberry.UNSET
    skill: str | None = strawberry.UNSET
    proficiency: float | None = strawberry.UNSET
    confidence: float | None = strawberry.UNSET
    source: str | None = strawberry.UNSET
    status: MemoryStatus | None = strawberry.UNSET
    derived_from_ids: list[strawberry.ID] | None = strawberry.UNSET
    refers_to_ids: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input(description="Which memories to list: all the conditions given hold.")
class MemoryFilter:
    kinds: list[MemoryKind] | None = strawberry.field(default=None, description="Only these kinds.")
    since: dt.datetime | None = strawberry.field(default=None, description="Happened at or after this time.")
    until: dt.datetime | None = strawberry.field(default=None, description="Happened at or before this time.")
    recipient_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those involving this recipient."
    )
    concept: str | None = strawberry.field(
        default=None, description="Only those mentioning this concept, by name."
    )
    tag: str | None = strawberry.field(default=None, description="Only those with this tag.")
    skill: str | None = strawberry.field(
        default=None, description="Only the procedural memories of this skill (whatever its case)."
    )
    statuses: list[MemoryStatus] | None = strawberry.field(
        default=None,
        description="Only these statuses; by default only confirmed ones (those the viewer wrote or "
        "confirmed): ask for PROPOSED to review what an extractor proposed.",
    )
    merged: bool | None = strawberry.field(
        default=None,
        description="true: only the near-duplicates the daily consolidation folded into another memory; "
        "false: leave them out (each moment once); null (the default): both.",
    )


@ordering(kinds.MEMORY, "memories", {"happened_at": "When it happened (or was recorded)."})
class MemoryOrder: ...


def _where(given: MemoryFilter) -> dict[str, Any]:
    return {
        "kinds": enum_values(given.kinds),
        "since": given.since,
        "until": given.until,
        "recipient": optional_uid(given.recipient_id, "Recipient", "recipientId"),
        "concept": given.concept,
        "tag": given.tag,
        "skill": given.skill,
        "statuses": [status.value for status in given.statuses or ()],
        "merged": given.merged,
    }


@strawberry.type
class MemoryQuery:
    memories = listing(
        Memory,
        MemoryFilter,
        MemoryOrder,
        [Order("happened_at", descending=True)],
        _where,
        resolve.page,
        "The viewer's memories, the latest first by default (expired short-term ones are gone).",
    )


@strawberry.type
class MemoryMutation:
    @strawberry.mutation(description="Remembers something, with who it involves and what it mentions.")
    async def create_memory(
        self, info: Info, input: Annotated[CreateMemoryInput, strawberry.argument(description="The memory.")]
    ) -> Memory:
        values = values_of(
            input, leave=("recipient_ids", "concepts", "ttl_hours", "derived_from_ids", "refers_to_ids")
        )
        values["tags"] = values.get("tags") or []
        recipients = uids(input.recipient_ids, "Recipient", "recipientIds")
        row = await resolve.create(
            info.context,
            values,
            recipients,
            list(input.concepts or ()),
            input.ttl_hours,
            refs_of(input.derived_from_ids, "derivedFromIds"),
            refs_of(input.refers_to_ids, "refersToIds"),
        )
        return Memory.from_row(row)

    @strawberry.mutation(description="Changes what is given of a memory; null clears a field.")
    async def update_memory(
        self, info: Info, input: Annotated[UpdateMemoryInput, strawberry.argument(description="The changes.")]
    ) -> Memory:
        values = values_of(input, leave=("id", "derived_from_ids", "refers_to_ids"))
        uid = node_uid(input.id, "Memory")
        evidence = refs_of(input.derived_from_ids, "derivedFromIds")
        refers = refs_of(input.refers_to_ids, "refersToIds")
        return Memory.from_row(await resolve.update(info.context, uid, values, evidence, refers))

    delete_memory = deleting("Memory", resolve.delete, "Forgets a memory.", "The memory.")
