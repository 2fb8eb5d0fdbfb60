"""Live updates over WebSocket: every change of the viewer's graph as a delta, resumable by sequence."""

from collections.abc import AsyncGenerator
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types.base import StrawberryObjectDefinition

from errors import NotFound
from graph.changes import LABELS, Delta, LinkChange, NodeChange, Placement
from graph.events import Change
from graph.refs import Ref
from resolvers import live as resolve
from resolvers.view import link_key
from schema.nodes import load, ref_of
from schema.relay import Info, OwnedNode
from schema.scalars import serialize
from schema.view import global_id

Since = Annotated[
    int | None,
    strawberry.argument(
        description="The last sequence number you received: what came after it arrives first, from the "
        "log, then every change as it happens. Without it, only the changes from now on."
    ),
]


ChangedLabel = strawberry.enum(  # type: ignore[call-overload]  # members from LABELS: not literal to mypy
    Enum("ChangedLabel", {label.upper(): label for label in sorted(LABELS)}),
    description="A kind of node a change may be about.",
)


@strawberry.enum(description="What a change did: the part of its `kind` after the subject.")
class ChangeKind(Enum):
    CREATED = strawberry.enum_value(Change.CREATED.value, description="Made a node (GiftCreated, ...).")
    UPDATED = strawberry.enum_value(Change.UPDATED.value, description="Changed a node's fields.")
    DELETED = strawberry.enum_value(Change.DELETED.value, description="Deleted nodes.")
    LINKED = strawberry.enum_value(Change.LINKED.value, description="Made (or remade) a link.")
    UNLINKED = strawberry.enum_value(Change.UNLINKED.value, description="Removed a link.")


Labels = Annotated[
    list[ChangedLabel] | None,  # type: ignore[valid-type]  # a derived enum, as above
    strawberry.argument(
        description="Only changes to nodes of these kinds, and to the links that touch one; a change "
        "left with nothing of them is not sent. All kinds by default."
    ),
]
Kinds = Annotated[
    list[ChangeKind] | None,
    strawberry.argument(
        description="Only changes that did this (Created, Linked, ...); then no change without such a "
        "word (LoggedOut, ...) either. Every change by default. The layout's moves follow `layout`."
    ),
]
Layout = Annotated[
    bool,
    strawberry.argument(
        description="Whether to hear where the layout moved nodes after a change (a PositionsChanged "
        "delta with `positions`): a 3D view wants them, a feed of what changed does not."
    ),
]


@strawberry.type(
    description="Where the layout moved nodes, column by column: the i-th node is ids[i], at x[i], y[i], "
    "z[i], in community[i]. It is what graphView now draws for each of them."
)
class PositionsDelta:
    ids: list[relay.GlobalID] = strawberry.field(description="The nodes that moved or changed community.")
    x: list[float] = strawberry.field(description="Each one's x.")
    y: list[float] = strawberry.field(description="Each one's y.")
    z: list[float] = strawberry.field(description="Each one's z.")
    community: list[int | None] = strawberry.field(description="Each one's community (Leiden).")

    @classmethod
    def of(cls, placements: tuple[Placement, ...]) -> "PositionsDelta":
        return cls(
            ids=[relay.GlobalID(p.label, p.uid) for p in placements],
            x=[p.x for p in placements],
            y=[p.y for p in placements],
            z=[p.z for p in placements],
            community=[p.community for p in placements],
        )


@strawberry.type(description="A node a change removed (or one that is gone since): its id and kind.")
class RemovedNode:
    id: relay.GlobalID = strawberry.field(description="The node's id.")
    label: str = strawberry.field(description="What kind of node it was: Gift, Recipient, ...")


@strawberry.type(description="A link between two of the viewer's nodes, as a change left it.")
class LinkDelta:
    id: strawberry.ID = strawberry.field(
        description="The link's id, the one graphView gives the same link: match them by it."
    )
    type: str = strawberry.field(description="The kind of link: INTENDED_FOR, INTERESTED_IN, RELATED_TO, ...")
    source_id: relay.GlobalID = strawberry.field(description="The node the link starts from.")
    target_id: relay.GlobalID = strawberry.field(description="The node the link goes to.")
    weight: float | None = strawberry.field(description="How strong the link is, 0 to 1, if set.")
    properties: JSON = strawberry.field(description="Every property of the link (empty for a removed one).")


