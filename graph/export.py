"""Cypher of reading a whole account for its archive (dispatch/exports.py): its nodes of every declared
kind and its series' entries (their month buckets), the links between them (and from the User to them), its
event log, each a page at a time.

Only what the user owns and sees: a node hidden from every read (a deleted document waiting for its
purge, an expired short-term memory) is not in it, nor is a link to one; a link is read from a node of
theirs to a node of theirs (or from their User node), so a link to anyone else's node is never in an
archive.
"""

from typing import Any

from neo4j import AsyncManagedTransaction

from graph.kinds import BUCKET, BY_LABEL, GROWTH_BUCKET, HAS_BUCKET, HAS_GROWTH, KINDS, RELATIONS

# Every label an archive holds: the declared kinds, a series' entries and growth credits (their month
# buckets: data of the user's own, no kind of their own). Passages and the account's bookkeeping are
# derived or local to an instance: sessions, keys, cursors are not moved.
LABELS: tuple[str, ...] = (*(kind.label for kind in KINDS), BUCKET, GROWTH_BUCKET)
# The links from the User node itself to a node of theirs (graph/recipients.py's KNOWS, graph/gifts.py's
# GAVE) and from a series, a card or the User to its buckets: with the kinds' declared relations, every
# link type an archive holds.
USER_LINKS = ("KNOWS", "GAVE")
LINK_TYPES: tuple[str, ...] = tuple(
    dict.fromkeys((*(r.type for r in RELATIONS), *USER_LINKS, HAS_BUCKET, HAS_GROWTH))
)
# Whether a node `n` of each label is shown: its kind's `visible` (a bucket always is).
_VISIBLE = {label: BY_LABEL[label].visible if label in BY_LABEL else "true" for label in LABELS}
# Whom an account's archive belongs to, as the manifest names them.
PROFILE = ("email", "name")
# Whether a node `n` of any label is shown: each declared kind's `visible`, true for the rest (the User).
SHOWN = (
    "CASE "
    + " ".join(f"WHEN n:{kind.label} THEN {kind.visible}" for kind in KINDS if kind.visible != "true")
    + " ELSE true END"
)


async def user(tx: AsyncManagedTransaction, owner: str) -> dict[str, Any] | None:
    """The account to export, while it is active (an account being erased is not exported)."""
    query = """
    MATCH (u:User {uid: $owner}) WHERE u.status = 'active'
    RETURN u.uid AS uid, u.email AS email, u.name AS name
    """
    record = await (await tx.run(query, owner=owner)).single()
    return record.data() if record else None


async def nodes(
    tx: AsyncManagedTransaction, *, owner: str, label: str, after: str, limit: int
) -> list[dict[str, Any]]:
    """A page of the owner's shown nodes of one label of LABELS, by uid after `after`: uid and properties."""
    if label not in LABELS:
        raise ValueError(f"not a declared kind: {label}")
    query = f"""
    MATCH (n:{label} {{owner: $owner}}) WHERE n.uid > $after AND {_VISIBLE[label]}
    RETURN n.uid AS uid, properties(n) AS properties ORDER BY n.uid LIMIT $limit
    """
    result = await tx.run(query, owner=owner, after=after, limit=limit)
    return [record.data() async for record in result]


async def links(
    tx: AsyncManagedTransaction, *, owner: str, label: str, after: str, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """The links into a page of the owner's shown nodes of one label (by uid after `after`) from a shown
    node of theirs of a declared label, or from their User node; and the last uid of the page (None: no
    more)."""
    if label not in LABELS:
        raise ValueError(f"not a declared kind: {label}")
    query = f"""
    MATCH (n:{label} {{owner: $owner}}) WHERE n.uid > $after AND {_VISIBLE[label]}
    WITH n AS b ORDER BY b.uid LIMIT $limit
    WITH collect(b) AS page
    UNWIND page AS b
    OPTIONAL MATCH (a)-[r]->(b)
    WHERE type(r) IN $types
      AND ((a.owner = $owner AND any(l IN labels(a) WHERE l IN $labels)) OR (a:User AND a.uid = $owner))
    WITH page, b, a, r WHERE r IS NOT NULL
    CALL (a) {{ WITH a AS n RETURN {SHOWN} AS shown }}
    WITH page, b, a, r WHERE shown
    RETURN type(r) AS type, a.uid AS from, b.uid AS to, properties(r) AS properties,
           last(page).uid AS last
    ORDER BY b.uid, type(r), a.uid
    """
    result = await tx.run(
        query, owner=owner, after=after, limit=limit, labels=list(LABELS), types=list(LINK_TYPES)
    )
    rows = [record.data() async for record in result]
    if rows:
        return [{k: v for k, v in row.items() if k != "last"} for row in rows], rows[0]["last"]
    # No link into this page: where the page ends, if it has any node.
    query = f"""
    MATCH (n:{label} {{owner: $owner}}) WHERE n.uid > $after AND {_VISIBLE[label]}
    WITH n ORDER BY n.uid LIMIT $limit
    RETURN last(collect(n.uid)) AS last
    """
    record = await (await tx.run(query, owner=owner, after=after, limit=limit)).single(strict=True)
    return [], record["last"]


async def events(tx: AsyncManagedTransaction, *, owner: str, after: int, limit: int) -> list[dict[str, Any]]:
    """A page of the owner's event log, by sequence after `after`."""
    query = """
    MATCH (e:Event {owner: $owner}) WHERE e.sequence > $after
    RETURN e.uid AS uid, e.sequence AS sequence, properties(e) AS properties
    ORDER BY e.sequence LIMIT $limit
    """
    result = await tx.run(query, owner=owner, after=after, limit=limit)
    return [record.data() async for record in result]
