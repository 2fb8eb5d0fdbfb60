"""Cypher of growth: the append-only stream of growth credits (seed 004's growth_events) and its sums.

A credit is one delta on one growth dimension (settings' `growth_dimensions`), from a source (a memory,
a conversation, a challenge, or given by hand), about an entity: a card (a Concept or a Memory) or the
person themselves (their User node).

How credits are kept, and why: as a series' entries are (graph/series.py), in month buckets, not as nodes.
A `GrowthBucket` holds one entity's credits of one calendar month (UTC), (entity)-[:HAS_GROWTH]->(bucket),
as parallel arrays in time order: `times` (epoch ms), `seqs` (the number each credit got, per owner, kept
on the User as `growth_seq`: it orders credits at one instant), `dims`, `deltas`, `sources` (the source's
kind) and `source_ids` (its uid; "" for one given by hand). It keeps each dimension's running total for
its month too (`dim_keys`, `dim_totals`: what a card's evolution reads, never its credits one by one:
seed 004's materialized mv_entity_growth, kept by the write). It names its `entity` (the card's uid; ""
for the person, so an archive imported into a new account still holds) and `entity_label`, so a card's
sums read only its own buckets (indexed by owner and entity) and a person's profile reads only their
buckets, each for the months a range overlaps. Buckets go with their entity (its kind's cascade) or with
the account; nothing else updates or deletes them.
"""

import json
import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from errors import BadUserInput, NotFound
from graph import events
from graph.events import GROWTH_RECORDED
from graph.kinds import BY_LABEL, GROWING, GROWTH_BUCKET, HAS_GROWTH
from graph.refs import Ref
from graph.series import PERIODS, by_month, empty_arrays, merged, millis

# Where a credit comes from, and the labels its source node may have (a challenge's label is added by
# the challenge kind when it exists; "manual" has no source node).
MEMORY, CONVERSATION, CHALLENGE, MANUAL = "memory", "conversation", "challenge", "manual"
SOURCE_LABELS: dict[str, tuple[str, ...]] = {
    MEMORY: ("Memory",),
    CONVERSATION: ("Conversation",),
    CHALLENGE: ("Challenge", "Task"),
    MANUAL: (),
}
# The largest change one credit makes on a dimension (the seed's deltas are tenths: +0.1, -0.05).
MAX_DELTA = 1.0
# The most credits one call records, and the entity of the person themselves.
MAX_CREDITS = 100
PERSON = "User"


@dataclass(frozen=True)
class Credit:
    """One growth credit to record. `entity` is the card credited (a Concept's or Memory's Ref), None for
    the person; `source_uid` names the source node (None for MANUAL); `at` is epoch ms (None: now)."""

    dimension: str
    delta: float
    source: str
    source_uid: str | None = None
    entity: Ref | None = None
    at: int | None = None


def check(credits: Sequence[Credit], dimensions: Collection[str]) -> None:
    """BadUserInput naming the first credit that is not one: an unknown dimension, a delta that is 0, not
    finite or past MAX_DELTA, an unknown source kind, a source node missing or given for MANUAL, an
    entity of a kind that does not grow, a time before 1900 or in the future."""
    if not 1 <= len(credits) <= MAX_CREDITS:
        raise BadUserInput(f"Record 1 to {MAX_CREDITS} credits at once.", field="credits")
    now = millis(datetime.now(UTC))
    for index, credit in enumerate(credits):
        where = f"credits.{index}"
        if credit.dimension not in dimensions:
            known = ", ".join(dimensions)
            raise BadUserInput(
                f"No growth dimension {credit.dimension!r}: one of {known}.", field=f"{where}.dimension"
            )
        if not math.isfinite(credit.delta) or credit.delta == 0 or abs(credit.delta) > MAX_DELTA:
            raise BadUserInput(f"A delta is not 0, from -{MAX_DELTA} to {MAX_DELTA}.", field=f"{where}.delta")
        if credit.source not in SOURCE_LABELS:
            raise BadUserInput(f"No source kind {credit.source!r}.", field=f"{where}.source")
        if (credit.source == MANUAL) != (credit.source_uid is None):
            message = "A credit given by hand names no source; any other names its source node."
            raise BadUserInput(message, field=f"{where}.sourceId")
        if credit.entity is not None and credit.entity.label not in GROWING:
            raise BadUserInput(f"Only {', '.join(GROWING)} cards (or you) grow.", field=f"{where}.entityId")
        if (
            credit.at is not None
            and not millis(datetime(1900, 1, 1, tzinfo=UTC)) <= credit.at <= now + 60_000
        ):
            raise BadUserInput("A credit's time is from 1900 up to now.", field=f"{where}.at")