@strawberry.type(
    description="What one change did to the viewer's graph: the nodes and links it added, updated and "
    "removed. Apply deltas in order of `sequence`; a removed node takes its links with it."
)
class GraphDelta:
    sequence: int = strawberry.field(
        description="The change's number in the viewer's event log (1, 2, 3, ... with no gaps): pass the "
        "last one you received as `since` to resume."
    )
    kind: str = strawberry.field(description="What happened: GiftCreated, INTERESTED_INLinked, ...")
    at: datetime = strawberry.field(description="When it was committed (UTC).")
    nodes_added: list[relay.Node] = strawberry.field(
        description="Nodes it created, with their fields now: select them with fragments (... on Gift)."
    )
    nodes_updated: list[relay.Node] = strawberry.field(description="Nodes it changed, with their fields now.")
    nodes_removed: list[RemovedNode] = strawberry.field(description="Nodes it deleted.")
    links_added: list[LinkDelta] = strawberry.field(description="Links it made.")
    links_updated: list[LinkDelta] = strawberry.field(description="Links it changed (linked again).")
    links_removed: list[LinkDelta] = strawberry.field(description="Links it removed.")
    positions: PositionsDelta | None = strawberry.field(
        description="A PositionsChanged delta (the layout's, after a change): where the nodes it moved "
        "are now, in one compact list. Null on every other delta."
    )


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description="Every change of the viewer's graph as it happens, in order and each once; with "
        "`since`, what was missed first. A subscription that falls too far behind ends with "
        "SUBSCRIPTION_OVERFLOW: subscribe again with `since`."
    )
    async def graph_changed(
        self,
        info: Info,
        since: Since = None,
        labels: Labels = None,
        kinds: Kinds = None,
        layout: Layout = True,
    ) -> AsyncGenerator[GraphDelta, None]:
        only = resolve.Filter(
            # label.value: a derived enum, as above
            labels=frozenset(label.value for label in labels) if labels is not None else None,  # type: ignore[attr-defined]
            changes=frozenset(Change[kind.name] for kind in kinds) if kinds is not None else None,
            layout=layout,
        )
        async for delta in resolve.graph_changes(info.context, since, only):
            yield _delta(info, delta)

    @strawberry.subscription(
        description="The changes of one of the viewer's nodes (and of its links), as graphChanged has "
        "them; NOT_FOUND for an id that is none of the viewer's nodes."
    )
    async def node_changed(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The node's id.")],
        since: Since = None,
    ) -> AsyncGenerator[GraphDelta, None]:
        ref = ref_of(id, "id")
        type_name, uid = ref
        if (await load(info, [(type_name, uid)]))[0] is None and not await resolve.named_in_log(
            info.context, ref
        ):
            raise NotFound("No node of yours has this id.", id=id)
        async for delta in resolve.node_changes(info.context, ref, since):
            yield _delta(info, delta)


def _delta(info: Info, delta: Delta) -> GraphDelta:
    return GraphDelta(
        sequence=delta.sequence,
        kind=delta.kind,
        at=delta.at,
        nodes_added=[_node(info, change) for change in delta.added],
        nodes_updated=[_node(info, change) for change in delta.updated],
        nodes_removed=[RemovedNode(id=relay.GlobalID(n.label, n.uid), label=n.label) for n in delta.removed],
        links_added=[_link(link) for link in delta.links_added],
        links_updated=[_link(link) for link in delta.links_updated],
        links_removed=[_link(link) for link in delta.links_removed],
        positions=PositionsDelta.of(delta.positions) if delta.positions else None,
    )


def _node(info: Info, change: NodeChange) -> Any:
    """The node as its own type, so the client's fragments (and nested fields) apply to it."""
    definition = info.schema.get_type_by_name(change.label)
    if not isinstance(definition, StrawberryObjectDefinition):
        raise TypeError(f"{change.label} is no object type of the schema")
    origin = definition.origin
    row = change.row()
    return origin.from_row(row) if issubclass(origin, OwnedNode) else origin.from_row(row.node)


def _link(link: LinkChange) -> LinkDelta:
    weight = link.properties.get("weight")
    return LinkDelta(
        id=global_id("ViewLink", link_key(link.source, link.type, link.target)),
        type=link.type,
        source_id=_global_id(link.source),
        target_id=_global_id(link.target),
        weight=weight if isinstance(weight, int | float) and not isinstance(weight, bool) else None,
        properties=JSON({name: _plain(value) for name, value in link.properties.items()}),
    )


def _plain(value: Any) -> Any:
    """A link property as JSON carries it: a time (a SIMILAR_TO link's computedAt) as UTC ISO text."""
    if isinstance(value, datetime):
        return serialize(value)
    return value.isoformat() if isinstance(value, date) else value


def _global_id(ref: Ref) -> relay.GlobalID:
    return relay.GlobalID(ref.label, ref.uid)
