"""Cypher for ApiKey nodes: a user's API keys, kept only as hashes (seed 003's ApiKey)."""

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import events
from graph.rows import native

_PUBLIC = "k {.uid, .name, .prefix, .status, .created_at, .last_used_at, .expires_at, .revoked_at}"


async def create_api_key(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    name: str,
    key_hash: str,
    prefix: str,
    expires_at: datetime | None,
) -> dict[str, Any]:
    query = f"""
    MATCH (u:User {{uid: $owner}})
    CREATE (u)-[:HAS_API_KEY]->(k:ApiKey {{uid: $uid, owner: $owner, name: $name, hash: $key_hash,
        prefix: $prefix, status: 'active', created_at: datetime(), expires_at: $expires_at}})
    RETURN {_PUBLIC} AS key
    """
    params = dict(owner=owner, uid=uid, name=name, key_hash=key_hash, prefix=prefix, expires_at=expires_at)
    record = await (await tx.run(query, params)).single(strict=True)
    await events.append(tx, owner, "ApiKeyCreated", [f"ApiKey:{uid}"])
    return native(record["key"])


async def api_keys_of(tx: AsyncManagedTransaction, owner: str) -> list[dict[str, Any]]:
    query = f"MATCH (k:ApiKey {{owner: $owner}}) RETURN {_PUBLIC} AS key ORDER BY k.created_at, k.uid"
    return [native(record["key"]) async for record in await tx.run(query, owner=owner)]


async def revoke_api_key(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> dict[str, Any] | None:
    query = f"""
    MATCH (k:ApiKey {{uid: $uid, owner: $owner}})
    SET k.status = 'revoked', k.revoked_at = coalesce(k.revoked_at, datetime())
    RETURN {_PUBLIC} AS key
    """
    record = await (await tx.run(query, owner=owner, uid=uid)).single()
    if record is None:
        return None
    await events.append(tx, owner, "ApiKeyRevoked", [f"ApiKey:{uid}"])
    return native(record["key"])


async def active_key(tx: AsyncManagedTransaction, key_hash: str) -> dict[str, Any] | None:
    """The owner of an active, unexpired key with this hash, and when it was last used."""
    query = """
    MATCH (k:ApiKey {hash: $key_hash})
    WHERE k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > datetime())
    RETURN k {.uid, .owner, .last_used_at} AS key
    """
    record = await (await tx.run(query, key_hash=key_hash)).single()
    return native(record["key"]) if record else None


async def mark_used(tx: AsyncManagedTransaction, uid: str) -> None:
    await (await tx.run("MATCH (k:ApiKey {uid: $uid}) SET k.last_used_at = datetime()", uid=uid)).consume()
