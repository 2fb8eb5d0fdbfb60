"""Cypher of erasing an account ("forget me"): marking it, finding what is left of it, deleting it in
batches, and the per-account lease of whoever erases it.

An account being erased is its User node with `status: 'erasing'`: every credential of it is refused from
then on (auth/viewer.py), and the node stays until everything else of the user is gone, so an erasure
cut short (a crash) is found again and finished. Every step here is idempotent: each deletes what is
left, a batch at a time, so one big account is many small transactions, never one huge one.
"""

from typing import Any

from neo4j import AsyncManagedTransaction

from graph import couples
from graph.exports import LABEL as EXPORT_LABEL
from graph.kinds import BUCKET, GROWTH_BUCKET, KINDS
from graph.migrations import OWNED_LABELS, PASSAGE_LABEL

ERASING = "erasing"
# Every label a user's nodes carry, derived from the kinds' declarations and the labels of the account's
# own bookkeeping; Events first, so the dispatcher's consumers find nothing more of the user at once.
# A label missing here is still caught by the sweep (delete_any_owned), only slower.
OWNED = tuple(
    dict.fromkeys(
        (
            "Event",
            *OWNED_LABELS,
            *(kind.label for kind in KINDS),
            "Document",
            PASSAGE_LABEL,
            BUCKET,  # a series' entries
            GROWTH_BUCKET,  # growth credits
            "Session",
            "RevokedToken",
            "Cursor",
            "CoupleInvite",
            EXPORT_LABEL,
        )
    )
)


async def begin(tx: AsyncManagedTransaction, uid: str) -> dict[str, Any] | None:
    """Marks the active account as being erased, ends every session token of it (the generation moves
    on) and drops its data key, and ends its couple (every share of either member ends: the partner
    keeps what they authored); returns its new auth state (as users.auth_state), or None when it is
    not active."""
    active = "MATCH (u:User {uid: $uid}) RETURN u.status = 'active' AS active"
    record = await (await tx.run(active, uid=uid)).single()
    if record is not None and record["active"] and await couples.couple_of(tx, owner=uid) is not None:
        await couples.leave(tx, owner=uid)
    if record is not None and record["active"]:
        await couples.withdraw_invites(tx, owner=uid)
    query = """
    MATCH (u:User {uid: $uid}) WHERE u.status = 'active'
    SET u.status = $erasing, u.erase_requested_at = datetime(),
        u.token_generation = coalesce(u.token_generation, 0) + 1,
        u.dispatch_due = null
    // The data key goes first: every sealed value of the user, in any copy, is unreadable from now on.
    REMOVE u.data_key, u.data_key_id
    RETURN coalesce(u.token_generation, 0) AS generation, u.status AS status, [] AS revoked
    """
    record = await (await tx.run(query, uid=uid, erasing=ERASING)).single()
    return record.data() if record else None


async def pending(tx: AsyncManagedTransaction) -> list[str]:
    """The accounts marked for erasure and not finished yet."""
    query = "MATCH (u:User) WHERE u.status = $erasing RETURN u.uid AS uid ORDER BY u.erase_requested_at"
    return [record["uid"] async for record in await tx.run(query, erasing=ERASING)]


async def claim(tx: AsyncManagedTransaction, *, uid: str, holder: str, seconds: float) -> bool:
    """Takes (or renews) the lease on erasing this account, if it is free, expired or `holder`'s: two
    instances never erase the same account at once. False also when the account is gone."""
    # The first SET takes the node's write lock before the holder is read (as graph/dispatcher.py does).
    query = """
    MATCH (u:User {uid: $uid}) WHERE u.status = $erasing
    SET u.erase_lock = true
    REMOVE u.erase_lock
    WITH u, u.erase_holder IS NULL OR u.erase_holder = $holder OR u.erase_until < datetime() AS free
    FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
      SET u.erase_holder = $holder, u.erase_until = datetime() + duration({milliseconds: $ms}))
    RETURN free
    """
    params = {"uid": uid, "holder": holder, "ms": int(seconds * 1000), "erasing": ERASING}
    record = await (await tx.run(query, params)).single()
    return bool(record and record["free"])


async def secrets(tx: AsyncManagedTransaction, uid: str) -> dict[str, Any] | None:
    """What the caches key by, besides the uid: the account's email and its API keys' hashes."""
    query = """
    MATCH (u:User {uid: $uid})
    RETURN u.email AS email, COLLECT { MATCH (k:ApiKey {owner: $uid}) RETURN k.hash } AS key_hashes
    """
    record = await (await tx.run(query, uid=uid)).single()
    return record.data() if record else None


async def delete_owned(tx: AsyncManagedTransaction, *, owner: str, label: str, limit: int) -> int:
    """Deletes up to `limit` of the owner's nodes of one label (and their relationships); how many."""
    query = f"""
    MATCH (n:{label} {{owner: $owner}})
    WITH n LIMIT $limit
    DETACH DELETE n
    RETURN count(*) AS deleted
    """
    return int((await (await tx.run(query, owner=owner, limit=limit)).single(strict=True))["deleted"])


async def delete_any_owned(tx: AsyncManagedTransaction, *, owner: str, limit: int) -> int:
    """Deletes up to `limit` of the owner's nodes of any label but User: the sweep after the labelled
    passes, for a label nobody listed (a scan of every node: run once the indexed passes are done)."""
    query = """
    MATCH (n) WHERE n.owner = $owner AND NOT n:User
    WITH n LIMIT $limit
    DETACH DELETE n
    RETURN count(*) AS deleted
    """
    return int((await (await tx.run(query, owner=owner, limit=limit)).single(strict=True))["deleted"])


async def delete_user(tx: AsyncManagedTransaction, uid: str) -> None:
    """The last step: the User node itself, and with it whatever still links to it."""
    query = "MATCH (u:User {uid: $uid}) WHERE u.status = $erasing DETACH DELETE u"
    await (await tx.run(query, uid=uid, erasing=ERASING)).consume()
