"""Challenges: templates, versioned (draft, active, deprecated; a revision supersedes a version
without erasing it), the challenges the viewer takes on from them, optionally about one of their people
or cards, with progress and an end: completed once, earning a trophy (schema/artifacts.py), or
abandoned."""

import datetime as dt
from dataclasses import field
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay

from errors import BadUserInput
from graph import kinds
from graph.kinds import CHALLENGE_SUBJECTS
from resolvers import challenges as resolve
from resolvers.nodes import LABEL
from resolvers.pages import Order, PageArgs
from schema.concepts import Concept
from schema.deletion import deleting
from schema.docs import described
from schema.evidence import node_types
from schema.memories import Memory, kinds_named
from schema.nodes import ref_of
from schema.ordering import ordering
from schema.placed import Placed
from schema.recipients import Recipient
from schema.relay import (
    Info,
    OwnedNode,
    attach,
    from_node,
    listing,
    node_uid,
    related,
    related_one,
    values_of,
)
from schema.selection import reading


@strawberry.enum(description="Where a version of a challenge template stands.")
class ChallengeTemplateStatus(Enum):
    DRAFT = strawberry.enum_value("draft", description="Being written: it changes, and starts no challenge.")
    ACTIVE = strawberry.enum_value("active", description="Published: challenges are started from it.")
    DEPRECATED = strawberry.enum_value(
        "deprecated",
        description="Retired (or replaced by a newer version): it starts no new challenge "
        "(TEMPLATE_DEPRECATED); those started from it stay.",
    )


@strawberry.enum(description="How hard a challenge is.")
class ChallengeDifficulty(Enum):
    EASY = strawberry.enum_value("easy", description="Done in a sitting.")
    MEDIUM = strawberry.enum_value("medium", description="Takes some days.")
    HARD = strawberry.enum_value("hard", description="Takes a real effort, over weeks.")


@strawberry.enum(description="Where a challenge stands.")
class ChallengeStatus(Enum):
    ACTIVE = strawberry.enum_value("active", description="Taken on, not yet ended.")
    COMPLETED = strawberry.enum_value("completed", description="Done: it earned its trophy.")
    ABANDONED = strawberry.enum_value("abandoned", description="Given up.")


DIMENSION = "The key of one of the configured growth dimensions (KINDRED_GROWTH_DIMENSIONS)."
AMOUNT = "What completing the challenge credits it with: over 0, up to 1."


@strawberry.type(description="A growth dimension a challenge advances, and by how much.")
class ChallengeDimension:
    dimension: str = strawberry.field(description=DIMENSION)
    amount: float = strawberry.field(description=AMOUNT)


@strawberry.input(description="A growth dimension a challenge advances, and by how much.")
class ChallengeDimensionInput:
    dimension: str = strawberry.field(description=DIMENSION)
    amount: float = strawberry.field(description=AMOUNT)


TEMPLATE = {
    "id": "The template version.",
    "name": "What the challenge is called, 1 to 200 characters.",
    "description": "What it asks, up to 5,000 characters.",
    "difficulty": "How hard it is.",
    "dimensions": "The growth dimensions it advances, each once, with what completing it adds to each.",
    "steps": "Its steps, in order (up to 100, each up to 1,000 characters).",
    "target": "How many steps make it done, 1 to 1,000; the number of its steps (or 1) by default.",
    "version": "Its version: 1, and one more for each revision.",
    "status": "Where it stands; a new template or revision is active by default. A draft changes freely; "
    "a published version only moves on (active to deprecated).",
    "created_at": "When this version was made (UTC).",
    "updated_at": "When this version last changed (UTC).",
}


