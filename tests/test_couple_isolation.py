"""A couple attacked: Ann and Bob in a couple (Ann's person Sam linked to Bob's account) and Eve, a
stranger. Of each kind Ann may share she shares one node and keeps one; through every entry point
(queries by kind and their cursors, `node(id:)`, `nodes(ids:)`, relations, `shortestPath`, search and its
`near:`, the view, the live stream `graphChanged` reads, download links) Bob reads exactly what she
shared (search and the view stay each viewer's own nodes: he finds none of hers there), Eve nothing;
after Ann unshares, and after the couple is left, Bob reads nothing more. And any write to a shared
node tells the partner, whatever path wrote it (a transcript arriving for a voice note)."""

import base64
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from neo4j import AsyncManagedTransaction

from graph import changes, conversations, events
from graph.driver import Graph
from graph.kinds import readable, readable_in, shared_list
from tests.client import GraphQLClient
from tests.test_couples import ACCEPT, INVITE, LEAVE, LINK_PARTNER, SHARE, UNSHARE
from tests.test_documents import MEMORY, PNG, Instance, upload
from tests.test_documents import kindred as kindred  # the fixture: an app of its own, with its blobs
from tests.test_recipients import create as create_recipient

CONFLICT = "mutation ($input: CreateConflictInput!) { createConflict(input: $input) { id } }"
OCCASION = "mutation ($input: CreateOccasionInput!) { createOccasion(input: $input) { id } }"
CONVERSATION = "mutation ($input: CreateConversationInput!) { createConversation(input: $input) { id } }"
APPEND = "mutation ($input: AppendMessageInput!) { appendMessage(input: $input) { id } }"
UPDATE_CONFLICT = "mutation ($input: UpdateConflictInput!) { updateConflict(input: $input) { id } }"
UPDATE_MEMORY = "mutation ($input: UpdateMemoryInput!) { updateMemory(input: $input) { id } }"
NODE = "query ($id: ID!) { node(id: $id) { id } }"
NODES = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
DOCUMENT = "query ($id: ID!) { node(id: $id) { ... on Document { id url } } }"
# Each list of a shareable kind, paged one node at a time: every cursor is followed.
LISTS = {
    kind: f"""query ($after: String) {{ {kind}(first: 1, after: $after) {{
      totalCount nodes {{ id }} pageInfo {{ hasNextPage endCursor }} }} }}"""
    for kind in ("conflicts", "occasions", "memories", "conversations")
}
# What a shared node's relations give: a memory's documents, a conversation's messages.
RELATIONS = """query ($id: ID!) { node(id: $id) {
  ... on Memory { documents { nodes { id } } } ... on Conversation { messages { nodes { id } } } } }"""
LINK = "mutation ($a: ID!, $b: ID!) { link(from: $a, to: $b, kind: REFERS_TO) { __typename } }"
PATH = "query ($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b) { length nodes { id } } }"
SEARCH = """query ($q: String!, $near: ID) { search(query: $q, near: $near, minScore: 0, first: 50) {
  node { id } } }"""
VIEW = "{ graphView(maxNodes: 500) { nodes { id } links { source target } } }"


@dataclass
class World:
    ann: str
    bob: str
    eve: str
    shared: dict[str, str]  # kind -> the id of the node Ann shared
    kept: dict[str, str]  # kind -> the id of the node she kept to herself
    bobs: set[str]  # every id of Bob's own


def uid(id: str) -> str:
    return base64.b64decode(id).decode().partition(":")[2]


async def owner(graph: Graph, email: str) -> str:
    async with graph.driver.session() as session:
        query = "MATCH (u:User {email: $email}) RETURN u.uid AS uid"
        return (await (await session.run(query, email=email)).single(strict=True))["uid"]


async def made(client: GraphQLClient, token: str, mutation: str, values: dict[str, Any]) -> str:
    data = await client.data(mutation, {"input": values}, token=token)
    return str(next(iter(data.values()))["id"])


