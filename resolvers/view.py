"""The 3D view: a subgraph cut to a node budget by importance, with super-nodes for the communities past
it, a community opened, and a node's neighbours paged by weight. Positions, communities and ranks are
the layout consumer's (kept on the nodes); a node it has not reached yet is placed here for this answer
only, near its neighbours, and moves to its kept place once the consumer has run."""

import base64
import binascii
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from errors import BadUserInput, NotFound
from graph import view
from resolvers.context import Context
from view import analytics, layout

MAX_NODES = 5000
MAX_DEPTH = 4
MAX_NEIGHBOURS = 100
COMMUNITY = "Community"  # the type name of a super-node's id


@dataclass
class ViewNode:
    type_name: str  # the node's label, or COMMUNITY for a super-node
    key: str  # its uid, or the community's number
    label: str
    name: str
    x: float
    y: float
    z: float
    size: float
    community: int | None
    colour_key: str
    evolution: str | None = None
    members: int | None = None  # a super-node: how many nodes it stands for


@dataclass
class ViewLink:
    key: str
    source: tuple[str, str]
    target: tuple[str, str]
    type: str
    weight: float


@dataclass
class View:
    nodes: list[ViewNode]
    links: list[ViewLink]
    total: int  # the nodes the view was cut from
    hidden: int = 0  # those neither shown nor in a super-node
    folded: dict[int, list[str]] = field(default_factory=dict)  # community -> its folded members' uids
    sequence: int = 0  # the viewer's last event the view reflects: graphChanged(since:) goes on from it


@dataclass
class Neighbourhood:
    nodes: list[ViewNode]
    links: list[ViewLink]
    has_next: bool
    end_cursor: str | None


def _checked_budget(max_nodes: int) -> int:
    if not 1 <= max_nodes <= MAX_NODES:
        raise BadUserInput(f"maxNodes must be 1 to {MAX_NODES}.", field="maxNodes")
    return max_nodes


async def graph_view(
    context: Context,
    *,
    center: tuple[str, str] | None,
    depth: int,
    max_nodes: int,
    labels: list[str],
    types: list[str],
) -> View:
    """The viewer's graph (or what lies within `depth` links of `center`), cut to `max_nodes`."""
    budget = _checked_budget(max_nodes)
    if not 1 <= depth <= MAX_DEPTH:
        raise BadUserInput(f"depth must be 1 to {MAX_DEPTH}.", field="depth")
    nodes, links, sequence = await context.graph.read(
        view.subgraph, owner=context.viewer, labels=labels, types=types, center=center, depth=depth
    )
    if center is not None and not any(node["uid"] == center[1] for node in nodes):
        raise NotFound("No node of yours has this id.", id=center[1])
    keep = [i for i, node in enumerate(nodes) if center is not None and node["uid"] == center[1]]
    return _shaped(nodes, links, budget, keep, sequence=sequence)


async def expand_community(context: Context, community: int, max_nodes: int) -> View:
    """The members of one of the viewer's communities (the most important, to the budget) and the links
    among them; NotFound if the viewer has no such community."""
    budget = _checked_budget(max_nodes)
    nodes, links, sequence = await context.graph.read(
        view.subgraph, owner=context.viewer, community=community
    )
    if not nodes:
        raise NotFound("No community of yours has this id.", id=str(community))
    return _shaped(nodes, links, budget, [], fold=False, sequence=sequence)


async def neighbourhood(
    context: Context, label: str, uid: str, first: int, after: str | None
) -> Neighbourhood:
    """A page of the node's neighbours, the most heavily linked first."""
    if not 1 <= first <= MAX_NEIGHBOURS:
        raise BadUserInput(f"first must be 1 to {MAX_NEIGHBOURS}.", field="first")
    cursor = _cursor_of(after) if after is not None else None
    rows = await context.graph.read(
        view.neighbourhood, owner=context.viewer, label=label, uid=uid, after=cursor, limit=first + 1
    )
    if rows is None:
        raise NotFound("No node of yours has this id.", id=uid)
    page, has_next = rows[:first], len(rows) > first
    nodes = [_node(row["node"], _size(row["node"].get("rank") or 1.0)) for row in page]
    here = (label, uid)
    links = [
        _link(here, (row["node"]["label"], row["node"]["uid"]), row["type"], row["weight"], row["outgoing"])
        for row in page
    ]
    end = _cursor(page[-1]) if page else None
    return Neighbourhood(nodes, links, has_next, end)


def _shaped(
    nodes: list[dict[str, Any]],
    links: list[dict[str, Any]],
    budget: int,
    keep: list[int],
    fold: bool = True,
    sequence: int = 0,
) -> View:
    """Cuts the candidates to the budget and shapes what is shown: nodes, super-nodes and links."""
    index = {node["uid"]: i for i, node in enumerate(nodes)}
    pairs = layout.Links.of(
        [
            (index[link["source"]], index[link["target"]], float(link["weight"]))
            for link in links
            if link["source"] != link["target"]
        ]
    )
    positions, groups, ranks = _settled(nodes, pairs)
    groups_for_cut = groups if fold else np.zeros(len(nodes), dtype=np.int64)
    chosen = analytics.cut(ranks, groups_for_cut, budget, keep)
    folded = chosen.folded if fold else {}
    shown = [
        _node(
            {
                **nodes[i],
                "x": positions[i][0],
                "y": positions[i][1],
                "z": positions[i][2],
                "community": int(groups[i]),
            },
            _size(ranks[i]),
        )
        for i in chosen.shown
    ]
    where: dict[int, tuple[str, str]] = {i: (nodes[i]["label"], nodes[i]["uid"]) for i in chosen.shown}
    for community, members in folded.items():
        shown.append(_super_node(community, members, nodes, positions, ranks))
        where.update({i: (COMMUNITY, str(community)) for i in members})
    hidden = chosen.hidden + (sum(len(m) for m in chosen.folded.values()) if not fold else 0)
    view_links = _links_between(links, index, where)
    members = {community: [nodes[i]["uid"] for i in group] for community, group in folded.items()}
    return View(shown, view_links, len(nodes), hidden, members, sequence)


