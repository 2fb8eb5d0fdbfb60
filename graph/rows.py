"""Turns what Cypher returns into plain Python values: Neo4j temporal types become datetime and date.

The driver hydrates each temporal it receives into a neo4j.time object, and a zoned DateTime costs far
more to decode than the rest of a node together. So a node's (or relationship's) map is asked for in its
`Shape`: every declared datetime as integer microseconds since the epoch and every date as ISO text,
made datetime and date again here, with no neo4j.time object in between.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, overload

from neo4j.time import Date, DateTime
from neomodel import DateProperty, DateTimeProperty

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PROPERTY = re.compile(r"[a-z_]\w*\.\w+")


def native(value: Any) -> Any:
    if isinstance(value, DateTime | Date):
        return value.to_native()
    if isinstance(value, dict):
        return {key: native(item) for key, item in value.items()}
    if isinstance(value, list):
        return [native(item) for item in value]
    return value


def datetime_cypher(expression: str) -> str:
    """A zoned datetime as microseconds since the epoch; anything else (null) as it is."""
    e = expression
    return f"CASE WHEN {e} IS :: ZONED DATETIME NOT NULL THEN {_micros(e)} ELSE {e} END"


def _micros(datetime: str) -> str:
    return f"{datetime}.epochSeconds * 1000000 + {datetime}.microsecond"


def datetime_of(value: Any) -> Any:
    return _EPOCH + timedelta(microseconds=value) if isinstance(value, int) else native(value)


def date_cypher(expression: str) -> str:
    e = expression
    return f"CASE WHEN {e} IS :: DATE NOT NULL THEN toString({e}) ELSE {e} END"


def date_of(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else native(value)


def sort_value_cypher(expression: str) -> str:
    """A sort key as it travels: a stored property that holds a zoned datetime tagged as {micros} (no
    sort key is a map otherwise). Only a property read is wrapped: Cypher refuses `.epochSeconds` on an
    expression it knows to be of another type (a path length, say), and knows nothing of a property's."""
    e = expression
    if not _PROPERTY.fullmatch(e):
        return e
    return f"CASE WHEN {e} IS :: ZONED DATETIME NOT NULL THEN {{micros: {_micros(e)}}} ELSE {e} END"


def sort_values_of(values: list[Any] | None) -> tuple[Any, ...]:
    return tuple(datetime_of(v["micros"]) if isinstance(v, dict) else native(v) for v in values or ())


@dataclass(frozen=True)
class Shape:
    """How the maps of one model travel: all their properties, the temporal ones cheap to decode."""

    datetimes: tuple[str, ...]
    dates: tuple[str, ...]

    @classmethod
    def of(cls, model: Any) -> "Shape":
        declared = model.defined_properties(aliases=False, rels=False).items()
        return cls(
            tuple(name for name, prop in declared if isinstance(prop, DateTimeProperty)),
            tuple(name for name, prop in declared if isinstance(prop, DateProperty)),
        )

    def map(self, variable: str, extra: str = "", only: frozenset[str] | None = None) -> str:
        """A Cypher map projection of `variable` in this shape; `extra` adds ", key: expression" entries.
        With `only`, just those properties (and the uid) instead of every one: what a selection reads."""
        times = [f"{name}: {datetime_cypher(f'{variable}.{name}')}" for name in self.datetimes]
        dates = [f"{name}: {date_cypher(f'{variable}.{name}')}" for name in self.dates]
        if only is None:
            return f"{variable} {{{', '.join(['.*', *times, *dates])}{extra}}}"
        shaped = {*self.datetimes, *self.dates}
        plain = [f".{name}" for name in sorted(only | {"uid"}) if name not in shaped]
        times = [entry for name, entry in zip(self.datetimes, times, strict=True) if name in only]
        dates = [entry for name, entry in zip(self.dates, dates, strict=True) if name in only]
        return f"{variable} {{{', '.join([*plain, *times, *dates])}{extra}}}"

    @overload
    def decode(self, values: dict[str, Any]) -> dict[str, Any]: ...
    @overload
    def decode(self, values: None) -> None: ...
    def decode(self, values: dict[str, Any] | None) -> dict[str, Any] | None:
        """The map as Python values, in place."""
        if values is None:
            return None
        for name in self.datetimes:
            values[name] = datetime_of(values.get(name))
        for name in self.dates:
            values[name] = date_of(values.get(name))
        return values


@dataclass(frozen=True)
class Computed:
    """A value computed with every node of a label: its Cypher, and how to decode what it returns."""

    cypher: str
    decode: Callable[[Any], Any] = native