def _found(labels: Sequence[str], key: str, visible: bool) -> str:
    """A query body returning as `x` the owner's node of the label `<key>.label` with uid `<key>.uid`
    (a branch per label: labels are no parameters), none when there is no such node of theirs."""
    branches = []
    for label in labels:
        shown = f" AND {BY_LABEL[label].visible}" if visible and label in BY_LABEL else ""
        match = f"MATCH (n:{label} {{uid: {key}.uid, owner: $owner}})"
        branches.append(f"{match} WHERE {key}.label = '{label}'{shown} RETURN n AS x")
    return " UNION ".join(branches)


async def _refuse_foreign(
    tx: AsyncManagedTransaction, owner: str, credits: Sequence[Credit]
) -> dict[str, Ref]:
    """NotFound when a credit's card or source is not the owner's (or is a label it cannot be); else the
    sources found, by uid."""
    cards = {credit.entity for credit in credits if credit.entity is not None}
    sources = {
        Ref(label, credit.source_uid)
        for credit in credits
        if credit.source_uid is not None
        for label in SOURCE_LABELS[credit.source]
    }
    wanted = {credit.source_uid for credit in credits if credit.source_uid is not None}
    labels = sorted({*GROWING, *(label for labels in SOURCE_LABELS.values() for label in labels)})
    query = f"""
    UNWIND $refs AS ref
    CALL (ref) {{ {_found(labels, "ref", visible=True)} }}
    RETURN collect(DISTINCT [labels(x)[0], x.uid]) AS found
    """
    refs = [{"label": ref.label, "uid": ref.uid} for ref in cards | sources]
    record = await (await tx.run(query, owner=owner, refs=refs)).single(strict=True)
    found = {Ref(label, uid) for label, uid in record["found"]}
    missing_cards = sorted(ref.uid for ref in cards - found)
    missing_sources = sorted(wanted - {ref.uid for ref in found & sources})
    if missing_cards or missing_sources:
        raise NotFound(
            "Not every card or source of these credits is one of yours.", ids=missing_cards + missing_sources
        )
    return {ref.uid: ref for ref in found & sources}


async def record(
    tx: AsyncManagedTransaction, *, owner: str, credits: Sequence[Credit], dimensions: Collection[str]
) -> list[dict[str, Any]]:
    """Records the credits in the caller's transaction, all or none, and one GrowthRecorded event naming
    the cards credited (their evolution may change). `dimensions` are the configured dimension keys.
    BadUserInput for a bad credit (see `check`), NotFound when a card or source is not the owner's.
    Returns each credit as recorded: seq, at (epoch ms), dimension, delta, source, source_uid, source_ref
    (its node's Ref), entity (a Ref; None for the person)."""
    check(credits, dimensions)
    sources = await _refuse_foreign(tx, owner, credits)
    now = millis(datetime.now(UTC))
    made: list[dict[str, Any]] = [
        {
            "i": index + 1,
            "t": now if credit.at is None else credit.at,
            "k": credit.dimension,
            "d": float(credit.delta),
            "s": credit.source,
            "r": credit.source_uid or "",
            "label": PERSON if credit.entity is None else credit.entity.label,
            "entity": "" if credit.entity is None else credit.entity.uid,  # "": the person (no uid kept)
        }
        for index, credit in enumerate(credits)
    ]
    by_entity: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for entry in made:
        by_entity[(entry["label"], entry["entity"])].append(entry)
    params = [
        {"label": label, "uid": uid, **group}
        for (label, uid), entries in sorted(by_entity.items())
        for group in by_month(entries)
    ]
    base = await _write(tx, owner, params)
    cards = list(dict.fromkeys(credit.entity for credit in credits if credit.entity is not None))
    data = json.dumps({"credits": len(credits)})
    await events.append(tx, owner, GROWTH_RECORDED, [Ref(PERSON, owner), *cards], data)
    return [
        {
            "seq": base + entry["i"],
            "at": entry["t"],
            "dimension": entry["k"],
            "delta": entry["d"],
            "source": entry["s"],
            "source_uid": entry["r"] or None,
            "source_ref": sources.get(entry["r"]),
            "entity": None if entry["label"] == PERSON else Ref(entry["label"], entry["entity"]),
        }
        for entry in made
    ]


# A credit's keys and the growth bucket's arrays that keep them (besides its times and sequences).
_ARRAYS = {"k": "dims", "d": "deltas", "s": "sources", "r": "source_ids"}


