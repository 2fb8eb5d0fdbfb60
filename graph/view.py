"""The Cypher of the 3D view: the viewer's graph as the layout and a view read it (a bounded number of
statements whatever its size), and the positions and analytics the layout consumer keeps on the nodes.

What the view keeps is properties of the nodes themselves (`view_x`, `view_y`, `view_z`,
`view_community`, `view_rank`), so every client and every reload sees the same picture, and a deleted
node takes its place with it. Labels and relationship types come only from the kinds' declarations.

A couple member's view draws what their partner shared with them too, but never by the author's layout
(made from the author's whole graph): a shared node comes unplaced, and the view places it by its links
to what the member reads, as it places a node just made; its links, degree and neighbours count only
nodes the member reads (graph/kinds.py's `readable`), and its caption is its own title.
"""

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from neo4j import AsyncManagedTransaction

from graph import events
from graph.kind import MEMBER_OF, SHARED_WITH
from graph.kinds import (
    BY_LABEL,
    CARD_GROWN,
    CARD_LINKS,
    CARD_RECENT,
    DOMAIN_LABELS,
    ENDS,
    EVOLVING,
    KINDS,
    PERSONA,
    TITLE,
    readable,
)
from graph.refs import Ref

POSITIONS_CHANGED = str(events.POSITIONS_CHANGED)  # as stored: an Event's kind, as consumers get it
LABELS = tuple(sorted(DOMAIN_LABELS))
TYPES = tuple(sorted(ENDS))
# What a view reads of a node: Cypher on `n`; `growth` counts links to nodes made in the last 30 days,
# `grown` is a card's growth per dimension (graph/kinds.py's CARD: what its evolution is computed from).
# A partner's shared node comes without the author's place in their own layout.
_MINE = "n.owner = $owner"
_NODE = f"""n {{.uid, label: labels(n)[0],
  name: {TITLE},
  x: CASE WHEN {_MINE} THEN n.view_x END, y: CASE WHEN {_MINE} THEN n.view_y END,
  z: CASE WHEN {_MINE} THEN n.view_z END, community: CASE WHEN {_MINE} THEN n.view_community END,
  rank: CASE WHEN {_MINE} THEN n.view_rank END,
  degree: CASE WHEN {_MINE} THEN {CARD_LINKS} ELSE COUNT {{ (n)--(o) WHERE {readable("o")} }} END,
  growth: CASE WHEN labels(n)[0] IN {list(EVOLVING)} THEN {CARD_RECENT} ELSE 0 END,
  grown: CASE WHEN labels(n)[0] IN {list(EVOLVING)} AND {_MINE} THEN {CARD_GROWN} ELSE [] END}}"""


# The owner's last event sequence, bound as `sequence` before a view reads its nodes.
_SEQUENCE = "OPTIONAL MATCH (u:User {uid: $owner}) WITH coalesce(u.event_sequence, 0) AS sequence"


def checked(names: Iterable[str], allowed: Sequence[str]) -> list[str]:
    chosen = sorted(set(names) or set(allowed))
    unknown = set(chosen) - set(allowed)
    if unknown:
        raise ValueError(f"not part of the graph: {sorted(unknown)}")
    return chosen


_NODE_VAR = re.compile(r"\bn\b")  # the node a kind's `visible` condition is written of


def _condition(label: str) -> str | None:
    """The condition (of `n`) under which a node of this drawn kind is in sight as its kind declares
    (`visible`: an expired memory is not, though it stays in the graph until the purge; `listed`: a
    proposed memory is not drawn unless `$proposed` asks, and then only the owner's; `shown`: an expired
    persona is listed but not drawn); None if always."""
    for k in KINDS:
        if k.label == label and (k.visible, k.listed, k.shown) != ("true", "true", "true"):
            return f"({k.visible}) AND ({k.listed_or_proposed}) AND ({k.shown})"
    return None