@strawberry.type(
    description="A version of a challenge template: what a challenge asks, the growth it brings."
)
@described(TEMPLATE)
class ChallengeTemplate(OwnedNode):
    load = staticmethod(resolve.templates_by_uids)
    kept: strawberry.Private[dict[str, Any]] = field(default_factory=dict)
    id: relay.NodeID[str]
    name: str
    description: str | None
    difficulty: ChallengeDifficulty | None
    steps: list[str]
    target: int
    version: int
    status: ChallengeTemplateStatus
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> Any:
        made = from_node(cls, row.node, cls.names)
        made.kept = row.node
        return made

    @strawberry.field(
        description=TEMPLATE["dimensions"], metadata=reading("dimension_keys", "dimension_amounts")
    )
    def dimensions(self) -> list[ChallengeDimension]:
        keys = self.kept.get("dimension_keys") or []
        amounts = self.kept.get("dimension_amounts") or []
        return [
            ChallengeDimension(dimension=key, amount=amount)
            for key, amount in zip(keys, amounts, strict=True)
        ]

    supersedes = related_one(
        Annotated["ChallengeTemplate", strawberry.lazy("schema.challenges")],
        resolve.supersedes,
        "The version this one revised; null for a first version.",
    )
    superseded_by = related_one(
        Annotated["ChallengeTemplate", strawberry.lazy("schema.challenges")],
        resolve.superseded_by,
        "The version that revised this one; null for the newest.",
    )


CHALLENGE = {
    "title": "What it is called: its template's name when it was started.",
    "status": "Where it stands.",
    "template_version": "The version of its template it was started from.",
    "target": "How many steps make it done (its template's target).",
    "steps_done": "How many steps are done, 0 to 1,000 (and never over its target).",
    "progress": "How far along it is, 0 to 1: its steps done over its target, or as it was set.",
    "started_at": "When it was taken on (UTC).",
    "due_at": "When it is meant to be done by (UTC); null for no date.",
    "completed_at": "When it was completed (UTC); null until then.",
    "abandoned_at": "When it was given up (UTC); null unless it was.",
    "created_at": "When it was made (UTC).",
}


@strawberry.type(description="A challenge the viewer took on, from a template, with its progress.")
@described(CHALLENGE)
class Challenge(OwnedNode, Placed):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    title: str
    status: ChallengeStatus
    template_version: int
    target: int
    steps_done: int
    progress: float
    started_at: dt.datetime
    due_at: dt.datetime | None
    completed_at: dt.datetime | None
    abandoned_at: dt.datetime | None
    created_at: dt.datetime

    template = related_one(ChallengeTemplate, resolve.template, "The template version it was started from.")

    @strawberry.field(
        description=f"Whom or what it is about: one of the viewer's {kinds_named(CHALLENGE_SUBJECTS)} nodes; "
        "null for the viewer themselves.",
        metadata=reading(),
    )
    async def about(self, info: Info) -> relay.Node | None:
        return await subject(info, resolve.about, self.id)


async def subject(info: Info, load: Any, uid: str) -> Any:
    """The one node of several kinds a relation reaches (what a challenge or a trophy is about), as its
    type, or None (none, or a kind the request's API key does not read)."""
    rows, _ = await load(info.context, uid, [Order("created_at")], PageArgs(first=1))
    if not rows.items or not info.context.scope.allows(rows.items[0].node[LABEL]):
        return None
    row = rows.items[0]
    return node_types()[row.node[LABEL]].from_row(row)


@strawberry.input(description="A new challenge template, its first version.")
@described(TEMPLATE)
class CreateChallengeTemplateInput:
    name: str
    dimensions: list[ChallengeDimensionInput]
    description: str | None = None
    difficulty: ChallengeDifficulty | None = None
    steps: list[str] | None = None
    target: int | None = None
    status: ChallengeTemplateStatus | None = None


@strawberry.input(description="Changes to a template version: a draft's fields, or a version's status.")
@described(TEMPLATE)
class UpdateChallengeTemplateInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    difficulty: ChallengeDifficulty | None = strawberry.UNSET
    dimensions: list[ChallengeDimensionInput] | None = strawberry.UNSET
    steps: list[str] | None = strawberry.UNSET
    target: int | None = strawberry.UNSET
    status: ChallengeTemplateStatus | None = strawberry.UNSET


