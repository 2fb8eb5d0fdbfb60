"""The Cypher of what Kindred learns from a viewer's graph (dispatch/similarity.py, dispatch/history.py,
dispatch/consolidation.py, and the patterns read at query time). Every query is one owner's."""

import json
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import decay, events
from graph.events import EventKind
from graph.kinds import MEMORY
from graph.refs import Ref


async def owners(tx: AsyncManagedTransaction, *, after: str, limit: int) -> list[str]:
    """The users after `after` (by uid), at most `limit`: a scheduled job's way through every owner."""
    query = "MATCH (u:User) WHERE u.uid > $after RETURN u.uid AS uid ORDER BY uid LIMIT $limit"
    return [record["uid"] async for record in await tx.run(query, after=after, limit=limit)]


SIMILAR_TO = "SIMILAR_TO"  # between two of the owner's people (graph/kinds.py: kept by Kindred alone)

# --- which people are alike -------------------------------------------------------------------------


async def similarity_features(tx: AsyncManagedTransaction, *, owner: str) -> list[dict[str, Any]]:
    """Each of the owner's people with what similarity compares: the relationship's kind, their
    interests (uid, name), and each given gift's category with its success; and the links kept now
    (`similar`: target uid, score, basis)."""
    query = """
    MATCH (:User {uid: $owner})-[k:KNOWS]->(r:Recipient {owner: $owner})
    RETURN r.uid AS uid, k.relationship_type AS kind,
           [(r)-[:INTERESTED_IN]->(c:Concept {owner: $owner}) | [c.uid, c.name]] AS interests,
           [(r)<-[:INTENDED_FOR]-(g:Gift {owner: $owner})-[:HAS_OUTCOME]->(o:GiftOutcome)
             WHERE o.was_given AND g.category IS NOT NULL AND o.success IS NOT NULL
             | [g.category, o.success]] AS outcomes,
           [(r)-[s:SIMILAR_TO]->(b:Recipient {owner: $owner}) | [b.uid, s.score, s.basis]] AS similar
    ORDER BY uid
    """
    return [record.data() async for record in await tx.run(query, owner=owner)]


async def keep_similar(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    gone: list[dict[str, str]],
    links: list[dict[str, Any]],
    now: datetime,
) -> int:
    """Removes the owner's SIMILAR_TO links `gone` ({source, target}) and makes or rewrites `links`
    ({source, target, score, basis}, computed at `now`), each with its event (SIMILAR_TOUnlinked, or
    SIMILAR_TOLinked telling a new link from a rewritten one); returns how many were removed or written."""
    removed = """
    UNWIND $gone AS g
    MATCH (a:Recipient {uid: g.source, owner: $owner})-[s:SIMILAR_TO]->(b:Recipient {uid: g.target})
    WHERE b.owner = $owner
    DELETE s
    RETURN g.source AS source, g.target AS target
    """
    unlinked = [record.data() async for record in await tx.run(removed, owner=owner, gone=gone)]
    kept = """
    UNWIND $links AS l
    MATCH (a:Recipient {uid: l.source, owner: $owner}), (b:Recipient {uid: l.target, owner: $owner})
    WITH a, b, l, NOT EXISTS { (a)-[:SIMILAR_TO]->(b) } AS created
    MERGE (a)-[s:SIMILAR_TO]->(b)
    SET s.score = l.score, s.basis = l.basis, s.computed_at = $now
    RETURN l.source AS source, l.target AS target, created
    """
    written = [record.data() async for record in await tx.run(kept, owner=owner, links=links, now=now)]
    await _tell_similar(tx, owner, unlinked, written)
    return len(gone) + len(links)


