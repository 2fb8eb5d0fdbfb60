"""The 3D force layout, in numpy: multilevel for a whole graph, incremental for what is new.

A whole graph is laid out communities first: each community's own layout (all communities at once, every
node repelled by a seeded sample of its community's members and pulled along its community's links),
then the community graph itself (links summed), scaled so that no two communities overlap; a node's place
is its community's place plus its place within it. A plain 3D Fruchterman-Reingold costs O(n^2) per
iteration; this costs O(n * samples + links).

A new node is placed at its placed neighbours' mean plus a little seeded jitter, and only its k-hop
neighbourhood is relaxed, with the old nodes' steps held small: the picture a client has stays put.
Everything is seeded, so the same graph (in the same order) always gets the same picture.
"""

from dataclasses import dataclass

import numpy as np

EDGE = 30.0  # the length a link settles at, in scene units
SAMPLES = 16  # members each node is repelled by per step, within its community
EXACT_COARSE = 3000  # communities up to this many are laid out with every pair repelling
OLD_STEP = 0.02  # the largest step an old node takes per iteration of an incremental pass, in EDGEs
PLACE_ITERATIONS = 30
# How far an old node can move when new ones are placed: its steps cool linearly from OLD_STEP links.
OLD_NODE_BOUND = OLD_STEP * EDGE * (PLACE_ITERATIONS + 1) / 2


@dataclass(frozen=True)
class Links:
    """A graph's links as index arrays into its nodes (each link once, either way round)."""

    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray

    @classmethod
    def of(cls, pairs: list[tuple[int, int, float]]) -> "Links":
        if not pairs:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, np.zeros(0))
        array = np.asarray(pairs, dtype=np.float64)
        return cls(array[:, 0].astype(np.int64), array[:, 1].astype(np.int64), array[:, 2])

    def where(self, keep: np.ndarray) -> "Links":
        return Links(self.sources[keep], self.targets[keep], self.weights[keep])


def full(n: int, links: Links, communities: np.ndarray, seed: int, iterations: int = 40) -> np.ndarray:
    """Positions (n x 3) for a whole graph whose nodes are grouped into `communities`."""
    if n == 0:
        return np.zeros((0, 3))
    rng = np.random.default_rng(seed)
    groups = np.unique(communities, return_inverse=True)[1].reshape(-1)
    sizes = np.bincount(groups)
    radius = EDGE * np.cbrt(sizes)
    local = _in_ball(rng, n) * radius[groups, None]
    inside = groups[links.sources] == groups[links.targets]
    local = _relax_sampled(local, links.where(inside), groups, sizes, rng, iterations)
    local -= _group_mean(local, groups, len(sizes))[groups]
    extent = np.zeros(len(sizes))
    np.maximum.at(extent, groups, np.linalg.norm(local, axis=1))
    extent += EDGE / 2
    centres = _coarse(links.where(~inside), groups, extent, rng, iterations)
    return centres[groups] + local


