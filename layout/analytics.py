"""What the view knows of a graph beyond its shape: communities (Leiden), importance (PageRank), the
cards' evolution states, and the cut of a graph to a node budget, with super-nodes for the rest."""

import random
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import igraph
import numpy as np

from layout.forces import Links

# A card's evolution state (seed 004's card states), from its links and its growth.
SEED, SPROUT, BLOOM, CONSTELLATION, SUPERNOVA = "SEED", "SPROUT", "BLOOM", "CONSTELLATION", "SUPERNOVA"


def communities(n: int, links: Links, seed: int, previous: Sequence[int | None] | None = None) -> np.ndarray:
    """Leiden communities (modularity, weighted), numbered to keep the previous numbers where they
    overlap most, so a community keeps its id (and colour) as the graph grows."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    graph = igraph.Graph(n=n, edges=np.column_stack([links.sources, links.targets]).tolist())
    state = random.getstate()
    random.seed(seed)  # igraph draws from Python's random: seeded, the partition is the same every time
    try:
        found = graph.community_leiden(
            objective_function="modularity", weights=links.weights.tolist() or None, n_iterations=4
        )
    finally:
        random.setstate(state)
    labels = np.asarray(found.membership, dtype=np.int64)
    return _renumbered(labels, previous) if previous is not None else labels


def _renumbered(labels: np.ndarray, previous: Sequence[int | None]) -> np.ndarray:
    """Each new community takes the old number most of its members had (largest overlaps first)."""
    overlaps = Counter((int(new), old) for new, old in zip(labels, previous, strict=True) if old is not None)
    taken: dict[int, int] = {}
    used: set[int] = set()
    for (new, old), _ in sorted(overlaps.items(), key=lambda item: (-item[1], item[0])):
        if new not in taken and old not in used:
            taken[new] = old
            used.add(old)
    fresh = max([*used, *(old for old in previous if old is not None)], default=-1) + 1
    for new in sorted(set(labels.tolist()) - set(taken)):
        taken[new] = fresh
        fresh += 1
    return np.asarray([taken[int(label)] for label in labels], dtype=np.int64)


def importance(n: int, links: Links) -> np.ndarray:
    """PageRank over the links taken both ways, scaled so the mean node is 1."""
    if n == 0:
        return np.zeros(0)
    graph = igraph.Graph(n=n, edges=np.column_stack([links.sources, links.targets]).tolist())
    ranks = np.asarray(graph.pagerank(weights=links.weights.tolist() or None, directed=False))
    return ranks * n


# The links for which a card's recent links can change its state (below, recent <= links < 3; above,
# it blooms or shines whatever they are): elsewhere they need not be counted.
GROWTH_MATTERS = (3, 5)
# A supernova's least total growth (the sum of its dimensions' net growth; a credit is at most 1).
SUPERNOVA_TOTAL = 3.0


def evolution(
    links: int, recent: int, grown: Iterable[Sequence[Any]] = (), dimensions: Collection[str] = ()
) -> str:
    """A card's state, first that holds: SUPERNOVA: 5+ links, grown in every one of `dimensions` (the
    growth model's keys), 3+ in total; CONSTELLATION: 12+ links, or 5+ links and grown in 3+ dimensions;
    BLOOM: 6+ links, 3+ `recent` links (to nodes made in the last 30 days), or grown in 3+ dimensions;
    SPROUT: 2+ links, or grown in 1+ dimension; else SEED. `grown` is its net growth per dimension,
    [[key, total]] (a key may come several times: summed); it has grown in a dimension of the model whose
    total is above 0."""
    totals: dict[str, float] = {}
    for key, total in grown:
        if key in dimensions:
            totals[key] = totals.get(key, 0.0) + float(total)
    engaged = sum(1 for total in totals.values() if total > 0)
    if dimensions and links >= 5 and engaged == len(dimensions) and sum(totals.values()) >= SUPERNOVA_TOTAL:
        return SUPERNOVA
    if links >= 12 or (links >= 5 and engaged >= 3):
        return CONSTELLATION
    if links >= 6 or recent >= 3 or engaged >= 3:
        return BLOOM
    if links >= 2 or engaged >= 1:
        return SPROUT
    return SEED


@dataclass(frozen=True)
class Cut:
    """What a view shows of its candidates: these nodes one by one, and each listed community's other
    members as one super-node (the communities left over, when even those are too many, are hidden)."""

    shown: list[int]
    folded: dict[int, list[int]]  # community -> the indices it stands for
    hidden: int


def cut(weights: np.ndarray, groups: np.ndarray, budget: int, keep: Sequence[int] = ()) -> Cut:
    """The most important nodes (those in `keep` first) one by one, as many as the budget leaves room for
    beside the super-nodes of the communities of the rest."""
    n = len(weights)
    if n <= budget:
        return Cut(list(range(n)), {}, 0)
    boost = np.zeros(n)
    boost[list(keep)] = np.inf
    order = np.lexsort((np.arange(n), -weights, -boost))
    # distinct[i]: how many communities the nodes order[i:] belong to, i.e. whose last member in the
    # order comes at i or later.
    _, member_of = np.unique(groups[order], return_inverse=True)
    last = np.zeros(int(member_of.max()) + 1, dtype=np.int64)
    np.maximum.at(last, member_of, np.arange(n))
    distinct = np.cumsum(np.bincount(last, minlength=n + 1)[::-1])[::-1]
    sizes = np.arange(budget + 1)
    fits = sizes[sizes + distinct[: budget + 1] <= budget].tolist()
    shown = max(max(fits, default=0), min(len(keep), budget))  # what is kept is shown, whatever
    rest: dict[int, list[int]] = {}
    for index in order[shown:]:
        rest.setdefault(int(groups[index]), []).append(int(index))
    largest = sorted(rest, key=lambda c: (-len(rest[c]), c))[: budget - shown]
    folded = {community: rest[community] for community in sorted(largest)}
    hidden = sum(len(members) for community, members in rest.items() if community not in folded)
    return Cut([int(i) for i in order[:shown]], folded, hidden)