async def _tell_similar(
    tx: AsyncManagedTransaction, owner: str, unlinked: list[dict[str, Any]], written: list[dict[str, Any]]
) -> None:
    """The events of the SIMILAR_TO links removed and written (a live client adds, updates or drops
    each)."""

    def ends(row: dict[str, Any]) -> list[Ref]:
        return [Ref("Recipient", row["source"]), Ref("Recipient", row["target"])]

    for created in (True, False):
        changes = [(EventKind.linked(SIMILAR_TO), ends(row)) for row in written if row["created"] is created]
        if changes:
            await events.append_all(tx, owner, changes, json.dumps({"created": created}))
    if unlinked:
        await events.append_all(tx, owner, [(EventKind.unlinked(SIMILAR_TO), ends(row)) for row in unlinked])


async def similar(tx: AsyncManagedTransaction, *, owner: str, uids: list[str]) -> dict[str, list[dict]]:
    """For each of these people, the people found alike, best first: {uid, score, basis, computed_at}."""
    query = """
    UNWIND $uids AS uid
    MATCH (a:Recipient {uid: uid, owner: $owner})-[s:SIMILAR_TO]->(b:Recipient {owner: $owner})
    RETURN uid, b.uid AS other, s.score AS score, s.basis AS basis,
           s.computed_at.epochMillis AS at
    ORDER BY uid, score DESC, other
    """
    found: dict[str, list[dict]] = {uid: [] for uid in uids}
    async for record in await tx.run(query, owner=owner, uids=uids):
        found[record["uid"]].append(
            {
                "uid": record["other"],
                "score": record["score"],
                "basis": list(record["basis"] or []),
                "at": record["at"],
            }
        )
    return found


# --- the relationship's history -----------------------------------------------------------------------

# What a snapshot holds, in order after its time (seconds since the epoch): the KNOWS properties.
SNAPSHOT = (
    "closeness",
    "importance",
    "emotional_warmth",
    "conflict_level",
    "average_gift_success",
    "gifts_given_count",
)


async def snapshot(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    recipients: list[str] | None,
    gifts: list[str],
    outcomes: list[str],
    now: float,
    every: float,
    cap: int,
) -> int:
    """Appends a snapshot of the relationship to each of these people (every one of the owner's for
    None; also the people of these gifts and outcomes) whose stats differ from its last snapshot, or
    whose last snapshot is `every` seconds old or more. Kept on the KNOWS edge as `history`, a JSON
    list of [time, *SNAPSHOT] of at most `cap` entries (the oldest dropped), with RelationshipSnapshotTaken
    events naming those people. Returns how many were taken."""
    stats = ", ".join(f"k.{name}" for name in SNAPSHOT)
    query = f"""
    MATCH (:User {{uid: $owner}})-[k:KNOWS]->(r:Recipient {{owner: $owner}})
    WHERE $all OR r.uid IN $recipients
       OR EXISTS {{ (r)<-[:INTENDED_FOR]-(g:Gift {{owner: $owner}}) WHERE g.uid IN $gifts
                    OR EXISTS {{ (g)-[:HAS_OUTCOME]->(o:GiftOutcome) WHERE o.uid IN $outcomes }} }}
    RETURN r.uid AS uid, [{stats}] AS stats, k.history AS history
    """
    result = await tx.run(
        query,
        owner=owner,
        all=recipients is None,
        recipients=recipients or [],
        gifts=gifts,
        outcomes=outcomes,
    )
    rows = []
    async for record in result:
        history = json.loads(record["history"]) if record["history"] else []
        stats_now = list(record["stats"])
        last = history[-1] if history else None
        if last is not None and last[1:] == stats_now and now - last[0] < every:
            continue
        if last is not None and last[0] >= now:  # a snapshot no older than this one: nothing to add
            continue
        history = [*history, [int(now), *stats_now]][-cap:]
        rows.append({"uid": record["uid"], "history": json.dumps(history, separators=(",", ":"))})
    if rows:
        write = """
        UNWIND $rows AS row
        MATCH (:User {uid: $owner})-[k:KNOWS]->(r:Recipient {uid: row.uid, owner: $owner})
        SET k.history = row.history
        """
        await (await tx.run(write, owner=owner, rows=rows)).consume()
        refs = [Ref("Recipient", row["uid"]) for row in rows]
        await events.append_learned(tx, owner, events.RELATIONSHIP_SNAPSHOT, refs)
    return len(rows)


