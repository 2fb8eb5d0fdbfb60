"""Couples: two consenting accounts (invite, accept, decline, leave), what each shares with the other,
and what neither a partner nor a stranger ever reads."""

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from graph import erasure
from graph.driver import Graph
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import LiveServer
from tests.live import CREATE_RECIPIENT, Socket, live_only, live_settings, post, sign_up
from tests.test_documents import (
    MEMORY,
    PNG,
    Instance,
    document,
    kindred,  # noqa: F401 -- the fixture: an app of its own, with its blobs
    upload,
)
from tests.test_recipients import create as create_recipient

INVITE = "mutation { inviteToCouple { code expiresAt } }"
ACCEPT = """mutation ($code: String!) { acceptCoupleInvite(code: $code) {
  since members { name role isViewer consentedAt } shared { byViewer node { id } } partnerRecipientId } }"""
DECLINE = "mutation ($code: String!) { declineCoupleInvite(code: $code) }"
LEAVE = "mutation { leaveCouple }"
COUPLE = "{ couple { members { name role isViewer } shared { byViewer node { id } } partnerRecipientId } }"
LINK_PARTNER = "mutation ($id: ID!) { linkPartner(recipientId: $id) { partnerRecipientId } }"
SHARE = "mutation ($id: ID!) { shareWithCouple(nodeId: $id) }"
UNSHARE = "mutation ($id: ID!) { unshareFromCouple(nodeId: $id) }"
CONFLICT = """mutation ($input: CreateConflictInput!) { createConflict(input: $input) { id summary } }"""
NODE = (
    """query ($id: ID!) { node(id: $id) { id ... on Conflict { summary privateNote recipient { name } } } }"""
)
NODES = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
CONFLICTS = "{ conflicts { totalCount nodes { id summary } } }"
UPDATE = "mutation ($input: UpdateConflictInput!) { updateConflict(input: $input) { id summary } }"
DELETE = "mutation ($id: ID!) { deleteConflict(id: $id) { deletedCount } }"
DELETE_ACCOUNT = "mutation ($password: String!) { deleteAccount(password: $password) }"
PASSWORD = "correct horse battery"


async def couple_of_two(client: GraphQLClient, prefix: str) -> tuple[str, str, str]:
    """Ann and Ben in a couple (Ann invited), and Cat, a stranger: their tokens."""
    ann = await client.sign_up(f"{prefix}-ann@example.com", name="Ann")
    ben = await client.sign_up(f"{prefix}-ben@example.com", name="Ben")
    cat = await client.sign_up(f"{prefix}-cat@example.com", name="Cat")
    code = (await client.data(INVITE, token=ann))["inviteToCouple"]["code"]
    await client.data(ACCEPT, {"code": code}, token=ben)
    return ann, ben, cat


async def conflict(client: GraphQLClient, token: str, summary: str) -> dict[str, Any]:
    sam = await create_recipient(client, token, f"Partner of {summary}", kind="PARTNER")
    variables = {"input": {"recipientId": sam["id"], "summary": summary}}
    return (await client.data(CONFLICT, variables, token=token))["createConflict"]


async def listed(client: GraphQLClient, token: str) -> list[str]:
    return [n["summary"] for n in (await client.data(CONFLICTS, token=token))["conflicts"]["nodes"]]


async def node(client: GraphQLClient, token: str, id: str) -> Any:
    return (await client.data(NODE, {"id": id}, token=token))["node"]


async def test_an_accepted_invite_makes_a_couple_both_members_see(client: GraphQLClient) -> None:
    ann = await client.sign_up("inv-ann@example.com", name="Ann")
    ben = await client.sign_up("inv-ben@example.com", name="Ben")
    invite = (await client.data(INVITE, token=ann))["inviteToCouple"]
    assert len(invite["code"]) >= 20 and invite["expiresAt"]
    assert (await client.data(COUPLE, token=ann))["couple"] is None

    made = (await client.data(ACCEPT, {"code": invite["code"]}, token=ben))["acceptCoupleInvite"]
    members = [(m["name"], m["role"], m["isViewer"]) for m in made["members"]]
    assert members == [("Ann", "INVITER", False), ("Ben", "INVITEE", True)]
    seen = (await client.data(COUPLE, token=ann))["couple"]
    assert [(m["name"], m["isViewer"]) for m in seen["members"]] == [("Ann", True), ("Ben", False)]
    assert seen["shared"] == []


