"""The 3D view: a subgraph cut to a node budget by importance, with super-nodes for the communities past
it, a community opened, and a node's neighbours paged by weight. Positions, communities and ranks are
the layout consumer's (kept on the nodes); a node it has not reached yet is placed here for this answer
only, near its neighbours, and moves to its kept place once the consumer has run."""

import base64
import binascii
import gc
import json
import math
from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from errors import BadUserInput, NotFound
from graph import view, view_past
from graph.kinds import DRAWN, EVOLVING
from graph.refs import Ref
from layout import analytics, forces
from resolvers.context import Context
from resolvers.personas import by_key

MAX_NODES = 5000
# What a community is named after: its most central members of the kinds known by a name (people,
# concepts, occasions, gifts), not by a text (a memory's content, a conflict's summary).
NAMING_LABELS = frozenset(kind.label for kind in DRAWN if kind.title == "name")
COMMUNITY_NAMES = 2  # how many members name a community
REGION_MEMBERS = 3  # the fewest members a region is drawn for
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
class ViewCommunity:
    """A community as a region of the picture: named by its most central members the view draws."""

    community: int
    name: str
    size: int  # its members in the view, drawn or folded
    x: float
    y: float
    z: float
    radius: float  # how far its members lie from its centre, on average


@dataclass
class View:
    nodes: list[ViewNode]
    links: list[ViewLink]
    total: int  # the nodes the view was cut from
    hidden: int = 0  # those neither shown nor in a super-node
    folded: dict[int, list[str]] = field(default_factory=dict)  # community -> its folded members' uids
    sequence: int = 0  # the viewer's last event the view reflects: graphChanged(since:) goes on from it
    communities: list[ViewCommunity] = field(default_factory=list)


@dataclass
class Neighbourhood:
    nodes: list[ViewNode]
    links: list[ViewLink]
    has_next: bool
    end_cursor: str | None


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a big view is shaped (synchronous code: nothing else runs
    meanwhile). Its tens of thousands of short-lived rows and objects make no cycles, yet they set off
    full collections that walk the whole process's heap: measured, a fifth to a third of a 2,000-node
    view's time. Collection resumes as it was at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    proposed: bool = False,
) -> View:
    """The viewer's graph (or what lies within `depth` links of `center`), cut to `max_nodes`; with
    `proposed`, their proposed memories drawn too."""
    budget = _checked_budget(max_nodes)
    if not 1 <= depth <= MAX_DEPTH:
        raise BadUserInput(f"depth must be 1 to {MAX_DEPTH}.", field="depth")
    dimensions = context.settings.growth_dimension_keys
    plan = _Plan(budget, center[1] if center is not None else None, fold=True, dimensions=dimensions)
    if center is not None and not context.scope.allows(center[0]):
        raise NotFound("No node of yours has this id.", id=center[1])
    found = await context.graph.read(
        view.view_of,
        owner=context.viewer,
        choose=plan,
        labels=context.scope.readable(labels, view.LABELS),
        types=types,
        center=center,
        depth=depth,
        keyed=by_key(context),
        proposed=proposed,
    )
    if found is None or (center is not None and not found[0].nodes):
        raise NotFound("No node of yours has this id.", id=center[1] if center is not None else "")
    frame, chosen, drawn = found
    if chosen is None or drawn is None:
        return View([], [], 0, sequence=frame.sequence)
    with gc_paused():
        return _shaped(plan, frame, chosen, drawn)


async def graph_view_as_of(
    context: Context, *, sequence: int, max_nodes: int, labels: list[str], types: list[str]
) -> View:
    """The viewer's graph as it was at `sequence` of their event log (graph/view_past.py), with today's
    places and captions, cut to `max_nodes` by today's importance (nothing folded: the rest is hidden)."""
    budget = _checked_budget(max_nodes)
    if sequence < 1:
        raise BadUserInput("asOf must be a sequence of your event log, 1 or more.", field="asOf")
    past = await context.graph.read(
        view_past.as_of,
        owner=context.viewer,
        sequence=sequence,
        labels=view.checked(context.scope.readable(labels, view.LABELS), view.LABELS),
        types=view.checked(types, view.TYPES),
        keyed=by_key(context),
    )
    if sequence > past.newest:
        raise BadUserInput(f"asOf must be 1 to {past.newest}, your last change.", field="asOf")
    with gc_paused():
        return _past_shaped(past, budget, sequence)