async def histories(tx: AsyncManagedTransaction, *, owner: str, uids: list[str]) -> dict[str, list[list]]:
    """The snapshots kept of the relationship to each of these people, oldest first."""
    query = """
    UNWIND $uids AS uid
    MATCH (:User {uid: $owner})-[k:KNOWS]->(r:Recipient {uid: uid, owner: $owner})
    RETURN uid, k.history AS history
    """
    found: dict[str, list[list]] = {uid: [] for uid in uids}
    async for record in await tx.run(query, owner=owner, uids=uids):
        found[record["uid"]] = json.loads(record["history"]) if record["history"] else []
    return found


# --- memories' decay --------------------------------------------------------------------------------


async def fade(tx: AsyncManagedTransaction, *, owner: str, now: datetime) -> int:
    """Marks the owner's memories whose effective importance fell under decay.FADED (`faded_at`), and
    unmarks those above it again, each with its event (MemoryFaded, MemoryRevived); returns how many
    changed."""
    effective = decay.effective_importance("n", "$now")
    query = f"""
    MATCH (n:Memory {{owner: $owner}}) WHERE {MEMORY.visible}
    WITH n, {effective} < $faded AS faded
    WHERE faded <> (n.faded_at IS NOT NULL)
    SET n.faded_at = CASE WHEN faded THEN $now ELSE null END
    RETURN n.uid AS uid, faded ORDER BY uid
    """
    result = await tx.run(query, owner=owner, now=now, faded=decay.FADED)
    changed = [(record["uid"], record["faded"]) async for record in result]
    for kind, faded in ((events.MEMORY_FADED, True), (events.MEMORY_REVIVED, False)):
        refs = [Ref(MEMORY.label, uid) for uid, was_faded in changed if was_faded == faded]
        await events.append_learned(tx, owner, kind, refs)
    return len(changed)


# --- near-duplicate memories --------------------------------------------------------------------------


async def merge_candidates(tx: AsyncManagedTransaction, *, owner: str) -> list[dict[str, Any]]:
    """The owner's memories a merge may fold together: shown, not merged yet, involving someone. Each
    its uid, `at` (when it happened, else when it was recorded: epoch seconds), `people` (uids, sorted),
    `importance` (0.5 when none), `length` (of its content) and `created` (epoch seconds)."""
    query = f"""
    MATCH (n:Memory {{owner: $owner}}) WHERE {MEMORY.visible} AND {MEMORY.listed} AND n.merged_at IS NULL
    CALL (n) {{
      MATCH (n)-[:INVOLVES]->(r:Recipient {{owner: $owner}}) WITH r ORDER BY r.uid
      RETURN collect(r.uid) AS people
    }}
    WITH n, people WHERE size(people) > 0
    RETURN n.uid AS uid, coalesce(n.happened_at, n.created_at).epochSeconds AS at, people,
           coalesce(n.importance, $default) AS importance, size(n.content) AS length,
           n.created_at.epochSeconds AS created
    """
    result = await tx.run(query, owner=owner, default=decay.DEFAULT_IMPORTANCE)
    return [record.data() async for record in result]


