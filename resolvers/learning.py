"""What Kindred learned of the viewer's people: who is alike, how each relationship went over time and
where it is heading, and the emotional and seasonal patterns of their memories, gifts and occasions."""

import asyncio
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from errors import BadUserInput
from graph.kinds import RECIPIENT
from graph.learning import SNAPSHOT
from graph.pages import Row
from resolvers.context import Context

# What a trend may follow, and the scale that brings it to 0-1 (so one slope band fits them all).
METRICS: dict[str, float] = {
    "closeness": 10.0,
    "importance": 10.0,
    "emotional_warmth": 1.0,
    "conflict_level": 1.0,
    "average_gift_success": 1.0,
}
STEADY = 0.02  # a slope (per 30 days, on the 0-1 scale) within this either way is steady
MONTH_SECONDS = 30 * 86400.0
# Meteorological seasons of the northern hemisphere, by month (UTC).
SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring"}
SEASONS |= {6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}


async def similar(context: Context, uid: str) -> list[tuple[Row, dict[str, Any]]]:
    """The people found alike to this one, best first, each with its link ({score, basis, at})."""
    links = await context.loaders.similar.load(uid)
    rows = await asyncio.gather(*(context.loaders.rows.load((RECIPIENT, link["uid"])) for link in links))
    return [(row, link) for row, link in zip(rows, links, strict=True) if row is not None]


def _window(since: datetime | None, until: datetime | None) -> tuple[float, float]:
    if since is not None and until is not None and since > until:
        raise BadUserInput("from must not be after to.", field="from")
    start = since.timestamp() if since is not None else float("-inf")
    end = until.timestamp() if until is not None else float("inf")
    return start, end


async def history(context: Context, uid: str, since: datetime | None, until: datetime | None) -> list[dict]:
    """The snapshots of the relationship taken between `since` and `until`, oldest first."""
    start, end = _window(since, until)
    kept = await context.loaders.histories.load(uid)
    return [
        {"at": datetime.fromtimestamp(entry[0], UTC), **dict(zip(SNAPSHOT, entry[1:], strict=True))}
        for entry in kept
        if start <= entry[0] <= end
    ]


async def trend(
    context: Context, uid: str, since: datetime | None, until: datetime | None, metric: str
) -> dict[str, Any]:
    """Where `metric` went between `since` and `until`: the least-squares slope of its snapshots (per 30
    days, on a 0-1 scale), called rising, falling or steady (within STEADY either way)."""
    snapshots = await history(context, uid, since, until)
    points = [(s["at"].timestamp(), s[metric] / METRICS[metric]) for s in snapshots if s[metric] is not None]
    slope = _slope(points) * MONTH_SECONDS
    direction = "rising" if slope > STEADY else "falling" if slope < -STEADY else "steady"
    return {"direction": direction, "slope": round(slope, 4), "points": len(points)}


def _slope(points: list[tuple[float, float]]) -> float:
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    return sum((t - mean_t) * (v - mean_v) for t, v in points) / spread if spread else 0.0


async def patterns(context: Context, key: str) -> dict[str, Any]:
    """The patterns of one person (their uid) or of the viewer's whole graph (''), counted for display."""
    found = await context.loaders.patterns.load(key)
    months: dict[tuple[int, str], list[Any]] = defaultdict(lambda: [0, 0.0, 0])
    weekdays: dict[tuple[int, str], list[Any]] = defaultdict(lambda: [0, 0.0, 0])
    for row in found["emotions"]:
        for table, at in ((months, row["month"]), (weekdays, row["weekday"])):
            entry = table[(at, row["emotion"])]
            entry[0] += row["count"]
            if row["valence"] is not None:  # a mean over the memories that have a valence
                entry[1] += row["valence"] * row["count"]
                entry[2] += row["count"]
    gifts: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, 0.0, 0])
    for row in found["gifts"]:
        entry = gifts[(SEASONS[row["month"]], row["category"])]
        entry[0] += row["count"]
        if row["success"] is not None:
            entry[1] += row["success"] * row["count"]
            entry[2] += row["count"]
    occasions: dict[tuple[str, str], int] = defaultdict(int)
    for row in found["occasions"]:
        occasions[(SEASONS[row["month"]], row["kind"])] += row["count"]

    def mean(total: float, counted: int) -> float | None:
        return round(total / counted, 4) if counted else None

    return {
        "by_month": [
            {"month": m, "emotion": e, "count": c, "mean_valence": mean(t, k)}
            for (m, e), (c, t, k) in sorted(months.items())
        ],
        "by_weekday": [
            {"weekday": d, "emotion": e, "count": c, "mean_valence": mean(t, k)}
            for (d, e), (c, t, k) in sorted(weekdays.items())
        ],
        "gifts": [
            {"season": s, "category": g or None, "count": c, "mean_success": mean(t, k)}
            for (s, g), (c, t, k) in sorted(gifts.items())
        ],
        "occasions": [{"season": s, "kind": kind, "count": c} for (s, kind), c in sorted(occasions.items())],
    }
