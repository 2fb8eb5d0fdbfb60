"""The layout consumer: after commits, places new nodes, relaxes their neighbourhood, refreshes the
communities and ranks, and keeps them on the nodes with one PositionsChanged event naming the nodes
that moved or changed community.

It re-reads the owner's whole graph each time, so it is idempotent and order-free: an event delivered
twice finds its nodes placed and changes nothing. Its own PositionsChanged events are not its kind
(`handles`): else each would cause the next. A graph laid out for the first time, or one that more than
doubled at once (an import), is laid out whole; otherwise old nodes move only a little (layout/forces.py's
OLD_STEP).
"""

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from dispatch import Event, Services
from graph import view
from graph.driver import Graph
from graph.events import POSITIONS_CHANGED, EventKind
from graph.kinds import DOMAIN_LABELS
from graph.refs import Ref
from layout import analytics, forces

NAME = "layout"
RANK_CHANGE = 0.05  # a rank kept is rewritten only when it changed by more than this share


def handles(kind: str) -> bool:
    # Not its own announcements (else each would cause the next).
    return EventKind.parse(kind) != POSITIONS_CHANGED


async def handle(services: Services, events: Sequence[Event]) -> None:
    owners = {
        event.owner
        for event in events
        if handles(event.kind) and any(Ref.parse(ref).label in DOMAIN_LABELS for ref in event.nodes)
    }
    for owner in sorted(owners):
        await refresh(services.graph, owner)


async def refresh(graph: Graph, owner: str) -> int:
    """Lays out what is new in the owner's graph and keeps it; returns how many nodes were written."""
    nodes, pairs = await graph.read(view.layout_graph, owner=owner)
    rows, moved = arrange(owner, nodes, pairs)
    if not rows:
        return 0
    return await graph.write(view.keep, owner=owner, rows=rows, moved=moved)


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