async def world(k: Instance, prefix: str) -> World:
    client = k.client
    ann = await client.sign_up(f"{prefix}-ann@example.com", name="Ann")
    bob = await client.sign_up(f"{prefix}-bob@example.com", name="Bob")
    eve = await client.sign_up(f"{prefix}-eve@example.com", name="Eve")
    code = (await client.data(INVITE, token=ann))["inviteToCouple"]["code"]
    await client.data(ACCEPT, {"code": code}, token=bob)
    sam = (await create_recipient(client, ann, "Sam", kind="PARTNER"))["id"]
    await client.data(LINK_PARTNER, {"id": sam}, token=ann)
    shared: dict[str, str] = {}
    kept: dict[str, str] = {}
    for which, into in (("shared", shared), ("kept", kept)):
        word = f"lighthouse {which}"
        into["Conflict"] = await made(client, ann, CONFLICT, {"recipientId": sam, "summary": word})
        occasion = {"name": word, "kind": "ANNIVERSARY", "date": "2020-06-01", "recipientIds": [sam]}
        into["Occasion"] = await made(client, ann, OCCASION, occasion)
        into["Memory"] = await made(client, ann, MEMORY, {"kind": "EPISODIC", "content": word})
        talk = {"purpose": "MEDIATION", "title": word}
        into["Conversation"] = await made(client, ann, CONVERSATION, talk)
        said = {"conversationId": into["Conversation"], "role": "USER", "text": word}
        into["Message"] = await made(client, ann, APPEND, said)
        sent = await upload(k.http, ann, into["Memory"], "PHOTO", f"{which}.png", PNG, "image/png")
        into["Document"] = sent.json()["data"]["uploadDocument"]["id"]
        await client.data(LINK, {"a": into["Memory"], "b": into["Occasion"]}, token=ann)  # a path of one step
    for kind, id in shared.items():
        if kind != "Message":  # read with its conversation
            assert (await client.data(SHARE, {"id": id}, token=ann))["shareWithCouple"] is True
    bobs = {await made(client, bob, MEMORY, {"kind": "EPISODIC", "content": "lighthouse of Bob's"})}
    await k.dispatcher.drain(within=300)  # embedded, laid out (on a busy machine: minutes)
    return World(ann, bob, eve, shared, kept, bobs)


async def listed(client: GraphQLClient, token: str, kind: str) -> tuple[list[str], int]:
    """Every id a list gives, page by page (its cursors followed), and its totalCount."""
    ids: list[str] = []
    after: str | None = None
    while True:
        page = (await client.data(LISTS[kind], {"after": after}, token=token))[kind]
        ids += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


async def reads(k: Instance, token: str, w: World) -> set[str]:
    """Every id of Ann's that `token` reads by any entry point (each also checked on its own)."""
    client, anns = k.client, set(w.shared.values()) | set(w.kept.values())
    found: set[str] = set()
    for id in anns:
        if (await client.data(NODE, {"id": id}, token=token))["node"] is not None:
            found.add(id)
    by_ids = (await client.data(NODES, {"ids": sorted(anns)}, token=token))["nodes"]
    assert {node["id"] for node in by_ids if node} == found  # node(id:) and nodes(ids:) agree
    for kind in LISTS:
        ids, total = await listed(client, token, kind)
        assert len(ids) == total == len(set(ids)), (kind, ids, total)
        found |= set(ids) & anns
    for id in (w.shared["Memory"], w.shared["Conversation"], w.kept["Memory"], w.kept["Conversation"]):
        node = (await client.data(RELATIONS, {"id": id}, token=token))["node"] or {}
        for relation in node.values():
            found |= {n["id"] for n in relation["nodes"]} & anns
    for source, target in (("Memory", "Occasion"), ("Conflict", "Conflict")):
        for ids in (w.shared, w.kept):
            path = (await client.data(PATH, {"a": ids[source], "b": ids[target]}, token=token))[
                "shortestPath"
            ]
            found |= {n["id"] for n in path["nodes"]} & anns if path else set()
    for near in (None, w.shared["Memory"], w.kept["Memory"]):
        hits = (await client.data(SEARCH, {"q": "lighthouse", "near": near}, token=token))["search"]
        found |= {hit["node"]["id"] for hit in hits} & anns
    view = (await client.data(VIEW, token=token))["graphView"]
    found |= {node["id"] for node in view["nodes"]} & anns
    return found


async def _readable_both_ways(
    tx: AsyncManagedTransaction, *, owner: str, uids: list[str]
) -> dict[str, tuple[bool, bool]]:
    query = f"""
    {shared_list()}
    MATCH (x) WHERE x.uid IN $uids
    RETURN x.uid AS uid, {readable("x")} AS old, {readable_in("x")} AS new
    """
    return {r["uid"]: (r["old"], r["new"]) async for r in await tx.run(query, owner=owner, uids=uids)}


async def downloads(k: Instance, token: str, id: str) -> tuple[str | None, int | None]:
    """The Document's link as `token` reads it, and what fetching it answers (None: no link at all)."""
    node = (await k.client.data(DOCUMENT, {"id": id}, token=token))["node"]
    if not node:
        return None, None
    return node["url"], await fetch(k.http, node["url"])


async def fetch(http: httpx.AsyncClient, url: str) -> int:
    response = await http.get(url.replace("http://kindred.test", ""))
    assert response.status_code != 200 or response.content == PNG
    return response.status_code


