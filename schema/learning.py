"""What Kindred learned of the viewer's people (resolvers/learning.py): who is alike, how a relationship
went over time, and the emotional and seasonal patterns of memories, gifts and occasions."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry

from resolvers import learning as resolve
from schema.lazy import Recipient
from schema.occasions import OccasionKind
from schema.relay import Info


@strawberry.enum(description="What two people were found to share.")
class SimilarityBasisKind(Enum):
    INTEREST = "interest"
    RELATIONSHIP = "relationship"
    GIFT = "gift"
    GIFT_FAILED = "gift_failed"


@strawberry.type(description="One thing two people share, which made them alike.")
class SimilarityBasis:
    kind: SimilarityBasisKind = strawberry.field(
        description="An interest both have, the same kind of relationship, a gift category that went "
        "well for both, or one that went badly for both."
    )
    name: str = strawberry.field(
        description="The interest's name, the relationship's kind, or the gift category."
    )


@strawberry.type(
    description="Another of the viewer's people found alike to this one (kept daily and "
    "after changes to their interests, relationship or gifts)."
)
class SimilarPerson:
    recipient: Recipient = strawberry.field(description="The person found alike.")
    score: float = strawberry.field(
        description="How alike, 0.25 to 1: shared interests (half of it), the same kind of relationship, "
        "gift categories that went well or badly for both."
    )
    basis: list[SimilarityBasis] = strawberry.field(description="What they share.")
    computed_at: dt.datetime = strawberry.field(description="When this score was computed (UTC).")


def similar_people(found: list[tuple[Any, dict[str, Any]]]) -> list[SimilarPerson]:
    from schema.recipients import Recipient as Person

    people = []
    for row, link in found:
        basis = []
        for item in link["basis"]:
            kind, _, name = item.partition(":")
            basis.append(SimilarityBasis(kind=SimilarityBasisKind(kind), name=name))
        at = dt.datetime.fromtimestamp(link["at"] / 1000, dt.UTC)
        people.append(
            SimilarPerson(recipient=Person.from_row(row), score=link["score"], basis=basis, computed_at=at)
        )
    return people


@strawberry.type(description="The viewer's relationship to a person as it was at one time.")
class RelationshipSnapshot:
    at: dt.datetime = strawberry.field(description="When it was taken (UTC).")
    closeness: int | None = strawberry.field(description="Closeness then, 1 to 10.")
    importance: int | None = strawberry.field(description="Importance then, 1 to 10.")
    emotional_warmth: float | None = strawberry.field(description="Warmth then, 0 to 1.")
    conflict_level: float | None = strawberry.field(description="Conflict then, 0 to 1.")
    average_gift_success: float | None = strawberry.field(description="Mean gift success then, 0 to 1.")
    gifts_given_count: int | None = strawberry.field(description="Gifts given by then.")


@strawberry.enum(description="What a relationship's trend follows.")
class RelationshipMetric(Enum):
    CLOSENESS = "closeness"
    IMPORTANCE = "importance"
    EMOTIONAL_WARMTH = "emotional_warmth"
    CONFLICT_LEVEL = "conflict_level"
    AVERAGE_GIFT_SUCCESS = "average_gift_success"


@strawberry.enum(description="Which way a measure went over a time.")
class TrendDirection(Enum):
    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"


@strawberry.type(description="Where one measure of a relationship went over a time, from its snapshots.")
class RelationshipTrend:
    metric: RelationshipMetric = strawberry.field(description="The measure followed.")
    direction: TrendDirection = strawberry.field(
        description="Rising or falling when the slope is over 0.02 per 30 days either way, else steady "
        "(also with fewer than two snapshots)."
    )
    slope: float = strawberry.field(
        description="The least-squares slope of the snapshots, per 30 days, with the measure scaled to 0-1 "
        "(closeness and importance divided by 10)."
    )
    points: int = strawberry.field(description="How many snapshots it was computed from.")


@strawberry.enum(description="A season (meteorological, northern hemisphere, by UTC month).")
class Season(Enum):
    WINTER = "winter"
    SPRING = "spring"
    SUMMER = "summer"
    AUTUMN = "autumn"


@strawberry.type(description="How many memories felt one emotion in one month of the year.")
class MonthlyEmotion:
    month: int = strawberry.field(description="The month of the year, 1 (January) to 12, UTC.")
    emotion: str = strawberry.field(
        description="The emotion the memories name, else positive, negative or neutral by their valence."
    )
    count: int = strawberry.field(description="How many memories.")
    mean_valence: float | None = strawberry.field(description="Their mean valence, -1 to 1, if any has one.")


@strawberry.type(description="How many memories felt one emotion on one day of the week.")
class WeekdayEmotion:
    weekday: int = strawberry.field(description="The day of the week, 1 (Monday) to 7 (Sunday), UTC.")
    emotion: str = strawberry.field(
        description="The emotion the memories name, else positive, negative or neutral by their valence."
    )
    count: int = strawberry.field(description="How many memories.")
    mean_valence: float | None = strawberry.field(description="Their mean valence, -1 to 1, if any has one.")


@strawberry.type(description="How many gifts of one category were given in one season.")
class SeasonalGifts:
    season: Season = strawberry.field(description="When they were given (else when recorded).")
    category: str | None = strawberry.field(description="Their category (null: none given).")
    count: int = strawberry.field(description="How many gifts.")
    mean_success: float | None = strawberry.field(description="Their outcomes' mean success, 0 to 1, if any.")


@strawberry.type(description="How many occasions of one kind fall in one season.")
class SeasonalOccasions:
    season: Season = strawberry.field(description="The season of their date.")
    kind: OccasionKind = strawberry.field(description="Their kind.")
    count: int = strawberry.field(description="How many occasions.")


@strawberry.type(
    description="Emotional and seasonal patterns, computed when asked from the memories, gifts "
    "and occasions (a person's: those involving them, or for them)."
)
class Patterns:
    emotions_by_month: list[MonthlyEmotion] = strawberry.field(
        description="Memories' emotions per month of the year (by when they happened, else were recorded)."
    )
    emotions_by_weekday: list[WeekdayEmotion] = strawberry.field(
        description="Memories' emotions per day of the week."
    )
    gifts_by_season: list[SeasonalGifts] = strawberry.field(description="Gifts per season and category.")
    occasions_by_season: list[SeasonalOccasions] = strawberry.field(
        description="Occasions per season and kind."
    )


async def patterns_of(info: Info, key: str) -> Patterns:
    found = await resolve.patterns(info.context, key)
    return Patterns(
        emotions_by_month=[MonthlyEmotion(**row) for row in found["by_month"]],
        emotions_by_weekday=[WeekdayEmotion(**row) for row in found["by_weekday"]],
        gifts_by_season=[SeasonalGifts(**{**row, "season": Season(row["season"])}) for row in found["gifts"]],
        occasions_by_season=[
            SeasonalOccasions(season=Season(row["season"]), kind=_kind(row["kind"]), count=row["count"])
            for row in found["occasions"]
        ],
    )


def _kind(value: str) -> OccasionKind:
    try:
        return OccasionKind(value)
    except ValueError:
        return OccasionKind.OTHER


Since = Annotated[
    dt.datetime | None, strawberry.argument(name="from", description="Only from this time on (UTC).")
]
Until = Annotated[
    dt.datetime | None, strawberry.argument(name="to", description="Only up to this time (UTC).")
]


@strawberry.type
class LearningQuery:
    @strawberry.field(
        description="Emotional and seasonal patterns across all the viewer's memories, gifts "
        "and occasions, with counts."
    )
    async def patterns(self, info: Info) -> Patterns:
        return await patterns_of(info, "")
