"""A person's mindscape (what an agent reads to know someone): what the viewer's graph knows of one of
their recipients, or of the viewer themselves, laid out in layers (traits, goals, beliefs, knowledge,
preferences, patterns).
A query over insights (schema/insights.py), never a copy: confirming, rejecting or changing an insight
changes the mindscape it belongs to at once."""

import datetime as dt
from typing import Annotated

import strawberry
from strawberry import relay

from graph.mindscape import Layer
from graph.pages import Row
from resolvers import mindscape as resolve
from schema.insights import Insight, InsightCategory
from schema.recipients import Recipient
from schema.relay import Info, node_uid

# Each layer of the mindscape and the category of the insights it holds.
LAYERS = {
    "traits": "trait",
    "goals": "goal",
    "beliefs": "belief",
    "knowledge": "fact",
    "preferences": "preference",
    "patterns": "pattern",
}


@strawberry.type(
    description="One item of a mindscape: an insight, with its layer, confidence and last change at hand."
)
class MindscapeItem:
    insight: Insight = strawberry.field(
        description="The insight itself: its statement, structured value, status and volatility, and its "
        "evidence: where it was learned."
    )
    category: InsightCategory = strawberry.field(
        description="Its layer, as the insight's category (FACT is the knowledge layer)."
    )
    confidence: float = strawberry.field(description="How sure it is, 0 (a guess) to 1 (certain).")
    updated_at: dt.datetime = strawberry.field(description="When it last changed (UTC).")

    @classmethod
    def of(cls, row: Row) -> "MindscapeItem":
        insight = Insight.from_row(row)
        return cls(
            insight=insight,
            category=insight.category,
            confidence=insight.confidence,
            updated_at=insight.updated_at,
        )


@strawberry.type(description="How many insights each layer of a mindscape holds, in all.")
class MindscapeCounts:
    traits: int = strawberry.field(description="Traits.")
    goals: int = strawberry.field(description="Goals.")
    beliefs: int = strawberry.field(description="Beliefs.")
    knowledge: int = strawberry.field(description="Facts: the knowledge layer.")
    preferences: int = strawberry.field(description="Preferences.")
    patterns: int = strawberry.field(description="Patterns.")
    total: int = strawberry.field(description="Every layer's together.")


@strawberry.type(
    description="What the viewer's graph knows of a person, in layers: their traits, goals, beliefs, "
    "knowledge (facts about them), preferences and patterns. Each layer lists the insights of one "
    "category about the person, the surest first (by confidence, then the latest changed); proposed "
    "and confirmed ones, never rejected or outdated ones."
)
class Mindscape:
    recipient: Recipient | None = strawberry.field(
        description="Whose it is: the recipient, or null for the viewer's own."
    )
    traits: list[MindscapeItem] = strawberry.field(
        description="Who they are, lasting qualities (the trait matrix): TRAIT insights."
    )
    goals: list[MindscapeItem] = strawberry.field(description="What they want to reach: GOAL insights.")
    beliefs: list[MindscapeItem] = strawberry.field(description="What they hold true: BELIEF insights.")
    knowledge: list[MindscapeItem] = strawberry.field(
        description="What is true of them (the knowledge store's facts): FACT insights."
    )
    preferences: list[MindscapeItem] = strawberry.field(
        description="What they like or dislike: PREFERENCE insights."
    )
    patterns: list[MindscapeItem] = strawberry.field(
        description="What they do again and again: PATTERN insights."
    )
    counts: MindscapeCounts = strawberry.field(
        description="How many insights each layer holds in all (a layer lists at most `perLayer`)."
    )
    updated_at: dt.datetime | None = strawberry.field(
        description="When its latest insight changed (UTC); null when it holds none."
    )
    version: str = strawberry.field(
        description="Changes whenever what it answers does (an insight added, changed, or gone from it): "
        "compare it with the one you hold to know whether to read it again. Opaque, not a counter."
    )

    @classmethod
    def of(cls, read: resolve.Mindscape) -> "Mindscape":
        found = read.found
        layers = {name: found.layers.get(category, Layer(0, [])) for name, category in LAYERS.items()}
        counts = {name: layer.count for name, layer in layers.items()}
        return cls(
            recipient=Recipient.from_row(found.person) if found.person is not None else None,
            counts=MindscapeCounts(**counts, total=sum(counts.values())),
            updated_at=found.updated_at,
            version=read.version,
            **{name: [MindscapeItem.of(row) for row in layer.items] for name, layer in layers.items()},
        )


@strawberry.type
class MindscapeQuery:
    @strawberry.field(
        description="A person's mindscape: what the viewer's graph knows of one of their recipients (or "
        "of the viewer themselves), read from the insights about them; null when `of` is none of the "
        "viewer's recipients."
    )
    async def mindscape(
        self,
        info: Info,
        of: Annotated[
            relay.GlobalID | None,
            strawberry.argument(
                description="The recipient whose mindscape it is; the viewer's own (insights with "
                "aboutViewer) when not given."
            ),
        ] = None,
        include_proposed: Annotated[
            bool,
            strawberry.argument(
                description="Whether proposed insights are in it as well as confirmed ones (the default)."
            ),
        ] = True,
        per_layer: Annotated[
            int,
            strawberry.argument(
                description=f"How many of each layer's surest insights, 1 to {resolve.MAX_PER_LAYER}."
            ),
        ] = resolve.DEFAULT_PER_LAYER,
    ) -> Mindscape | None:
        recipient = node_uid(of, "Recipient", "of") if of is not None else None
        read = await resolve.of(info.context, recipient, include_proposed, per_layer)
        return Mindscape.of(read) if read is not None else None