def _past_shaped(past: view_past.Drawn, budget: int, sequence: int) -> View:
    rows = [
        view.Candidate(r["uid"], r["label"], r["rank"], r["community"], r["x"], r["y"], r["z"], None)
        for r in sorted(past.rows, key=lambda r: r["uid"])
    ]
    ranks = np.array([row.rank if row.rank is not None else 0.5 for row in rows])
    positions = np.array([[row.x or 0.0, row.y or 0.0, row.z or 0.0] for row in rows]).reshape(-1, 3)
    order = sorted(range(len(rows)), key=lambda i: (-ranks[i], rows[i].uid))[:budget]
    kept = {rows[i].uid for i in order}
    links = [link for link in past.links if link[1] in kept and link[2] in kept]
    degree: dict[str, int] = defaultdict(int)  # as it was then: the links drawn
    for _, source, target, _ in links:
        degree[source] += 1
        degree[target] += 1
    names = {r["uid"]: r["name"] for r in past.rows}
    nodes = [
        _node(
            {**rows[i]._asdict(), "name": names[rows[i].uid], "degree": degree[rows[i].uid], "growth": 0},
            _size(ranks[i]),
        )
        for i in order
    ]
    labels = {row.uid: row.label for row in rows}
    drawn = [
        _link((labels[source], source), (labels[target], target), kind, weight, outgoing=True)
        for kind, source, target, weight in links
    ]
    regions = _regions(order, rows, positions, ranks, names)
    return View(nodes, drawn, len(rows), len(rows) - len(order), sequence=sequence, communities=regions)


async def expand_community(context: Context, community: int, max_nodes: int) -> View:
    """The members of one of the viewer's communities (the most important, to the budget) and the links
    among them; NotFound if the viewer has no such community."""
    plan = _Plan(
        _checked_budget(max_nodes), None, fold=False, dimensions=context.settings.growth_dimension_keys
    )
    found = await context.graph.read(
        view.view_of, owner=context.viewer, choose=plan, community=community, keyed=by_key(context)
    )
    frame, chosen, drawn = found if found is not None else (None, None, None)
    if frame is None or chosen is None or drawn is None:
        raise NotFound("No community of yours has this id.", id=str(community))
    with gc_paused():
        return _shaped(plan, frame, chosen, drawn)


async def neighbourhood(
    context: Context, label: str, uid: str, first: int, after: str | None
) -> Neighbourhood:
    """A page of the node's neighbours, the most heavily linked first."""
    if not 1 <= first <= MAX_NEIGHBOURS:
        raise BadUserInput(f"first must be 1 to {MAX_NEIGHBOURS}.", field="first")
    cursor = _cursor_of(after) if after is not None else None
    rows = await context.graph.read(
        view.neighbourhood,
        owner=context.viewer,
        label=label,
        uid=uid,
        after=cursor,
        limit=first + 1,
        keyed=by_key(context),
    )
    if rows is None:
        raise NotFound("No node of yours has this id.", id=uid)
    page, has_next = rows[:first], len(rows) > first
    dimensions = context.settings.growth_dimension_keys
    nodes = [_node(row["node"], _size(row["node"].get("rank") or 1.0), dimensions) for row in page]
    here = (label, uid)
    links = [
        _link(here, (row["node"]["label"], row["node"]["uid"]), row["type"], row["weight"], row["outgoing"])
        for row in page
    ]
    end = _cursor(page[-1]) if page else None
    return Neighbourhood(nodes, links, has_next, end)


@dataclass
class _Cut(view.Chosen):
    """What a plan chose of a frame (what graph/view.py reads the details of), and what shaping the answer
    needs of the cut besides: the frame's rows by uid, where each sits, its community and importance."""

    rows: list[view.Candidate] = field(kw_only=True)
    positions: np.ndarray = field(kw_only=True)
    ranks: np.ndarray = field(kw_only=True)
    cut: analytics.Cut = field(kw_only=True)
    leaders: list[int] = field(kw_only=True)  # of each folded community, in order: who it is named after


@dataclass
class _Plan:
    """How a view is cut, between its two statements (in the read transaction, so it is pure: a retried
    transaction cuts again)."""

    budget: int
    keep: str | None  # the center's uid: always shown
    fold: bool  # past the budget, communities as super-nodes (else the rest is hidden)
    dimensions: tuple[str, ...] = ()  # the growth model's keys, for the cards' evolution

    def __call__(self, frame: view.Frame) -> _Cut:
        with gc_paused():
            return self._cut(frame)

    def _cut(self, frame: view.Frame) -> _Cut:
        rows = sorted(frame.nodes, key=lambda row: row.uid)
        positions, groups, ranks = _settled(rows, frame.fresh)
        keep = [i for i, row in enumerate(rows) if row.uid == self.keep]
        groups_for_cut = groups if self.fold else np.zeros(len(rows), dtype=np.int64)
        cut = analytics.cut(ranks, groups_for_cut, self.budget, keep)
        folded = cut.folded if self.fold else {}
        leaders = [_leader(members, rows, ranks) for members in folded.values()]
        return _Cut(
            shown=[(rows[i].label, rows[i].uid) for i in cut.shown],
            named=[(rows[i].label, rows[i].uid) for i in leaders],
            groups={row.uid: int(groups[i]) for i, row in enumerate(rows) if row.x is None},
            folded=bool(folded),
            growth=analytics.GROWTH_MATTERS,
            rows=rows,
            positions=positions,
            ranks=ranks,
            cut=cut,
            leaders=leaders,
        )


