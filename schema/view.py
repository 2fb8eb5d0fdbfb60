"""The 3D view: `graphView`, `expandCommunity` and `neighbourhood`, in the shape 3d-force-graph draws
directly (nodes with x, y, z and links with source and target ids), positions from the server."""

import base64
import re
from enum import Enum
from typing import Annotated

import strawberry
from strawberry import relay

from errors import BadUserInput
from graph.view import LABELS, TYPES
from resolvers import view as resolve
from schema.nodes import ref_of
from schema.placed import ViewPosition
from schema.relay import Info, enum_values

ViewLabel = strawberry.enum(  # type: ignore[call-overload]  # members from LABELS: not literal to mypy
    Enum("ViewLabel", {label.upper(): label for label in LABELS}), description="A kind of node to show."
)
ViewLinkType = strawberry.enum(  # type: ignore[call-overload]  # members from TYPES: not literal to mypy
    Enum("ViewLinkType", {kind: kind for kind in TYPES}), description="A kind of link to follow and show."
)


# The view's own types, whose fields are all plain values: a list of them completes as flat values
# (FlatViewLists, schema/execution.py).
FLAT_TYPES = frozenset({"ViewNode", "ViewLink", "ViewPosition", "ViewCommunity"})


@strawberry.enum(
    description="How far a card (a concept or a memory) has grown, from its links and its growth: the first "
    "state that holds, from SUPERNOVA down. Grown in a dimension: its net growth there is above 0. Computed "
    "when read, never stored."
)
class Evolution(Enum):
    SEED = strawberry.enum_value("SEED", description="Hardly linked (0-1 links) and not grown yet.")
    SPROUT = strawberry.enum_value("SPROUT", description="A few links (2-5), or grown in 1-2 dimensions.")
    BLOOM = strawberry.enum_value(
        "BLOOM",
        description="Well linked (6-11), 3+ links to nodes made in the last 30 days, or grown in 3+ "
        "dimensions.",
    )
    CONSTELLATION = strawberry.enum_value(
        "CONSTELLATION", description="A hub: 12 links or more, or 5+ links and grown in 3+ dimensions."
    )
    SUPERNOVA = strawberry.enum_value(
        "SUPERNOVA",
        description="5+ links and grown in every dimension of the growth model, 3 or more in total.",
    )


@strawberry.type(
    description="A node as the 3D view draws it; a super-node stands for a community's folded members."
)
class ViewNode:
    id: strawberry.ID = strawberry.field(
        description="The node's id (for `node`), or a super-node's (for `expandCommunity`)."
    )
    label: str = strawberry.field(
        description="Its label (Recipient, Gift, ...), or Community for a super-node."
    )
    name: str = strawberry.field(description="What to write on it.")
    x: float = strawberry.field(description="Its place, kept by the server: set it as fx for 3d-force-graph.")
    y: float = strawberry.field(description="Its place's y: set it as fy.")
    z: float = strawberry.field(description="Its place's z: set it as fz.")
    size: float = strawberry.field(
        description="Its drawn size (nodeVal): 1-12 by importance (PageRank); a super-node's is its members."
    )
    community: int | None = strawberry.field(description="Its community (Leiden), null until computed.")
    colour_key: str = strawberry.field(description="What to colour it by: its label.")
    evolution: Evolution | None = strawberry.field(
        description="A card's (a concept's or a memory's) evolution state; null for others."
    )
    members: int | None = strawberry.field(description="A super-node: how many nodes it stands for.")
    # A plain field, not a resolver, so that a view's nodes complete as flat values (schema/execution.py).
    position: ViewPosition = strawberry.field(description="x, y and z together: what a live delta selects.")

    @classmethod
    def of(cls, node: resolve.ViewNode) -> "ViewNode":
        evolution = Evolution[node.evolution] if node.evolution else None  # by name: cheaper than by value
        return cls(
            id=global_id(node.type_name, node.key),
            label=node.label,
            name=node.name,
            x=node.x,
            y=node.y,
            z=node.z,
            size=node.size,
            community=node.community,
            colour_key=node.colour_key,
            evolution=evolution,
            members=node.members,
            position=ViewPosition(x=node.x, y=node.y, z=node.z),
        )


