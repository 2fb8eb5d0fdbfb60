"""The Cypher of the 3D view: the viewer's graph as the layout and a view read it (a bounded number of
statements whatever its size), and the positions and analytics the layout consumer keeps on the nodes.

What the view keeps is properties of the nodes themselves (`view_x`, `view_y`, `view_z`,
`view_community`, `view_rank`), so every client and every reload sees the same picture, and a deleted
node takes its place with it. Labels and relationship types come only from graph/models.py's whitelist.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import events
from graph.models import DOMAIN_LABELS, ENDS

POSITIONS_CHANGED = "PositionsChanged"
LABELS = tuple(sorted(DOMAIN_LABELS))
TYPES = tuple(sorted(ENDS))
# What a view reads of a node: Cypher on `n`; `growth` counts links to nodes made in the last 30 days.
_NODE = """n {.uid, label: labels(n)[0],
  name: left(coalesce(n.name, n.summary, n.content, n.reaction, ''), 80),
  x: n.view_x, y: n.view_y, z: n.view_z, community: n.view_community, rank: n.view_rank,
  degree: COUNT { (n)--() },
  growth: CASE WHEN n:Concept
    THEN COUNT { (n)--(m) WHERE m.owner = $owner AND m.created_at > datetime() - duration({days: 30}) }
    ELSE 0 END}"""


# The owner's last event sequence, bound as `sequence` before a view reads its nodes.
_SEQUENCE = "OPTIONAL MATCH (u:User {uid: $owner}) WITH coalesce(u.event_sequence, 0) AS sequence"


def _checked(names: Iterable[str], allowed: Sequence[str]) -> list[str]:
    chosen = sorted(set(names) or set(allowed))
    unknown = set(chosen) - set(allowed)
    if unknown:
        raise ValueError(f"not part of the graph: {sorted(unknown)}")
    return chosen


def _owned(labels: Sequence[str], where: str = "true") -> str:
    """A CALL body binding `n` to each of the owner's nodes of these labels (each through its owner
    index) for which `where` holds."""
    return "\n UNION ALL\n ".join(
        f"MATCH (n:{label} {{owner: $owner}}) WHERE {where} RETURN n" for label in labels
    )


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


async def keep(
    tx: AsyncManagedTransaction, *, owner: str, rows: list[dict[str, Any]], moved: list[str]
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
        places = {f"{row['label']}:{row['uid']}": [row["x"], row["y"], row["z"]] for row in rows}
        data = json.dumps({ref: places[ref] for ref in moved if ref in places})
        await events.append_all(tx, owner, [(POSITIONS_CHANGED, moved)], data)
    return written


async def candidates(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    labels: Iterable[str] = (),
    types: Iterable[str] = (),
    center: tuple[str, str] | None = None,
    depth: int = 2,
    community: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The owner's nodes a view may show, by uid: all of them (of these labels), those within `depth`
    links (of these types) of `center`, or one community's members; with the owner's event sequence
    read first, so every change the nodes miss comes after it. None if `center` is not the owner's."""
    chosen, kinds = _checked(labels, LABELS), _checked(types, TYPES)
    if center is not None:
        if center[0] not in DOMAIN_LABELS:
            return [], 0
        # APOC's expander visits each node once (a variable-length MATCH would walk every path).
        query = f"""
        {_SEQUENCE}
        MATCH (c:{center[0]} {{uid: $uid, owner: $owner}})
        CALL apoc.path.subgraphNodes(c, {{maxLevel: $depth, relationshipFilter: $rels,
                                          labelFilter: $label_filter}}) YIELD node AS n
        WITH sequence, n WHERE n.owner = $owner AND (n = c OR labels(n)[0] IN $labels)
        WITH sequence, n ORDER BY n.uid RETURN collect({_NODE}) AS nodes, sequence
        """
        params = {
            "uid": center[1],
            "depth": depth,
            "rels": "|".join(kinds),
            "label_filter": "+" + "|".join(LABELS),
            "labels": chosen,
        }
    else:
        where = "n.view_community = $community" if community is not None else "true"
        # OPTIONAL: a graph with no such node still answers its sequence.
        query = f"""
        {_SEQUENCE}
        OPTIONAL CALL () {{ {_owned(chosen, where)} }}
        WITH sequence, n ORDER BY n.uid RETURN collect({_NODE}) AS nodes, sequence
        """
        params = {"community": community}
    # One record holding every node: the driver decodes a list at once, far faster than row by row.
    record = await (await tx.run(query, owner=owner, **params)).single()
    if record is None:
        return [], 0
    return [dict(node) for node in record["nodes"]], record["sequence"]