def _settled(nodes: list[dict[str, Any]], pairs: layout.Links) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions, communities and importances of the candidates: as kept, and for what the consumer has
    not reached yet, computed for this answer (placed near its neighbours; a community of its own)."""
    n = len(nodes)
    known = np.array([node["x"] is not None for node in nodes], dtype=bool)
    kept = np.array([[node["x"] or 0.0, node["y"] or 0.0, node["z"] or 0.0] for node in nodes])
    top = max((node["community"] for node in nodes if node["community"] is not None), default=-1)
    groups = np.array(
        [node["community"] if node["community"] is not None else top + 1 + i for i, node in enumerate(nodes)],
        dtype=np.int64,
    )
    if not known.any():
        groups = analytics.communities(n, pairs, seed=1)
        positions = layout.full(n, pairs, groups, seed=1)
    elif not known.all():
        positions, _ = layout.place(kept, known, pairs, seed=1, iterations=10)
    else:
        positions = kept
    ranks = np.array(
        [node["rank"] if node["rank"] is not None else 0.5 + 0.1 * node["degree"] for node in nodes]
    )
    return positions, groups, ranks


def _size(rank: float) -> float:
    """A node's drawn size (3d-force-graph's nodeVal, a volume) from its importance (mean 1): 1 to 12."""
    return round(min(12.0, max(1.0, 2 * math.sqrt(max(rank, 0.0)))), 2)


def _node(row: dict[str, Any], size: float) -> ViewNode:
    label = row["label"]
    concept = label == "Concept"
    return ViewNode(
        type_name=label,
        key=row["uid"],
        label=label,
        name=row["name"] or label,
        x=round(float(row["x"] or 0.0), 2),
        y=round(float(row["y"] or 0.0), 2),
        z=round(float(row["z"] or 0.0), 2),
        size=size,
        community=row["community"],
        colour_key=label,
        evolution=analytics.evolution(row["degree"], row["growth"]) if concept else None,
    )


def _super_node(
    community: int, members: list[int], nodes: list[dict[str, Any]], positions: np.ndarray, ranks: np.ndarray
) -> ViewNode:
    """A community's folded members as one node: at their centroid, sized by their number, named by the
    most important of them."""
    centre = positions[members].mean(axis=0)
    leader = nodes[max(members, key=lambda i: (ranks[i], nodes[i]["uid"]))]
    others = len(members) - 1
    name = f"{leader['name'] or leader['label']} and {others} more" if others else (leader["name"] or "")
    return ViewNode(
        type_name=COMMUNITY,
        key=str(community),
        label=COMMUNITY,
        name=name,
        x=round(float(centre[0]), 2),
        y=round(float(centre[1]), 2),
        z=round(float(centre[2]), 2),
        size=float(len(members)),
        community=community,
        colour_key=COMMUNITY,
        members=len(members),
    )


def _links_between(
    links: list[dict[str, Any]], index: dict[str, int], where: dict[int, tuple[str, str]]
) -> list[ViewLink]:
    """The links between what is shown: direct ones as they are; those with a folded end summed per pair
    of ends (a super-node's links weigh what its members' links weigh together)."""
    direct: list[ViewLink] = []
    summed: dict[tuple[tuple[str, str], tuple[str, str]], float] = {}
    for link in links:
        a, b = where.get(index[link["source"]]), where.get(index[link["target"]])
        if a is None or b is None or a == b:
            continue
        if a[0] != COMMUNITY and b[0] != COMMUNITY:
            direct.append(_link(a, b, link["type"], link["weight"], True))
            continue
        ends = (min(a, b), max(a, b))
        summed[ends] = summed.get(ends, 0.0) + float(link["weight"])
    folded = [
        ViewLink(f"{a[0]}:{a[1]}~{b[0]}:{b[1]}", a, b, COMMUNITY, round(w, 4))
        for (a, b), w in sorted(summed.items())
    ]
    return direct + folded


def _link(
    here: tuple[str, str], there: tuple[str, str], kind: str, weight: float, outgoing: bool
) -> ViewLink:
    source, target = (here, there) if outgoing else (there, here)
    key = f"{source[0]}:{source[1]}-{kind}->{target[0]}:{target[1]}"
    return ViewLink(key, source, target, kind, float(weight))


def _cursor(row: dict[str, Any]) -> str:
    raw = json.dumps([row["weight"], row["node"]["uid"], row["type"]])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _cursor_of(text: str) -> tuple[float, str, str]:
    try:
        weight, uid, kind = json.loads(base64.urlsafe_b64decode(text.encode()))
        if not isinstance(uid, str) or not isinstance(kind, str) or not math.isfinite(float(weight)):
            raise ValueError(text)
        (uid + kind).encode()  # a lone surrogate inside the base64 never reached the request's check
        return float(weight), uid, kind
    except (ValueError, TypeError, OverflowError, RecursionError, UnicodeError, binascii.Error) as error:
        raise BadUserInput("This is not a cursor Kindred gave out.", field="after") from error