def named(deltas: list[changes.Delta]) -> dict[str, set[str]]:
    """The uids a stream's deltas carry with their fields (added or updated), and those it removes."""
    present = {n.uid for d in deltas for n in d.added + d.updated}
    return {"present": present, "removed": {n.uid for d in deltas for n in d.removed}}


async def test_a_partner_reads_exactly_what_was_shared_and_a_stranger_nothing(
    kindred: Instance,
    graph: Graph,
) -> None:
    k = kindred
    w = await world(k, "iso")
    bob_uid, eve_uid = await owner(graph, "iso-bob@example.com"), await owner(graph, "iso-eve@example.com")
    shared, kept = set(w.shared.values()), set(w.kept.values())
    assert await reads(k, w.bob, w) == shared
    # Bob finds and draws what Ann shared (by its own words), never what she kept; Eve neither.
    for token, unseen in ((w.bob, kept), (w.eve, shared | kept)):
        for near in (None, w.shared["Memory"]):
            hits = (await k.client.data(SEARCH, {"q": "lighthouse", "near": near}, token=token))["search"]
            found = {hit["node"]["id"] for hit in hits}
            assert not found & unseen
            assert (w.shared["Memory"] in found) == (token == w.bob)
        drawn = {node["id"] for node in (await k.client.data(VIEW, token=token))["graphView"]["nodes"]}
        assert not drawn & unseen
        assert (w.shared["Memory"] in drawn) == (token == w.bob)
    bob_hits = (await k.client.data(SEARCH, {"q": "lighthouse", "near": None}, token=w.bob))["search"]
    assert {hit["node"]["id"] for hit in bob_hits} >= w.bobs  # his search works: it finds his own
    assert await reads(k, w.eve, w) == set()
    by_id = {id for id in shared | kept if (await k.client.data(NODE, {"id": id}, token=w.bob))["node"]}
    assert by_id == shared
    # Two shared nodes linked (a memory refers to an occasion): the partner finds the path between them,
    # not between the kept pair, nor the stranger.
    one = {"a": w.shared["Memory"], "b": w.shared["Occasion"]}
    assert (await k.client.data(PATH, one, token=w.bob))["shortestPath"]["length"] == 1
    other = {"a": w.kept["Memory"], "b": w.kept["Occasion"]}
    assert (await k.client.data(PATH, other, token=w.bob))["shortestPath"] is None
    assert (await k.client.data(PATH, one, token=w.eve))["shortestPath"] is None
    # What paths and near: walk by (readable_in, against the list of what was shared) says of every node
    # here, a message shared through its conversation too, what every other read says (readable).
    ann_uid = await owner(graph, "iso-ann@example.com")
    uids = [uid(id) for id in [*shared, *kept]]
    for viewer, readable_by_it in ((ann_uid, shared | kept), (bob_uid, shared), (eve_uid, set())):
        both = await graph.read(_readable_both_ways, owner=viewer, uids=uids)
        assert all(old == new for old, new in both.values()), both
        assert {id for id in [*shared, *kept] if both[uid(id)][1]} == readable_by_it

    # The shared photo downloads for Bob; the kept one gives him no link; Eve has none of either.
    link, status = await downloads(k, w.bob, w.shared["Document"])
    assert link is not None and status == 200
    assert await downloads(k, w.bob, w.kept["Document"]) == (None, None)
    assert await downloads(k, w.eve, w.shared["Document"]) == (None, None)

    # Live: Ann changes both of a kind; Bob's stream carries the shared ones only, Eve's none of hers.
    for ids in (w.shared, w.kept):
        await k.client.data(UPDATE_CONFLICT, {"input": {"id": ids["Conflict"], "summary": "x"}}, token=w.ann)
        await k.client.data(UPDATE_MEMORY, {"input": {"id": ids["Memory"], "content": "y"}}, token=w.ann)
    bobs = named(await graph.read(changes.deltas, owner=bob_uid, after=0, limit=1000))
    shared_uids, kept_uids = {uid(id) for id in shared}, {uid(id) for id in kept}
    assert {uid(w.shared[kind]) for kind in ("Conflict", "Memory", "Occasion", "Document")} <= bobs["present"]
    assert not (bobs["present"] | bobs["removed"]) & kept_uids
    eves = named(await graph.read(changes.deltas, owner=eve_uid, after=0, limit=1000))
    assert not (eves["present"] | eves["removed"]) & (shared_uids | kept_uids)
    # Eve's cursor from her own (empty) list, or Bob's, opens nothing of Ann's to her.
    bobs_page = (await k.client.data(LISTS["conflicts"], {"after": None}, token=w.bob))["conflicts"]
    after = {"after": bobs_page["pageInfo"]["endCursor"]}
    assert (await k.client.data(LISTS["conflicts"], after, token=w.eve))["conflicts"]["nodes"] == []

    # Unshared: Bob reads nothing of the conflict any more, by any way; his stream says it is gone.
    sequence = await graph.read(changes.newest, owner=bob_uid)
    await k.client.data(UNSHARE, {"id": w.shared["Conflict"]}, token=w.ann)
    assert w.shared["Conflict"] not in await reads(k, w.bob, w)
    later = named(await graph.read(changes.deltas, owner=bob_uid, after=sequence, limit=1000))
    assert later == {"present": set(), "removed": {uid(w.shared["Conflict"])}}
    await k.client.data(UPDATE_CONFLICT, {"input": {"id": w.shared["Conflict"], "summary": "z"}}, token=w.ann)
    assert await graph.read(changes.newest, owner=bob_uid) == sequence + 1  # no news of it after

    # Left: nothing of Ann's reaches Bob by any way, the photo's old link included; nor do her changes.
    await k.client.data(LEAVE, token=w.bob)
    assert await reads(k, w.bob, w) == set()
    assert await fetch(k.http, link) != 200
    sequence = await graph.read(changes.newest, owner=bob_uid)
    await k.client.data(UPDATE_MEMORY, {"input": {"id": w.shared["Memory"], "content": "z"}}, token=w.ann)
    assert await graph.read(changes.newest, owner=bob_uid) == sequence
    # What Bob authored stays his, readable as before.
    assert w.bobs <= set((await listed(k.client, w.bob, "memories"))[0])