@strawberry.input(
    description="A new version of a template: what changes; the rest as the version it revises."
)
@described(TEMPLATE)
class ReviseChallengeTemplateInput:
    id: relay.GlobalID
    name: str | None = None
    description: str | None = None
    difficulty: ChallengeDifficulty | None = None
    dimensions: list[ChallengeDimensionInput] | None = None
    steps: list[str] | None = None
    target: int | None = None
    status: ChallengeTemplateStatus | None = None


@strawberry.input(description="A challenge to take on.")
class StartChallengeInput:
    template_id: relay.GlobalID = strawberry.field(description="The template version, active, to start from.")
    about_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=f"Whom or what it is about: one of the viewer's {kinds_named(CHALLENGE_SUBJECTS)} nodes.",
    )
    due_at: dt.datetime | None = strawberry.field(
        default=None, description="When it is meant to be done by; give a time zone."
    )


@strawberry.input(
    description="How far along a challenge is: its steps done, or a share 0 to 1 (one of them)."
)
class RecordChallengeProgressInput:
    id: relay.GlobalID = strawberry.field(description="The challenge, active.")
    steps_done: int | None = strawberry.field(
        default=None, description="How many steps are done, 0 to 1,000 (and never over its target)."
    )
    progress: float | None = strawberry.field(default=None, description="How far along it is, 0 to 1.")


@strawberry.input(description="Which template versions to list: all the conditions given hold.")
class ChallengeTemplateFilter:
    statuses: list[ChallengeTemplateStatus] | None = strawberry.field(
        default=None, description="Only these statuses."
    )
    current: bool | None = strawberry.field(
        default=None, description="Only the newest version of each template (true), or only older ones."
    )


@ordering(
    kinds.CHALLENGE_TEMPLATE,
    "template versions",
    {"name": "Its name.", "version": "Its version.", "created_at": "When it was made."},
)
class ChallengeTemplateOrder: ...


@strawberry.input(description="Which challenges to list: all the conditions given hold.")
class ChallengeFilter:
    statuses: list[ChallengeStatus] | None = strawberry.field(
        default=None, description="Only these statuses."
    )
    template_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only those started from this template version."
    )
    about_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only those about this person or card."
    )


@ordering(
    kinds.CHALLENGE,
    "challenges",
    {
        "started_at": "When it was taken on.",
        "progress": "How far along it is.",
        "created_at": "When it was made.",
    },
)
class ChallengeOrder: ...


attach(
    ChallengeTemplate,
    "challenges",
    related(Challenge, ChallengeOrder, resolve.of_template, "The challenges started from this version."),
)
for _node, _label in ((Recipient, "Recipient"), (Concept, "Concept"), (Memory, "Memory")):
    attach(
        _node,
        "challenges",
        related(Challenge, ChallengeOrder, resolve.about_each[_label], "The challenges about it."),
    )


def _dimensions(given: list[ChallengeDimensionInput] | None) -> list[tuple[str, float]] | None:
    return None if given is None else [(d.dimension, d.amount) for d in given]


def _template_where(given: ChallengeTemplateFilter) -> dict[str, Any]:
    return {"statuses": [s.value for s in given.statuses or ()], "current": given.current}


def _where(given: ChallengeFilter) -> dict[str, Any]:
    return {
        "statuses": [s.value for s in given.statuses or ()],
        "template": node_uid(given.template_id, "ChallengeTemplate", "templateId")
        if given.template_id
        else None,
        "about": ref_of(given.about_id, "aboutId") if given.about_id else None,
    }


@strawberry.type
class ChallengeQuery:
    challenge_templates = listing(
        ChallengeTemplate,
        ChallengeTemplateFilter,
        ChallengeTemplateOrder,
        [Order("name"), Order("version", descending=True)],
        _template_where,
        resolve.templates,
        "The viewer's challenge templates, every version (see `current`), by name and the newest first.",
    )
    challenges = listing(
        Challenge,
        ChallengeFilter,
        ChallengeOrder,
        [Order("started_at", descending=True)],
        _where,
        resolve.page,
        "The challenges the viewer took on, the latest first by default.",
    )


