"""Couples: two accounts that consented to share part of their graphs, and what each shared.

(:CoupleInvite {uid, owner, code_hash, expires_at, status}) is a one-time code its owner gave their
partner (stored as a hash only). (:User)-[:MEMBER_OF {role, consented_at}]->(:Couple {uid, created_at})
are the two members; (n)-[:SHARED_WITH {shared_at}]->(:Couple) is what a member shared (graph/kind.py's
`scope` lets the other member read it); (:Recipient)-[:PARTNER_ACCOUNT]->(:User) is the member's person
for their partner, linked to the partner's account: it opens nothing of the partner's graph by itself.

Every write here takes its users' event locks first (their Event, graph/events.py), so two writes about
the same couple or invite queue instead of both deciding on what the other is changing.
"""

from typing import Any

from neo4j import AsyncManagedTransaction

from errors import AlreadyCoupled, AlreadyDecided, BadUserInput, Expired, NotFound, NotShareable
from graph import events, joint_sessions
from graph.events import EventKind
from graph.kind import MEMBER_OF, SHARED_WITH, Kind
from graph.kinds import BY_LABEL
from graph.refs import Ref
from graph.rows import native

PARTNER_ACCOUNT = "PARTNER_ACCOUNT"
COUPLE_INVITED = EventKind.named("CoupleInvited")
COUPLE_JOINED = EventKind.named("CoupleJoined")
COUPLE_INVITE_DECLINED = EventKind.named("CoupleInviteDeclined")
COUPLE_LEFT = EventKind.named("CoupleLeft")
PARTNER_LINKED = EventKind.named("PartnerLinked")
SHARED = EventKind.named("SharedWithCouple")  # names the node, in its author's log
UNSHARED = EventKind.named("UnsharedFromCouple")

SHAREABLE: tuple[Kind, ...] = tuple(kind for kind in BY_LABEL.values() if kind.shareable)


async def couple_of(tx: AsyncManagedTransaction, *, owner: str) -> str | None:
    query = f"MATCH (:User {{uid: $owner}})-[:{MEMBER_OF}]->(c:Couple) RETURN c.uid AS uid"
    record = await (await tx.run(query, owner=owner)).single()
    return record["uid"] if record else None


async def invite(
    tx: AsyncManagedTransaction, *, owner: str, uid: str, code_hash: str, ttl_seconds: int
) -> dict[str, Any]:
    """A new invite of the owner's (their earlier open ones are withdrawn); AlreadyCoupled when the
    owner is in a couple."""
    await events.append(tx, owner, COUPLE_INVITED, [Ref("User", owner)])
    if await couple_of(tx, owner=owner) is not None:
        raise AlreadyCoupled("You are in a couple already: leave it before inviting someone.")
    query = """
    OPTIONAL MATCH (old:CoupleInvite {owner: $owner, status: 'open'}) SET old.status = 'withdrawn'
    WITH count(old) AS withdrawn
    CREATE (i:CoupleInvite {uid: $uid, owner: $owner, code_hash: $code_hash, status: 'open',
                            created_at: datetime(), expires_at: datetime() + duration({seconds: $ttl})})
    RETURN i.uid AS uid, i.expires_at AS expires_at
    """
    params = dict(owner=owner, uid=uid, code_hash=code_hash, ttl=ttl_seconds)
    record = await (await tx.run(query, params)).single(strict=True)
    return native(record.data())


async def withdraw_invites(tx: AsyncManagedTransaction, *, owner: str) -> None:
    """Withdraws the owner's open invites (their account is being erased): none is accepted after."""
    query = "MATCH (i:CoupleInvite {owner: $owner, status: 'open'}) SET i.status = 'withdrawn'"
    await (await tx.run(query, owner=owner)).consume()


async def _open_invite(tx: AsyncManagedTransaction, *, owner: str, code_hash: str) -> dict[str, Any]:
    """The invite of this code, refused with a code unless it is open, unexpired and someone else's;
    its inviter's event lock taken (with the viewer's) before it is read."""
    query = """
    MATCH (i:CoupleInvite {code_hash: $code_hash})
    RETURN i.uid AS uid, i.owner AS inviter, i.status AS status, i.expires_at < datetime() AS expired,
           i.created_at AS created_at, EXISTS { MATCH (:User {uid: i.owner, status: 'active'}) } AS active
    """
    record = await (await tx.run(query, code_hash=code_hash)).single()
    if record is None:
        raise NotFound("No invite has this code: ask your partner for the code they were given.")
    invite = native(record.data())
    if invite["inviter"] == owner:
        raise BadUserInput("This is your own invite: your partner accepts it, not you.", field="code")
    # Both users' event locks, in one order, before the invite is read again: decisions queue.
    first, second = sorted([owner, invite["inviter"]])
    lock = "MATCH (u:User {uid: $uid}) SET u.event_lock = true REMOVE u.event_lock"  # held to the end
    for user in (first, second):
        await (await tx.run(lock, uid=user)).consume()
    again = await (await tx.run(query, code_hash=code_hash)).single(strict=True)
    invite = native(again.data())
    if not invite.pop("active"):  # its inviter is being erased (graph/erasure.py withdraws it too)
        raise NotFound("No invite has this code: ask your partner for the code they were given.")
    if invite["status"] != "open":
        raise AlreadyDecided(f"This invite was {invite['status']} already: ask for a new one.")
    if invite["expired"]:
        raise Expired("This invite has expired: ask your partner for a new one.")
    return invite


