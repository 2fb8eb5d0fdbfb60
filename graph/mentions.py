"""The Cypher of mentions: the names a text may name, the texts that may name them, the MENTIONS links
those texts have, and keeping those links as the mentions consumer found them (dispatch/mentions.py).

A MENTIONS link the consumer made has `auto: true`, and it alone removes such links. A link made by
hand (`link`, or a memory's `concepts`) has no `auto` and is never removed here: where its text names
its node it is given the places too, and loses them (not itself) when the text no longer does. The
places are lists of one value per mention: `fields`, `starts`, `ends` (character offsets in that field,
end excluded) and `texts` (the words as written).

Labels come only from graph/kinds.py (MENTIONING, MENTIONED); every value is a parameter, every match
carries the owner. Nodes named by uid are found by the uid index, hinted: left alone, the planner reads
every node of the owner (its owner index) and filters them by uid.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import events
from graph.events import EventKind
from graph.kinds import BY_LABEL, DOMAIN_LABELS, MENTIONED, MENTIONING
from graph.pages import Row
from graph.refs import Ref
from graph.rows import native

MENTIONS = "MENTIONS"
PLACES = ("fields", "starts", "ends", "texts")  # a link's properties that say where its mentions are
# One event for a document whose passages' mentions changed (passages are no kind a client draws).
PASSAGES_LINKED = EventKind.named("PassagesLinked")
# One event naming a text of a kind the view does not draw (a message) whose mentions changed: its links
# are no drawn links a delta could carry, so a delta updates the text itself.
MENTIONS_FOUND = EventKind.named("MentionsFound")


@dataclass(frozen=True)
class Source:
    """A text that may name people and concepts: its fields, its MENTIONS links now (target -> the
    link's properties) and, for a passage, its document's uid."""

    ref: Ref
    fields: dict[str, str | None]
    links: dict[Ref, dict[str, Any]] = field(default_factory=dict)
    document: str | None = None


@dataclass
class Changes:
    """What to write: links to add (with their places), to update (new places, or none: a hand link
    whose mention is gone) and automatic links to remove; (source, target, properties) each."""

    added: list[tuple[Ref, Ref, dict[str, Any]]] = field(default_factory=list)
    updated: list[tuple[Ref, Ref, dict[str, Any]]] = field(default_factory=list)
    removed: list[tuple[Ref, Ref]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.removed)


async def names(tx: AsyncManagedTransaction, *, owner: str) -> list[tuple[Ref, list[str]]]:
    """Every node of the owner a text may name, with the names it is known by."""
    branches = " UNION ALL ".join(
        f"MATCH (n:{label} {{owner: $owner}}) "
        f"RETURN '{label}' AS label, n.uid AS uid, [{', '.join(f'n.{p}' for p in props)}] AS names"
        for label, props in MENTIONED.items()
    )
    query = f"CALL () {{ {branches} }} RETURN collect([label, uid, names]) AS rows"
    record = await (await tx.run(query, owner=owner)).single(strict=True)
    return [(Ref(label, uid), [n for n in found if n]) for label, uid, found in record["rows"]]


async def naming(
    tx: AsyncManagedTransaction, *, owner: str, needles: list[str], targets: Iterable[Ref]
) -> set[Ref]:
    """The owner's texts that may name these nodes: those with a field that contains one of `needles`
    (lower case: a prefilter, the finder decides), and those with a MENTIONS link to one of them now
    (a renamed node's old mentions). One statement: a branch per label."""
    uids: dict[str, list[str]] = defaultdict(list)
    for target in targets:
        uids[target.label].append(target.uid)
    branches = [
        f"MATCH (n:{label} {{owner: $owner}}) WHERE any(f IN [{', '.join(f'n.{p}' for p in props)}] "
        "WHERE f IS NOT NULL AND any(x IN $needles WHERE toLower(f) CONTAINS x)) "
        f"RETURN '{label}' AS label, n.uid AS uid"
        for label, props in MENTIONING.items()
    ]
    branches += [
        f"MATCH (m:{label}) USING INDEX m:{label}(uid) WHERE m.uid IN $targets.{label} AND m.owner = $owner "
        f"MATCH (n)-[:{MENTIONS}]->(m) WHERE n.owner = $owner AND labels(n)[0] IN $labels "
        "RETURN labels(n)[0] AS label, n.uid AS uid"
        for label in MENTIONED
    ]
    query = f"CALL () {{ {' UNION '.join(branches)} }} RETURN collect([label, uid]) AS rows"
    by_label = {label: uids.get(label, []) for label in MENTIONED}
    result = await tx.run(query, owner=owner, labels=list(MENTIONING), needles=needles, targets=by_label)
    record = await result.single(strict=True)
    return {Ref(label, uid) for label, uid in record["rows"]}


async def sources(tx: AsyncManagedTransaction, *, owner: str, refs: Iterable[Ref]) -> list[Source]:
    """These texts of the owner (those that still exist), with their MENTIONS links now."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for ref in refs:
        if ref.label in MENTIONING:  # only declared labels reach the text of the query
            by_label[ref.label].append(ref.uid)
    if not by_label:
        return []
    branches = [
        f"MATCH (n:{label}) USING INDEX n:{label}(uid) WHERE n.uid IN $uids.{label} AND n.owner = $owner "
        f"RETURN '{label}' AS label, n.uid AS uid, {{{', '.join(f'{p}: n.{p}' for p in MENTIONING[label])}}} "
        "AS fields, n.document AS document, "
        f"COLLECT {{ MATCH (n)-[r:{MENTIONS}]->(m) WHERE m.owner = $owner "
        "RETURN [labels(m)[0], m.uid, properties(r)] } AS links"
        for label in by_label
    ]
    query = f"CALL () {{ {' UNION ALL '.join(branches)} }} RETURN label, uid, fields, document, links"
    result = await tx.run(query, owner=owner, uids=dict(by_label))
    return [
        Source(
            Ref(r["label"], r["uid"]),
            dict(r["fields"]),
            {Ref(label, uid): native(props) for label, uid, props in r["links"]},
            r["document"],
        )
        async for r in result
    ]


async def keep(
    tx: AsyncManagedTransaction, *, owner: str, changes: Changes, documents: dict[Ref, str]
) -> None:
    """Writes the changes and their Events in the caller's transaction: MENTIONSLinked for a link added
    (or, with `created: false`, one whose places changed), MENTIONSUnlinked for one removed; for a
    document's passages, one PassagesLinked naming the document."""
    rows: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for op, items in (("add", changes.added), ("update", changes.updated)):
        for source, target, props in items:
            row = {"op": op, "s": source.uid, "t": target.uid, "props": props}
            rows[(source.label, target.label)].append(row)
    for source, target in changes.removed:
        rows[(source.label, target.label)].append({"op": "remove", "s": source.uid, "t": target.uid})
    for (source_label, target_label), group in rows.items():
        await _write(tx, owner, source_label, target_label, group)
    passages = sorted(
        {documents[s] for s, _, _ in changes.added + changes.updated if s in documents}
        | {documents[s] for s, _ in changes.removed if s in documents}
    )
    touched = [s for s, _, _ in changes.added + changes.updated] + [s for s, _ in changes.removed]
    undrawn = sorted({s for s in touched if s not in documents and s.label not in DOMAIN_LABELS}, key=str)
    shown = {s for s in touched if s not in documents and s.label in DOMAIN_LABELS}
    linked = [(EventKind.linked(MENTIONS), [s, t]) for s, t, _ in changes.added if s in shown]
    relinked = [(EventKind.linked(MENTIONS), [s, t]) for s, t, _ in changes.updated if s in shown]
    unlinked = [(EventKind.unlinked(MENTIONS), [s, t]) for s, t in changes.removed if s in shown]
    others = unlinked + [(PASSAGES_LINKED, [Ref("Document", uid)]) for uid in passages]
    others += [(MENTIONS_FOUND, [s]) for s in undrawn]
    written: list[tuple[list[tuple[EventKind, list[Ref]]], str | None]] = [
        (linked, None),
        (relinked, json.dumps({"created": False})),  # live clients tell an updated link from an added one
        (others, None),
    ]
    for kinds, data in written:
        if kinds:
            await events.append_all(tx, owner, kinds, data)


async def _write(
    tx: AsyncManagedTransaction, owner: str, source_label: str, target_label: str, rows: list[dict[str, Any]]
) -> None:
    # Labels from the declarations only: a source of MENTIONING, a target of MENTIONED.
    assert source_label in MENTIONING and target_label in MENTIONED
    query = f"""
    UNWIND $rows AS x
    MATCH (s:{source_label} {{uid: x.s}}) USING INDEX s:{source_label}(uid) WHERE s.owner = $owner
    MATCH (t:{target_label} {{uid: x.t}}) USING INDEX t:{target_label}(uid) WHERE t.owner = $owner
    CALL (s, t, x) {{
      WITH * WHERE x.op = 'add' AND NOT EXISTS {{ (s)-[:{MENTIONS}]->(t) }}
      CREATE (s)-[r:{MENTIONS}]->(t) SET r = x.props
    }}
    CALL (s, t, x) {{
      WITH * WHERE x.op = 'update'
      MATCH (s)-[r:{MENTIONS}]->(t) SET r += x.props
    }}
    CALL (s, t, x) {{
      WITH * WHERE x.op = 'remove'
      MATCH (s)-[r:{MENTIONS} {{auto: true}}]->(t) DELETE r
    }}
    """
    await (await tx.run(query, owner=owner, rows=rows)).consume()


async def of_sources(
    tx: AsyncManagedTransaction, *, owner: str, refs: list[Ref]
) -> dict[Ref, list[dict[str, Any]]]:
    """The places where each of these texts names a node, in field and text order: rows of `field`,
    `start`, `end`, `text`, `automatic` and the node named (`label`, `row`). One statement."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for ref in refs:
        if ref.label in MENTIONING:
            by_label[ref.label].append(ref.uid)
    if not by_label:
        return {}
    branches = [
        f"MATCH (s:{source}) USING INDEX s:{source}(uid) WHERE s.uid IN $uids.{source} AND s.owner = $owner "
        f"MATCH (s)-[r:{MENTIONS}]->(n:{target} {{owner: $owner}}) {BY_LABEL[target].joins} "
        f"WHERE r.starts IS NOT NULL AND {BY_LABEL[target].visible} "
        f"RETURN '{source}' AS source, s.uid AS uid, '{target}' AS label, "
        f"{BY_LABEL[target].projection} AS n, "
        "r.fields AS fields, r.starts AS starts, r.ends AS ends, r.texts AS texts, r.auto IS NOT NULL AS auto"
        for source in by_label
        for target in MENTIONED
    ]
    query = f"CALL () {{ {' UNION ALL '.join(branches)} }} RETURN *"
    result = await tx.run(query, owner=owner, uids=dict(by_label))
    found: dict[Ref, list[dict[str, Any]]] = defaultdict(list)
    async for r in result:
        row: Row = BY_LABEL[r["label"]].row(r["n"])
        for place in zip(r["fields"], r["starts"], r["ends"], r["texts"], strict=True):
            found[Ref(r["source"], r["uid"])].append(
                dict(zip(("field", "start", "end", "text"), place, strict=True))
                | {"automatic": r["auto"], "label": r["label"], "row": row}
            )
    for ref, places in found.items():
        fields = list(MENTIONING[ref.label])
        places.sort(key=lambda p: (fields.index(p["field"]), p["start"]))
    return dict(found)