async def links_among(
    tx: AsyncManagedTransaction, *, owner: str, uids: list[str] | None, types: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """The links (of these types) between two of these nodes of the owner (all the owner's nodes when
    `uids` is None), each once."""
    kinds = _checked(types, TYPES)
    # Each node is found through its label's index (uid or owner); the other end is checked here, in a
    # set: Cypher's `IN $list` would compare every link with the whole list.
    if uids is None:
        source = f"CALL () {{ {_owned(LABELS)} }}"
    else:
        source = (
            "UNWIND $uids AS uid CALL (uid) { "
            + "\n UNION ALL\n ".join(
                f"MATCH (n:{label} {{uid: uid}}) USING INDEX n:{label}(uid) WHERE n.owner = $owner RETURN n"
                for label in LABELS
            )
            + " }"
        )
    query = f"""
    {source}
    MATCH (n)-[r:{"|".join(kinds)}]->(m) WHERE m.owner = $owner
    RETURN collect([n.uid, m.uid, type(r), coalesce(r.weight, 1.0)]) AS links
    """
    found = (await (await tx.run(query, owner=owner, uids=uids)).single(strict=True))["links"]
    among = set(uids) if uids is not None else None
    return [
        {"source": source, "target": target, "type": kind, "weight": weight}
        for source, target, kind, weight in found
        if among is None or target in among
    ]


async def subgraph(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    labels: Iterable[str] = (),
    types: Iterable[str] = (),
    center: tuple[str, str] | None = None,
    depth: int = 2,
    community: int | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """A view's candidate nodes, the links among them and the event sequence they reflect: two
    statements in one read transaction."""
    nodes, sequence = await candidates(
        tx, owner=owner, labels=labels, types=types, center=center, depth=depth, community=community
    )
    if not nodes:
        return [], [], sequence
    whole = center is None and community is None and set(labels) in (set(), set(LABELS))
    uids = None if whole else [node["uid"] for node in nodes]
    return nodes, await links_among(tx, owner=owner, uids=uids, types=types), sequence


async def neighbourhood(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    label: str,
    uid: str,
    after: tuple[float, str, str] | None,
    limit: int,
) -> list[dict[str, Any]] | None:
    """A page of the node's links to the owner's nodes, heaviest first (then by neighbour uid and type),
    after a cursor (weight, uid, type); each row the neighbour, the link's type, weight and direction.
    None if the node is not the owner's."""
    if label not in DOMAIN_LABELS:
        return None
    query = f"""
    MATCH (p:{label} {{uid: $uid, owner: $owner}})
    OPTIONAL CALL (p) {{
      MATCH (p)-[r:{"|".join(TYPES)}]-(n) WHERE n.owner = $owner
      WITH n, r, coalesce(r.weight, 1.0) AS weight, type(r) AS type, startNode(r) = p AS outgoing
      WHERE $after IS NULL OR weight < $after[0]
         OR (weight = $after[0] AND (n.uid > $after[1] OR (n.uid = $after[1] AND type > $after[2])))
      RETURN {_NODE} AS n, weight, type, outgoing
      ORDER BY weight DESC, n.uid, type LIMIT $limit
    }}
    RETURN p.uid AS uid, collect(CASE WHEN n IS NULL THEN null ELSE
           {{node: n, weight: weight, type: type, outgoing: outgoing}} END) AS rows
    """
    after_list = list(after) if after is not None else None
    result = await tx.run(query, owner=owner, uid=uid, after=after_list, limit=limit)
    record = await result.single()
    if record is None:
        return None
    return [{**row, "node": dict(row["node"])} for row in record["rows"]]