def _shown(var: str) -> str:
    """Whether the node `var`, of any drawn kind, is in sight (`_condition`) and told (`told`)."""
    conditions = [(label, _condition(label)) for label in LABELS]
    parts = [f"(NOT {var}:{label} OR {_NODE_VAR.sub(var, c)})" for label, c in conditions if c is not None]
    return " AND ".join([*parts, told(var)])


def shown_as(label: str) -> str:
    """`_shown` of `n` where its label is known: only that kind's own condition. Each branch of a view's
    UNION would otherwise carry every kind's, which the planner pays for (seconds under load)."""
    condition = _condition(label)
    told_ = [told("n")] if label == PERSONA.label else []
    return " AND ".join([*([condition] if condition is not None else []), *told_]) or "true"


def told(var: str) -> str:
    """Whether the request may see the node `var`: a request made with an API key (`$keyed`) sees only
    the personas built from confirmed insights alone, as it reads them everywhere (resolvers/personas.py)."""
    return f"(NOT {var}:{PERSONA.label} OR NOT $keyed OR coalesce({var}.confirmed_only, false))"


def _owned(labels: Sequence[str], where: str = "true", shown: bool = False) -> str:
    """A CALL body binding `n` to each of the owner's nodes of these labels (each through its owner
    index) for which `where` holds (and, if `shown`, which are in sight: `_shown_as`)."""
    return "\n UNION ALL\n ".join(
        f"MATCH (n:{label} {{owner: $owner}}) WHERE {_where(label, where, shown)} RETURN n"
        for label in labels
    )


def _where(label: str, where: str, shown: bool) -> str:
    condition = shown_as(label) if shown else "true"
    return where if condition == "true" else f"{where} AND {condition}"


# The drawn kinds a partner may share: their shared nodes are in a member's view too.
_SHARED_DRAWN = tuple(k.label for k in KINDS if k.shareable and k.label in DOMAIN_LABELS)


def _degree(var: str) -> str:
    """Cypher: the links of `var` a view counts: every one of the viewer's own node (its ends are theirs),
    only those to nodes the viewer reads of a partner's."""
    return (
        f"CASE WHEN {var}.owner = $owner THEN {_NODE_VAR.sub(var, CARD_LINKS)} "
        f"ELSE COUNT {{ ({var})--(o) WHERE {readable('o')} }} END"
    )


def _viewed(labels: Sequence[str], where: str = "true", shown: bool = False) -> str:
    """A CALL body binding `n` to each node of these labels a view may show (for which `where` holds and,
    if `shown`, which are in sight): the owner's, and those their partner shared with their couple."""
    shared = [
        f"MATCH (:User {{uid: $owner}})-[:{MEMBER_OF}]->(:Couple)<-[:{SHARED_WITH}]-(n:{label}) "
        f"WHERE n.owner <> $owner AND {_where(label, where, shown)} RETURN n"
        for label in labels
        if label in _SHARED_DRAWN
    ]
    return "\n UNION ALL\n ".join([_owned(labels, where, shown), *shared])


async def layout_graph(tx: AsyncManagedTransaction, *, owner: str) -> tuple[list[dict], list[tuple]]:
    """Every node of the owner (uid, label, kept position and community), by uid, and every link
    between two of them (source uid, target uid, weight): what the layout consumer works on."""
    nodes_query = f"""
    CALL () {{ {_owned(LABELS)} }}
    WITH n ORDER BY n.uid
    RETURN collect({{uid: n.uid, label: labels(n)[0], x: n.view_x, y: n.view_y, z: n.view_z,
                     community: n.view_community, rank: n.view_rank}}) AS nodes
    """
    nodes = (await (await tx.run(nodes_query, owner=owner)).single(strict=True))["nodes"]
    links_query = f"""
    CALL () {{ {_owned(LABELS)} }}
    MATCH (n)-[r:{"|".join(TYPES)}]->(m) WHERE m.owner = $owner
    RETURN collect([n.uid, m.uid, coalesce(r.weight, 1.0)]) AS links
    """
    links = [
        tuple(link) for link in (await (await tx.run(links_query, owner=owner)).single(strict=True))["links"]
    ]
    return nodes, links


