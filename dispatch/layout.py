"""The layout consumer: after commits, places new nodes, relaxes their neighbourhood, refreshes the
communities and ranks, and keeps them on the nodes with one PositionsChanged event naming the nodes
that moved or changed community.

The work a write causes grows with what it changed, not with the owner's graph: a local pass reads only
the nodes the events name and their 2-hop neighbourhood (`view.layout_around`), places the new ones
there (each taking the community most of its links reach) and relaxes around them. The whole pass
(every node read, Leiden and PageRank run, a graph laid out for the first time placed whole) runs when
the owner has none yet, once the nodes touched since the last one reach WHOLE_SHARE of the graph (at
least WHOLE_AT_LEAST), or on a write WHOLE_EVERY_SECONDS after it: amortized, a constant per node
touched. Events delivered together coalesce into one pass per owner.

Both passes re-read what they place, so they are idempotent and order-free: an event delivered twice
finds its nodes placed and moves nothing. Its own PositionsChanged events are not its kind
(`handles`): else each would cause the next. Old nodes move only a little (layout/forces.py's OLD_STEP).
"""

import math
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from dispatch import Event, Services
from graph import view
from graph.driver import Graph
from graph.events import GROWTH_RECORDED, LEARNED, POSITIONS_CHANGED, SHARED_NODE_CHANGED, EventKind
from graph.kinds import DOMAIN_LABELS
from graph.refs import Ref
from layout import analytics, forces

NAME = "layout"
RANK_CHANGE = 0.05  # a rank kept is rewritten only when it changed by more than this share
WHOLE_SHARE = 0.1  # a whole pass once the nodes touched since the last reach this share of the graph
WHOLE_AT_LEAST = 50  # ... and at least this many (a small graph is not redone at every write)
WHOLE_EVERY_SECONDS = 600.0  # ... or, on a write, once the last whole pass is this old
NEIGHBOURHOOD = 400  # second-hop neighbours a local pass reads at most (past a hub, any of them)


def handles(kind: str) -> bool:
    # Not its own announcements (else each would cause the next), nor a partner's shared node (laid out
    # in its author's view, never in this owner's), nor growth credited or what Kindred learned (no
    # node or link came or went: nothing to place).
    parsed = EventKind.parse(kind)
    return parsed not in (POSITIONS_CHANGED, SHARED_NODE_CHANGED, GROWTH_RECORDED) and parsed not in LEARNED


async def handle(services: Services, events: Sequence[Event]) -> None:
    touched: dict[str, set[Ref]] = defaultdict(set)
    for event in events:
        if handles(event.kind):
            named = (Ref.parse(ref) for ref in event.nodes)
            touched[event.owner].update(ref for ref in named if ref.label in DOMAIN_LABELS)
    for owner, refs in sorted(touched.items()):
        if refs:
            await update(services.graph, owner, refs)


async def update(graph: Graph, owner: str, refs: Iterable[Ref]) -> int:
    """Lays out what these nodes' changes need: locally, or the whole graph when it is due. Returns how
    many nodes were written. One read and one write either way."""
    refs = set(refs)
    state, whole, nodes, pairs = await graph.read(_read, owner=owner, refs=refs)
    if whole:
        rows, moved = arrange(owner, nodes, pairs)
        laid_out, changed, extent = len(nodes), 0, _extent(nodes, rows)
    else:
        # Leiden numbers communities below the nodes it saw, and `changed` grows by at least the new
        # nodes of each local pass: so a community of its own numbered from their sum is no one else's.
        fresh = (state["laid_out"] or 0) + state["changed"]
        rows, moved = arrange_around(owner, nodes, pairs, state["extent"], fresh)
        laid_out, changed, extent = None, len(refs), _extent([], rows)  # a local pass only grows it
    return await graph.write(
        _keep, owner=owner, rows=rows, moved=moved, laid_out=laid_out, changed=changed, extent=extent
    )


async def _read(tx: Any, *, owner: str, refs: set[Ref]) -> tuple[dict[str, Any], bool, list, list]:
    """The layout's state, whether a whole pass is due, and what the pass works on: the whole graph,
    or the named nodes' neighbourhood."""
    state = await view.layout_state(tx, owner=owner)
    laid_out, changed = state["laid_out"], state["changed"] + len(refs)
    whole = (
        laid_out is None
        or changed >= max(WHOLE_AT_LEAST, WHOLE_SHARE * laid_out)
        or time.time() - (state["at"] or 0.0) >= WHOLE_EVERY_SECONDS
    )
    if whole:
        nodes, pairs = await view.layout_graph(tx, owner=owner)
    else:
        nodes, pairs = await view.layout_around(tx, owner=owner, refs=refs, budget=NEIGHBOURHOOD)
    return state, whole, nodes, pairs


async def refresh(graph: Graph, owner: str) -> int:
    """The whole pass: reads the owner's whole graph, refreshes communities and ranks, lays out what is
    new, and keeps it; returns how many nodes were written."""
    nodes, pairs = await graph.read(view.layout_graph, owner=owner)
    rows, moved = arrange(owner, nodes, pairs)
    extent = _extent(nodes, rows)
    return await graph.write(
        _keep, owner=owner, rows=rows, moved=moved, laid_out=len(nodes), changed=0, extent=extent
    )