def _leader(members: list[int], rows: list[view.Candidate], ranks: np.ndarray) -> int:
    """The member a super-node is named after: its most important."""
    return max(members, key=lambda i: (ranks[i], rows[i].uid))


def _shaped(plan: _Plan, frame: view.Frame, chosen: _Cut, drawn: view.Details) -> View:
    """Shapes what is shown: the chosen nodes, super-nodes for the folded communities, and the links."""
    rows, positions, ranks, cut = chosen.rows, chosen.positions, chosen.ranks, chosen.cut
    named = {row.uid: row for row in drawn.rows}
    shown = []
    for i in cut.shown:
        uid, label = rows[i].uid, rows[i].label
        if uid not in named:  # deleted between the view's two statements: its delta comes after `sequence`
            continue
        _, name, degree, growth, grown = named[uid]
        shown.append(
            _node(
                {
                    "uid": uid,
                    "label": label,
                    "name": name,
                    "x": positions[i][0],
                    "y": positions[i][1],
                    "z": positions[i][2],
                    # As the layout keeps it: null until it has reached the node (the schema says so),
                    # though the cut gave it a group of its own for this answer.
                    "community": rows[i].community,
                    "degree": degree,
                    "growth": growth,
                    "grown": grown,
                },
                _size(ranks[i]),
                plan.dimensions,
            )
        )
    folded = cut.folded if plan.fold else {}
    for (community, members), leader in zip(folded.items(), chosen.leaders, strict=True):
        uid, label = rows[leader].uid, rows[leader].label
        leader_name = named[uid].name if uid in named else None
        shown.append(_super_node(community, members, leader_name or label, positions))
    hidden = cut.hidden + (sum(len(m) for m in cut.folded.values()) if not plan.fold else 0)
    labels = {row.uid: row.label for row in rows}
    view_links = _links_between(drawn, labels, set(folded))
    members_of = {community: [rows[i].uid for i in group] for community, group in folded.items()}
    seen = [*cut.shown, *(i for members in folded.values() for i in members)]
    regions = _regions(seen, rows, positions, ranks, {row.uid: row.name for row in drawn.rows})
    return View(shown, view_links, len(rows), hidden, members_of, frame.sequence, regions)


def _regions(
    seen: list[int],
    rows: list[view.Candidate],
    positions: np.ndarray,
    ranks: np.ndarray,
    names: dict[str, str | None],
) -> list[ViewCommunity]:
    """The communities (as the layout keeps them) of what the view draws or folds, each named after its
    most important drawn members that have a name, at the centre of its members."""
    members: dict[int, list[int]] = defaultdict(list)
    for i in seen:
        community = rows[i].community
        if community is not None:
            members[community].append(i)
    regions = []
    for community, group in sorted(members.items()):
        if len(group) < REGION_MEMBERS:
            continue
        by_rank = sorted(group, key=lambda i: (-ranks[i], rows[i].uid))
        titled = [(rows[i].label, names.get(rows[i].uid)) for i in by_rank]
        named = [title for label, title in titled if title and label in NAMING_LABELS]
        named = named or [title for _, title in titled if title]
        if not named:
            continue
        places = positions[group]
        centre = places.mean(axis=0)
        radius = float(np.linalg.norm(places - centre, axis=1).mean())
        x, y, z = (round(float(value), 2) for value in centre)
        name = ", ".join(str(title) for title in named[:COMMUNITY_NAMES])
        regions.append(ViewCommunity(community, name, len(group), x, y, z, round(radius, 2)))
    return regions