# What the layout reads of a node.
_LAID_OUT = (
    "{uid: n.uid, label: labels(n)[0], x: n.view_x, y: n.view_y, z: n.view_z, "
    "community: n.view_community, rank: n.view_rank}"
)


async def layout_around(
    tx: AsyncManagedTransaction, *, owner: str, refs: Iterable[Ref], budget: int
) -> tuple[list[dict], list[tuple]]:
    """The named nodes that still exist, their neighbours, and their neighbours' neighbours (at most
    `budget` of those: past a hub, any of them): what a local layout pass works on; and every link
    between two of them. Its cost grows with the degree of what changed, not with the owner's graph."""
    grouped = _grouped((ref.label, ref.uid) for ref in refs)
    query = f"""
    CALL () {{ {_by_label("named")} }}
    WITH collect(DISTINCT n) AS named
    CALL (named) {{
      UNWIND named AS t
      MATCH (t)-[:{"|".join(TYPES)}]-(a) WHERE a.owner = $owner AND labels(a)[0] IN $labels
      RETURN collect(DISTINCT a) AS near
    }}
    CALL (near) {{
      UNWIND near AS a
      MATCH (a)-[:{"|".join(TYPES)}]-(b) WHERE b.owner = $owner AND labels(b)[0] IN $labels
      WITH DISTINCT b LIMIT $budget
      RETURN collect(b) AS far
    }}
    UNWIND named + near + far AS n
    WITH DISTINCT n
    WITH collect(n) AS around
    CALL (around) {{
      UNWIND around AS n
      MATCH (n)-[r:{"|".join(TYPES)}]->(m) WHERE m IN around
      RETURN collect([n.uid, m.uid, coalesce(r.weight, 1.0)]) AS links
    }}
    RETURN [n IN around | {_LAID_OUT}] AS nodes, links
    """
    params: dict[str, Any] = {"named": dict(grouped), "labels": list(LABELS), "budget": budget}
    record = await (await tx.run(query, owner=owner, **params)).single(strict=True)
    return record["nodes"], [tuple(link) for link in record["links"]]


async def layout_state(tx: AsyncManagedTransaction, *, owner: str) -> dict[str, Any]:
    """What the layout keeps on the User between its passes: the nodes at its last whole pass
    (`laid_out`, null before the first), the nodes touched since (`changed`), when it was (`at`,
    epoch seconds) and how far from the centre the picture reaches (`extent`)."""
    query = """
    MATCH (u:User {uid: $owner})
    RETURN {laid_out: u.layout_nodes, changed: coalesce(u.layout_changed, 0), at: u.layout_at,
            extent: coalesce(u.layout_extent, 0.0)} AS state
    """
    record = await (await tx.run(query, owner=owner)).single()
    empty = {"laid_out": None, "changed": 0, "at": None, "extent": 0.0}
    return record["state"] if record is not None else empty


async def note_layout(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    laid_out: int | None,
    changed: int,
    at: float | None,
    extent: float,
) -> None:
    """Keeps the layout's state on the User: after a whole pass (`laid_out` nodes, nothing changed
    since, at `at`, reaching `extent`), or after a local one (`changed` more, the extent grown to
    `extent` if it reaches further; the rest as it was: None keeps it)."""
    query = """
    MATCH (u:User {uid: $owner})
    SET u.layout_nodes = coalesce($laid_out, u.layout_nodes),
        u.layout_changed = CASE WHEN $laid_out IS NULL THEN coalesce(u.layout_changed, 0) + $changed
                           ELSE $changed END,
        u.layout_at = coalesce($at, u.layout_at),
        u.layout_extent = CASE WHEN $laid_out IS NULL AND u.layout_extent > $extent THEN u.layout_extent
                          ELSE $extent END
    """
    params: dict[str, Any] = {"laid_out": laid_out, "changed": changed, "at": at, "extent": extent}
    await (await tx.run(query, owner=owner, **params)).consume()


