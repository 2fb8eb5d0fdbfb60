"""Cypher of export requests: (:Export {uid, owner, status, created_at, ...}) nodes, one per
exportAccount. The exporter (dispatch/exports.py) builds each under a lease, so an export cut short (a
crash) is found again and built by whichever instance takes it next.

status: 'pending' (asked for), 'building' (someone holds its lease), 'ready' (its archive is in the
blob store under `storage_key`), 'failed' (`error` says why). An Export is deleted, archive and all, once
it is `expires_at` old, and with the account.
"""

from typing import Any

from neo4j import AsyncManagedTransaction

from graph.rows import native

LABEL = "Export"
_FIELDS = "n {.uid, .status, .size, .error, .storage_key, .counts, .created_at, .finished_at, .expires_at}"


async def create(tx: AsyncManagedTransaction, *, owner: str, uid: str, days: int) -> dict[str, Any]:
    query = f"""
    MATCH (u:User {{uid: $owner}}) WHERE u.status = 'active'
    CREATE (n:Export {{uid: $uid, owner: $owner, status: 'pending', created_at: datetime(),
                      expires_at: datetime() + duration({{days: $days}})}})
    RETURN {_FIELDS} AS n
    """
    record = await (await tx.run(query, owner=owner, uid=uid, days=days)).single(strict=True)
    return native(record["n"])


async def of_owner(tx: AsyncManagedTransaction, *, owner: str, limit: int) -> list[dict[str, Any]]:
    """The owner's exports not expired yet, newest first."""
    query = f"""
    MATCH (n:Export {{owner: $owner}}) WHERE n.expires_at > datetime()
    RETURN {_FIELDS} AS n ORDER BY n.created_at DESC LIMIT $limit
    """
    return [native(record["n"]) async for record in await tx.run(query, owner=owner, limit=limit)]


async def ready(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> dict[str, Any] | None:
    """The owner's export with this uid, if its archive is ready and not expired."""
    query = f"""
    MATCH (n:Export {{uid: $uid, owner: $owner}})
    WHERE n.status = 'ready' AND n.expires_at > datetime()
    RETURN {_FIELDS} AS n
    """
    record = await (await tx.run(query, owner=owner, uid=uid)).single()
    return native(record["n"]) if record else None


async def pending(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
    """Exports waiting to be built, or whose builder's lease ran out, oldest first."""
    query = """
    MATCH (n:Export)
    WHERE n.status = 'pending' OR (n.status = 'building' AND n.lease_until < datetime())
    RETURN n.uid AS uid, n.owner AS owner ORDER BY n.created_at
    """
    return [record.data() async for record in await tx.run(query)]


async def claim(tx: AsyncManagedTransaction, *, uid: str, holder: str, seconds: float) -> bool:
    """Takes (or renews) the lease on building this export, if it is free, expired or `holder`'s."""
    query = """
    MATCH (n:Export {uid: $uid}) WHERE n.status IN ['pending', 'building']
    SET n.lock = true
    REMOVE n.lock
    WITH n, n.status = 'pending' OR n.holder = $holder OR n.lease_until < datetime() AS free
    FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
      SET n.status = 'building', n.holder = $holder,
          n.lease_until = datetime() + duration({milliseconds: $ms}))
    RETURN free
    """
    record = await (await tx.run(query, uid=uid, holder=holder, ms=int(seconds * 1000))).single()
    return bool(record and record["free"])


async def finish(
    tx: AsyncManagedTransaction, *, uid: str, holder: str, storage_key: str, size: int, counts: str
) -> bool:
    """Records the built archive, if `holder` still holds the export (else another builds it)."""
    query = """
    MATCH (n:Export {uid: $uid, holder: $holder}) WHERE n.status = 'building'
    SET n.status = 'ready', n.storage_key = $key, n.size = $size, n.counts = $counts,
        n.finished_at = datetime()
    REMOVE n.holder, n.lease_until
    RETURN count(n) AS done
    """
    params = {"uid": uid, "holder": holder, "key": storage_key, "size": size, "counts": counts}
    record = await (await tx.run(query, params)).single(strict=True)
    return bool(record["done"])


async def fail(tx: AsyncManagedTransaction, *, uid: str, holder: str, error: str) -> None:
    query = """
    MATCH (n:Export {uid: $uid, holder: $holder})
    SET n.status = 'failed', n.error = $error, n.finished_at = datetime()
    REMOVE n.holder, n.lease_until
    """
    await (await tx.run(query, uid=uid, holder=holder, error=error)).consume()


async def expired(tx: AsyncManagedTransaction, *, limit: int) -> list[dict[str, Any]]:
    """Exports past their time: their archive's key, to delete it before the node."""
    query = """
    MATCH (n:Export) WHERE n.expires_at <= datetime()
    RETURN n.uid AS uid, n.storage_key AS storage_key LIMIT $limit
    """
    return [record.data() async for record in await tx.run(query, limit=limit)]


async def delete(tx: AsyncManagedTransaction, uids: list[str]) -> None:
    query = "UNWIND $uids AS uid MATCH (n:Export {uid: uid}) DELETE n"
    await (await tx.run(query, uids=uids)).consume()
