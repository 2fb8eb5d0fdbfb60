"""What a field says of itself so that a read can be compiled (schema/compiled.py): the list or relation
it pages through, and how (the same resolver its field calls, with the same defaults), kept in the
field's metadata under COMPILED. A field that says nothing is answered by its resolver alone."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from resolvers.pages import Order, Pager

COMPILED = "kindred_compiled"  # the metadata key of a field's Listed, Related or RelatedOne


@dataclass(frozen=True)
class Listed:
    """A top-level list of the viewer's nodes of type `node`: `load(context, where(filter), orders,
    args)`, the filter `filter_type()` when none is given, ordered by `default` when not asked."""

    node: Any
    filter_type: Any
    default: Sequence[Order]
    where: Callable[[Any], dict[str, Any]]
    load: Pager


@dataclass(frozen=True)
class Related:
    """A connection to the nodes of type `node` a relation reaches: `load(context, parent, orders, args)`."""

    node: Any
    default: Sequence[Order]
    load: Pager


@dataclass(frozen=True)
class RelatedOne:
    """The one node of type `node` a to-one relation reaches: `load(context, parent, reads)`."""

    node: Any
    load: Callable[..., Any]


def metadata(marker: Listed | Related | RelatedOne, **more: Any) -> dict[str, Any]:
    return {COMPILED: marker, **more}
