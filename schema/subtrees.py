"""The fields of a compiled read that its statement cannot answer (a computed field, a sealed field, a
field with a resolver of its own, a root field such as `me` or the view): each is resolved the usual
way, by graphql-core's own `execute_field` on the node the statement read, and set into the compiled
answer (schema/compiled.py).

Every such field of every row is started at once, so that the resolvers' DataLoaders batch them: one
query per field and level at most, as field by field. An error is what graphql-core makes of it, where
it would make it: a nullable field's error is collected at its own path by `execute_field`; a non-null
field's error nulls the nearest nullable position above it (`Position`), and is collected there, as
graphql-core's completion propagates it; with no nullable position up to the root, the whole `data` is
null (the error is raised to graphql-core's `execute_operation`, which does that).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, GraphQLObjectType
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path, Undefined, gather_with_cancel


@dataclass(frozen=True, slots=True)
class Position:
    """Where a value of the compiled answer is (`path`, as graphql-core names it), whether its type lets
    it be null, and the position of the object or list holding it (None: the answer's `data`)."""

    path: Path
    nullable: bool
    up: "Position | None"

    def down(self, key: str | int, type_name: str | None, nullable: bool) -> "Position":
        return Position(Path(self.path, key, type_name), nullable, self)


def at_root(key: str, type_name: str, nullable: bool) -> Position:
    return Position(Path(None, key, type_name), nullable, None)


@dataclass(frozen=True, slots=True)
class Job:
    """One field of one object of the answer (`into[key]`), resolved the usual way from `source`; `at`
    is the position of that object (None: the field is a root field)."""

    parent_type: GraphQLObjectType
    source: Any
    details: FieldDetailsList
    into: dict[str, Any]
    key: str
    at: Position | None

    async def run(self, executor: Any, data: dict[str, Any]) -> None:
        path = Path(self.at.path if self.at else None, self.key, self.parent_type.name)
        try:
            value = executor.execute_field(self.parent_type, self.source, self.details, path, None)
            if executor.is_awaitable(value):
                value = await value
        except GraphQLError as error:  # a non-null field's: it nulls what holds it
            _propagate(executor, data, self.at, error, path)
            return
        if value is Undefined:
            self.into.pop(self.key, None)
        else:
            self.into[self.key] = value


async def resolve(executor: Any, jobs: Sequence[Job], data: dict[str, Any]) -> None:
    """Resolves every job at once into `data`; raises the error that nulls `data` itself, if one does
    (the others are then cancelled, as graphql-core cancels a failed object's siblings)."""
    if jobs:
        await gather_with_cancel(*(job.run(executor, data) for job in jobs))


def _propagate(
    executor: Any, data: dict[str, Any], at: Position | None, error: GraphQLError, path: Path
) -> None:
    """Nulls the nearest nullable position at or above `at`, where the error is then collected."""
    errors = executor.collected_errors
    if errors.has_nulled_position(path):  # an earlier error nulled what holds it: it is not reported
        return
    while at is not None and not at.nullable:
        at = at.up
    if at is None:
        raise error
    holder: Any = data
    for key in at.path.as_list()[:-1]:
        holder = holder[key]
    holder[at.path.key] = None
    errors.add(error, at.path)
