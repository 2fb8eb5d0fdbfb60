"""Cypher for each user's data key (wrapped by the master key, kept on their User node: it goes with the
account) and their choice to see their sensitive fields in live deltas. vault/ seals and opens; this
module only keeps what it is given."""

from typing import Any

from neo4j import AsyncManagedTransaction


async def data_key(tx: AsyncManagedTransaction, owner: str) -> tuple[str, str] | None:
    """The user's data key as (id, wrapped), or None when they have none (yet, or any more)."""
    query = "MATCH (u:User {uid: $owner}) RETURN u.data_key_id AS id, u.data_key AS wrapped"
    record = await (await tx.run(query, owner=owner)).single()
    if record is None or record["id"] is None:
        return None
    return record["id"], record["wrapped"]


async def keep_data_key(
    tx: AsyncManagedTransaction, owner: str, key_id: str, wrapped: str
) -> tuple[str, str]:
    """Keeps this data key unless the user has one already (two first writes racing: the first wins,
    under the User node's write lock); returns the one kept."""
    query = """
    MATCH (u:User {uid: $owner})
    WITH u, u.data_key_id IS NULL AS fresh
    SET u.data_key_id = CASE WHEN fresh THEN $key_id ELSE u.data_key_id END,
        u.data_key = CASE WHEN fresh THEN $wrapped ELSE u.data_key END
    RETURN u.data_key_id AS id, u.data_key AS wrapped
    """
    record = await (await tx.run(query, owner=owner, key_id=key_id, wrapped=wrapped)).single(strict=True)
    return record["id"], record["wrapped"]


async def forget_data_key(tx: AsyncManagedTransaction, owner: str) -> bool:
    """Deletes the user's data key: every value sealed with it, wherever a copy survives, is unreadable."""
    query = """
    MATCH (u:User {uid: $owner}) WHERE u.data_key_id IS NOT NULL
    REMOVE u.data_key_id, u.data_key RETURN count(u) AS forgotten
    """
    record = await (await tx.run(query, owner=owner)).single(strict=True)
    return bool(record["forgotten"])


async def all_data_keys(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
    """Every user's wrapped data key (owner, id, wrapped): what a rotation of the master key re-wraps."""
    query = """
    MATCH (u:User) WHERE u.data_key_id IS NOT NULL
    RETURN u.uid AS owner, u.data_key_id AS id, u.data_key AS wrapped
    """
    return [record.data() async for record in await tx.run(query)]


async def rewrap(tx: AsyncManagedTransaction, keys: list[dict[str, Any]]) -> int:
    """Replaces wrapped data keys (owner, id, wrapped), each only if its id is still the user's."""
    query = """
    UNWIND $keys AS k
    MATCH (u:User {uid: k.owner}) WHERE u.data_key_id = k.id
    SET u.data_key = k.wrapped
    RETURN count(u) AS rewrapped
    """
    record = await (await tx.run(query, keys=keys)).single(strict=True)
    return int(record["rewrapped"])


async def set_show_sensitive(tx: AsyncManagedTransaction, owner: str, show: bool) -> bool:
    query = "MATCH (u:User {uid: $owner}) SET u.show_sensitive = $show RETURN u.show_sensitive AS show"
    record = await (await tx.run(query, owner=owner, show=show)).single(strict=True)
    return bool(record["show"])


async def shows_sensitive(tx: AsyncManagedTransaction, owner: str) -> bool:
    """Whether the user chose to have their sensitive fields (sealed) in their live deltas."""
    query = "MATCH (u:User {uid: $owner}) RETURN coalesce(u.show_sensitive, false) AS show"
    record = await (await tx.run(query, owner=owner)).single()
    return bool(record["show"]) if record else False
