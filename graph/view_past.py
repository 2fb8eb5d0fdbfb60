"""The 3D view as it was at an earlier sequence of the owner's event log: which nodes and links existed
then, replayed from the log, drawn with what the graph keeps of them today (place, caption, rank).

Two statements whatever the size: the log's structural events up to the sequence (creations, deletions,
links and unlinks: never the layout's PositionsChanged), then today's fields of the nodes alive then and
today's links among them. What the log says: "<Label>Created" makes its first node and links it to the
others it names; "<Label>Deleted" deletes the nodes of that label it names; "<TYPE>Linked" and
"<TYPE>Unlinked" make and remove that link between its two nodes. A node deleted since is gone from the
graph, so it is not drawn; a creation's links take their type from today's graph.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.events import Change, EventKind
from graph.kinds import DOMAIN_LABELS, ENDS, TITLE, oriented
from graph.refs import Ref
from graph.view import shown_as

# A link as the log names it, oriented as its type's ends say: (type, source, target).
LinkKey = tuple[str, Ref, Ref]
_STRUCTURAL = [str(change) for change in (Change.CREATED, Change.DELETED, Change.LINKED, Change.UNLINKED)]


@dataclass
class Past:
    """What existed at a sequence: nodes, links named by the log, and pairs joined by a creation."""

    nodes: set[Ref] = field(default_factory=set)
    links: set[LinkKey] = field(default_factory=set)
    joined: set[frozenset[Ref]] = field(default_factory=set)  # a creation's node and each it named


@dataclass
class Drawn:
    """Today's fields of the nodes alive then (rows of uid, label, name, x, y, z, community, rank) and
    the links among them as the log says they were (type, source uid, target uid, weight)."""

    newest: int  # the owner's last sequence today
    rows: list[dict[str, Any]]
    links: list[tuple[str, str, str, float]]


async def newest_and_events(
    tx: AsyncManagedTransaction, *, owner: str, until: int
) -> tuple[int, list[tuple[str, list[str]]]]:
    """The owner's last sequence, and the kind and nodes of each of its structural events up to `until`,
    in order (through the (owner, sequence) index)."""
    query = """
    OPTIONAL MATCH (u:User {uid: $owner})
    WITH coalesce(u.event_sequence, 0) AS newest
    CALL (newest) {
      MATCH (e:Event {owner: $owner}) USING INDEX e:Event(owner, sequence)
      WHERE e.sequence <= $until AND e.sequence <= newest
        AND any(change IN $changes WHERE e.kind ENDS WITH change)
      WITH e ORDER BY e.sequence
      RETURN collect([e.kind, e.nodes]) AS events
    }
    RETURN newest, events
    """
    record = await (await tx.run(query, owner=owner, until=until, changes=_STRUCTURAL)).single(strict=True)
    return record["newest"], [(kind, list(nodes or ())) for kind, nodes in record["events"]]


def replay(events: list[tuple[str, list[str]]]) -> Past:
    """What the log's events, in order, leave standing."""
    past = Past()
    for text, names in events:
        kind = EventKind.parse(text)
        refs = [Ref.parse(name) for name in names if Ref.names_one(name)]
        if kind.change == Change.CREATED and refs and refs[0].label in DOMAIN_LABELS:
            past.nodes.add(refs[0])
            past.joined.update(frozenset((refs[0], other)) for other in refs[1:])
        elif kind.change == Change.DELETED:
            gone = {ref for ref in refs if ref.label == kind.subject}
            past.nodes -= gone
            past.links = {key for key in past.links if not gone & {key[1], key[2]}}
            past.joined = {pair for pair in past.joined if not gone & pair}
        elif kind.subject in ENDS and len(refs) == 2:
            key = _oriented(kind.subject, refs[0], refs[1])
            if kind.change == Change.LINKED:
                past.links.add(key)
            else:
                past.links.discard(key)
                past.joined.discard(frozenset((refs[0], refs[1])))
    return past


def _oriented(rel: str, one: Ref, other: Ref) -> LinkKey:
    return (rel, other, one) if oriented(rel, one.label, other.label) is False else (rel, one, other)


async def drawn(
    tx: AsyncManagedTransaction, *, owner: str, past: Past, labels: list[str], types: list[str], keyed: bool
) -> list[Any]:
    """Today's fields of the nodes of these labels alive then that today's view would draw (not a memory
    proposed, rejected or expired by now, nor an expired persona; an API key (`keyed`) only personas built
    from confirmed insights), and today's links of these types among them (one statement, each node
    through its label's uid index)."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for ref in past.nodes:
        if ref.label in labels:
            by_label[ref.label].append(ref.uid)
    # A branch for every label asked for, alive then or not: the text is the same whatever the past
    # holds, so Neo4j plans it once (graph/plans.py plans it at start), not once per mix of labels.
    source = (
        "\n UNION ALL\n ".join(
            f"UNWIND coalesce($alive['{label}'], []) AS uid MATCH (n:{label} {{uid: uid}}) "
            f"USING INDEX n:{label}(uid) WHERE n.owner = $owner AND {shown_as(label)} RETURN n"
            for label in sorted(set(labels))
        )
        or "RETURN null AS n LIMIT 0"
    )
    query = f"""
    CALL () {{
      CALL () {{ {source} }}
      RETURN collect(n) AS found,
             collect({{uid: n.uid, label: labels(n)[0], name: {TITLE}, x: n.view_x, y: n.view_y,
                       z: n.view_z, community: n.view_community, rank: n.view_rank}}) AS rows
    }}
    CALL (found) {{
      WITH apoc.map.fromLists([n IN found | elementId(n)], [n IN found | true]) AS alive, found
      UNWIND found AS n
      MATCH (n)-[r:{"|".join(types)}]->(m) WHERE alive[elementId(m)] IS NOT NULL
      RETURN collect([type(r), n.uid, m.uid, coalesce(r.weight, 1.0)]) AS links
    }}
    RETURN rows, links
    """
    parameters = {"owner": owner, "alive": dict(by_label), "keyed": keyed, "proposed": False}
    record = await (await tx.run(query, parameters)).single(strict=True)
    return [record["rows"], record["links"]]


async def as_of(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    sequence: int,
    labels: list[str],
    types: list[str],
    keyed: bool = False,
) -> Drawn:
    """The owner's graph as it was at `sequence`: nodes alive then (and still there, and seen by this
    request: `drawn`), and the links among them that existed then. The caller checks `sequence` against
    `newest`."""
    newest, events = await newest_and_events(tx, owner=owner, until=sequence)
    past = replay(events)
    rows, today = await drawn(tx, owner=owner, past=past, labels=labels, types=types, keyed=keyed)
    labels_of = {row["uid"]: row["label"] for row in rows}
    links = []
    for kind, source, target, weight in today:
        ends = Ref(labels_of[source], source), Ref(labels_of[target], target)
        if (kind, *ends) in past.links or frozenset(ends) in past.joined:
            links.append((kind, source, target, float(weight)))
    return Drawn(newest, rows, links)
