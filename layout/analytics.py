"""What the view knows of a graph beyond its shape: communities (Leiden), importance (PageRank), the
concepts' evolution states, and the cut of a graph to a node budget, with super-nodes for the rest."""

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import igraph
import numpy as np

from layout.forces import Links

# A concept's evolution state (seed 004's card states), from its connections and their growth.
SEED, SPROUT, BLOOM, CONSTELLATION = "SEED", "SPROUT", "BLOOM", "CONSTELLATION"


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


# The connections for which a concept's growth can change its state (below, growth <= connections < 3;
# above, it blooms or shines whatever its growth): elsewhere growth need not be counted.
GROWTH_MATTERS = (3, 5)


def evolution(connections: int, growth: int) -> str:
    """SEED: hardly linked yet; SPROUT: a few links; BLOOM: well linked or growing fast; CONSTELLATION:
    a hub. `growth` counts the links to nodes made in the last 30 days."""
    if connections >= 12:
        return CONSTELLATION
    if connections >= 6 or growth >= 3:
        return BLOOM
    if connections >= 2:
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
