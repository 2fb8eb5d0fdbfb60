"""Cypher for Series nodes and their entries: dated values the viewer tracks about themselves or one of
their people (growth deltas, a skill's levels, a holding's value, transactions, portfolio snapshots).

How entries are kept, and why. A series is one node (a kind like any other: searched, drawn, in deltas
and exports); its entries are not nodes. One node per point would make a daily series of ten years
3,650 nodes, each with a uid, an owner index entry, a relationship and a record of its own, and every
range read a walk over them. Instead the entries of one calendar month (UTC) are one `SeriesBucket`
node, (series)-[:HAS_BUCKET]->(bucket), holding parallel arrays ordered by time: `times` (epoch
milliseconds: ints, which the driver decodes far faster than temporal values), `values`, `seqs` (the
number each entry got when appended: it orders entries at the same instant and makes the keyset of a
page), `deltas` (NaN where none was given: a property array holds no nulls), `notes` and `details`
(JSON text; "" where none). A range read touches only the buckets whose month overlaps it; a
summary is computed in Cypher over those arrays. The month bounds a bucket (MAX_PER_BUCKET entries),
so an append rewrites at most one month's arrays, however long the series. The series keeps the
count, first and last times of its entries and the last sequence number it gave.

An append is one statement: it takes the series' write lock before it reads its sequence, so two appends
at once queue on that lock and neither loses the other's entries; then it merges the new entries into
each month's arrays in time order. A bad entry, or a month over its bound, refuses the whole append.

HOLDS (the coverage map's (:User)-[:HOLDS]->(asset)) is left out: a holding is a Series of kind
`holding` whose `detail` names the asset (ticker, asset type, position, intent, horizon) and whose
entries are its positions or value over time; its owner is the series' `owner`, so a HOLDS edge from the
User would say nothing more, and links here join kinds (the User is none), so it would be read by
nothing. Transactions are a `transaction` series (the amount as value, the trade in its entry's detail).
"""

import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from errors import BadUserInput, NotFound
from graph import events, nodes
from graph.events import EventKind
from graph.kinds import BUCKET, HAS_BUCKET, RECIPIENT, SERIES, TRACKED
from graph.nodes import Link
from graph.pages import Condition, Page, Row, Rows
from graph.refs import Ref
from graph.traversals import Traversal

# The most entries one month of a series holds (about one every four and a half minutes).
MAX_PER_BUCKET = 10_000
# The relation that reaches series from a person, and the person a series is about.
OF_RECIPIENT = Traversal.along(TRACKED, SERIES)
RECIPIENTS = Traversal.along(TRACKED, RECIPIENT)
# The periods a summary groups by, as datetime.truncate names them (a week starts on Monday, UTC).
PERIODS = ("day", "week", "month", "year")


@dataclass(frozen=True)
class Entry:
    """One dated value of a series, as checked by the resolver: its time in epoch milliseconds (UTC)."""

    at: int
    value: float
    delta: float | None = None
    note: str | None = None
    detail: dict[str, Any] | None = None


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def month_of(ms: int) -> tuple[int, int, int]:
    """(key yyyymm, start, end) of the UTC calendar month holding `ms`, its bounds in epoch ms."""
    at = moment(ms)
    start = datetime(at.year, at.month, 1, tzinfo=UTC)
    end = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=UTC)
    return at.year * 100 + at.month, millis(start), millis(end)


