"""Cypher for User nodes: the accounts, and the state every credential of one is checked against."""

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from errors import BadUserInput
from graph import events
from graph.refs import Ref
from graph.rows import native

# What a user may see of their own account: never the password hash.
_PUBLIC = "u {.uid, .email, .name, .tier, .status, .created_at, .updated_at}"


async def create_user(
    tx: AsyncManagedTransaction, *, uid: str, email: str, name: str, password_hash: str
) -> dict[str, Any]:
    query = f"""
    CREATE (u:User {{uid: $uid, email: $email, name: $name, password_hash: $password_hash,
                     tier: 'free', status: 'active', token_generation: 0,
                     created_at: datetime(), updated_at: datetime()}})
    RETURN {_PUBLIC} AS user
    """
    try:
        result = await tx.run(query, uid=uid, email=email, name=name, password_hash=password_hash)
        record = await result.single(strict=True)
    except ConstraintError as error:
        # The unique constraint on User.email decides, so two sign-ups racing cannot both win.
        raise BadUserInput("An account with this email already exists.", field="email") from error
    await events.append(tx, uid, events.USER_SIGNED_UP, [Ref("User", uid)])
    return native(record["user"])


async def user_by_uid(tx: AsyncManagedTransaction, uid: str) -> dict[str, Any] | None:
    result = await tx.run(f"MATCH (u:User {{uid: $uid}}) RETURN {_PUBLIC} AS user", uid=uid)
    record = await result.single()
    return native(record["user"]) if record else None


async def users_by_uids(tx: AsyncManagedTransaction, uids: list[str]) -> list[dict[str, Any]]:
    result = await tx.run(f"MATCH (u:User) WHERE u.uid IN $uids RETURN {_PUBLIC} AS user", uids=uids)
    return [native(record["user"]) async for record in result]


async def auth_state(tx: AsyncManagedTransaction, uid: str) -> dict[str, Any] | None:
    """What a credential of this user is checked against: the token generation (tokens issued before
    the last logOutEverywhere are refused), the session tokens logged out and not yet expired, and
    the account's status. None when there is no such user."""
    query = """
    MATCH (u:User {uid: $uid})
    OPTIONAL MATCH (r:RevokedToken {owner: $uid}) WHERE r.expires_at > datetime()
    RETURN coalesce(u.token_generation, 0) AS generation, u.status AS status, collect(r.jti) AS revoked
    """
    record = await (await tx.run(query, uid=uid)).single()
    return record.data() if record else None


async def log_out(
    tx: AsyncManagedTransaction, *, uid: str, jti: str, expires_at: datetime
) -> dict[str, Any] | None:
    """Refuses one session token from now until it expires; returns the user's new auth state."""
    query = """
    MATCH (u:User {uid: $uid})
    MERGE (r:RevokedToken {jti: $jti}) ON CREATE SET r.owner = $uid, r.expires_at = $expires_at
    WITH u
    // Tokens past their expiry are refused anyway: their records are no longer needed.
    OPTIONAL MATCH (old:RevokedToken {owner: $uid}) WHERE old.expires_at <= datetime()
    DETACH DELETE old
    WITH DISTINCT u
    RETURN u.uid AS uid
    """
    record = await (await tx.run(query, uid=uid, jti=jti, expires_at=expires_at)).single()
    if record is None:
        return None
    await events.append(tx, uid, events.LOGGED_OUT, [Ref("User", uid)])
    return await auth_state(tx, uid)


async def log_out_everywhere(tx: AsyncManagedTransaction, uid: str) -> dict[str, Any] | None:
    """Refuses every session token issued so far; returns the user's new auth state."""
    query = """
    MATCH (u:User {uid: $uid})
    SET u.token_generation = coalesce(u.token_generation, 0) + 1, u.updated_at = datetime()
    WITH u
    // The new generation refuses every older token, so single logouts need no record any more.
    OPTIONAL MATCH (r:RevokedToken {owner: $uid})
    DETACH DELETE r
    WITH DISTINCT u
    RETURN u.uid AS uid
    """
    if await (await tx.run(query, uid=uid)).single() is None:
        return None
    await events.append(tx, uid, events.LOGGED_OUT_EVERYWHERE, [Ref("User", uid)])
    return await auth_state(tx, uid)


async def credentials_by_email(tx: AsyncManagedTransaction, email: str) -> dict[str, Any] | None:
    """The account with this email, its password hash and token generation, for logging in."""
    query = f"""
    MATCH (u:User {{email: $email}})
    RETURN {_PUBLIC} AS user, u.password_hash AS password_hash, coalesce(u.token_generation, 0) AS generation
    """
    record = await (await tx.run(query, email=email)).single()
    if record is None:
        return None
    return {
        "user": native(record["user"]),
        "password_hash": record["password_hash"],
        "generation": record["generation"],
    }


async def set_password_hash(tx: AsyncManagedTransaction, uid: str, password_hash: str) -> None:
    query = "MATCH (u:User {uid: $uid}) SET u.password_hash = $password_hash, u.updated_at = datetime()"
    await (await tx.run(query, uid=uid, password_hash=password_hash)).consume()


async def delete_data(tx: AsyncManagedTransaction, owner: str, labels: tuple[str, ...]) -> int:
    """Deletes everything the user owns (not the account): for starting a demo afresh."""
    deleted = 0
    for label in labels:
        query = f"MATCH (n:{label} {{owner: $owner}}) DETACH DELETE n RETURN count(n) AS n"
        deleted += (await (await tx.run(query, owner=owner)).single(strict=True))["n"]
    # The log starts again from 1: the consumers' progress through the old one goes with it, or they
    # would pass over the new events as delivered.
    await (await tx.run("MATCH (c:Cursor {owner: $owner}) DELETE c", owner=owner)).consume()
    await (await tx.run("MATCH (u:User {uid: $owner}) SET u.event_sequence = 0", owner=owner)).consume()
    return deleted