async def accept(tx: AsyncManagedTransaction, *, owner: str, code_hash: str, uid: str) -> str:
    """The couple of the invite's owner and the viewer, made from an open invite; returns its uid."""
    invite = await _open_invite(tx, owner=owner, code_hash=code_hash)
    inviter = invite["inviter"]
    for member in (owner, inviter):
        if await couple_of(tx, owner=member) is not None:
            who = "You are" if member == owner else "The one who invited you is"
            raise AlreadyCoupled(f"{who} in a couple already: one couple at a time.")
    query = f"""
    MATCH (i:CoupleInvite {{uid: $invite}}) SET i.status = 'accepted', i.decided_at = datetime()
    WITH i
    MATCH (a:User {{uid: $inviter}}), (b:User {{uid: $owner}})
    CREATE (c:Couple {{uid: $uid, created_at: datetime()}})
    CREATE (a)-[:{MEMBER_OF} {{role: 'inviter', consented_at: i.created_at}}]->(c)
    CREATE (b)-[:{MEMBER_OF} {{role: 'invitee', consented_at: datetime()}}]->(c)
    """
    params = dict(invite=invite["uid"], inviter=inviter, owner=owner, uid=uid)
    await (await tx.run(query, params)).consume()
    for member in (owner, inviter):
        await events.append(tx, member, COUPLE_JOINED, [Ref("User", member)])
    return uid


async def decline(tx: AsyncManagedTransaction, *, owner: str, code_hash: str) -> None:
    invite = await _open_invite(tx, owner=owner, code_hash=code_hash)
    query = "MATCH (i:CoupleInvite {uid: $uid}) SET i.status = 'declined', i.decided_at = datetime()"
    await (await tx.run(query, uid=invite["uid"])).consume()
    for member in (owner, invite["inviter"]):
        await events.append(tx, member, COUPLE_INVITE_DECLINED, [Ref("User", member)])


async def leave(tx: AsyncManagedTransaction, *, owner: str) -> list[Ref]:
    """Ends the owner's couple: each member leaves the other's joint sessions (their messages there
    go), every share of either member ends (each keeps what they authored), the partner links to either
    account go, and the Couple with its memberships. Returns the nodes that
    were shared (each member hears of theirs as unshared); NotFound when the owner is in no couple."""
    couple = await couple_of(tx, owner=owner)
    if couple is None:
        raise NotFound("You are not in a couple.")
    members_query = f"MATCH (u:User)-[:{MEMBER_OF}]->(:Couple {{uid: $couple}}) RETURN collect(u.uid) AS uids"
    members: list[str] = (await (await tx.run(members_query, couple=couple)).single(strict=True))["uids"]
    shared_query = f"""
    MATCH (n)-[:{SHARED_WITH}]->(:Couple {{uid: $couple}})
    RETURN n.owner AS author, labels(n)[0] + ':' + n.uid AS ref ORDER BY ref
    """
    shared = [(r["author"], r["ref"]) async for r in await tx.run(shared_query, couple=couple)]
    # Each member's events first, while their shares still stand: the partner hears of each (events.py).
    # Each leaves the other's joint sessions first, taking their own messages (graph/joint_sessions.py).
    for member in sorted(members):
        for host in members:
            if host != member:
                await joint_sessions.leave_all(tx, writer=member, host=host)
        unshared = [(UNSHARED, [Ref.parse(ref)]) for author, ref in shared if author == member]
        await events.append_all(tx, member, [(COUPLE_LEFT, [Ref("User", member)]), *unshared])
    query = f"""
    MATCH (c:Couple {{uid: $couple}})
    OPTIONAL MATCH (:Recipient)-[p:{PARTNER_ACCOUNT}]->(:User)-[:{MEMBER_OF}]->(c)
    DELETE p
    WITH DISTINCT c
    DETACH DELETE c  // its memberships and every share with it
    """
    await (await tx.run(query, couple=couple)).consume()
    return [Ref.parse(ref) for _, ref in shared]


# A shared node still in sight (not deleted, not expired): as its kind's `visible` says.
_VISIBLE = " OR ".join(f"(n:{kind.label} AND {kind.visible})" for kind in SHAREABLE)