def place(
    positions: np.ndarray,
    known: np.ndarray,
    links: Links,
    seed: int,
    hops: int = 2,
    iterations: int = PLACE_ITERATIONS,
    extent: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Places the nodes not `known` near their neighbours and relaxes their `hops`-hop neighbourhood;
    returns the new positions and the indices of the nodes that moved (the new ones among them).
    `extent`: how far from the centre the whole picture reaches, when `positions` hold only part of it
    (a node linked to nothing known goes past it, not into the middle of the part)."""
    rng = np.random.default_rng(seed)
    placed = positions.copy()
    known = known.copy()
    new = np.flatnonzero(~known)
    if len(new) == 0:
        return placed, new
    _seat(placed, known, links, rng, extent)
    region = _reach(len(placed), new, links, hops)
    movable = np.zeros(len(placed), dtype=bool)
    movable[region] = True
    fresh = np.zeros(len(placed), dtype=bool)
    fresh[new] = True
    near = _near(placed, region, radius=4 * EDGE)
    before = placed.copy()
    placed = _relax_exact(placed, links, movable, fresh, near, iterations)
    moved = np.flatnonzero(fresh | (np.linalg.norm(placed - before, axis=1) > 1e-6))
    return placed, moved


def _seat(
    positions: np.ndarray, known: np.ndarray, links: Links, rng: np.random.Generator, extent: float = 0.0
) -> None:
    """Seats each unknown node at its known neighbours' mean (plus jitter), in waves, so that new nodes
    linked only to new nodes follow them; those linked to nothing known go on the picture's rim."""
    n = len(positions)
    both_s = np.concatenate([links.sources, links.targets])
    both_t = np.concatenate([links.targets, links.sources])
    while True:
        waiting = ~known[both_s] & known[both_t]
        if not waiting.any():
            break
        who, fro = both_s[waiting], both_t[waiting]
        count = np.bincount(who, minlength=n)
        target = np.flatnonzero(count)
        mean = np.stack([np.bincount(who, positions[fro, d], minlength=n) for d in range(3)], axis=1)
        positions[target] = mean[target] / count[target, None] + _in_ball(rng, len(target)) * EDGE / 2
        known[target] = True
    alone = np.flatnonzero(~known)
    if len(alone):
        rim = max(np.linalg.norm(positions[known], axis=1).max(initial=0.0), extent) + EDGE
        directions = _in_ball(rng, len(alone))
        directions /= np.maximum(np.linalg.norm(directions, axis=1, keepdims=True), 1e-9)
        positions[alone] = directions * rim
        known[alone] = True


def _reach(n: int, start: np.ndarray, links: Links, hops: int) -> np.ndarray:
    reached = np.zeros(n, dtype=bool)
    reached[start] = True
    for _ in range(hops):
        grown = reached.copy()
        grown[links.targets[reached[links.sources]]] = True
        grown[links.sources[reached[links.targets]]] = True
        reached = grown
    return np.flatnonzero(reached)


def _near(positions: np.ndarray, region: np.ndarray, radius: float) -> np.ndarray:
    """The nodes within `radius` of some node of the region: what can push the region's nodes."""
    close = np.zeros(len(positions), dtype=bool)
    close[region] = True
    for low in range(0, len(region), 256):
        part = positions[region[low : low + 256]]
        d2 = ((positions[None, :, :] - part[:, None, :]) ** 2).sum(-1)
        close |= (d2 <= radius * radius).any(axis=0)
    return np.flatnonzero(close)


def _relax_exact(
    positions: np.ndarray,
    links: Links,
    movable: np.ndarray,
    fresh: np.ndarray,
    near: np.ndarray,
    iterations: int,
) -> np.ndarray:
    """Fruchterman-Reingold steps for the movable nodes only, repelled by every node near them and pulled
    along their links; old nodes step at most OLD_STEP links' length per iteration."""
    moving = np.flatnonzero(movable)
    touching = movable[links.sources] | movable[links.targets]
    sub = links.where(touching)
    cap = np.where(fresh[moving], EDGE, OLD_STEP * EDGE)
    pos = positions.copy()
    for step in range(iterations):
        cool = 1 - step / iterations
        delta = pos[moving, None, :] - pos[None, near, :]
        d2 = np.maximum((delta**2).sum(-1), 1e-2)
        push = (delta * (EDGE * EDGE / d2)[..., None]).sum(axis=1)
        pull = _pull(pos, sub, len(pos))[moving]
        pos[moving] += _capped(push + pull, cap * cool)
    return pos


def _relax_sampled(
    pos: np.ndarray, links: Links, groups: np.ndarray, sizes: np.ndarray, rng: np.random.Generator, steps: int
) -> np.ndarray:
    """Fruchterman-Reingold steps with each node repelled by SAMPLES members of its group, drawn anew each
    step (scaled by group size / SAMPLES), pulled along links and gently towards its group's origin."""
    n = len(pos)
    order = np.argsort(groups, kind="stable")
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])[groups]
    size = sizes[groups]
    scale = (size - 1) / SAMPLES
    heat = EDGE * np.cbrt(size)
    chunk = max(1, 2_000_000 // SAMPLES)
    for step in range(steps):
        cool = 1 - step / steps
        push = np.empty_like(pos)
        for low in range(0, n, chunk):
            part = slice(low, min(n, low + chunk))
            pick = (rng.random((part.stop - low, SAMPLES)) * size[part, None]).astype(np.int64)
            partners = order[start[part, None] + pick]
            delta = (pos[part, None, :] - pos[partners]).astype(np.float32)
            d2 = np.einsum("ijk,ijk->ij", delta, delta)
            strength = np.float32(EDGE * EDGE) / np.maximum(
                d2, np.float32(1e-2)
            )  # a node drawn itself: delta 0
            push[part] = np.einsum("ijk,ij->ik", delta, strength) * scale[part, None]
        gravity = -pos * (np.linalg.norm(pos, axis=1, keepdims=True) / (EDGE * np.cbrt(size)[:, None]) * 0.5)
        pos = pos + _capped(push + _pull(pos, links, n) + gravity, heat * cool)
    return pos


def _pull(pos: np.ndarray, links: Links, n: int) -> np.ndarray:
    """The attraction of links (d^2 / EDGE, times weight) summed per node."""
    delta = pos[links.targets] - pos[links.sources]
    force = delta * (np.linalg.norm(delta, axis=1) * links.weights / EDGE)[:, None]
    total = np.zeros((n, 3))
    for d in range(3):
        total[:, d] = np.bincount(links.sources, force[:, d], minlength=n)
        total[:, d] -= np.bincount(links.targets, force[:, d], minlength=n)
    return total


def _capped(step: np.ndarray, limit: np.ndarray | float) -> np.ndarray:
    length = np.maximum(np.linalg.norm(step, axis=1, keepdims=True), 1e-12)
    limit = np.broadcast_to(np.asarray(limit, dtype=float), (len(step),))[:, None]
    return step * np.minimum(1.0, limit / length)


def _coarse(
    between: Links, groups: np.ndarray, extent: np.ndarray, rng: np.random.Generator, steps: int
) -> np.ndarray:
    """The communities' places: a layout of the community graph (links summed per pair, repulsion in
    proportion to the communities' extents), scaled so that neighbouring communities do not overlap."""
    count = len(extent)
    if count == 1:
        return np.zeros((1, 3))
    a, b = groups[between.sources], groups[between.targets]
    low, high = np.minimum(a, b), np.maximum(a, b)
    keys, inverse = np.unique(low * count + high, return_inverse=True)
    summed = np.bincount(inverse.reshape(-1), between.weights)
    pairs = Links(keys // count, keys % count, np.log1p(summed))
    spread = EDGE * np.cbrt(count) * 2
    pos = _in_ball(rng, count) * spread
    if count > EXACT_COARSE:
        zero = np.zeros(count, dtype=np.int64)
        return _relax_sampled(pos, pairs, zero, np.array([count]), rng, steps) * (np.median(extent) / EDGE)
    mass = extent / np.median(extent)
    for step in range(steps * 2):
        cool = 1 - step / (steps * 2)
        delta = pos[:, None, :] - pos[None, :, :]
        d2 = np.maximum((delta**2).sum(-1), 1e-2)
        push = (delta * (EDGE * EDGE * np.outer(mass, mass) / d2)[..., None]).sum(axis=1)
        gravity = -pos * (np.linalg.norm(pos, axis=1, keepdims=True) / spread) * 0.5
        pos = pos + _capped(push + _pull(pos, pairs, count) + gravity, spread * 0.2 * cool)
    distance = np.linalg.norm(pos[:, None, :] - pos[None, :, :], axis=-1)
    np.fill_diagonal(distance, np.inf)
    overlap = (extent[:, None] + extent[None, :]) / np.maximum(distance, 1e-9)
    return pos * max(float(np.quantile(overlap.max(axis=1), 0.9)), 1e-3)


def _group_mean(pos: np.ndarray, groups: np.ndarray, count: int) -> np.ndarray:
    sizes = np.maximum(np.bincount(groups, minlength=count), 1)
    return (
        np.stack([np.bincount(groups, pos[:, d], minlength=count) for d in range(3)], axis=1) / sizes[:, None]
    )


def _in_ball(rng: np.random.Generator, n: int) -> np.ndarray:
    """n points spread evenly in the unit ball."""
    direction = rng.normal(size=(n, 3))
    direction /= np.maximum(np.linalg.norm(direction, axis=1, keepdims=True), 1e-12)
    return direction * np.cbrt(rng.random(n))[:, None]