async def test_an_invite_is_used_once_and_never_by_its_author(client: GraphQLClient) -> None:
    ann = await client.sign_up("once-ann@example.com")
    ben = await client.sign_up("once-ben@example.com")
    cat = await client.sign_up("once-cat@example.com")
    code = (await client.data(INVITE, token=ann))["inviteToCouple"]["code"]
    own = await client.error(ACCEPT, {"code": code}, token=ann)
    assert own["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = await client.error(ACCEPT, {"code": "no-such-code"}, token=ben)
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    await client.data(ACCEPT, {"code": code}, token=ben)
    again = await client.error(ACCEPT, {"code": code}, token=cat)
    assert again["extensions"]["code"] == "ALREADY_DECIDED"
    assert (await client.data(COUPLE, token=cat))["couple"] is None
    # One couple at a time: neither member invites or accepts another while in one.
    assert (await client.error(INVITE, token=ben))["extensions"]["code"] == "ALREADY_IN_COUPLE"
    other = (await client.data(INVITE, token=cat))["inviteToCouple"]["code"]
    taken = await client.error(ACCEPT, {"code": other}, token=ann)
    assert taken["extensions"]["code"] == "ALREADY_IN_COUPLE"


async def test_a_declined_invite_is_refused_afterwards(client: GraphQLClient) -> None:
    ann = await client.sign_up("decl-ann@example.com")
    ben = await client.sign_up("decl-ben@example.com")
    code = (await client.data(INVITE, token=ann))["inviteToCouple"]["code"]
    assert (await client.data(DECLINE, {"code": code}, token=ben))["declineCoupleInvite"] is True
    refused = await client.error(ACCEPT, {"code": code}, token=ben)
    assert refused["extensions"]["code"] == "ALREADY_DECIDED"
    assert (await client.data(COUPLE, token=ann))["couple"] is None
    assert (await client.data(COUPLE, token=ben))["couple"] is None


async def test_an_expired_invite_is_refused_with_its_code(client: GraphQLClient, graph: Graph) -> None:
    ann = await client.sign_up("exp-ann@example.com")
    ben = await client.sign_up("exp-ben@example.com")
    code = (await client.data(INVITE, token=ann))["inviteToCouple"]["code"]

    async def expire(tx: Any) -> None:
        query = (
            "MATCH (i:CoupleInvite) WHERE i.status = 'open' SET i.expires_at = datetime() - duration('PT1M')"
        )
        await (await tx.run(query)).consume()

    await graph.write(expire)
    refused = await client.error(ACCEPT, {"code": code}, token=ben)
    assert refused["extensions"]["code"] == "EXPIRED"
    assert (await client.data(COUPLE, token=ben))["couple"] is None


async def test_the_code_is_stored_only_as_its_hash(client: GraphQLClient, graph: Graph) -> None:
    ann = await client.sign_up("hash-ann@example.com")
    code = (await client.data(INVITE, token=ann))["inviteToCouple"]["code"]

    async def stored(tx: Any) -> list[dict[str, Any]]:
        result = await tx.run("MATCH (i:CoupleInvite) RETURN properties(i) AS p")
        return [record["p"] async for record in result]

    for properties in await graph.read(stored):
        assert code not in [str(value) for value in properties.values()]


async def test_a_shared_conflict_is_read_by_the_partner_and_no_stranger(client: GraphQLClient) -> None:
    ann, ben, cat = await couple_of_two(client, "share")
    shared = await conflict(client, ann, "Dishes again")
    private = await conflict(client, ann, "Ann's own")
    bens = await conflict(client, ben, "Ben's own")
    assert await node(client, ben, shared["id"]) is None  # private until shared

    assert (await client.data(SHARE, {"id": shared["id"]}, token=ann))["shareWithCouple"] is True
    assert (await client.data(SHARE, {"id": shared["id"]}, token=ann))["shareWithCouple"] is False

    # The partner reads it by id, by ids and in the list; not what stays private, nor its recipient.
    seen = await node(client, ben, shared["id"])
    assert seen["summary"] == "Dishes again" and seen["recipient"] is None
    assert await node(client, ben, private["id"]) is None
    ids = [shared["id"], private["id"]]
    assert (await client.data(NODES, {"ids": ids}, token=ben))["nodes"] == [{"id": shared["id"]}, None]
    assert sorted(await listed(client, ben)) == ["Ben's own", "Dishes again"]
    total = (await client.data(CONFLICTS, token=ben))["conflicts"]["totalCount"]
    assert total == 2
    # The author still reads everything of theirs as before; nothing of Ben's reaches Ann.
    assert sorted(await listed(client, ann)) == ["Ann's own", "Dishes again"]
    assert await node(client, ann, bens["id"]) is None
    couple = (await client.data(COUPLE, token=ben))["couple"]
    assert couple["shared"] == [{"byViewer": False, "node": {"id": shared["id"]}}]

    # A stranger reads none of it, by any of these.
    assert await node(client, cat, shared["id"]) is None
    assert (await client.data(NODES, {"ids": ids}, token=cat))["nodes"] == [None, None]
    assert await listed(client, cat) == []
    assert (await client.data(COUPLE, token=cat))["couple"] is None
    stranger_share = await client.error(SHARE, {"id": shared["id"]}, token=cat)
    assert stranger_share["extensions"]["code"] == "NOT_FOUND"


async def test_only_the_author_changes_or_deletes_what_they_shared(client: GraphQLClient) -> None:
    ann, ben, cat = await couple_of_two(client, "author")
    shared = await conflict(client, ann, "Money")
    await client.data(SHARE, {"id": shared["id"]}, token=ann)

    changed = await client.error(UPDATE, {"input": {"id": shared["id"], "summary": "x"}}, token=ben)
    assert changed["extensions"]["code"] == "FORBIDDEN"
    deleted = await client.error(DELETE, {"id": shared["id"]}, token=ben)
    assert deleted["extensions"]["code"] == "FORBIDDEN"
    unshared = await client.error(UNSHARE, {"id": shared["id"]}, token=ben)
    assert unshared["extensions"]["code"] == "NOT_FOUND"
    stranger = await client.error(UPDATE, {"input": {"id": shared["id"], "summary": "x"}}, token=cat)
    assert stranger["extensions"]["code"] == "NOT_FOUND"
    assert (await node(client, ann, shared["id"]))["summary"] == "Money"

    change = {"id": shared["id"], "summary": "Money, again", "privateNote": "I was wrong"}
    updated = await client.data(UPDATE, {"input": change}, token=ann)
    assert updated["updateConflict"]["summary"] == "Money, again"
    # The partner reads the change, never the author's private note (nor in the list).
    seen = await node(client, ben, shared["id"])
    assert seen["summary"] == "Money, again" and seen["privateNote"] is None
    assert (await node(client, ann, shared["id"]))["privateNote"] == "I was wrong"
    listed_notes = "{ conflicts { nodes { summary privateNote } } }"
    assert (await client.data(listed_notes, token=ben))["conflicts"]["nodes"] == [
        {"summary": "Money, again", "privateNote": None}
    ]


async def test_a_kind_that_is_never_shared_is_refused_with_a_code(client: GraphQLClient) -> None:
    ann, _, _ = await couple_of_two(client, "kinds")
    person = await create_recipient(client, ann, "Mum", kind="FAMILY")
    refused = await client.error(SHARE, {"id": person["id"]}, token=ann)
    assert refused["extensions"]["code"] == "NOT_SHAREABLE"


async def test_sharing_needs_a_couple(client: GraphQLClient) -> None:
    alone = await client.sign_up("alone@example.com")
    mine = await conflict(client, alone, "Alone")
    assert (await client.error(SHARE, {"id": mine["id"]}, token=alone))["extensions"]["code"] == "NOT_FOUND"
    assert (await client.error(LEAVE, token=alone))["extensions"]["code"] == "NOT_FOUND"


async def test_an_unshared_node_vanishes_for_the_partner(client: GraphQLClient) -> None:
    ann, ben, _ = await couple_of_two(client, "unshare")
    shared = await conflict(client, ann, "Holidays")
    await client.data(SHARE, {"id": shared["id"]}, token=ann)
    assert await node(client, ben, shared["id"]) is not None
    assert (await client.data(UNSHARE, {"id": shared["id"]}, token=ann))["unshareFromCouple"] is True
    assert await node(client, ben, shared["id"]) is None
    assert await listed(client, ben) == []
    assert (await node(client, ann, shared["id"]))["summary"] == "Holidays"


async def test_leaving_ends_every_share_and_each_keeps_what_they_authored(client: GraphQLClient) -> None:
    ann, ben, cat = await couple_of_two(client, "leave")
    anns = await conflict(client, ann, "Ann's shared")
    bens = await conflict(client, ben, "Ben's shared")
    await client.data(SHARE, {"id": anns["id"]}, token=ann)
    await client.data(SHARE, {"id": bens["id"]}, token=ben)
    assert sorted(await listed(client, ann)) == ["Ann's shared", "Ben's shared"]

    assert (await client.data(LEAVE, token=ben))["leaveCouple"] is True
    for token in (ann, ben):
        assert (await client.data(COUPLE, token=token))["couple"] is None
    assert await listed(client, ann) == ["Ann's shared"]
    assert await listed(client, ben) == ["Ben's shared"]
    assert await node(client, ben, anns["id"]) is None
    assert await node(client, ann, bens["id"]) is None
    # Free again: either may make a new couple (with the stranger, say).
    code = (await client.data(INVITE, token=ann))["inviteToCouple"]["code"]
    await client.data(ACCEPT, {"code": code}, token=cat)
    assert await node(client, cat, anns["id"]) is None  # a new couple sees nothing shared before


async def test_deleting_an_account_ends_its_couple_and_its_shares(client: GraphQLClient) -> None:
    ann, ben, _ = await couple_of_two(client, "erase")
    anns = await conflict(client, ann, "Ann's")
    bens = await conflict(client, ben, "Ben's")
    await client.data(SHARE, {"id": anns["id"]}, token=ann)
    await client.data(SHARE, {"id": bens["id"]}, token=ben)
    assert await client.data(DELETE_ACCOUNT, {"password": PASSWORD}, token=ann)

    assert (await client.data(COUPLE, token=ben))["couple"] is None
    assert await listed(client, ben) == ["Ben's"]
    assert await node(client, ben, anns["id"]) is None


async def test_a_partner_is_linked_to_a_recipient_without_opening_their_graph(client: GraphQLClient) -> None:
    ann, ben, cat = await couple_of_two(client, "link")
    ben_person = await create_recipient(client, ann, "Ben", kind="PARTNER")
    bens_private = await conflict(client, ben, "Ben's private")
    linked = (await client.data(LINK_PARTNER, {"id": ben_person["id"]}, token=ann))["linkPartner"]
    assert linked["partnerRecipientId"] == ben_person["id"]
    assert await node(client, ann, bens_private["id"]) is None
    assert (await client.data(COUPLE, token=ben))["couple"]["partnerRecipientId"] is None
    theirs = await client.error(LINK_PARTNER, {"id": ben_person["id"]}, token=ben)
    assert theirs["extensions"]["code"] == "NOT_FOUND"
    stranger = await client.error(LINK_PARTNER, {"id": ben_person["id"]}, token=cat)
    assert stranger["extensions"]["code"] == "NOT_FOUND"


async def test_a_shared_document_downloads_for_the_partner_until_unshared(
    kindred: Instance,  # noqa: F811
) -> None:
    client = kindred.client
    ann, ben, cat = await couple_of_two(client, "files")
    memory = (await client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": "Beach day"}}, token=ann))[
        "createMemory"
    ]["id"]
    made = (await upload(kindred.http, ann, memory, "PHOTO", "beach.png", PNG, "image/png")).json()
    photo = made["data"]["uploadDocument"]["id"]
    assert await document(kindred, ben, photo) is None
    await client.data(SHARE, {"id": photo}, token=ann)

    seen = await document(kindred, ben, photo)
    assert seen is not None and seen["url"]
    fetched = await kindred.http.get(seen["url"])
    assert fetched.status_code == 200 and fetched.content == PNG
    assert await document(kindred, cat, photo) is None

    await client.data(UNSHARE, {"id": photo}, token=ann)
    assert await document(kindred, ben, photo) is None
    assert (await kindred.http.get(seen["url"])).status_code == 404
    assert (await kindred.http.get((await document(kindred, ann, photo))["url"])).status_code == 200


# --- live: a shared change reaches both members' streams, a private one only its author's -----------

SHARED_CHANGED = """
subscription ($since: Int) {
  graphChanged(since: $since) {
    sequence kind
    nodesAdded { __typename id }
    nodesUpdated { __typename id ... on Conflict { summary privateNote } }
    nodesRemoved { id label }
  }
}
"""


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[LiveServer]:
    with live_only(), LiveServer(live_settings(settings)) as live_server:
        yield live_server


async def _next_about(ws: Socket, id: str) -> dict[str, Any]:
    """The next delta of this stream that names the node `id` (any other is passed over)."""
    while True:
        delta = (await ws.next())["graphChanged"]
        named = [*delta["nodesAdded"], *delta["nodesUpdated"], *delta["nodesRemoved"]]
        if any(node["id"] == id for node in named):
            return delta


async def test_a_shared_change_reaches_both_members_live_and_no_stranger(server: LiveServer) -> None:
    ann = await sign_up(server, "live-ann@example.com")
    ben = await sign_up(server, "live-ben@example.com")
    cat = await sign_up(server, "live-cat@example.com")
    code = (await post(server, INVITE, token=ann))["inviteToCouple"]["code"]
    await post(server, ACCEPT, {"code": code}, ben)
    sam = (await post(server, CREATE_RECIPIENT, {"name": "Sam"}, ann))["createRecipient"]["id"]
    made = await post(server, CONFLICT, {"input": {"recipientId": sam, "summary": "Shared one"}}, ann)
    shared = made["createConflict"]["id"]
    made = await post(server, CONFLICT, {"input": {"recipientId": sam, "summary": "Private one"}}, ann)
    private = made["createConflict"]["id"]
    await post(server, UPDATE, {"input": {"id": shared, "privateNote": "for me alone"}}, ann)
    watching = {name: await Socket.open(server, token) for name, token in (("ben", ben), ("cat", cat))}
    for ws in watching.values():
        await ws.subscribe("1", query=SHARED_CHANGED, since=0)
    ben_ws, cat_ws = watching["ben"], watching["cat"]

    await post(server, SHARE, {"id": shared}, ann)
    appeared = await _next_about(ben_ws, shared)
    assert appeared["kind"] == "SharedNodeChanged"
    assert appeared["nodesUpdated"] == [
        {"__typename": "Conflict", "id": shared, "summary": "Shared one", "privateNote": None}
    ]

    await post(server, UPDATE, {"input": {"id": private, "summary": "Private, renamed"}}, ann)
    await post(server, UPDATE, {"input": {"id": shared, "summary": "Shared, renamed"}}, ann)
    renamed = await _next_about(ben_ws, shared)  # the private change before it never came
    assert renamed["nodesUpdated"][0]["summary"] == "Shared, renamed"

    await post(server, UNSHARE, {"id": shared}, ann)
    gone = await _next_about(ben_ws, shared)
    assert gone["nodesRemoved"] == [{"id": shared, "label": "Conflict"}]
    # The stranger heard nothing of either conflict, and Ben nothing of the private one.
    heard = 0
    while (message := await cat_ws.quiet(1.0)) is not None:
        assert shared not in json.dumps(message) and private not in json.dumps(message)
        heard += 1
    assert heard >= 1  # their own sign-up: the stream was live
    while (message := await ben_ws.quiet(0.5)) is not None:
        assert private not in json.dumps(message)
    for ws in watching.values():
        await ws.close()


CONVERSATION = "mutation ($input: CreateConversationInput!) { createConversation(input: $input) { id } }"
APPEND = "mutation ($input: AppendMessageInput!) { appendMessage(input: $input) { id } }"
UPDATE_MEMORY = "mutation ($input: UpdateMemoryInput!) { updateMemory(input: $input) { id } }"


async def test_a_shared_memorys_edit_and_a_shared_conversations_message_reach_the_partner_live(
    server: LiveServer,
) -> None:
    """Writes of their own path (a memory's update, a message appended) tell the partner too."""
    ann = await sign_up(server, "live2-ann@example.com")
    ben = await sign_up(server, "live2-ben@example.com")
    code = (await post(server, INVITE, token=ann))["inviteToCouple"]["code"]
    await post(server, ACCEPT, {"code": code}, ben)
    memory = (await post(server, MEMORY, {"input": {"kind": "EPISODIC", "content": "Lake"}}, ann))[
        "createMemory"
    ]
    talk = (await post(server, CONVERSATION, {"input": {"purpose": "MEDIATION", "title": "Us"}}, ann))[
        "createConversation"
    ]["id"]
    for shared in (memory["id"], talk):
        await post(server, SHARE, {"id": shared}, ann)
    ws = await Socket.open(server, ben)
    await ws.subscribe("1", query=SHARED_CHANGED, since=0)
    await post(server, UPDATE_MEMORY, {"input": {"id": memory["id"], "content": "Lake, at dusk"}}, ann)
    said = await post(server, APPEND, {"input": {"conversationId": talk, "role": "USER", "text": "Hi"}}, ann)
    message = said["appendMessage"]["id"]
    await _next_about(ws, memory["id"])
    heard = await _next_about(ws, message)
    assert {"__typename": "Message", "id": message} in heard["nodesUpdated"], heard
    await ws.close()


async def test_a_partner_is_refused_a_shared_memorys_edit_with_forbidden(client: GraphQLClient) -> None:
    ann, ben, _ = await couple_of_two(client, "memory-edit")
    memory = (await client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": "Ours"}}, token=ann))[
        "createMemory"
    ]["id"]
    await client.data(SHARE, {"id": memory}, token=ann)
    edit = {"input": {"id": memory, "content": "Mine now"}}
    refused = await client.error(UPDATE_MEMORY, edit, token=ben)
    assert refused["extensions"]["code"] == "FORBIDDEN", refused


TALK = """query ($id: ID!) { node(id: $id) { ... on Conversation {
  title messages { totalCount nodes { id text } } } ... on Message { text } } }"""


async def test_a_shared_conversation_is_read_with_its_messages_until_unshared(
    client: GraphQLClient,
) -> None:
    ann, ben, cat = await couple_of_two(client, "talk")
    made = {"purpose": "COMPANION", "title": "Sunday talk"}
    talk = (await client.data(CONVERSATION, {"input": made}, token=ann))["createConversation"]["id"]
    said = {"conversationId": talk, "role": "USER", "text": "We should plan the trip"}
    message = (await client.data(APPEND, {"input": said}, token=ann))["appendMessage"]["id"]
    assert (await client.data(TALK, {"id": message}, token=ben))["node"] is None
    await client.data(SHARE, {"id": talk}, token=ann)

    seen = (await client.data(TALK, {"id": talk}, token=ben))["node"]
    assert seen["title"] == "Sunday talk"
    assert seen["messages"] == {
        "totalCount": 1,
        "nodes": [{"id": message, "text": "We should plan the trip"}],
    }
    assert (await client.data(TALK, {"id": message}, token=ben))["node"] == {
        "text": "We should plan the trip"
    }
    for id in (talk, message):
        assert (await client.data(TALK, {"id": id}, token=cat))["node"] is None
    theirs = {"conversationId": talk, "role": "USER", "text": "Me too"}
    assert (await client.error(APPEND, {"input": theirs}, token=ben))["extensions"]["code"] == "NOT_FOUND"

    await client.data(UNSHARE, {"id": talk}, token=ann)
    for id in (talk, message):
        assert (await client.data(TALK, {"id": id}, token=ben))["node"] is None


RANT = """mutation ($purpose: ConversationPurpose!) {
  createConversation(input: {purpose: $purpose, title: "About Ben"}) { id } }"""
PURPOSE = """mutation ($id: ID!) { updateConversation(input: {id: $id, purpose: RANT}) { purpose } }"""


async def test_what_is_its_authors_alone_is_never_shared(client: GraphQLClient) -> None:
    """A rant, a cycle entry and an intimacy entry are refused with NOT_SHAREABLE, and the partner reads
    none of them; a shared conversation cannot become a rant."""
    ann, ben, _ = await couple_of_two(client, "alone")
    rant = (await client.data(RANT, {"purpose": "RANT"}, token=ann))["createConversation"]["id"]
    cycle = await client.data(
        'mutation { createCycleEntry(input: {date: "2026-02-01", eventType: PERIOD_START}) { id } }',
        token=ann,
    )
    intimacy = await client.data("mutation { createIntimacyEntry(input: {kind: OTHER}) { id } }", token=ann)
    kept = [rant, cycle["createCycleEntry"]["id"], intimacy["createIntimacyEntry"]["id"]]
    for id in kept:
        refused = await client.error(SHARE, {"id": id}, token=ann)
        assert refused["extensions"] == {"code": "NOT_SHAREABLE", "field": "nodeId"}, refused
    assert (await client.data(NODES, {"ids": kept}, token=ben))["nodes"] == [None, None, None]
    assert (await client.data(COUPLE, token=ann))["couple"]["shared"] == []
    talk = (await client.data(RANT, {"purpose": "MEDIATION"}, token=ann))["createConversation"]["id"]
    await client.data(SHARE, {"id": talk}, token=ann)
    refused = await client.error(PURPOSE, {"id": talk}, token=ann)
    assert refused["extensions"] == {"code": "BAD_USER_INPUT", "field": "purpose"}, refused


async def test_an_invite_of_an_account_being_erased_cannot_be_accepted(
    client: GraphQLClient, graph: Graph
) -> None:
    ann = await client.sign_up("erasing-ann@example.com", name="Ann")
    ben = await client.sign_up("erasing-ben@example.com", name="Ben")
    code = (await client.data(INVITE, token=ann))["inviteToCouple"]["code"]
    me = (await client.data("{ me { id } }", token=ann))["me"]["id"]
    uid = base64.b64decode(me).decode().partition(":")[2]
    assert await graph.write(erasure.begin, uid) is not None  # the first step of deleteAccount
    refused = await client.error(ACCEPT, {"code": code}, token=ben)
    assert refused["extensions"]["code"] == "NOT_FOUND"
    assert (await client.data(COUPLE, token=ben))["couple"] is None


async def test_the_couples_shared_list_leaves_out_what_was_deleted(
    kindred: Instance,  # noqa: F811
) -> None:
    """A shared document deleted (kept a while before it is purged) is no longer listed as shared."""
    client = kindred.client
    ann, ben, _ = await couple_of_two(client, "shared-list")
    memory = (await client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": "Dunes"}}, token=ann))[
        "createMemory"
    ]["id"]
    kept = (await client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": "Kept"}}, token=ann))[
        "createMemory"
    ]["id"]
    made = (await upload(kindred.http, ann, memory, "PHOTO", "dunes.png", PNG, "image/png")).json()
    photo = made["data"]["uploadDocument"]["id"]
    for shared in (kept, photo):
        await client.data(SHARE, {"id": shared}, token=ann)
    await client.data(
        "mutation ($id: ID!) { deleteDocument(id: $id) { deletedId } }", {"id": photo}, token=ann
    )
    for token in (ann, ben):
        listed_shared = (await client.data(COUPLE, token=token))["couple"]["shared"]
        assert [entry["node"]["id"] for entry in listed_shared] == [kept]
