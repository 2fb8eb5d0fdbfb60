"""What a list of a kind may be ordered by, made from its declaration: `<Label>OrderField`, an enum with a
value for each of the kind's `sorts` (graph/kinds.py), in their order, and `<Label>Order`, one key of an
`orderBy` (one of those fields and a direction). A kind's ordering is one decorated class:

    @ordering(kinds.INSIGHT, "insights", {"confidence": "How sure it is."})
    class InsightOrder: ...

A sort declared on the kind is a value at once, and no value is one the kind cannot sort by. The input
stays a class statement so that mypy takes it as a type (in annotations, and across import cycles).
"""

from collections.abc import Callable, Mapping
from enum import Enum
from typing import TypeVar, cast

import strawberry

from graph.kind import Kind
from schema.relay import OrderDirection

T = TypeVar("T")


def order_fields(
    name: str,
    sorts: Mapping[str, str],
    listed: str,
    described: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> type[Enum]:
    """The enum `<name>OrderField` of what a list of `listed` may be ordered by: a value for each of
    `sorts`, named as `names` says (the sort in capitals by default) and described as `described` says
    (a sort left out has no description)."""
    described = described or {}
    names = names or {}
    unknown = (described.keys() | names.keys()) - sorts.keys()
    if unknown:
        raise ValueError(f"{name}: no sort {', '.join(sorted(unknown))} is declared to describe or name")
    members = [
        (names.get(sort, sort.upper()), strawberry.enum_value(sort, description=described.get(sort)))
        for sort in sorts
    ]
    # mypy reads a call of Enum as a look-up of a member; here it makes a class.
    made = cast(type[Enum], Enum(f"{name}OrderField", members))
    return strawberry.enum(made, description=f"What a list of {listed} may be ordered by.")


def order_key(fields: type[Enum], listed: str) -> Callable[[type[T]], type[T]]:
    """Makes the class it decorates the input of one key of an ordering of `listed`: a value of `fields`
    (`field`) and a direction, ascending by default."""

    def make(cls: type[T]) -> type[T]:
        cls.__annotations__ = {"field": fields, "direction": OrderDirection}
        declared = {
            "field": strawberry.field(description="The field to order by."),
            "direction": strawberry.field(
                default=OrderDirection.ASC, description="Ascending (the default) or descending."
            ),
        }
        for name, field in declared.items():
            setattr(cls, name, field)
        return strawberry.input(cls, description=f"One key of an ordering of {listed}.")

    return make


def ordering(
    kind: Kind,
    listed: str,
    described: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> Callable[[type[T]], type[T]]:
    """Makes the class it decorates, `<Label>Order`, the ordering of a kind's lists (`listed`, "insights"):
    its field a value of `<Label>OrderField`, one for each sort declared on the kind (`order_fields`)."""
    key = order_key(order_fields(kind.label, kind.sorts, listed, described, names), listed)

    def make(cls: type[T]) -> type[T]:
        if cls.__name__ != f"{kind.label}Order":
            raise TypeError(f"The ordering of {kind.label} is named {kind.label}Order, not {cls.__name__}.")
        return key(cls)

    return make
