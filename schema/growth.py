"""Growth: the growth model's dimensions, credits recorded on them (`recordGrowth`), their sums per card,
per person (`growthProfile`) and per period, and each card's evolution state (Concept and Memory)."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any, Self

import strawberry
from strawberry import relay

from errors import BadUserInput, NotFound
from graph import growth as store
from graph.kinds import GROWING
from graph.refs import Ref
from resolvers import growth as resolve
from schema.concepts import Concept
from schema.docs import described
from schema.memories import Memory
from schema.relay import Info, attach
from schema.selection import reading
from schema.series import SeriesPeriod
from schema.view import Evolution

RANGE_FROM = "Only credits at or after this time (UTC); from the first by default."
RANGE_TO = "Only credits before this time; up to the last by default."


@strawberry.enum(description="Where a growth credit comes from.")
class GrowthSource(Enum):
    _value_: str
    MEMORY = strawberry.enum_value(store.MEMORY, description="A memory of the viewer's (sourceId: its id).")
    CONVERSATION = strawberry.enum_value(
        store.CONVERSATION, description="A conversation of the viewer's (sourceId: its id)."
    )
    CHALLENGE = strawberry.enum_value(
        store.CHALLENGE, description="A challenge of the viewer's, completed (sourceId: its id)."
    )
    MANUAL = strawberry.enum_value(store.MANUAL, description="Given by hand: no sourceId.")


@strawberry.type(description="A dimension of the growth model a person grows along (set by the operator).")
class GrowthDimension:
    key: str = strawberry.field(description="Its key, as credits name it (self_know, world_act, ...).")
    name: str = strawberry.field(description="Its name, to show.")
    description: str = strawberry.field(description="What growing along it means.")


@strawberry.type(description="One dimension's credits over a range.")
class DimensionGrowth:
    key: str = strawberry.field(description="The dimension's key.")
    total: float = strawberry.field(description="The net growth: its credits' deltas summed.")
    count: int = strawberry.field(description="How many credits.")
    last_at: dt.datetime | None = strawberry.field(
        description="When the latest credit was (UTC); null: none."
    )
    last_source: GrowthSource | None = strawberry.field(description="Where the latest credit came from.")


@strawberry.type(description="A dimension's net growth in one period.")
class DimensionAmount:
    key: str = strawberry.field(description="The dimension's key.")
    total: float = strawberry.field(description="Its credits' deltas summed in the period.")


@strawberry.type(description="The credits of one period (UTC; a week from Monday).")
class GrowthPeriod:
    start: dt.datetime = strawberry.field(description="When the period starts.")
    total: float = strawberry.field(description="Every dimension's net growth in it, summed.")
    dimensions: list[DimensionAmount] = strawberry.field(
        description="Each dimension with credits in the period, in the model's order."
    )


@strawberry.type(description="Growth summed over a range: per dimension of the model, and per period.")
class Growth:
    total: float = strawberry.field(description="The net growth over every dimension.")
    engaged: int = strawberry.field(description="How many dimensions it has grown in (net growth above 0).")
    dimensions: list[DimensionGrowth] = strawberry.field(
        description="Every dimension of the model, in its order (zeros where there is no credit)."
    )
    periods: list[GrowthPeriod] = strawberry.field(
        description="Per `period` asked, in time order, the periods holding credits; empty when none was "
        "asked."
    )

    @classmethod
    def of(cls, sums: resolve.Sums) -> Self:
        return cls(
            total=sums.total,
            engaged=sums.engaged,
            dimensions=[
                DimensionGrowth(
                    key=d.key,
                    total=d.total,
                    count=d.count,
                    last_at=d.last_at,
                    last_source=GrowthSource(d.last_source) if d.last_source else None,
                )
                for d in sums.dimensions
            ],
            periods=[
                GrowthPeriod(
                    start=p.start,
                    total=sum(p.totals.values()),
                    dimensions=[DimensionAmount(key=k, total=v) for k, v in p.totals.items()],
                )
                for p in sums.periods
            ],
        )


CREDIT = {
    "dimension": "The dimension's key: one of growthDimensions.",
    "delta": "How much it grows (or, below 0, shrinks): not 0, from -1 to 1.",
    "source": "Where it comes from.",
    "source_id": "The memory, conversation or challenge it comes from (none when given by hand).",
    "entity_id": "The card it credits: a concept or a memory of the viewer's; none (or the viewer's own id) "
    "credits the viewer themselves.",
    "at": "When it happened (from 1900 up to now); now by default.",
}


@strawberry.input(description="A growth credit to record.")
@described(CREDIT)
class GrowthCreditInput:
    dimension: str
    delta: float
    source: GrowthSource
    source_id: relay.GlobalID | None = None
    entity_id: relay.GlobalID | None = None
    at: dt.datetime | None = None


@strawberry.type(description="A growth credit as recorded: never changed or removed after.")
class GrowthCredit:
    sequence: int = strawberry.field(description="Its number among the viewer's credits, in recording order.")
    at: dt.datetime = strawberry.field(description="When it happened (UTC).")
    dimension: str = strawberry.field(description="The dimension's key.")
    delta: float = strawberry.field(description="How much it grew.")
    source: GrowthSource = strawberry.field(description="Where it comes from.")
    source_id: relay.GlobalID | None = strawberry.field(description="The node it comes from, if any.")
    entity_id: relay.GlobalID | None = strawberry.field(description="The card it credits; null: the viewer.")


@strawberry.type(description="What recordGrowth recorded.")
class RecordGrowthPayload:
    credits: list[GrowthCredit] = strawberry.field(description="The credits, in the order given.")


def _credit(index: int, given: GrowthCreditInput, viewer: str) -> store.Credit:
    where = f"credits.{index}"
    entity = None
    if given.entity_id is not None:
        label, uid = given.entity_id.type_name, given.entity_id.node_id
        if label == "User" and uid != viewer:
            raise NotFound("Credit a card of yours, or yourself.", id=uid)
        if label != "User":
            if label not in GROWING:
                message = f"Only {', '.join(GROWING)} cards (or you) grow."
                raise BadUserInput(message, field=f"{where}.entityId")
            entity = Ref(label, uid)
    source_uid = None
    if given.source_id is not None:
        allowed = store.SOURCE_LABELS[given.source.value]
        if given.source_id.type_name not in allowed:
            kinds = " or ".join(allowed) or "no node"
            message = f"A {given.source.name} credit's sourceId is the id of a {kinds}."
            raise BadUserInput(message, field=f"{where}.sourceId")
        source_uid = given.source_id.node_id
    at = None if given.at is None else resolve.window_ms(given.at)
    return store.Credit(given.dimension, given.delta, given.source.value, source_uid, entity, at)


def _recorded(credit: dict[str, Any]) -> GrowthCredit:
    entity: Ref | None = credit["entity"]
    source: Ref | None = credit["source_ref"]
    return GrowthCredit(
        sequence=credit["seq"],
        at=resolve.at_of(credit),
        dimension=credit["dimension"],
        delta=credit["delta"],
        source=GrowthSource(credit["source"]),
        source_id=relay.GlobalID(source.label, source.uid) if source is not None else None,
        entity_id=relay.GlobalID(entity.label, entity.uid) if entity is not None else None,
    )


Period = Annotated[
    SeriesPeriod | None,
    strawberry.argument(description="Sum per period too (UTC; a week from Monday); none by default."),
]
From = Annotated[dt.datetime | None, strawberry.argument(name="from", description=RANGE_FROM)]
To = Annotated[dt.datetime | None, strawberry.argument(description=RANGE_TO)]


async def _card_growth(
    root: Any, info: Info, from_: From = None, to: To = None, period: Period = None
) -> Growth:
    sums = await resolve.sums(info.context, root.id, from_, to, period.value if period else None)
    return Growth.of(sums)


def _card_evolution(root: Any, info: Info) -> Evolution:
    state = resolve.evolution(root.kept.get("card"), info.context.settings.growth_dimension_keys)
    return Evolution[state]


def _growth_field() -> Any:
    return strawberry.field(
        resolver=_card_growth,
        description="Its growth: the credits it was given, summed per dimension and, if asked, per period.",
        metadata=reading(),
    )


def _evolution_field() -> Any:
    return strawberry.field(
        resolver=_card_evolution,
        description="How far it has grown, from its links and its growth (see Evolution); computed now.",
        metadata=reading("card"),
    )


# The cards' own fields (the kinds that grow, graph/kinds.py's GROWING), a field object for each type.
for _card in (Concept, Memory):
    attach(_card, "growth", _growth_field())
    attach(_card, "evolution", _evolution_field())


@strawberry.type(
    description="The viewer's own growth, every credit of theirs summed: the whole account's, so a key "
    "limited to some kinds reads none of it (schema/scopes.py)."
)
class GrowthProfile(Growth):
    pass


@strawberry.type
class GrowthQuery:
    @strawberry.field(description="The dimensions of the growth model, in its order.")
    def growth_dimensions(self, info: Info) -> list[GrowthDimension]:
        return [
            GrowthDimension(key=d.key, name=d.name, description=d.description)
            for d in info.context.settings.growth_dimensions
        ]

    @strawberry.field(
        description="The viewer's growth profile: every credit of theirs (on their cards and on themselves) "
        "in the range, summed per dimension and, if asked, per period, in one query."
    )
    async def growth_profile(
        self, info: Info, from_: From = None, to: To = None, period: Period = None
    ) -> GrowthProfile:
        sums = await resolve.sums(info.context, None, from_, to, period.value if period else None)
        return GrowthProfile.of(sums)


@strawberry.type
class GrowthMutation:
    @strawberry.mutation(
        description="Records growth credits: 1 to 100 at once, all or none (one bad credit refuses them all, "
        "naming it). Credits are never changed or removed after; they go with their card or account."
    )
    async def record_growth(
        self,
        info: Info,
        credits: Annotated[list[GrowthCreditInput], strawberry.argument(description="The credits.")],
    ) -> RecordGrowthPayload:
        viewer = info.context.viewer
        given = [_credit(index, credit, viewer) for index, credit in enumerate(credits)]
        recorded = await resolve.record(info.context, given)
        return RecordGrowthPayload(credits=[_recorded(credit) for credit in recorded])
