"""Search's ranking statements as main had them at 28a52f0, before they were bounded by the candidates:
kept for bench/search_size.py alone, so one run times main's and today's statements side by side on the
same graph. One fields statement per searched label (`n.uid IN $uids` beside the kind's conditions, which
let the planner read a memory's `expires_at` index too), and the graph-signal statement that looks each
candidate up in every searched label's branch. Not used by the app."""

from collections.abc import Iterable
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.kinds import BY_LABEL, DOMAIN_LABELS, SEARCHED_LABELS, readable
from graph.refs import Ref
from graph.rows import native
from graph.search import _by_label, _lexical, _passages, _searched


async def signals(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    query: str,
    labels: list[str],
    passages: bool,
    limit: int,
    candidates: list[Ref],
    near: Ref | None,
    max_distance: int = 4,
    proposed: bool = False,
) -> dict[str, Any]:
    """What ranking needs, read in one transaction and computed from the owner's nodes alone: the nodes
    among `labels` (and documents' passages, with `passages`) whose text holds one of the query's words
    (`lexical`, found through the full-text indexes, whose scores are not used: they weigh words across
    every user), how many nodes the owner has there (`total`), the searched fields of those and of the
    vector `candidates` (`fields`, by Ref; a passage's with its document and place), and their memory
    importance, age and distance from the `near` node (`nodes`, by Ref). With `proposed`, the owner's
    proposed memories are found too."""
    lexical, total = await _lexical(
        tx, owner=owner, query=query, labels=labels, passages=passages, limit=limit
    )
    refs = list(dict.fromkeys([*lexical, *candidates]))
    return {
        "lexical": lexical,
        "total": total,
        "fields": {
            **await fields(tx, owner=owner, refs=refs, proposed=proposed),
            **await _passages(tx, owner=owner, refs=refs),
        },
        "nodes": await _graph_signals(tx, owner=owner, refs=refs, near=near, max_distance=max_distance),
    }


async def fields(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    refs: Iterable[Ref],
    in_sight: bool = True,
    proposed: bool = False,
) -> dict[Ref, dict[str, Any]]:
    """The searched fields (as their kind declares them) of these nodes the viewer reads (theirs, or a
    partner's shared node: its own fields alone) that exist, are visible (an expired memory is not) and,
    with `in_sight`, are found by search (their kind's `listed` and `shown`: a proposed memory or an
    expired persona is not; with `proposed`, the owner's proposals are): one query per label."""
    found: dict[Ref, dict[str, Any]] = {}
    for label, uids in _by_label(refs).items():
        searched, kind = _searched(label), BY_LABEL[label]
        sight = f"AND {kind.visible}" + (
            f" AND {kind.listed_or_proposed} AND {kind.shown}" if in_sight else ""
        )
        query = f"""
        MATCH (n:{label}) WHERE n.uid IN $uids AND {kind.scope()} {sight}
        CALL (n) {{ {searched.fields} }}
        RETURN uid, fields, n.owner = $owner AS own"""
        async for r in await tx.run(query, owner=owner, uids=uids, proposed=proposed):
            fields_of = native(r["fields"])  # a partner's shared node: its own fields alone
            found[Ref(label, r["uid"])] = {"fields": fields_of if r["own"] else searched.own(fields_of)}
    return found


async def _graph_signals(
    tx: AsyncManagedTransaction, *, owner: str, refs: list[Ref], near: Ref | None, max_distance: int
) -> dict[Ref, dict[str, Any]]:
    """For these nodes: a memory's importance and time, and the distance from `near` over the nodes the
    viewer may read (theirs, and what a partner shared with them: `near` may be one of those)."""
    near_label, near_uid = near if near is not None else ("", "")
    if near is not None and near_label not in DOMAIN_LABELS:
        raise ValueError(f"not a label of the graph: {near_label}")
    # Each node is found by its label's uid index (labels cannot be parameters: one branch each).
    by_label = "\n      UNION\n".join(
        f"""      WITH ref WHERE ref STARTS WITH '{label}:'
      MATCH (b:{label} {{uid: substring(ref, {len(label) + 1})}}) WHERE {readable("b")} RETURN b"""
        for label in SEARCHED_LABELS
    )
    near_match = (  # `near` may be a node a partner shared with the viewer's couple (its kind's scope)
        f"OPTIONAL MATCH (a:{near_label} {{uid: $near_uid}}) WHERE {readable('a')}"
        if near is not None
        else "WITH *, null AS a"
    )
    statement = f"""
    UNWIND $refs AS ref
    {near_match}
    OPTIONAL CALL (ref) {{
{by_label}
    }}
    WITH a, ref, b, CASE WHEN b = a THEN null ELSE b END AS other
    CALL (a, other) {{
      OPTIONAL MATCH p = shortestPath((a)-[*..{max_distance}]-(other))
      WHERE all(x IN nodes(p) WHERE {readable("x")})
      RETURN length(p) AS steps
    }}
    RETURN ref, b.importance AS importance, toString(coalesce(b.happened_at, b.created_at)) AS at,
           CASE WHEN a IS NOT NULL AND b = a THEN 0 ELSE steps END AS distance
    """
    result = await tx.run(
        statement, owner=owner, refs=[str(ref) for ref in refs], near_label=near_label, near_uid=near_uid
    )
    return {Ref.parse(r["ref"]): native(dict(r)) async for r in result}
