"""Growth: credits recorded (checked, all or none), summed per card, per person and per period, and the
cards' evolution states computed from their growth and links. How credits are kept: graph/growth.py."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph import growth
from graph.series import millis, moment
from layout import analytics
from resolvers.context import Context
from resolvers.series import Window


@dataclass(frozen=True)
class DimensionSum:
    """One dimension's credits in a range: its key, net total, how many, and the latest's time and source."""

    key: str
    total: float
    count: int
    last_at: datetime | None
    last_source: str | None


@dataclass(frozen=True)
class PeriodSum:
    """One period's credits: its start (UTC) and each dimension's net total there (keys of the model)."""

    start: datetime
    totals: dict[str, float]


@dataclass(frozen=True)
class Sums:
    """Credits summed over a range: per dimension of the model (in its order, zeros included), and per
    period (only periods holding credits, in time order; none unless a period was asked)."""

    dimensions: list[DimensionSum]
    periods: list[PeriodSum]

    @property
    def total(self) -> float:
        return sum(dimension.total for dimension in self.dimensions)

    @property
    def engaged(self) -> int:
        return sum(1 for dimension in self.dimensions if dimension.total > 0)


async def record(context: Context, credits: Sequence[growth.Credit]) -> list[dict[str, Any]]:
    """Records the viewer's credits, all or none (graph/growth.py checks them)."""
    keys = context.settings.growth_dimension_keys
    return await context.graph.write(growth.record, owner=context.viewer, credits=credits, dimensions=keys)


async def sums(
    context: Context, entity: str | None, start: datetime | None, end: datetime | None, period: str | None
) -> Sums:
    """A card's credits (`entity` its uid), or every credit of the viewer's (None: their profile), summed
    in [start, end) per dimension and, with a period, per period."""
    window = Window.of(start, end)
    uid = entity or context.viewer
    found = await context.loaders.growth.load((uid, window.start, window.end, period))
    return _summed(found, context.settings.growth_dimension_keys)


def _summed(found: Mapping[str, Any], keys: Sequence[str]) -> Sums:
    read = found.get("dimensions", {})
    dimensions = []
    for key in keys:
        total, count, last, source = read.get(key, (0.0, 0, None, None))
        when = moment(last) if last is not None else None
        dimensions.append(DimensionSum(key, float(total), int(count), when, source))
    periods = [
        PeriodSum(moment(start), {key: float(totals[key]) for key in keys if key in totals})
        for start, totals in found.get("periods", [])
    ]
    return Sums(dimensions, periods)


def evolution(card: Mapping[str, Any] | None, dimensions: Collection[str]) -> str:
    """A card's state from what its kind reads with it (graph/kinds.py's CARD): links, recent, growth."""
    card = card or {}
    return analytics.evolution(
        int(card.get("links") or 0), int(card.get("recent") or 0), card.get("grown") or (), dimensions
    )


def at_of(credit: Mapping[str, Any]) -> datetime:
    return moment(credit["at"])


def window_ms(at: datetime | None) -> int | None:
    return None if at is None else millis(at)