async def _keep(
    tx: Any,
    *,
    owner: str,
    rows: list[dict],
    moved: list[Ref],
    laid_out: int | None,
    changed: int,
    extent: float,
) -> int:
    """Keeps the places (if any) and the layout's own state, in one transaction."""
    written = await view.keep(tx, owner=owner, rows=rows, moved=moved) if rows else 0
    at = time.time() if laid_out is not None else None
    await view.note_layout(tx, owner=owner, laid_out=laid_out, changed=changed, at=at, extent=extent)
    return written


def _extent(nodes: list[dict[str, Any]], rows: list[dict]) -> float:
    """How far from the centre the picture reaches: its farthest node, placed as the rows place it or
    where it was kept."""
    places = {node["uid"]: (node["x"], node["y"], node["z"]) for node in nodes if node["x"] is not None}
    places |= {row["uid"]: (row["x"], row["y"], row["z"]) for row in rows}
    return max((math.dist(place, (0.0, 0.0, 0.0)) for place in places.values()), default=0.0)


def arrange_around(
    owner: str, nodes: list[dict[str, Any]], pairs: list[tuple], extent: float, fresh: int = 0
) -> tuple[list[dict], list[Ref]]:
    """The local pass over a neighbourhood: places its new nodes (each in the community most of its
    links reach, else in one of its own numbered from `fresh`, as Leiden leaves a node linked to
    nothing; its rank left for the whole pass; one linked to nothing placed past the picture's
    `extent`) and relaxes around them; communities and ranks of the others stay as kept."""
    n = len(nodes)
    known = np.array([node["x"] is not None for node in nodes], dtype=bool)
    if n == 0 or known.all():
        return [], []
    index = {node["uid"]: i for i, node in enumerate(nodes)}
    weighted = [(index[s], index[t], float(w)) for s, t, w in pairs if s in index and t in index and s != t]
    links = forces.Links.of(weighted)
    kept = np.array([[node["x"] or 0.0, node["y"] or 0.0, node["z"] or 0.0] for node in nodes])
    new_uids = sorted(node["uid"] for node in nodes if node["x"] is None)
    positions, moving = forces.place(kept, known, links, _seed(owner, *new_uids), extent=extent)
    groups = _joined_communities(nodes, weighted)
    alone = [i for i, node in enumerate(nodes) if node["community"] is None and i not in groups]
    groups |= {i: fresh + k for k, i in enumerate(alone)}
    rows: list[dict] = []
    refs: list[Ref] = []
    for i in sorted(set(moving.tolist())):
        node = nodes[i]
        x, y, z = (round(float(value), 2) for value in positions[i])
        community, rank = groups.get(i, node["community"]), node["rank"]
        rows.append(
            {
                "label": node["label"],
                "uid": node["uid"],
                "x": x,
                "y": y,
                "z": z,
                "community": community,
                "rank": rank,
            }
        )
        refs.append(Ref(node["label"], node["uid"]))
    return rows, refs


def _joined_communities(
    nodes: list[dict[str, Any]], weighted: list[tuple[int, int, float]]
) -> dict[int, int]:
    """For each node with no community yet, the one its links to nodes with one weigh most towards."""
    votes: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for a, b, weight in weighted:
        for one, other in ((a, b), (b, a)):
            if nodes[one]["community"] is None and nodes[other]["community"] is not None:
                votes[one][nodes[other]["community"]] += weight
    return {i: min(v.items(), key=lambda item: (-item[1], item[0]))[0] for i, v in votes.items()}


def arrange(owner: str, nodes: list[dict[str, Any]], pairs: list[tuple]) -> tuple[list[dict], list[Ref]]:
    """What to keep (rows whose place, community or rank changed) and the nodes that moved, as refs."""
    n = len(nodes)
    if n == 0:
        return [], []
    index = {node["uid"]: i for i, node in enumerate(nodes)}
    links = forces.Links.of(
        [(index[s], index[t], float(w)) for s, t, w in pairs if s in index and t in index and s != t]
    )
    previous = [node["community"] for node in nodes]
    groups = analytics.communities(n, links, _seed(owner), previous)
    ranks = analytics.importance(n, links)
    known = np.array([node["x"] is not None for node in nodes])
    kept = np.array([[node["x"] or 0.0, node["y"] or 0.0, node["z"] or 0.0] for node in nodes])
    fresh = n - int(known.sum())
    if fresh == 0:
        positions, moving = kept, np.zeros(0, dtype=np.int64)
    elif fresh * 2 > n:
        positions, moving = forces.full(n, links, groups, _seed(owner)), np.arange(n)
    else:
        new_uids = sorted(node["uid"] for node in nodes if node["x"] is None)
        positions, moving = forces.place(kept, known, links, _seed(owner, *new_uids))
    moved = set(moving.tolist())
    rows: list[dict] = []
    refs: list[Ref] = []
    for i, node in enumerate(nodes):
        rank_changed = node["rank"] is None or abs(ranks[i] - node["rank"]) > RANK_CHANGE * node["rank"]
        regrouped = int(groups[i]) != node["community"]
        if i in moved or regrouped or rank_changed:
            x, y, z = (round(float(value), 2) for value in positions[i])
            row = {"label": node["label"], "uid": node["uid"], "x": x, "y": y, "z": z}
            rows.append({**row, "community": int(groups[i]), "rank": round(float(ranks[i]), 4)})
        if i in moved or regrouped:  # what a client redraws: its place or its colour
            refs.append(Ref(node["label"], node["uid"]))
    return rows, refs


def _seed(*parts: str) -> int:
    return zlib.crc32("\n".join(parts).encode())