# A voice note waiting for its transcript, in a conversation: what the transcriber finds when it is done.
VOICE_NOTE = """
MATCH (c:Conversation {uid: $conversation})
CREATE (d:Document {uid: $document, owner: $owner, kind: 'audio', status: 'ready', mime: 'audio/wav'})
CREATE (d)-[:HAS_CHUNK]->(:DocumentChunk {uid: $chunk, owner: $owner, document: $document, index: 0,
                                          text: $text})
CREATE (m:Message {uid: $message, owner: $owner, role: 'user', text: '', sent_at: datetime(),
                   created_at: datetime(), updated_at: datetime()})
CREATE (m)-[:IN {seq: 99, place: 99}]->(c)
CREATE (m)-[:HAS_ATTACHMENT]->(d)
"""


async def test_a_transcript_arriving_for_a_shared_conversations_voice_note_reaches_the_partner(
    client: GraphQLClient, graph: Graph
) -> None:
    """Not a resolver's write: the transcriber's (graph/conversations.py's take_transcript). The partner
    hears of the shared conversation's message with its text; of a kept conversation's, no one does."""
    ann = await client.sign_up("voice-ann@example.com", name="Ann")
    bob = await client.sign_up("voice-bob@example.com", name="Bob")
    code = (await client.data(INVITE, token=ann))["inviteToCouple"]["code"]
    await client.data(ACCEPT, {"code": code}, token=bob)
    ann_uid, bob_uid = (
        await owner(graph, "voice-ann@example.com"),
        await owner(graph, "voice-bob@example.com"),
    )
    talks = {}
    for which in ("shared", "kept"):
        talks[which] = await made(client, ann, CONVERSATION, {"purpose": "MEDIATION", "title": which})
    await client.data(SHARE, {"id": talks["shared"]}, token=ann)
    notes: dict[str, tuple[str, str]] = {}  # which -> (message uid, document uid)
    for which, talk in talks.items():
        notes[which] = (str(uuid.uuid4()), str(uuid.uuid4()))
        params = {"conversation": uid(talk), "owner": ann_uid, "message": notes[which][0]}
        params |= {"document": notes[which][1], "chunk": str(uuid.uuid4()), "text": f"heard {which}"}
        async with graph.driver.session() as session:
            await (await session.run(VOICE_NOTE, params)).consume()
    sequence = await graph.read(changes.newest, owner=bob_uid)

    with events.acting_as("consumer:transcripts"):
        for message, document in notes.values():
            assert await graph.write(conversations.take_transcript, owner=ann_uid, document=document) == [
                message
            ]
    heard = await graph.read(changes.deltas, owner=bob_uid, after=sequence)
    updated = [n for d in heard for n in d.updated]
    assert [(n.uid, (n.properties or {}).get("text")) for n in updated] == [
        (notes["shared"][0], "heard shared")
    ]
    assert [d.kind for d in heard] == ["SharedNodeChanged"]