@strawberry.type
class ChallengeMutation:
    @strawberry.mutation(description="Writes a challenge template, its first version.")
    async def create_challenge_template(
        self,
        info: Info,
        input: Annotated[CreateChallengeTemplateInput, strawberry.argument(description="The template.")],
    ) -> ChallengeTemplate:
        values = values_of(input, leave=("dimensions",))
        row = await resolve.create_template(info.context, values, _dimensions(input.dimensions) or [])
        return ChallengeTemplate.from_row(row)

    @strawberry.mutation(
        description="Changes a draft version of a template, or moves a version's status on (publishing a "
        "revision deprecates the version it revised); null clears a field."
    )
    async def update_challenge_template(
        self,
        info: Info,
        input: Annotated[UpdateChallengeTemplateInput, strawberry.argument(description="The changes.")],
    ) -> ChallengeTemplate:
        values = values_of(input, leave=("id", "dimensions"))
        uid = node_uid(input.id, "ChallengeTemplate")
        dimensions = None if input.dimensions is strawberry.UNSET else _dimensions(input.dimensions)
        if input.dimensions is None:
            raise BadUserInput("dimensions cannot be cleared: give at least one.", field="dimensions")
        return ChallengeTemplate.from_row(
            await resolve.update_template(info.context, uid, values, dimensions)
        )

    @strawberry.mutation(
        description="A new version of a template (its newest): what is given, the rest as it was. An "
        "active revision deprecates the version it revises, which stays, with the challenges started from it."
    )
    async def revise_challenge_template(
        self,
        info: Info,
        input: Annotated[ReviseChallengeTemplateInput, strawberry.argument(description="The revision.")],
    ) -> ChallengeTemplate:
        values = values_of(input, leave=("id", "dimensions"))
        uid = node_uid(input.id, "ChallengeTemplate")
        row = await resolve.revise_template(info.context, uid, values, _dimensions(input.dimensions))
        return ChallengeTemplate.from_row(row)

    @strawberry.mutation(
        description="Takes on a challenge from an active template version. A deprecated version is refused "
        "(TEMPLATE_DEPRECATED, naming its newest version as replacedByVersion), a draft too (BAD_USER_INPUT)."
    )
    async def start_challenge(
        self,
        info: Info,
        input: Annotated[StartChallengeInput, strawberry.argument(description="The challenge.")],
    ) -> Challenge:
        template = node_uid(input.template_id, "ChallengeTemplate", "templateId")
        about = ref_of(input.about_id, "aboutId") if input.about_id is not None else None
        return Challenge.from_row(await resolve.start(info.context, template, about, input.due_at))

    @strawberry.mutation(description="Records how far along an active challenge is.")
    async def record_challenge_progress(
        self,
        info: Info,
        input: Annotated[RecordChallengeProgressInput, strawberry.argument(description="Its progress.")],
    ) -> Challenge:
        uid = node_uid(input.id, "Challenge")
        row = await resolve.progress(info.context, uid, input.steps_done, input.progress)
        return Challenge.from_row(row)

    @strawberry.mutation(
        description="Completes an active challenge, once: it earns its trophy (an Artifact, its "
        "`trophy`) and credits its template's growth dimensions. A second time is refused "
        "(ALREADY_COMPLETED)."
    )
    async def complete_challenge(
        self, info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The challenge.")]
    ) -> Challenge:
        return Challenge.from_row(await resolve.complete(info.context, node_uid(id, "Challenge")))

    @strawberry.mutation(description="Gives up an active challenge.")
    async def abandon_challenge(
        self, info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The challenge.")]
    ) -> Challenge:
        return Challenge.from_row(await resolve.abandon(info.context, node_uid(id, "Challenge")))

    delete_challenge = deleting(
        "Challenge", resolve.delete, "Deletes a challenge, and the trophy it earned.", "The challenge."
    )