async def keep(
    tx: AsyncManagedTransaction, *, owner: str, rows: list[dict[str, Any]], moved: list[Ref]
) -> int:
    """Keeps positions, communities and ranks (rows of label, uid, x, y, z, community, rank) and, if any
    node moved, appends one PositionsChanged event naming them (with their positions as its data), in the
    caller's transaction. A node deleted meanwhile is skipped. Returns how many nodes were written."""
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["label"] not in DOMAIN_LABELS:
            raise ValueError(f"not a label of the graph: {row['label']}")
        by_label[row["label"]].append(row)
    written = 0
    for label, group in sorted(by_label.items()):
        query = f"""
        UNWIND $rows AS row
        MATCH (n:{label} {{uid: row.uid}}) USING INDEX n:{label}(uid)  // one seek per row, never a scan
        WHERE n.owner = $owner
        SET n.view_x = row.x, n.view_y = row.y, n.view_z = row.z,
            n.view_community = row.community, n.view_rank = row.rank
        RETURN count(n) AS written
        """
        written += (await (await tx.run(query, owner=owner, rows=group)).single(strict=True))["written"]
    if moved:
        places = {Ref(row["label"], row["uid"]): [row["x"], row["y"], row["z"]] for row in rows}
        data = json.dumps({str(ref): places[ref] for ref in moved if ref in places})
        await events.append(tx, owner, events.POSITIONS_CHANGED, moved, data)
    return written


C = TypeVar("C", bound="Chosen")


class Candidate(NamedTuple):
    """What the cut reads of a node a view may show: kept small, as the frame holds every candidate."""

    uid: str
    label: str
    rank: float | None  # as the layout keeps them: None until it has reached the node
    community: int | None
    x: float | None
    y: float | None
    z: float | None
    degree: int | None  # only where the rank is not kept yet


class Link(NamedTuple):
    """A link between two nodes of a view, by their uids."""

    source: str
    target: str
    type: str
    weight: float


class Named(NamedTuple):
    """What a view draws of a node besides its place: its caption, degree and (a card's) recent links and
    growth per dimension."""

    uid: str
    name: str
    degree: int
    growth: int
    grown: list[list[Any]]


class Towards(NamedTuple):
    """A link from a shown node to a node folded into a community."""

    uid: str
    community: int
    weight: float


class Between(NamedTuple):
    """The summed weight of the links between two folded communities."""

    one: int
    other: int
    weight: float


@dataclass
class Frame:
    """What a view is cut from, read for every candidate node (by uid); `fresh` holds the links that touch
    a node the layout has not placed yet."""

    nodes: list[Candidate]
    fresh: list[Link]
    sequence: int  # the owner's last event, read first: every change the frame misses comes after it


@dataclass
class Chosen:
    """What a view shows of its frame: `shown` node refs one by one (label, uid), `named` refs whose name
    is wanted besides (a super-node's leader), and `groups`, the community of each unplaced node as this
    answer numbers it; `folded` is whether any community comes as a super-node; `growth`, for how many
    links a concept's growth can matter (elsewhere it is not counted, and comes back as 0)."""

    shown: list[tuple[str, str]]
    named: list[tuple[str, str]]
    groups: dict[str, int]
    folded: bool
    growth: tuple[int, int] = (0, 2**62)  # the links a concept has for which its growth is counted


@dataclass
class Details:
    """What is read of the chosen nodes: `rows` of the shown and named nodes; `direct` links between two
    shown nodes; `towards` the links from a shown node to one that is not; `between` the summed weights
    of links between two nodes that are not shown."""

    rows: list[Named]
    direct: list[Link]
    towards: list[Towards]
    between: list[Between]


@dataclass(frozen=True)
class _Scope:
    """A view's candidates as Cypher: a CALL body binding `n` to each, and a predicate on `m` that holds
    for a candidate, with their parameters."""

    source: str
    member: str
    params: dict[str, Any]