async def _write(tx: AsyncManagedTransaction, owner: str, groups: list[dict[str, Any]]) -> int:
    """Merges each group (one entity's credits of one month) into its bucket in time order, under the
    User's lock (so two recordings at once never take the same numbers); the sequence number before."""
    entity = " UNION ".join(
        [f"MATCH (e:{PERSON} {{uid: $owner}}) WHERE g.label = '{PERSON}' RETURN e"]
        + [
            f"MATCH (e:{label} {{uid: g.uid, owner: $owner}}) WHERE g.label = '{label}' RETURN e"
            for label in GROWING
        ]
    )
    query = f"""
    MATCH (u:User {{uid: $owner}})
    SET u.growth_lock = true
    WITH u, coalesce(u.growth_seq, 0) AS base
    REMOVE u.growth_lock
    SET u.growth_seq = base + $count
    WITH base
    CALL (base) {{
      UNWIND $groups AS g
      CALL (g) {{ {entity} }}
      MERGE (e)-[:{HAS_GROWTH}]->(b:{GROWTH_BUCKET} {{month: g.month}})
      ON CREATE SET b.uid = randomUUID(), b.owner = $owner, b.entity = g.uid, b.entity_label = g.label,
                    b.start = g.start, b.end = g.end, {empty_arrays(_ARRAYS)}
      {merged(_ARRAYS)}
      WITH b, sorted,
           reduce(keys = [], e IN sorted | CASE WHEN e.k IN keys THEN keys ELSE keys + e.k END) AS keys
      SET b.dim_keys = keys,
          b.dim_totals = [k IN keys |
                          reduce(t = 0.0, e IN sorted | t + CASE WHEN e.k = k THEN e.d ELSE 0.0 END)]
      RETURN count(*) AS written
    }}
    RETURN base, written
    """
    count = sum(len(group["entries"]) for group in groups)
    record = await (await tx.run(query, owner=owner, groups=groups, count=count)).single(strict=True)
    if record["written"] != len(groups):  # a card went between the check and the write
        raise NotFound("Not every card of these credits is one of yours.")
    return int(record["base"])


# (After a WHERE on `b`:) the credits of the buckets bound to `b` in [$start, $end), each as (b, t, k, d,
# s): time, dimension, delta, source.
_CREDITS = """
  AND b.start < $end AND b.end > $start
UNWIND range(0, size(b.times) - 1) AS i
WITH b, b.times[i] AS t, b.dims[i] AS k, b.deltas[i] AS d, b.sources[i] AS s
WHERE t >= $start AND t < $end
"""


async def sums(
    tx: AsyncManagedTransaction, *, owner: str, entities: list[str], start: int, end: int, period: str | None
) -> dict[str, dict[str, Any]]:
    """For each entity uid (a card's, or the owner's own for every credit of theirs: the profile), its
    credits in [start, end) summed per dimension ({dimension: [total, count, last ms, last source]}) and,
    with a `period` (day, week, month; UTC, a week from Monday), per period in time order
    ([[start ms, {dimension: total}]]). One statement for every entity of a level."""
    if period is not None and period not in PERIODS:
        raise ValueError(period)
    query = f"""
    UNWIND $entities AS entity
    CALL (entity) {{
      MATCH (b:{GROWTH_BUCKET} {{owner: $owner}})
      WHERE (entity = $owner OR b.entity = entity)
      {_CREDITS}
      WITH k, d, t, s ORDER BY t
      WITH k, sum(d) AS total, count(*) AS n, max(t) AS last, last(collect(s)) AS source
      RETURN collect([k, [total, n, last, source]]) AS dims
    }}
    CALL (entity) {{
      MATCH (b:{GROWTH_BUCKET} {{owner: $owner}})
      WHERE $period IS NOT NULL AND (entity = $owner OR b.entity = entity)
      {_CREDITS}
      WITH datetime.truncate($period, datetime({{epochMillis: t}})).epochMillis AS p, k, sum(d) AS total
      WITH p, collect([k, total]) AS dims ORDER BY p
      RETURN collect([p, dims]) AS periods
    }}
    RETURN entity, dims, periods
    """
    params = {"owner": owner, "entities": entities, "start": start, "end": end, "period": period}
    result = await tx.run(query, params)
    found: dict[str, dict[str, Any]] = {}
    async for record in result:
        found[record["entity"]] = {
            "dimensions": {k: tuple(v) for k, v in record["dims"]},
            "periods": [(p, dict(dims)) for p, dims in record["periods"]],
        }
    return found