def _settled(rows: list[view.Candidate], fresh: list[view.Link]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions, communities and importances of the candidates: as kept, and for what the consumer has
    not reached yet, computed for this answer (placed near its neighbours, which stay where they are; a
    community of its own). `fresh` holds the links that touch such a node."""
    n = len(rows)
    _, _, kept_ranks, communities, xs, ys, zs, degrees = (list(column) for column in zip(*rows, strict=True))
    known = np.array([x is not None for x in xs], dtype=bool)
    if known.all():  # as the layout keeps them: arrays at once
        kept = np.array([xs, ys, zs], dtype=float).T.reshape(n, 3)
    else:
        kept = np.array([[x or 0.0, y or 0.0, z or 0.0] for x, y, z in zip(xs, ys, zs, strict=True)])
    top = max((c for c in communities if c is not None), default=-1)
    groups = np.array(
        [c if c is not None else top + 1 + i for i, c in enumerate(communities)], dtype=np.int64
    )
    if known.all():
        positions = kept
    else:
        index = {row.uid: i for i, row in enumerate(rows)}
        pairs = forces.Links.of(
            [
                (index[source], index[target], float(weight))
                for source, target, _, weight in fresh
                if source in index and target in index and source != target
            ]
        )
        if not known.any():  # nothing laid out yet: every link touches a fresh node, so all are here
            groups = analytics.communities(n, pairs, seed=1)
            positions = forces.full(n, pairs, groups, seed=1)
        else:
            positions, _ = forces.place(kept, known, pairs, seed=1, hops=0, iterations=10)
    pairs_of = zip(kept_ranks, degrees, strict=True)
    ranks = np.array([rank if rank is not None else 0.5 + 0.1 * degree for rank, degree in pairs_of])
    return positions, groups, ranks


def _size(rank: float) -> float:
    """A node's drawn size (3d-force-graph's nodeVal, a volume) from its importance (mean 1): 1 to 12."""
    return round(min(12.0, max(1.0, 2 * math.sqrt(max(rank, 0.0)))), 2)


def _node(row: dict[str, Any], size: float, dimensions: Collection[str] = ()) -> ViewNode:
    """A drawn node; `dimensions`, the growth model's keys, for a card's evolution."""
    label = row["label"]
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
        evolution=(
            analytics.evolution(row["degree"], row["growth"], row.get("grown") or (), dimensions)
            if label in EVOLVING
            else None
        ),
    )


def _super_node(community: int, members: list[int], leader: str, positions: np.ndarray) -> ViewNode:
    """A community's folded members as one node: at their centroid, sized by their number, named by the
    most important of them."""
    centre = positions[members].mean(axis=0)
    others = len(members) - 1
    name = f"{leader} and {others} more" if others else leader
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


def _links_between(drawn: view.Details, labels: dict[str, str], folded: set[int]) -> list[ViewLink]:
    """The links between what is shown: direct ones as they are; those with a folded end summed per pair
    of ends (a super-node's links weigh what its members' links weigh together)."""
    direct = []
    for source, target, kind, weight in drawn.direct:
        a, b = (labels[source], source), (labels[target], target)
        direct.append(_link(a, b, kind, weight, outgoing=True))
    summed: dict[tuple[tuple[str, str], tuple[str, str]], float] = defaultdict(float)
    for uid, other, weight in drawn.towards:  # one row per link: summed here
        if other in folded:
            a, b = (labels[uid], uid), (COMMUNITY, str(other))
            summed[(min(a, b), max(a, b))] += float(weight)
    for one, other, weight in drawn.between:
        if one in folded and other in folded:
            a, b = (COMMUNITY, str(one)), (COMMUNITY, str(other))
            summed[(min(a, b), max(a, b))] += float(weight)
    return direct + [
        ViewLink(f"{Ref(*a)}~{Ref(*b)}", a, b, COMMUNITY, round(w, 4)) for (a, b), w in sorted(summed.items())
    ]


def _link(
    here: tuple[str, str], there: tuple[str, str], kind: str, weight: float, outgoing: bool
) -> ViewLink:
    source, target = (here, there) if outgoing else (there, here)
    key = link_key(Ref(*source), kind, Ref(*target))
    return ViewLink(key, source, target, kind, float(weight))


def link_key(source: Ref, type: str, target: Ref) -> str:
    """What tells one link of a view (or of a live delta) from every other: its ends and
    type. Views and deltas give a link the same id, so a client matches them without building one."""
    return f"{source}-{type}->{target}"


def _cursor(row: dict[str, Any]) -> str:
    raw = json.dumps([row["weight"], row["node"]["uid"], row["type"], row["outgoing"]])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _cursor_of(text: str) -> tuple[float, str, str, bool]:
    try:
        weight, uid, kind, outgoing = json.loads(base64.urlsafe_b64decode(text.encode()))
        if not isinstance(uid, str) or not isinstance(kind, str) or not isinstance(outgoing, bool):
            raise ValueError(text)
        if not math.isfinite(float(weight)):
            raise ValueError(text)
        (uid + kind).encode()  # a lone surrogate inside the base64 never reached the request's check
        return float(weight), uid, kind, outgoing
    except (ValueError, TypeError, OverflowError, RecursionError, UnicodeError, binascii.Error) as error:
        raise BadUserInput("This is not a cursor Kindred gave out.", field="after") from error