async def view(tx: AsyncManagedTransaction, *, owner: str) -> dict[str, Any] | None:
    """The owner's couple: its members (name, role, consent), since when, what is shared with it (by
    whom, when) and the owner's person linked to their partner's account; None when in no couple."""
    query = f"""
    MATCH (:User {{uid: $owner}})-[:{MEMBER_OF}]->(c:Couple)
    RETURN c.uid AS uid, c.created_at AS since,
           COLLECT {{ MATCH (u:User)-[m:{MEMBER_OF}]->(c)
                      RETURN {{uid: u.uid, name: u.name, role: m.role, consented_at: m.consented_at}}
                      ORDER BY m.consented_at }} AS members,
           COLLECT {{ MATCH (n)-[s:{SHARED_WITH}]->(c) WHERE {_VISIBLE}
                      RETURN {{label: labels(n)[0], uid: n.uid, author: n.owner, shared_at: s.shared_at}}
                      ORDER BY s.shared_at DESC }} AS shared,
           COLLECT {{ MATCH (r:Recipient {{owner: $owner}})-[:{PARTNER_ACCOUNT}]->(:User)-[:{MEMBER_OF}]->(c)
                      RETURN r.uid }} AS partner_recipients
    """
    record = await (await tx.run(query, owner=owner)).single()
    return native(record.data()) if record else None


async def link_partner(tx: AsyncManagedTransaction, *, owner: str, recipient: str) -> None:
    """Links the owner's Recipient to their partner's account (only that one: an earlier link moves).
    NotFound when the recipient is not the owner's or the owner is in no couple."""
    query = f"""
    MATCH (:User {{uid: $owner}})-[:{MEMBER_OF}]->(c:Couple)<-[:{MEMBER_OF}]-(partner:User)
    WHERE partner.uid <> $owner
    MATCH (r:Recipient {{uid: $recipient, owner: $owner}})
    OPTIONAL MATCH (:Recipient {{owner: $owner}})-[old:{PARTNER_ACCOUNT}]->()
    DELETE old
    WITH DISTINCT r, partner
    MERGE (r)-[:{PARTNER_ACCOUNT}]->(partner)
    RETURN r.uid AS uid
    """
    record = await (await tx.run(query, owner=owner, recipient=recipient)).single()
    if record is None:
        if await couple_of(tx, owner=owner) is None:
            raise NotFound("You are not in a couple: there is no partner to link.")
        raise NotFound("No Recipient of yours has this id.", id=recipient)
    await events.append(tx, owner, PARTNER_LINKED, [Ref("Recipient", recipient)])


async def share(tx: AsyncManagedTransaction, kind: Kind, *, owner: str, uid: str, shared: bool) -> bool:
    """Shares the owner's node with their couple (or, not `shared`, stops sharing it); returns whether
    anything changed. Each member's log tells of it (their live streams add or drop the node). NotFound
    when the node is not the owner's, or the owner is in no couple."""
    couple = await couple_of(tx, owner=owner)
    if couple is None:
        raise NotFound("You are not in a couple: there is no one to share with.")
    kept = kind.kept_private[0] if kind.kept_private is not None else "false"
    query = f"""
    MATCH (n:{kind.label} {{uid: $uid, owner: $owner}}) WHERE {kind.visible}
    SET n.share_lock = true  // its write lock before it is read: an update making it a rant waits
    REMOVE n.share_lock
    WITH n
    MATCH (c:Couple {{uid: $couple}})
    RETURN EXISTS {{ (n)-[:{SHARED_WITH}]->(c) }} AS was, {kept} AS kept
    """
    record = await (await tx.run(query, uid=uid, owner=owner, couple=couple)).single()
    if record is None:
        raise NotFound(f"No {kind.label} of yours has this id.", id=uid)
    if shared and record["kept"] and kind.kept_private is not None:
        raise NotShareable(kind.kept_private[1], field="nodeId")
    if bool(record["was"]) == shared:
        return False
    # Its event is written while the node is shared (after sharing, before unsharing): that is how the
    # partner's stream hears it added or removed (graph/events.py tells every member it is shared with).
    link = f"MATCH (n:{kind.label} {{uid: $uid, owner: $owner}}), (c:Couple {{uid: $couple}})"
    if shared:
        change = f"{link} MERGE (n)-[s:{SHARED_WITH}]->(c) ON CREATE SET s.shared_at = datetime()"
        await (await tx.run(change, uid=uid, owner=owner, couple=couple)).consume()
        await events.append(tx, owner, SHARED, [Ref(kind.label, uid)])
    else:
        await events.append(tx, owner, UNSHARED, [Ref(kind.label, uid)])
        change = f"{link} MATCH (n)-[s:{SHARED_WITH}]->(c) DELETE s"
        await (await tx.run(change, uid=uid, owner=owner, couple=couple)).consume()
    return True