async def merge_memories(
    tx: AsyncManagedTransaction, *, owner: str, merges: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """Folds each merge's `others` ({uid}) into its `survivor`, where neither was merged since it
    was read: each other is marked `merged_at` and `merged_into`, the survivor keeps their uids in
    `merged_from`; nothing else of either changes. With their events (MemoryMerged naming the survivor
    and what it took). Returns the merges made: {survivor, merged (uids)}."""
    query = """
    UNWIND $merges AS g
    MATCH (s:Memory {uid: g.survivor, owner: $owner}) WHERE s.merged_at IS NULL
    CALL (s, g) {
      UNWIND g.others AS o
      MATCH (m:Memory {uid: o.uid, owner: $owner}) WHERE m.merged_at IS NULL AND m <> s
      SET m.merged_at = $now, m.merged_into = s.uid
      RETURN collect(m.uid) AS merged
    }
    WITH s, merged WHERE size(merged) > 0
    SET s.merged_from = coalesce(s.merged_from, []) + merged
    RETURN s.uid AS survivor, merged
    """
    made = [record.data() async for record in await tx.run(query, owner=owner, merges=merges, now=now)]
    refs = [Ref(MEMORY.label, uid) for row in made for uid in (row["survivor"], *row["merged"])]
    await events.append_learned(tx, owner, events.MEMORY_MERGED, refs)
    return made


# --- emotional and seasonal patterns ------------------------------------------------------------------

# A memory's emotion: the one it names, else its valence read as positive, negative or neutral.
_EMOTION = """coalesce(m.emotion, CASE WHEN m.valence > 0.2 THEN 'positive'
  WHEN m.valence < -0.2 THEN 'negative' WHEN m.valence IS NOT NULL THEN 'neutral' END)"""


async def patterns(tx: AsyncManagedTransaction, *, owner: str, keys: list[str]) -> dict[str, dict]:
    """For each key (a person's uid, or '' for all the owner's graph): the memories' emotions counted
    per (month, weekday, emotion) with their mean valence, the gifts per (month, category) with their
    mean success, and the occasions per (month, kind). Months and weekdays are UTC's."""
    emotions = f"""
    UNWIND $keys AS key
    CALL (key) {{
      MATCH (m:Memory {{owner: $owner}}) WHERE key = '' RETURN m
      UNION
      MATCH (:Recipient {{uid: key, owner: $owner}})<-[:INVOLVES]-(m:Memory {{owner: $owner}}) RETURN m
    }}
    WITH key, m WHERE m.expires_at IS NULL OR m.expires_at > datetime()
    WITH key, m, coalesce(m.happened_at, m.created_at) AS at, {_EMOTION} AS emotion
    WHERE emotion IS NOT NULL AND at IS NOT NULL
    RETURN key, at.month AS month, at.dayOfWeek AS weekday, emotion, count(*) AS count,
           avg(m.valence) AS valence
    """
    gifts = """
    UNWIND $keys AS key
    CALL (key) {
      MATCH (g:Gift {owner: $owner}) WHERE key = '' RETURN g
      UNION
      MATCH (:Recipient {uid: key, owner: $owner})<-[:INTENDED_FOR]-(g:Gift {owner: $owner}) RETURN g
    }
    OPTIONAL MATCH (g)-[:HAS_OUTCOME]->(o:GiftOutcome)
    WITH key, g, o, coalesce(head([(:User {uid: $owner})-[v:GAVE]->(g) | v.date]), o.given_date,
                             date(g.created_at)) AS day
    WHERE day IS NOT NULL
    RETURN key, day.month AS month, coalesce(g.category, '') AS category, count(DISTINCT g) AS count,
           avg(o.success) AS success
    """
    occasions = """
    UNWIND $keys AS key
    CALL (key) {
      MATCH (o:Occasion {owner: $owner}) WHERE key = '' RETURN o
      UNION
      MATCH (:Recipient {uid: key, owner: $owner})-[:HAS_OCCASION]->(o:Occasion {owner: $owner}) RETURN o
    }
    RETURN key, o.date.month AS month, o.occasion_type AS kind, count(*) AS count
    """
    found: dict[str, dict] = {key: {"emotions": [], "gifts": [], "occasions": []} for key in keys}
    for name, query in (("emotions", emotions), ("gifts", gifts), ("occasions", occasions)):
        async for record in await tx.run(query, owner=owner, keys=keys):
            row = record.data()
            found[row.pop("key")][name].append(row)
    return found