def _scope(
    labels: Iterable[str], center: tuple[str, str] | None, depth: int, community: int | None
) -> _Scope | None:
    chosen = checked(labels, LABELS)
    if center is None:
        where = "n.view_community = $community" if community is not None else "true"
        # Every link type joins two domain labels (ENDS): with all of them chosen, an owned end is one.
        member = "true" if set(chosen) == set(LABELS) else f"m:{'|'.join(chosen)}"
        member += f" AND {_shown('m')}"
        if community is not None:
            member += " AND m.view_community = $community"
        # A community is the viewer's layout's: a partner's node is in none of them.
        source = _owned(chosen, where, True) if community is not None else _viewed(chosen, where, True)
        return _Scope(source, member, {"community": community})
    if center[0] not in DOMAIN_LABELS:
        return None
    # APOC's expander visits each node once (a variable-length MATCH would walk every path).
    source = f"""MATCH (c:{center[0]} {{uid: $uid}}) WHERE {BY_LABEL[center[0]].scope("c")}
        CALL apoc.path.subgraphNodes(c, {{maxLevel: $depth, relationshipFilter: $rels,
                                          labelFilter: $label_filter}}) YIELD node AS n
        WITH c, n WHERE {readable("n")} AND (n = c OR labels(n)[0] IN $labels) AND {_shown("n")}
        RETURN n"""
    params = {"uid": center[1], "depth": depth, "label_filter": "+" + "|".join(LABELS), "labels": chosen}
    # Who else is a candidate is known only once they are read: the caller passes them as $among.
    return _Scope(source, "$among[m.uid] IS NOT NULL", params)


async def frame(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    labels: Iterable[str] = (),
    types: Iterable[str] = (),
    center: tuple[str, str] | None = None,
    depth: int = 2,
    community: int | None = None,
    keyed: bool = False,
    proposed: bool = False,
) -> Frame | None:
    """The owner's nodes a view may show: all of them (of these labels), those within `depth` links (of
    these types) of `center` (none if it is not the owner's), or one community's members; with the owner's
    event sequence read first. None if `center` is of no label a view shows."""
    scope, kinds = _scope(labels, center, depth, community), checked(types, TYPES)
    if scope is None:
        return None
    # One record of lists: the driver decodes a list at once, far faster than row by row; no property
    # is read here that the cut does not need (names, counts and links come for the chosen nodes only).
    query = f"""
    {_SEQUENCE}
    CALL () {{
      CALL () {{ {scope.source} }}
      // A partner's node comes unplaced: the author's place for it is of the author's layout.
      WITH n, n.owner = $owner AS mine
      WITH n, mine, CASE WHEN NOT mine OR n.view_rank IS NULL THEN {_degree("n")} END AS degree
      RETURN collect(n) AS found,
             collect([n.uid, labels(n)[0]] + CASE WHEN mine
               THEN [n.view_rank, n.view_community, n.view_x, n.view_y, n.view_z]
               ELSE [null, null, null, null, null] END + [degree]) AS nodes
    }}
    CALL (found) {{
      UNWIND found AS n
      WITH n WHERE n.view_x IS NULL OR n.owner <> $owner
      MATCH (n)-[r:{"|".join(kinds)}]-(m) WHERE {readable("m")} AND {_shown("m")}
      WITH DISTINCT r  // a link between two unplaced nodes is met from both
      RETURN collect([startNode(r).uid, endNode(r).uid, type(r), coalesce(r.weight, 1.0)]) AS fresh
    }}
    RETURN nodes, fresh, sequence
    """
    rels: dict[str, Any] = {"rels": "|".join(kinds)} if center is not None else {}
    params = {"keyed": keyed, "proposed": proposed, **scope.params, **rels}
    record = await (await tx.run(query, owner=owner, **params)).single(strict=True)
    return Frame(
        [Candidate._make(row) for row in record["nodes"]],
        [Link._make(row) for row in record["fresh"]],
        record["sequence"],
    )


