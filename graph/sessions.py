"""Cypher for Session nodes: each logIn or signUp of a user, named by its token's id (the JWT's jti).

Ending a session refuses its token the way logOut does (a RevokedToken until it expires), in the same
transaction that marks the Session ended, so the auth state (users.auth_state) is all a request needs.
"""

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graph import events, users
from graph.pages import Page, Row, Rows
from graph.refs import Ref
from graph.rows import native, sort_values_of


def public(n: str) -> str:
    """What the viewer sees of a session bound to `n`: its fields, and its status worked out when read
    (ended by a logout, expired with its token, or active), so it never goes stale."""
    status = f"""CASE WHEN {n}.ended_at IS NOT NULL THEN 'ended'
        WHEN {n}.expires_at <= datetime() THEN 'expired' ELSE 'active' END"""
    fields = ".uid, .created_at, .last_seen_at, .user_agent, .address, .credential, .expires_at, .ended_at"
    return f"{n} {{{fields}, status: {status}}}"


_PUBLIC = public("s")
# The keyset order of the viewer's sessions: newest first by default.
SORTS = {"created_at": "s.created_at"}


async def start(
    tx: AsyncManagedTransaction,
    *,
    owner: str,
    uid: str,
    user_agent: str | None,
    address: str | None,
    credential: str,
    expires_at: datetime,
    logged_in: bool = True,
) -> None:
    """Records a new session of the user; a logIn (not a signUp, whose event is the account's) is an
    event of its own."""
    query = """
    MATCH (u:User {uid: $owner})
    CREATE (u)-[:HAS_SESSION]->(s:Session {uid: $uid, owner: $owner, created_at: datetime(),
        last_seen_at: datetime(), user_agent: $user_agent, address: $address, credential: $credential,
        expires_at: $expires_at})
    """
    params = dict(
        owner=owner,
        uid=uid,
        user_agent=user_agent,
        address=address,
        credential=credential,
        expires_at=expires_at,
    )
    await (await tx.run(query, params)).consume()
    if logged_in:
        await events.append(tx, owner, events.LOGGED_IN, [Ref("User", owner), Ref("Session", uid)])


async def sign_up(
    tx: AsyncManagedTransaction, *, user: dict[str, Any], session: dict[str, Any]
) -> dict[str, Any]:
    """The account (users.create_user) and its first session, in one transaction."""
    created = await users.create_user(tx, **user)
    await start(tx, owner=created["uid"], logged_in=False, **session)
    return created


async def page(tx: AsyncManagedTransaction, *, owner: str, page: Page) -> Rows:
    keyset, order, params = page.clauses("s.uid")
    query = f"""
    MATCH (s:Session {{owner: $owner}}) WHERE {keyset}
    RETURN {_PUBLIC} AS session, {page.sort_values} AS sort ORDER BY {order} LIMIT $page_limit
    """
    result = await tx.run(query, owner=owner, **params)
    rows = [Row(native(record["session"]), sort_values_of(record["sort"])) async for record in result]
    return Rows.of(rows, page)


async def count(tx: AsyncManagedTransaction, *, owner: str) -> int:
    query = "MATCH (s:Session {owner: $owner}) RETURN count(s) AS total"
    return (await (await tx.run(query, owner=owner)).single(strict=True))["total"]


async def by_uids(tx: AsyncManagedTransaction, *, owner: str, uids: list[str]) -> list[dict[str, Any]]:
    query = f"MATCH (s:Session {{owner: $owner}}) WHERE s.uid IN $uids RETURN {_PUBLIC} AS session"
    return [native(record["session"]) async for record in await tx.run(query, owner=owner, uids=uids)]


async def end(tx: AsyncManagedTransaction, *, owner: str, uid: str) -> dict[str, Any] | None:
    """Ends one of the owner's sessions: its token is refused until it expires. The session and the
    owner's new auth state; None when the owner has no such session. Ending an ended one changes
    nothing and writes no event."""
    query = f"""
    MATCH (s:Session {{uid: $uid, owner: $owner}})
    WITH s, s.ended_at IS NULL AS ending
    SET s.ended_at = coalesce(s.ended_at, datetime())
    MERGE (r:RevokedToken {{jti: $uid}}) ON CREATE SET r.owner = $owner, r.expires_at = s.expires_at
    RETURN {_PUBLIC} AS session, ending
    """
    record = await (await tx.run(query, owner=owner, uid=uid)).single()
    if record is None:
        return None
    if record["ending"]:
        await events.append(tx, owner, events.SESSION_ENDED, [Ref("User", owner), Ref("Session", uid)])
    return {"session": native(record["session"]), "state": await users.auth_state(tx, owner)}


async def log_out(
    tx: AsyncManagedTransaction, *, uid: str, jti: str, expires_at: datetime
) -> dict[str, Any] | None:
    """users.log_out, with the session of the token marked ended."""
    query = "MATCH (s:Session {uid: $jti, owner: $uid}) SET s.ended_at = coalesce(s.ended_at, datetime())"
    await (await tx.run(query, uid=uid, jti=jti)).consume()
    return await users.log_out(tx, uid=uid, jti=jti, expires_at=expires_at)


async def log_out_everywhere(tx: AsyncManagedTransaction, uid: str) -> dict[str, Any] | None:
    """users.log_out_everywhere, with every open session of the user marked ended."""
    query = "MATCH (s:Session {owner: $uid}) WHERE s.ended_at IS NULL SET s.ended_at = datetime()"
    await (await tx.run(query, uid=uid)).consume()
    return await users.log_out_everywhere(tx, uid)


async def touch(tx: AsyncManagedTransaction, uid: str) -> None:
    """Records that the session was just used (called at most once a minute per session)."""
    query = "MATCH (s:Session {uid: $uid}) WHERE s.ended_at IS NULL SET s.last_seen_at = datetime()"
    await (await tx.run(query, uid=uid)).consume()
