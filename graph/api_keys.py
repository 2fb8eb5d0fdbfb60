"""Cypher for ApiKey nodes: a user's API keys, kept only as hashes."""

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import events
from graph.events import EventKind
from graph.pages import Page, Row, Rows
from graph.refs import Ref
from graph.rows import native, sort_values_of

# A key's scope (auth/scopes.py) is kept as three properties; a key made before scopes has none of them.
_SCOPE = "{read_only: k.scope_read_only, personas_only: k.scope_personas_only, kinds: k.scope_kinds}"
_PUBLIC = (
    "k {.uid, .name, .prefix, .status, .created_at, .last_used_at, .expires_at, .revoked_at, "
    f"scope: {_SCOPE}}}"
)
# The keyset order of the viewer's keys: oldest first.
SORTS = {"created_at": "k.created_at"}


async def create_api_key(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    name: str,
    key_hash: str,
    prefix: str,
    expires_at: datetime | None,
    scope: dict[str, Any],
) -> dict[str, Any]:
    query = f"""
    MATCH (u:User {{uid: $owner}})
    CREATE (u)-[:HAS_API_KEY]->(k:ApiKey {{uid: $uid, owner: $owner, name: $name, hash: $key_hash,
        prefix: $prefix, status: 'active', created_at: datetime(), expires_at: $expires_at,
        scope_read_only: $scope.read_only, scope_personas_only: $scope.personas_only,
        scope_kinds: $scope.kinds}})
    RETURN {_PUBLIC} AS key
    """
    params = dict(
        owner=owner, uid=uid, name=name, key_hash=key_hash, prefix=prefix, expires_at=expires_at, scope=scope
    )
    record = await (await tx.run(query, params)).single(strict=True)
    await events.append(tx, owner, EventKind.created("ApiKey"), [Ref("ApiKey", uid)])
    return native(record["key"])


async def page(tx: AsyncManagedTransaction, *, owner: str, page: Page) -> Rows:
    keyset, order, params = page.clauses("k.uid")
    query = f"""
    MATCH (k:ApiKey {{owner: $owner}}) WHERE {keyset}
    RETURN {_PUBLIC} AS key, {page.sort_values} AS sort ORDER BY {order} LIMIT $page_limit
    """
    result = await tx.run(query, owner=owner, **params)
    rows = [Row(native(record["key"]), sort_values_of(record["sort"])) async for record in result]
    return Rows.of(rows, page)


async def count(tx: AsyncManagedTransaction, *, owner: str) -> int:
    query = "MATCH (k:ApiKey {owner: $owner}) RETURN count(k) AS total"
    return (await (await tx.run(query, owner=owner)).single(strict=True))["total"]


async def by_uids(tx: AsyncManagedTransaction, *, owner: str, uids: list[str]) -> list[dict[str, Any]]:
    query = f"MATCH (k:ApiKey {{owner: $owner}}) WHERE k.uid IN $uids RETURN {_PUBLIC} AS key"
    return [native(record["key"]) async for record in await tx.run(query, owner=owner, uids=uids)]


async def revoke_api_key(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> dict[str, Any] | None:
    """The revoked key, and its hash (so the auth-state cache can forget it); None if not the owner's."""
    query = f"""
    MATCH (k:ApiKey {{uid: $uid, owner: $owner}})
    SET k.status = 'revoked', k.revoked_at = coalesce(k.revoked_at, datetime())
    RETURN {_PUBLIC} AS key, k.hash AS hash
    """
    record = await (await tx.run(query, owner=owner, uid=uid)).single()
    if record is None:
        return None
    await events.append(tx, owner, events.API_KEY_REVOKED, [Ref("ApiKey", uid)])
    return {"key": native(record["key"]), "hash": record["hash"]}


async def active_key(tx: AsyncManagedTransaction, key_hash: str) -> dict[str, Any] | None:
    """The owner of an active, unexpired key with this hash, when it expires and was last used, and its
    scope."""
    query = f"""
    MATCH (k:ApiKey {{hash: $key_hash}})
    WHERE k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > datetime())
    RETURN k {{.uid, .owner, .last_used_at, .expires_at, scope: {_SCOPE}}} AS key
    """
    record = await (await tx.run(query, key_hash=key_hash)).single()
    return native(record["key"]) if record else None


async def mark_used(tx: AsyncManagedTransaction, uid: str) -> None:
    await (await tx.run("MATCH (k:ApiKey {uid: $uid}) SET k.last_used_at = datetime()", uid=uid)).consume()
