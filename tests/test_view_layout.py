"""The view's computation on its own (layout/): seeded and repeatable, communities recovered at a larger
scale than the API tests build, communities laid out apart, and a new node's bounded disturbance."""

import numpy as np

from bench.view import planted
from layout import analytics, forces


def _groups(n: int) -> np.ndarray:
    """The planted communities of bench.view.planted(n): runs of consecutive nodes, as it draws them."""
    rng = np.random.default_rng(1)
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(int(rng.integers(20, 201)))
    sizes[-1] -= sum(sizes) - n
    return np.repeat(np.arange(len(sizes)), sizes)


def test_the_same_graph_gets_the_same_picture() -> None:
    links = planted(2000)
    groups = analytics.communities(2000, links, seed=3)
    assert np.array_equal(groups, analytics.communities(2000, links, seed=3))
    first = forces.full(2000, links, groups, seed=3)
    assert np.array_equal(first, forces.full(2000, links, groups, seed=3))
    assert np.isfinite(first).all()


def test_planted_communities_are_found_and_drawn_apart() -> None:
    n = 3000
    links, truth = planted(n), _groups(n)
    found = analytics.communities(n, links, seed=1)
    # Each planted community is (almost all of it) one found community.
    purity = [np.bincount(found[truth == g]).max() / (truth == g).sum() for g in np.unique(truth)]
    assert np.median(purity) >= 0.95
    positions = forces.full(n, links, found, seed=1)
    inside = links.where(truth[links.sources] == truth[links.targets])
    length = np.linalg.norm(positions[inside.sources] - positions[inside.targets], axis=1)
    pairs = np.random.default_rng(0).integers(0, n, (5000, 2))
    random = np.linalg.norm(positions[pairs[:, 0]] - positions[pairs[:, 1]], axis=1)
    assert np.median(length) * 4 < np.median(random)


def test_a_new_node_lands_by_its_neighbours_and_old_ones_barely_move() -> None:
    n = 2000
    links = planted(n)
    positions = forces.full(n, links, analytics.communities(n, links, seed=1), seed=1)
    grown = forces.Links(
        np.concatenate([links.sources, [n, n]]),
        np.concatenate([links.targets, [10, 11]]),
        np.concatenate([links.weights, [1.0, 1.0]]),
    )
    known = np.append(np.ones(n, dtype=bool), False)
    placed, moved = forces.place(np.vstack([positions, [[0.0, 0.0, 0.0]]]), known, grown, seed=5)
    shift = np.linalg.norm(placed[:n] - positions, axis=1)
    assert shift.max() <= forces.OLD_NODE_BOUND + 1e-6
    assert len(moved) < n // 10 and n in moved
    assert np.linalg.norm(placed[n] - placed[[10, 11]].mean(axis=0)) < 3 * forces.EDGE


def test_a_cut_keeps_the_budget_and_folds_the_rest_by_community() -> None:
    weights = np.arange(100, dtype=float)
    groups = np.arange(100) % 5
    cut = analytics.cut(weights, groups, budget=20)
    assert len(cut.shown) + len(cut.folded) <= 20
    assert set(cut.shown) == set(range(100 - len(cut.shown), 100))  # the heaviest
    assert len(cut.shown) + sum(len(m) for m in cut.folded.values()) + cut.hidden == 100
    assert all({int(groups[i]) for i in members} == {c} for c, members in cut.folded.items())