@strawberry.type(
    description="A link as the 3D view draws it: source and target are node ids in the same answer."
)
class ViewLink:
    id: strawberry.ID = strawberry.field(description="The link's id within views.")
    source: strawberry.ID = strawberry.field(description="The id of the node it starts from.")
    target: strawberry.ID = strawberry.field(description="The id of the node it goes to.")
    type: str = strawberry.field(description="Its kind (INTERESTED_IN, ...), or Community for summed links.")
    weight: float = strawberry.field(
        description="Its weight (1 when none was given); summed for super-nodes."
    )

    @classmethod
    def of(cls, link: resolve.ViewLink, ids: dict[tuple[str, str], strawberry.ID]) -> "ViewLink":
        """`ids` keeps the ends' ids made so far: a node is the end of many links."""
        source, target = ids.get(link.source), ids.get(link.target)
        if source is None:
            source = ids[link.source] = global_id(*link.source)
        if target is None:
            target = ids[link.target] = global_id(*link.target)
        return cls(
            id=global_id("ViewLink", link.key),
            source=source,
            target=target,
            type=link.type,
            weight=link.weight,
        )


@strawberry.type(
    description="A community as a region of the picture: where its members lie and what it is about."
)
class ViewCommunity:
    id: int = strawberry.field(description="The community's number: the `community` of its nodes.")
    name: str = strawberry.field(
        description="Its most central members' names (people and concepts first), to write on the region."
    )
    size: int = strawberry.field(description="How many of its members the view draws or folds.")
    x: float = strawberry.field(description="The centre of its members.")
    y: float = strawberry.field(description="The centre's y.")
    z: float = strawberry.field(description="The centre's z.")
    radius: float = strawberry.field(description="How far its members lie from the centre, on average.")

    @classmethod
    def of(cls, region: resolve.ViewCommunity) -> "ViewCommunity":
        return cls(
            id=region.community,
            name=region.name,
            size=region.size,
            x=region.x,
            y=region.y,
            z=region.z,
            radius=region.radius,
        )


@strawberry.type(description="A subgraph to draw: nodes and the links among them.")
class GraphView:
    nodes: list[ViewNode] = strawberry.field(description="The nodes to draw, super-nodes among them.")
    links: list[ViewLink] = strawberry.field(description="The links between the nodes drawn.")
    total_count: int = strawberry.field(description="The nodes the view was cut from.")
    hidden_count: int = strawberry.field(
        description="Of those, how many are neither drawn nor in a super-node."
    )
    sequence: int = strawberry.field(
        description="The viewer's last change this view reflects: pass it as graphChanged's `since` to "
        "hear every change after it, none lost in between."
    )
    communities: list[ViewCommunity] = strawberry.field(
        description="The communities of what the view draws (of 3 members or more), named: its regions."
    )

    @classmethod
    def of(cls, found: resolve.View) -> "GraphView":
        with resolve.gc_paused():
            return cls._of(found)

    @classmethod
    def _of(cls, found: resolve.View) -> "GraphView":
        nodes = [ViewNode.of(node) for node in found.nodes]
        ids = {(node.type_name, node.key): drawn.id for node, drawn in zip(found.nodes, nodes, strict=True)}
        return cls(
            nodes=nodes,
            links=[ViewLink.of(link, ids) for link in found.links],
            total_count=found.total,
            hidden_count=found.hidden,
            sequence=found.sequence,
            communities=[ViewCommunity.of(region) for region in found.communities],
        )


@strawberry.type(description="A page of a node's neighbours, the most heavily linked first.")
class Neighbourhood:
    nodes: list[ViewNode] = strawberry.field(description="The neighbours on this page.")
    links: list[ViewLink] = strawberry.field(description="The node's link to each of them.")
    page_info: relay.PageInfo = strawberry.field(
        description="Whether there are more, and the cursor to them."
    )


def global_id(type_name: str, key: str) -> strawberry.ID:
    """relay.GlobalID's text (base64 of "Type:key"), without making the object: a view makes thousands."""
    return strawberry.ID(base64.b64encode(f"{type_name}:{key}".encode()).decode())


