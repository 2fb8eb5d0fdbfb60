"""Cypher for User nodes: the accounts."""

from typing import Any

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from errors import BadUserInput
from graph import events
from graph.rows import native

# What a user may see of their own account: never the password hash.
_PUBLIC = "u {.uid, .email, .name, .tier, .status, .created_at, .updated_at}"


async def create_user(
    tx: AsyncManagedTransaction, *, uid: str, email: str, name: str, password_hash: str
) -> dict[str, Any]:
    query = f"""
    CREATE (u:User {{uid: $uid, email: $email, name: $name, password_hash: $password_hash,
                     tier: 'free', status: 'active', created_at: datetime(), updated_at: datetime()}})
    RETURN {_PUBLIC} AS user
    """
    try:
        result = await tx.run(query, uid=uid, email=email, name=name, password_hash=password_hash)
        record = await result.single(strict=True)
    except ConstraintError as error:
        # The unique constraint on User.email decides, so two sign-ups racing cannot both win.
        raise BadUserInput("An account with this email already exists.", field="email") from error
    await events.append(tx, uid, "UserSignedUp", [f"User:{uid}"])
    return native(record["user"])


async def user_by_uid(tx: AsyncManagedTransaction, uid: str) -> dict[str, Any] | None:
    result = await tx.run(f"MATCH (u:User {{uid: $uid}}) RETURN {_PUBLIC} AS user", uid=uid)
    record = await result.single()
    return native(record["user"]) if record else None


async def credentials_by_email(tx: AsyncManagedTransaction, email: str) -> dict[str, Any] | None:
    """The account with this email and its password hash, for logging in."""
    query = f"MATCH (u:User {{email: $email}}) RETURN {_PUBLIC} AS user, u.password_hash AS password_hash"
    record = await (await tx.run(query, email=email)).single()
    if record is None:
        return None
    return {"user": native(record["user"]), "password_hash": record["password_hash"]}


async def set_password_hash(tx: AsyncManagedTransaction, uid: str, password_hash: str) -> None:
    query = "MATCH (u:User {uid: $uid}) SET u.password_hash = $password_hash, u.updated_at = datetime()"
    await (await tx.run(query, uid=uid, password_hash=password_hash)).consume()


async def delete_data(tx: AsyncManagedTransaction, owner: str, labels: tuple[str, ...]) -> int:
    """Deletes everything the user owns (not the account): for starting a demo afresh."""
    deleted = 0
    for label in labels:
        query = f"MATCH (n:{label} {{owner: $owner}}) DETACH DELETE n RETURN count(n) AS n"
        deleted += (await (await tx.run(query, owner=owner)).single(strict=True))["n"]
    await (await tx.run("MATCH (u:User {uid: $owner}) SET u.event_sequence = 0", owner=owner)).consume()
    return deleted