def by_month(entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries (each with its time `t` in epoch ms) grouped by UTC calendar month, in month order:
    each group its `month` key, its bounds `start` and `end`, and its `entries`, as `merged` takes them."""
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        grouped[month_of(entry["t"])[0]].append(entry)
    return [
        dict(zip(("month", "start", "end"), month_of(group[0]["t"]), strict=True), entries=group)
        for _, group in sorted(grouped.items())
    ]


def empty_arrays(arrays: Mapping[str, str]) -> str:
    """Cypher setting a new bucket `b`'s parallel arrays empty: `times`, `seqs` and each of `arrays`."""
    return ", ".join(f"b.{name} = []" for name in ("times", "seqs", *arrays.values()))


def merged(arrays: Mapping[str, str]) -> str:
    """Cypher merging a group's entries (`g.entries`, each with its time `t` and its index `i` after the
    sequence `base`) into its bucket `b`'s parallel arrays in time order (then sequence): `times`, `seqs`
    and one for each of `arrays` (an entry's key: the bucket's array). Binds `b` and `sorted` (the
    bucket's entries after, as maps of those keys and `t`, `q`)."""
    fields = {"t": "times", "q": "seqs", **arrays}
    kept = ", ".join(f"{key}: b.{name}[i]" for key, name in fields.items())
    given = ", ".join(["t: e.t", "q: base + e.i", *(f"{key}: e.{key}" for key in arrays)])
    written = ", ".join(f"b.{name} = [e IN sorted | e.{key}]" for key, name in fields.items())
    return f"""
      WITH b, [i IN range(0, size(b.times) - 1) | {{{kept}}}] + [e IN g.entries | {{{given}}}] AS merged
      CALL (merged) {{
        UNWIND merged AS e
        WITH e ORDER BY e.t, e.q
        RETURN collect(e) AS sorted
      }}
      SET {written}
      WITH b, sorted"""


def condition(kinds: list[str] | None = None, recipient: str | None = None) -> Condition:
    return Condition.of(
        ("n.kind IN $kinds", "kinds", kinds),
        ("EXISTS { (n)-[:ABOUT]->(:Recipient {uid: $recipient, owner: $owner}) }", "recipient", recipient),
    )


async def create(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, values: dict[str, Any], about: str | None
) -> Row:
    """The series, with whom it is about; NotFound (nothing written) when that person is not the owner's."""
    links = [Link(TRACKED.type, TRACKED.target, about)] if about else []
    return await nodes.create(tx, SERIES, owner=owner, uid=uid, values=values, links=links)


async def update(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    values: dict[str, Any],
    about: str | None = None,
    about_given: bool = False,
) -> Row:
    """Sets the given properties; whom it is about becomes `about` where given (None: the viewer)."""
    row = await nodes.update(tx, SERIES, owner=owner, uid=uid, values=values)
    if about_given:
        targets = [Ref(RECIPIENT.label, about)] if about else []
        await nodes.relink(tx, SERIES, owner=owner, uid=uid, rel=TRACKED.type, targets=targets)
    return row


# The series' count, first and last times, read again from its buckets (whose arrays are in time order)
# after entries are removed.
_STATS = f"""
CALL (s) {{
  OPTIONAL MATCH (s)-[:{HAS_BUCKET}]->(b:{BUCKET})
  RETURN coalesce(sum(size(b.times)), 0) AS total, min(b.times[0]) AS first, max(b.times[-1]) AS last
}}
SET s.entry_count = total,
    s.first_at = CASE WHEN first IS NULL THEN null ELSE datetime({{epochMillis: first}}) END,
    s.last_at = CASE WHEN last IS NULL THEN null ELSE datetime({{epochMillis: last}}) END,
    s.updated_at = datetime()
"""


# An entry's keys and the series bucket's arrays that keep them (besides its times and sequences).
_ARRAYS = {"v": "values", "d": "deltas", "n": "notes", "x": "details"}


async def append(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, entries: Sequence[Entry]
) -> tuple[Row, int]:
    """Adds the entries, each month's merged into its bucket in time order, under the series' lock; the
    series after, and how many were added. NotFound when the series is not the owner's; BadUserInput
    (nothing written) when a month would hold more than MAX_PER_BUCKET."""
    groups = by_month(
        [
            {
                "t": entry.at,
                "i": index + 1,
                "v": float(entry.value),
                "d": math.nan if entry.delta is None else float(entry.delta),
                "n": entry.note or "",
                "x": "" if entry.detail is None else json.dumps(entry.detail, separators=(",", ":")),
            }
            for index, entry in enumerate(entries)
        ]
    )
    # The first SET takes the series' write lock before its sequence is read: appends at once queue here.
    query = f"""
    MATCH (s:Series {{uid: $uid, owner: $owner}})
    SET s.append_lock = true
    WITH s, coalesce(s.entry_seq, 0) AS base
    REMOVE s.append_lock
    SET s.entry_seq = base + $count
    WITH s, base
    CALL (s, base) {{
      UNWIND $groups AS g
      MERGE (s)-[:{HAS_BUCKET}]->(b:{BUCKET} {{month: g.month}})
      ON CREATE SET b.uid = randomUUID(), b.owner = $owner, b.start = g.start, b.end = g.end,
                    {empty_arrays(_ARRAYS)}
      {merged(_ARRAYS)}
      RETURN max(size(sorted)) AS fullest
    }}
    SET s.entry_count = coalesce(s.entry_count, 0) + $count, s.updated_at = datetime(),
        s.first_at = CASE WHEN s.first_at IS NULL OR s.first_at > datetime({{epochMillis: $low}})
                     THEN datetime({{epochMillis: $low}}) ELSE s.first_at END,
        s.last_at = CASE WHEN s.last_at IS NULL OR s.last_at < datetime({{epochMillis: $high}})
                    THEN datetime({{epochMillis: $high}}) ELSE s.last_at END
    WITH s AS n, fullest
    RETURN {SERIES.projection} AS n, fullest
    """
    times = [entry.at for entry in entries]
    params = {
        "uid": uid,
        "owner": owner,
        "count": len(entries),
        "groups": groups,
        "low": min(times),
        "high": max(times),
    }
    record = await (await tx.run(query, params)).single()
    if record is None:
        raise NotFound("No Series of yours has this id.", id=uid)
    if record["fullest"] > MAX_PER_BUCKET:
        raise BadUserInput(
            f"A series holds at most {MAX_PER_BUCKET:,} entries in one calendar month (UTC).", field="entries"
        )
    await events.append(tx, owner, EventKind.updated(SERIES.label), [Ref(SERIES.label, uid)])
    return SERIES.row(record["n"]), len(entries)


async def remove(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, start: int, end: int
) -> tuple[Row, int]:
    """Removes the entries at or after `start` and before `end` (epoch ms), under the series' lock; a
    month left empty goes. The series after, and how many entries were removed."""
    query = f"""
    MATCH (s:Series {{uid: $uid, owner: $owner}})
    SET s.append_lock = true
    REMOVE s.append_lock
    WITH s
    CALL (s) {{
      OPTIONAL MATCH (s)-[:{HAS_BUCKET}]->(b:{BUCKET}) WHERE b.start < $end AND b.end > $start
      WITH b, [i IN CASE WHEN b IS NULL THEN [] ELSE range(0, size(b.times) - 1) END
                 WHERE b.times[i] < $start OR b.times[i] >= $end] AS kept
      WITH b, kept, CASE WHEN b IS NULL THEN 0 ELSE size(b.times) - size(kept) END AS gone
      FOREACH (_ IN CASE WHEN b IS NOT NULL AND kept <> [] AND gone > 0 THEN [1] ELSE [] END |
        SET b.times = [i IN kept | b.times[i]], b.seqs = [i IN kept | b.seqs[i]],
            b.values = [i IN kept | b.values[i]], b.deltas = [i IN kept | b.deltas[i]],
            b.notes = [i IN kept | b.notes[i]], b.details = [i IN kept | b.details[i]])
      FOREACH (_ IN CASE WHEN b IS NOT NULL AND kept = [] THEN [1] ELSE [] END | DETACH DELETE b)
      RETURN sum(gone) AS removed
    }}
    {_STATS}
    WITH s AS n, removed
    RETURN {SERIES.projection} AS n, removed
    """
    record = await (await tx.run(query, uid=uid, owner=owner, start=start, end=end)).single()
    if record is None:
        raise NotFound("No Series of yours has this id.", id=uid)
    if record["removed"]:
        await events.append(tx, owner, EventKind.updated(SERIES.label), [Ref(SERIES.label, uid)])
    return SERIES.row(record["n"]), int(record["removed"])


def _in_range(bucket: str = "true", uid: str = "$uid") -> str:
    """The entries of the series `uid` (a Cypher expression) at or after $start and before $end, each as
    (b, i, t, q): from the buckets whose month overlaps the range and for which `bucket` holds (a page's
    side of its cursor)."""
    return f"""
    MATCH (s:Series {{uid: {uid}, owner: $owner}})-[:{HAS_BUCKET}]->(b:{BUCKET})
    WHERE b.start < $end AND b.end > $start AND {bucket}
    UNWIND range(0, size(b.times) - 1) AS i
    WITH b, i, b.times[i] AS t, b.seqs[i] AS q
    WHERE t >= $start AND t < $end
    """


async def entries(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uids: list[str],
    start: int,
    end: int,
    page: Page,
    newest_first: bool,
) -> dict[str, Rows]:
    """One keyset page of each series' entries in [start, end) (every series of a level at once), by
    time (then sequence), newest first or oldest first; each row's uid is its sequence (as text), its
    sort its time. A series not the owner's has an empty page."""
    descending = newest_first != page.backward
    params: dict[str, Any] = {
        "uids": uids,
        "owner": owner,
        "start": start,
        "end": end,
        "limit": page.size + 1,
    }
    keyset, bucket = "true", "true"
    if page.cursor is not None:
        (at,), seq = page.cursor
        try:
            params["cursor_t"], params["cursor_q"] = int(at), int(seq)
        except (TypeError, ValueError) as error:
            name = "before" if page.backward else "after"
            message = f"This `{name}` cursor is not one of a series' entries."
            raise BadUserInput(message, field=name) from error
        side = "<" if descending else ">"
        keyset = f"(t {side} $cursor_t OR (t = $cursor_t AND q {side} $cursor_q))"
        bucket = "b.start <= $cursor_t" if descending else "b.end > $cursor_t"
    direction = "DESC" if descending else "ASC"
    query = f"""
    UNWIND $uids AS uid
    CALL (uid) {{
      {_in_range(bucket, "uid")} AND {keyset}
      WITH b, i, t, q ORDER BY t {direction}, q {direction} LIMIT $limit
      RETURN collect([t, q, b.values[i], b.deltas[i], b.notes[i], b.details[i]]) AS rows
    }}
    RETURN collect([uid, rows]) AS found
    """
    record = await (await tx.run(query, params)).single(strict=True)
    found = dict(record["found"])
    return {uid: Rows.of([_row(*row) for row in found.get(uid, [])], page) for uid in uids}


def _row(t: int, q: int, v: float, d: float | None, n: str, x: str) -> Row:
    node = {
        "uid": str(q),
        "at": moment(t),
        "value": v,
        "delta": None if d is None or math.isnan(d) else d,
        "note": n or None,
        "detail": json.loads(x) if x else None,
    }
    return Row(node, (t,))


async def count(tx: AsyncManagedTransaction, *, owner: str, uid: str, start: int, end: int) -> int:
    query = f"{_in_range()} RETURN count(*) AS total"
    record = await (await tx.run(query, uid=uid, owner=owner, start=start, end=end)).single(strict=True)
    return int(record["total"])


async def summary(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uids: list[str],
    period: str,
    start: int,
    end: int,
    most: int,
) -> dict[str, list[dict[str, Any]]]:
    """For each series (every series of a level at once), per period (UTC; a week from Monday) holding
    entries in [start, end), in time order: its start (epoch ms), and the count, sum, min, max, mean,
    first and last of its values; at most `most` + 1 periods (the caller refuses more)."""
    if period not in PERIODS:
        raise ValueError(period)
    query = f"""
    UNWIND $uids AS uid
    CALL (uid) {{
      {_in_range(uid="uid")}
      WITH t, q, b.values[i] AS v
      WITH t, q, v, datetime.truncate($period, datetime({{epochMillis: t}})).epochMillis AS period
      ORDER BY t, q
      WITH period, collect(v) AS vs, count(*) AS n, sum(v) AS total, min(v) AS low, max(v) AS high
      ORDER BY period LIMIT $most
      RETURN collect({{start: period, count: n, sum: total, min: low, max: high, mean: total / n,
                      first: vs[0], last: vs[-1]}}) AS periods
    }}
    RETURN collect([uid, periods]) AS found
    """
    params = {"uids": uids, "owner": owner, "start": start, "end": end, "period": period, "most": most + 1}
    record = await (await tx.run(query, params)).single(strict=True)
    found = dict(record["found"])
    return {uid: list(found.get(uid, [])) for uid in uids}
