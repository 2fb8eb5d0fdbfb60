"""Cypher for Recipient nodes and the viewer's KNOWS relationship to each."""

from dataclasses import dataclass
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import events
from graph.models import Knows, Recipient
from graph.pages import Condition, Page, Rows
from graph.properties import for_create, for_update, from_graph
from graph.rows import native

# What a page of recipients may be ordered by: the sort expressions, by name.
SORTS = {
    "name": "r.name",
    "importance": "k.importance",
    "closeness": "k.closeness",
    "created_at": "r.created_at",
}
_MATCH = "MATCH (:User {uid: $owner})-[k:KNOWS]->(r:Recipient {owner: $owner})"


@dataclass(frozen=True)
class RecipientFilter:
    relationship_types: tuple[str, ...] = ()
    importance_min: int | None = None
    importance_max: int | None = None
    name_contains: str | None = None

    def where(self) -> Condition:
        named = "(toLower(r.name) CONTAINS $name OR toLower(coalesce(r.nickname, '')) CONTAINS $name)"
        return Condition.of(
            ("k.relationship_type IN $types", "types", list(self.relationship_types)),
            ("k.importance >= $importance_min", "importance_min", self.importance_min),
            ("k.importance <= $importance_max", "importance_max", self.importance_max),
            (named, "name", self.name_contains.lower() if self.name_contains else None),
        )


def row(record: Any) -> dict[str, Any]:
    return {"recipient": from_graph(Recipient, record["r"]), "knows": from_graph(Knows, record["k"])}


async def create(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, recipient: dict[str, Any], knows: dict[str, Any]
) -> dict[str, Any]:
    query = """
    MATCH (u:User {uid: $owner})
    CREATE (u)-[k:KNOWS]->(r:Recipient)
    SET r = $recipient, r.created_at = datetime(), r.updated_at = datetime(), k = $knows
    RETURN properties(r) AS r, properties(k) AS k
    """
    props = for_create(Recipient, {**recipient, "uid": uid, "owner": owner})
    record = await (
        await tx.run(query, owner=owner, recipient=props, knows=for_create(Knows, knows))
    ).single()
    await events.append(tx, owner, "RecipientCreated", [f"Recipient:{uid}"])
    return row(record)


async def update(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, recipient: dict[str, Any], knows: dict[str, Any]
) -> dict[str, Any] | None:
    query = f"""
    {_MATCH} WHERE r.uid = $uid
    SET r += $recipient, r.updated_at = datetime(), k += $knows
    RETURN properties(r) AS r, properties(k) AS k
    """
    params = dict(
        owner=owner, uid=uid, recipient=for_update(Recipient, recipient), knows=for_update(Knows, knows)
    )
    record = await (await tx.run(query, params)).single()
    if record is None:
        return None
    await events.append(tx, owner, "RecipientUpdated", [f"Recipient:{uid}"])
    return row(record)


async def delete(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> list[str] | None:
    """Deletes the recipient and what only belonged to them: their occasions, the gifts meant only for
    them with their outcomes, and their conflicts. Returns every node deleted as "Label:uid"; None if the
    recipient is not the owner's."""
    query = f"""
    {_MATCH} WHERE r.uid = $uid
    OPTIONAL MATCH (r)-[:HAS_OCCASION]->(o:Occasion {{owner: $owner}})
    OPTIONAL MATCH (g:Gift {{owner: $owner}})-[:INTENDED_FOR]->(r)
      WHERE NOT EXISTS {{ (g)-[:INTENDED_FOR]->(other:Recipient) WHERE other <> r }}
    OPTIONAL MATCH (g)-[:HAS_OUTCOME]->(out:GiftOutcome {{owner: $owner}})
    OPTIONAL MATCH (c:Conflict {{owner: $owner}})-[:WITH]->(r)
    WITH r, collect(DISTINCT o) + collect(DISTINCT g) + collect(DISTINCT out) + collect(DISTINCT c) AS owned
    WITH r, [n IN owned WHERE n IS NOT NULL] AS owned
    WITH r, owned, ["Recipient:" + r.uid] + [n IN owned | labels(n)[0] + ":" + n.uid] AS refs
    FOREACH (n IN owned | DETACH DELETE n)
    DETACH DELETE r
    RETURN refs
    """
    record = await (await tx.run(query, owner=owner, uid=uid)).single()
    if record is None:
        return None
    await events.append(tx, owner, "RecipientDeleted", record["refs"])
    return record["refs"]


async def page(tx: AsyncManagedTransaction, *, owner: str, where: RecipientFilter, page: Page) -> Rows:
    condition = where.where()
    keyset, order, page_params = page.clauses("r.uid")
    query = f"""
    {_MATCH} WHERE {condition.text} AND {keyset}
    RETURN properties(r) AS r, properties(k) AS k, {page.sort} AS sort
    ORDER BY {order} LIMIT $page_limit
    """
    result = await tx.run(query, owner=owner, **condition.params, **page_params)
    rows = [{**row(record), "sort": native(record["sort"])} async for record in result]
    return Rows.of(rows, page)


async def count(tx: AsyncManagedTransaction, *, owner: str, where: RecipientFilter) -> int:
    condition = where.where()
    query = f"{_MATCH} WHERE {condition.text} RETURN count(r) AS n"
    return (await (await tx.run(query, owner=owner, **condition.params)).single(strict=True))["n"]


async def by_uids(tx: AsyncManagedTransaction, *, owner: str, uids: list[str]) -> list[dict[str, Any]]:
    query = f"{_MATCH} WHERE r.uid IN $uids RETURN properties(r) AS r, properties(k) AS k"
    return [row(record) async for record in await tx.run(query, owner=owner, uids=uids)]