def _by_label(parameter: str) -> str:
    """A CALL body binding `n` to each node the viewer reads named in $parameter (a map of label to
    uids), each through its label's uid index, read as its own kind says (`readable` holds every kind's).
    A branch for every label, named or not: the text is the same whatever is named, so Neo4j plans it
    once (graph/plans.py plans it at start) rather than once per mix of labels."""
    return "\n UNION ALL\n ".join(
        f"UNWIND coalesce(${parameter}['{label}'], []) AS uid "
        f"MATCH (n:{label} {{uid: uid}}) USING INDEX n:{label}(uid) "
        f"WHERE {BY_LABEL[label].scope('n')} RETURN n"
        for label in LABELS
    )


def _grouped(refs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for label, uid in refs:
        if label not in DOMAIN_LABELS:
            raise ValueError(f"not a label of the graph: {label}")
        grouped[label].append(uid)
    return grouped


async def details(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    chosen: Chosen,
    among: list[str] | None,
    labels: Iterable[str] = (),
    types: Iterable[str] = (),
    center: tuple[str, str] | None = None,
    depth: int = 2,
    community: int | None = None,
    keyed: bool = False,
    proposed: bool = False,
) -> Details:
    """Names and counts of the chosen nodes and the links a view draws between what it shows, summed
    per community where an end is folded: one statement, whatever the size. `among` lists every candidate
    of a centred view."""
    scope, kinds = _scope(labels, center, depth, community), checked(types, TYPES)
    assert scope is not None
    rels = "|".join(kinds)
    # The community of an end as this answer numbers it (an unplaced node has one of its own, by uid).
    group = "coalesce({0}.view_community, $groups[{0}.uid])"
    # Whether a node is shown, by its element id: no property read (a uid is a string off the store).
    is_shown = "shown[elementId({0})] IS NOT NULL"
    between = (
        f"""
    CALL (shown) {{
      CALL () {{ {scope.source} }}
      WITH n WHERE NOT {is_shown.format("n")}
      WITH n, {group.format("n")} AS a
      MATCH (n)-[r:{rels}]->(m) WHERE {readable("m")} AND NOT {is_shown.format("m")} AND {scope.member}
      WITH a, {group.format("m")} AS b, sum(coalesce(r.weight, 1.0)) AS weight
      WHERE a <> b
      RETURN collect([a, b, weight]) AS between
    }}"""
        if chosen.folded
        else "WITH *, [] AS between"
    )
    query = f"""
    CALL () {{
      CALL () {{ {_by_label("shown_by_label")} }}
      RETURN collect(n) AS picked, apoc.map.fromLists(collect(elementId(n)), collect(true)) AS shown
    }}
    CALL () {{
      WITH datetime() - duration({{days: 30}}) AS since
      CALL () {{ {_by_label("named")} }}
      WITH n, since, {_degree("n")} AS degree
      RETURN collect([n.uid, {TITLE}, degree,
        CASE WHEN labels(n)[0] IN {list(EVOLVING)} AND $growth[0] <= degree <= $growth[1]
             THEN COUNT {{ (n)--(m) WHERE m.owner = $owner AND m.created_at > since }} ELSE 0 END,
        CASE WHEN labels(n)[0] IN {list(EVOLVING)} AND n.owner = $owner
             THEN {CARD_GROWN} ELSE [] END]) AS rows
    }}
    CALL (picked, shown) {{
      UNWIND picked AS n
      WITH n, n.uid AS uid
      MATCH (n)-[r:{rels}]-(m) WHERE {readable("m")} AND m <> n AND {scope.member}
      WITH uid, n, r, m, {is_shown.format("m")} AS both
      WHERE NOT both OR startNode(r) = n  // a link between two shown nodes once, from its start
      RETURN collect(CASE WHEN both THEN [uid, m.uid, type(r), coalesce(r.weight, 1.0)] END) AS direct,
             collect(CASE WHEN NOT both THEN [uid, {group.format("m")}, coalesce(r.weight, 1.0)] END)
               AS towards
    }}
    {between}
    RETURN rows, direct, towards, between
    """
    params = {
        "named": _grouped(chosen.shown + chosen.named),
        "shown_by_label": _grouped(chosen.shown),
        "groups": chosen.groups,
        "growth": list(chosen.growth),
        "among": {uid: True for uid in among} if among is not None else None,
        "keyed": keyed,
        "proposed": proposed,
        **scope.params,
    }
    if center is not None:
        params["rels"] = rels
    record = await (await tx.run(query, owner=owner, **params)).single(strict=True)
    return Details(
        [Named._make(row) for row in record["rows"]],
        [Link._make(row) for row in record["direct"]],
        [Towards._make(row) for row in record["towards"]],
        [Between._make(row) for row in record["between"]],
    )


async def view_of(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    choose: Callable[[Frame], C],
    labels: Iterable[str] = (),
    types: Iterable[str] = (),
    center: tuple[str, str] | None = None,
    depth: int = 2,
    community: int | None = None,
    keyed: bool = False,
    proposed: bool = False,
) -> tuple[Frame, C | None, Details | None] | None:
    """A view in one read transaction of two statements: the frame, the caller's cut of it (`choose`,
    no I/O), then what is drawn of the nodes it chose (neither when the frame is empty). None if `center`
    is of no label a view shows. With `proposed`, the owner's proposed memories are drawn too."""
    where: dict[str, Any]  # each value goes to the parameter of its name
    where = {
        "labels": labels,
        "types": types,
        "center": center,
        "depth": depth,
        "community": community,
        "keyed": keyed,
        "proposed": proposed,
    }
    found = await frame(tx, owner=owner, **where)
    if found is None or not found.nodes:
        return (found, None, None) if found is not None else None
    chosen = choose(found)
    among = [row.uid for row in found.nodes] if center is not None else None
    drawn = await details(tx, owner=owner, chosen=chosen, among=among, **where)
    return found, chosen, drawn


async def neighbourhood(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    label: str,
    uid: str,
    after: tuple[float, str, str, bool] | None,
    limit: int,
    keyed: bool = False,
) -> list[dict[str, Any]] | None:
    """A page of the node's links to the owner's drawn nodes (a message's link is its conversation's),
    heaviest first (then by neighbour uid, type and direction, incoming first: a pair linked both ways
    by one type is two rows), after a cursor (weight, uid, type, outgoing); each row the neighbour, the
    link's type, weight and direction. None if the node is not the owner's."""
    if label not in DOMAIN_LABELS:
        return None
    query = f"""
    MATCH (p:{label} {{uid: $uid}}) WHERE {readable("p")} AND {_shown("p")}
    OPTIONAL CALL (p) {{
      MATCH (p)-[r:{"|".join(TYPES)}]-(m) WHERE {readable("m")} AND {_shown("m")}
      // A message is not drawn: its link is its conversation's (the view folds messages into it).
      OPTIONAL MATCH (m)-[:IN]->(held:Conversation)
      WITH coalesce(held, m) AS n, type(r) AS type, startNode(r) = p AS outgoing,
           max(coalesce(r.weight, 1.0)) AS weight
      WHERE n <> p AND labels(n)[0] IN $drawn
        AND ($after IS NULL OR weight < $after[0]
         OR (weight = $after[0] AND (n.uid > $after[1] OR (n.uid = $after[1] AND (type > $after[2]
             OR (type = $after[2] AND outgoing > $after[3]))))))
      RETURN {_NODE} AS n, weight, type, outgoing
      ORDER BY weight DESC, n.uid, type, outgoing LIMIT $limit
    }}
    RETURN p.uid AS uid, collect(CASE WHEN n IS NULL THEN null ELSE
           {{node: n, weight: weight, type: type, outgoing: outgoing}} END) AS rows
    """
    after_list = list(after) if after is not None else None
    result = await tx.run(
        query,
        owner=owner,
        uid=uid,
        after=after_list,
        limit=limit,
        drawn=list(LABELS),
        keyed=keyed,
        proposed=False,  # a neighbourhood draws what the view draws by default
    )
    record = await result.single()
    if record is None:
        return None
    return [{**row, "node": dict(row["node"])} for row in record["rows"]]
