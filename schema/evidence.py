"""A memory's evidence (DERIVED_FROM) and what it refers to (REFERS_TO), and an insight's evidence
(DERIVED_FROM), each a relation to nodes of several kinds: a memory lists them as one list of nodes
(`derivedFrom`, `refersTo`), an insight as its `evidence`, and each node of those kinds lists the
memories that rest on it (`memories`) or refer to it (`referringMemories`), and the insights that rest on
it (`insights`).

Every field here is made from the declarations (graph/kinds.py's EVIDENCE, REFERABLE and
INSIGHT_EVIDENCE, through resolvers/memories.py and resolvers/insights.py): a kind added there gets its
fields here with no change to this module.
schema/__init__.py calls `extend` once every domain's module, whose types it extends, is loaded.
"""

from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph.kinds import BY_LABEL, EVIDENCE, INSIGHT_EVIDENCE, RECOMMENDATION_EVIDENCE, REFERABLE
from resolvers import insights as resolve_insights
from resolvers import memories as resolve
from resolvers import recommendations as resolve_recommendations
from resolvers.nodes import COMMON_SORTS, LABEL
from resolvers.pages import Order, PageArgs, Pager
from schema.insights import Insight, InsightOrder
from schema.memories import Memory, MemoryOrder, kinds_named
from schema.ordering import order_fields, order_key
from schema.recommendations import GiftRecommendation, GiftRecommendationOrder
from schema.relay import (
    Connection,
    Info,
    OwnedNode,
    Paging,
    attach,
    connection,
    orders,
    related,
)

_LINKED = "nodes of several kinds"


@order_key(order_fields("Linked", COMMON_SORTS, _LINKED, {"created_at": "When the node was made."}), _LINKED)
class LinkedOrder: ...


def node_types() -> dict[str, Any]:
    """The node type of each kind by its label (a kind's type is named after its label)."""
    return {cls.__name__: cls for cls in OwnedNode.__subclasses__()}


def _linked(load: Pager, description: str) -> Any:
    """A connection field to the nodes of several kinds a relation reaches, in one order."""
    default = [Order("created_at")]

    async def resolve_linked(
        self: Any,
        info: Info,
        paging: PageArgs,
        order_by: Annotated[
            list[LinkedOrder] | None,
            strawberry.argument(description="Ordered by these fields, in turn; by creation by default."),
        ] = None,
    ) -> Connection[relay.Node]:
        # An API key limited to some kinds pages only those of the list (resolvers/nodes.py `relations`).
        rows, count = await load(info.context, self.id, orders(order_by, default), paging)
        types = node_types()
        return connection(rows, paging, lambda row: types[row.node[LABEL]].from_row(row), count)

    return strawberry.field(resolver=resolve_linked, description=description, extensions=[Paging()])


def _drawn(labels: tuple[str, ...]) -> tuple[str, ...]:
    """Those of `labels` a client links by hand (the kinds the view draws)."""
    return tuple(label for label in labels if BY_LABEL[label].drawn)


_extended: list[bool] = []


def extend() -> None:
    """Gives Memory its `derivedFrom` and `refersTo`, Insight its `evidence`, and each kind they reach its
    `memories`, `referringMemories` or `insights` (once, however many schemas are built)."""
    if _extended:
        return
    _extended.append(True)
    attach(
        Memory,
        "derived_from",
        _linked(
            resolve.derived_from,
            f"What it is derived from, its evidence: the viewer's {kinds_named(EVIDENCE)} nodes (give "
            "them as derivedFromIds, or link one with DERIVED_FROM and a weight).",
        ),
    )
    attach(
        Memory,
        "refers_to",
        _linked(
            resolve.referred,
            f"What else it refers to: the viewer's {kinds_named(REFERABLE)} nodes (give them as "
            "refersToIds, or link one with REFERS_TO).",
        ),
    )
    attach(
        Insight,
        "evidence",
        _linked(
            resolve_insights.evidence,
            f"What it is derived from, its evidence: the viewer's {kinds_named(INSIGHT_EVIDENCE)} nodes "
            f"(give them as evidenceIds, or link a {kinds_named(_drawn(INSIGHT_EVIDENCE))} with DERIVED_FROM "
            "and a weight).",
        ),
    )
    types = node_types()
    for label, pager in resolve.derived.items():
        description = "The memories derived from it: what rests on it as evidence."
        attach(types[label], "memories", related(Memory, MemoryOrder, pager, description))
    for label, pager in resolve.referring.items():
        description = "The memories that refer to it."
        attach(types[label], "referring_memories", related(Memory, MemoryOrder, pager, description))
    for label, pager in resolve_insights.derived.items():
        description = "The insights derived from it: what the viewer's graph learned from it."
        attach(types[label], "insights", related(Insight, InsightOrder, pager, description))
    attach(
        GiftRecommendation,
        "evidence",
        _linked(
            resolve_recommendations.evidence,
            f"What it rests on, its evidence: the viewer's {kinds_named(RECOMMENDATION_EVIDENCE)} nodes "
            "(learned preferences, outcomes of earlier gifts, interests, people alike).",
        ),
    )
    for label, pager in resolve_recommendations.derived.items():
        description = "The gift recommendations that rest on it as evidence."
        attach(
            types[label],
            "cited_in_recommendations",
            related(GiftRecommendation, GiftRecommendationOrder, pager, description),
        )