Budget = Annotated[int, strawberry.argument(description="The most nodes to answer, 1 to 5,000.")]


# A community number as Kindred gives them out: ASCII digits that fit Neo4j's 64-bit integers.
_COMMUNITY_KEY = re.compile(r"-?[0-9]{1,18}")


def _community_of(global_id: strawberry.ID) -> int:
    type_name, key = ref_of(global_id, "id")
    if type_name != resolve.COMMUNITY or not _COMMUNITY_KEY.fullmatch(key):
        raise BadUserInput("This is not the id of a super-node.", field="id")
    return int(key)


@strawberry.type
class ViewQuery:
    @strawberry.field(
        description="The viewer's graph (or what lies within `depth` links of `center`) to draw in 3D, "
        "cut to `maxNodes` by importance; past the budget, communities come as super-nodes."
    )
    async def graph_view(
        self,
        info: Info,
        center: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="A node to centre on; the whole graph if none."),
        ] = None,
        depth: Annotated[int, strawberry.argument(description="Links away from `center`, 1 to 4.")] = 2,
        max_nodes: Budget = 500,
        labels: Annotated[
            list[ViewLabel] | None,  # type: ignore[valid-type]  # a derived enum, as above
            strawberry.argument(description="Only these kinds of node (all by default)."),
        ] = None,
        relationship_types: Annotated[
            list[ViewLinkType] | None,  # type: ignore[valid-type]  # a derived enum, as above
            strawberry.argument(description="Only these kinds of link (all by default)."),
        ] = None,
        as_of: Annotated[
            int | None,
            strawberry.argument(
                description="A sequence of the viewer's event log (1 to the last): the graph as it was "
                "then, replayed from the log (nodes created by then and not deleted, links made and not "
                "unlinked), for a time slider. Drawn with today's places, captions and importance: it "
                "does not know properties changed since, and nodes deleted or links removed since are "
                "gone. Nothing is folded (the rest is hidden); not with `center`. The answer's "
                "`sequence` is this one."
            ),
        ] = None,
        include_proposed: Annotated[
            bool,
            strawberry.argument(
                description="Also draw the memories proposed to the viewer that they have not yet "
                "decided about (select `... on Memory { status }` through `node` to mark them); never "
                "rejected ones. Not with `asOf`."
            ),
        ] = False,
    ) -> GraphView:
        if as_of is not None:
            if center is not None:
                raise BadUserInput("asOf draws the whole graph: leave out center.", field="center")
            if include_proposed:
                refused = "asOf replays the log: leave out includeProposed."
                raise BadUserInput(refused, field="includeProposed")
            past = await resolve.graph_view_as_of(
                info.context,
                sequence=as_of,
                max_nodes=max_nodes,
                labels=enum_values(labels),
                types=enum_values(relationship_types),
            )
            return GraphView.of(past)
        found = await resolve.graph_view(
            info.context,
            center=ref_of(center, "center") if center is not None else None,
            depth=depth,
            max_nodes=max_nodes,
            labels=enum_values(labels),
            types=enum_values(relationship_types),
            proposed=include_proposed,
        )
        return GraphView.of(found)

    @strawberry.field(description="The members of a super-node's community and the links among them.")
    async def expand_community(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A super-node's id.")],
        max_nodes: Budget = 500,
    ) -> GraphView:
        return GraphView.of(await resolve.expand_community(info.context, _community_of(id), max_nodes))

    @strawberry.field(description="A node's neighbours, the most heavily linked first: click to expand.")
    async def neighbourhood(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The node whose neighbours to page.")],
        first: Annotated[int, strawberry.argument(description="How many, 1 to 100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the page before.")
        ] = None,
    ) -> Neighbourhood:
        label, uid = ref_of(id, "id")
        page = await resolve.neighbourhood(info.context, label, uid, first, after)
        info_ = relay.PageInfo(
            has_next_page=page.has_next,
            has_previous_page=after is not None,
            start_cursor=None,
            end_cursor=page.end_cursor,
        )
        return Neighbourhood(
            nodes=[ViewNode.of(node) for node in page.nodes],
            links=[ViewLink.of(link, {}) for link in page.links],
            page_info=info_,
        )
