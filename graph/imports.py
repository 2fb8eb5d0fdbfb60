"""Cypher of loading an account archive (archive/imports.py) into an existing empty account: the
checks first, then everything in one transaction (batched, UNWIND), so an import is whole or not at all.

Labels and link types are checked against the declarations (archive/format.py's read) before they are
put in a query's text; every value is a parameter.
"""

from collections import defaultdict
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.export import LABELS

BATCH = 1000


async def account(tx: AsyncManagedTransaction, email: str) -> dict[str, Any] | None:
    """The account of this email: its uid and status."""
    query = "MATCH (u:User {email: $email}) RETURN u.uid AS uid, u.status AS status"
    record = await (await tx.run(query, email=email)).single()
    return record.data() if record else None


async def owns_any(tx: AsyncManagedTransaction, owner: str) -> bool:
    """Whether the owner has any node of a declared kind (each label's owner index, one at a time)."""
    for label in LABELS:
        query = f"RETURN EXISTS {{ MATCH (n:{label} {{owner: $owner}}) }} AS owns"
        if (await (await tx.run(query, owner=owner)).single(strict=True))["owns"]:
            return True
    return False


async def taken(tx: AsyncManagedTransaction, *, owner: str, uids: dict[str, list[str]]) -> list[str]:
    """Of these uids by label (Event included), those a node of that label has already, of any owner."""
    found: list[str] = []
    for label, batch in uids.items():
        if label not in (*LABELS, "Event"):
            raise ValueError(f"not a declared kind: {label}")
        for start in range(0, len(batch), BATCH):
            query = f"UNWIND $uids AS uid MATCH (n:{label} {{uid: uid}}) RETURN n.uid AS uid"
            result = await tx.run(query, uids=batch[start : start + BATCH])
            found += [record["uid"] async for record in result]
    return found


class Unlinked(ValueError):
    """A link of the archive found no two nodes of the account to join: the import is not kept."""


# What an archive written before a property existed lacks, by label: a memory then was its user's own.
OLDER_ARCHIVES: dict[str, dict[str, Any]] = {"Memory": {"status": "confirmed"}}


async def load(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    nodes: list[dict[str, Any]],
    links: list[dict[str, Any]],
    events: list[dict[str, Any]],
    old_user: str,
) -> int:
    """Creates the nodes (owned by `owner`), the links (the archive's user is `owner`'s User node) and
    the events with their sequences; the account's own events so far (its sign-up, its logins) are
    numbered after them; returns how many links were made (Unlinked, so nothing is kept, when one could
    not be: an end that is not the owner's). Then every consumer of the dispatcher has the owner's whole
    log to deliver again (their cursors go), which rebuilds the vectors, the passages and the layout."""
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in nodes:
        by_label[node["label"]].append(node["properties"])
    for label, rows in by_label.items():
        if label not in LABELS:
            raise ValueError(f"not a declared kind: {label}")
        query = f"UNWIND $rows AS row CREATE (n:{label}) SET n = $defaults SET n += row, n.owner = $owner"
        defaults = OLDER_ARCHIVES.get(label, {})
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            await (await tx.run(query, rows=batch, owner=owner, defaults=defaults)).consume()
    made = await _links(tx, owner=owner, links=links, old_user=old_user)
    if made != len(links):
        raise Unlinked(f"{len(links) - made} of its {len(links)} links join no two nodes of the account")
    await _events(tx, owner=owner, events=events)
    return made


async def _links(
    tx: AsyncManagedTransaction, *, owner: str, links: list[dict[str, Any]], old_user: str
) -> int:
    made = 0
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        grouped[(link["type"], link["from_label"], link["to_label"])].append(
            {"from": owner if link["from"] == old_user else link["from"], "to": link["to"],
             "properties": link["properties"]}
        )  # fmt: skip
    for (kind, source, target), rows in grouped.items():
        if source not in (*LABELS, "User") or target not in LABELS or not kind.replace("_", "").isalnum():
            raise ValueError(f"not a declared link: {kind} {source} {target}")
        start_owner = "uid" if source == "User" else "owner"
        query = f"""
        UNWIND $rows AS row
        MATCH (a:{source} {{uid: row.from}}) WHERE a.{start_owner} = $owner
        MATCH (b:{target} {{uid: row.to, owner: $owner}})
        CREATE (a)-[r:{kind}]->(b) SET r = row.properties
        RETURN count(r) AS made
        """
        for start in range(0, len(rows), BATCH):
            result = await tx.run(query, rows=rows[start : start + BATCH], owner=owner)
            made += (await result.single(strict=True))["made"]
    return made


async def _events(tx: AsyncManagedTransaction, *, owner: str, events: list[dict[str, Any]]) -> None:
    last = events[-1]["sequence"] if events else 0
    # The account's own events move after the archive's: the log stays one sequence without repeats.
    query = """
    MATCH (u:User {uid: $owner})
    SET u.event_lock = true
    REMOVE u.event_lock
    WITH u
    OPTIONAL MATCH (e:Event {owner: $owner})
    WITH u, e ORDER BY e.sequence DESC
    WITH u, collect(e) AS own
    FOREACH (e IN own | SET e.sequence = e.sequence + $last)
    SET u.event_sequence = coalesce(u.event_sequence, 0) + $last
    """
    await (await tx.run(query, owner=owner, last=last)).consume()
    create = """
    UNWIND $rows AS row
    CREATE (e:Event) SET e = row.properties, e.uid = row.uid, e.sequence = row.sequence, e.owner = $owner
    """
    for start in range(0, len(events), BATCH):
        await (await tx.run(create, rows=events[start : start + BATCH], owner=owner)).consume()
    # As a new consumer does (graph/dispatcher.py): every consumer gets the owner's whole log again.
    again = """
    MATCH (u:User {uid: $owner})
    OPTIONAL MATCH (c:Cursor {owner: $owner})
    DETACH DELETE c
    WITH DISTINCT u
    SET u.dispatch_due = true
    """
    await (await tx.run(again, owner=owner)).consume()
