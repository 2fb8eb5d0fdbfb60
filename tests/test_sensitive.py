"""Encryption at rest: a conflict's privateNote is sealed with its owner's data key (wrapped by the master
key), read back by its owner alone, and never found in Neo4j's store, search, graphView or a delta."""

import os
import stat
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from strawberry.relay import GlobalID

from app import create_app
from dispatch.runner import Dispatcher
from graph import changes, data_keys
from graph.driver import Graph
from localneo4j.server import LocalNeo4j
from resolvers.rotate_key import rotate
from settings import Settings
from tests.client import GraphQLClient
from tests.conftest import client_of
from tests.lifespan import started
from tests.test_recipients import create as create_recipient
from vault import master, sealing

CREATE = (
    """mutation ($input: CreateConflictInput!) { createConflict(input: $input) { id summary privateNote } }"""
)
UPDATE = """mutation ($input: UpdateConflictInput!) { updateConflict(input: $input) { id privateNote } }"""
READ = "query ($id: ID!) { node(id: $id) { ... on Conflict { id summary privateNote } } }"
LIST = "{ conflicts { nodes { id privateNote } } }"
SEARCH = """query ($q: String!) { search(query: $q, minScore: 0) { matched { text } node { id } } }"""
VIEW = "{ graphView { nodes { id label name } links { source target type } } }"
SHOW = "mutation ($show: Boolean!) { setShowSensitive(show: $show) }"


def secret() -> str:
    """A private note no other test writes, long enough that Neo4j keeps it as plain string bytes."""
    return f"I never told anyone that the quarrel was about the inheritance, marker {uuid.uuid4().hex}"


async def owner_of(graph: Graph, email: str) -> str:
    async with graph.driver.session() as session:
        record = await (await session.run("MATCH (u:User {email: $e}) RETURN u.uid AS uid", e=email)).single()
        assert record is not None
        return str(record["uid"])


async def conflict(client: GraphQLClient, token: str, note: str, summary: str = "About money") -> dict:
    lea = await create_recipient(client, token, "Lea")
    given = {"recipientId": lea["id"], "summary": summary, "privateNote": note}
    return (await client.data(CREATE, {"input": given}, token=token))["createConflict"]


async def stored_note(graph: Graph, conflict_id: str, client: GraphQLClient, token: str) -> str:
    """The private_note property as Neo4j holds it (the conflict's uid read from the API's id)."""
    async with graph.driver.session() as session:
        query = "MATCH (n:Conflict) RETURN n.uid AS uid, n.private_note AS note"
        rows = [record.data() async for record in await session.run(query)]
    uid = await uid_of(client, token, conflict_id)
    return next(row["note"] for row in rows if row["uid"] == uid)


async def uid_of(client: GraphQLClient, token: str, node_id: str) -> str:
    return GlobalID.from_id(node_id).node_id


async def everything_in_neo4j(graph: Graph) -> str:
    """Every property of every node and relationship, as text."""
    async with graph.driver.session() as session:
        nodes = [r["p"] async for r in await session.run("MATCH (n) RETURN properties(n) AS p")]
        links = [r["p"] async for r in await session.run("MATCH ()-[r]->() RETURN properties(r) AS p")]
    return repr(nodes) + repr(links)


def files_holding(folder: Path, needle: bytes) -> list[Path]:
    """The files under `folder` whose bytes hold `needle` (read in overlapping chunks)."""
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        tail = b""
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                if needle in tail + chunk:
                    found.append(path)
                    break
                tail = chunk[-len(needle) :]
    return found


async def test_the_owner_reads_back_their_note_and_neo4j_holds_no_plaintext_of_it(
    client: GraphQLClient, graph: Graph, neo4j_server: LocalNeo4j
) -> None:
    token = await client.sign_up("sealed@example.com")
    note = secret()
    control = f"The summary is not sensitive and is stored as it is, control {uuid.uuid4().hex}"
    made = await conflict(client, token, note, summary=control)
    assert made["privateNote"] == note
    assert (await client.data(READ, {"id": made["id"]}, token=token))["node"]["privateNote"] == note
    assert (await client.data(LIST, token=token))["conflicts"]["nodes"] == [
        {"id": made["id"], "privateNote": note}
    ]
    changed = note.replace("inheritance", "house")
    updated = await client.data(UPDATE, {"input": {"id": made["id"], "privateNote": changed}}, token=token)
    assert updated["updateConflict"]["privateNote"] == changed
    assert (await client.data(READ, {"id": made["id"]}, token=token))["node"]["privateNote"] == changed

    held = await stored_note(graph, made["id"], client, token)
    assert held.startswith("s1:") and "inheritance" not in held and "house" not in held
    everything = await everything_in_neo4j(graph)
    assert control in everything  # the scan sees what is stored in the clear...
    marker = note.rsplit(" ", 1)[1]
    assert marker not in everything and "inheritance" not in everything  # ...and no word of the note
    # The store's files on disk: the transaction log is written at each commit (this embedded Neo4j has
    # no db.checkpoint procedure), so the control's bytes are there, and would be the note's.
    assert files_holding(neo4j_server.home, control.encode()), "the scan must find plain text where it is"
    assert files_holding(neo4j_server.home, marker.encode()) == []
    assert files_holding(neo4j_server.home, b"quarrel was about the") == []


async def test_another_user_can_never_read_or_change_it(client: GraphQLClient, graph: Graph) -> None:
    ann = await client.sign_up("ann-sealed@example.com")
    bob = await client.sign_up("bob-sealed@example.com")
    note = secret()
    made = await conflict(client, ann, note)
    assert (await client.data(READ, {"id": made["id"]}, token=bob))["node"] is None
    assert (await client.data(LIST, token=bob))["conflicts"]["nodes"] == []
    error = await client.error(UPDATE, {"input": {"id": made["id"], "privateNote": "mine now"}}, token=bob)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await client.data(READ, {"id": made["id"]}, token=ann))["node"]["privateNote"] == note
    # Ann's ciphertext copied onto Bob's own conflict does not open with his key, nor with hers there.
    copied = await stored_note(graph, made["id"], client, ann)
    his = await conflict(client, bob, "his own note")
    async with graph.driver.session() as session:
        uid = await uid_of(client, bob, his["id"])
        await session.run("MATCH (n:Conflict {uid: $uid}) SET n.private_note = $note", uid=uid, note=copied)
    answer = await client.execute(READ, {"id": his["id"]}, token=bob)
    assert answer["errors"][0]["extensions"]["code"] == "SEALED_UNREADABLE"
    assert note not in repr(answer)


async def test_bad_input_is_refused_with_a_code_and_writes_nothing(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("bad-sealed@example.com")
    lea = await create_recipient(client, token, "Lea")
    for bad in ("x" * 10_001, "   ", "bell\x07"):
        given = {"recipientId": lea["id"], "summary": "s", "privateNote": bad}
        error = await client.error(CREATE, {"input": given}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "privateNote"}, error
    assert (await client.data(LIST, token=token))["conflicts"]["nodes"] == []
    owner = await owner_of(graph, "bad-sealed@example.com")
    assert await graph.read(data_keys.data_key, owner) is None  # no key made for a refused write
    made = await conflict(client, token, secret())
    error = await client.error(UPDATE, {"input": {"id": made["id"], "privateNote": ""}}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    # A sealed value altered in the store is refused as unreadable, never shown as garbage.
    async with graph.driver.session() as session:
        await session.run(
            "MATCH (n:Conflict) SET n.private_note = left(n.private_note, size(n.private_note) - 6) + 'AAAAAA'"
        )
    answer = await client.execute(READ, {"id": made["id"]}, token=token)
    assert answer["errors"][0]["extensions"]["code"] == "SEALED_UNREADABLE"
    assert answer["data"]["node"]["privateNote"] is None


async def test_deleting_the_data_key_makes_every_surviving_copy_unreadable(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("shred@example.com")
    note = secret()
    made = await conflict(client, token, note)
    backup = await stored_note(graph, made["id"], client, token)  # a copy that survives, as in a backup
    owner = await owner_of(graph, "shred@example.com")
    key_id = sealing.key_id_of(backup)
    assert await graph.write(data_keys.forget_data_key, owner)
    answer = await client.execute(READ, {"id": made["id"]}, token=token)
    assert answer["errors"][0]["extensions"]["code"] == "SEALED_UNREADABLE"
    assert key_id in answer["errors"][0]["message"] and "gone" in answer["errors"][0]["message"]
    # A new key comes with the next write; the copy names the old one and still does not open.
    await conflict(client, token, "a new note")
    stored = await graph.read(data_keys.data_key, owner)
    assert stored is not None and stored[0] != key_id
    async with graph.driver.session() as session:
        uid = await uid_of(client, token, made["id"])
        await session.run("MATCH (n:Conflict {uid: $uid}) SET n.private_note = $b", uid=uid, b=backup)
    answer = await client.execute(READ, {"id": made["id"]}, token=token)
    assert answer["errors"][0]["extensions"]["code"] == "SEALED_UNREADABLE"
    assert note not in repr(answer)


@dataclass
class Instance:
    client: GraphQLClient
    dispatcher: Dispatcher
    settings: Settings


@pytest.fixture
async def kindred(settings: Settings, graph: Graph, tmp_path: Path) -> AsyncIterator[Instance]:
    """An app with its own data folder (so its own master key) and its dispatcher running."""
    own = settings.model_copy(update={"data_dir": tmp_path, "dispatch": True})
    async with started(create_app(own, graph)) as manager, client_of(manager.app) as client:
        yield Instance(client, manager._state["dispatcher"], own)


async def test_search_graph_view_and_deltas_never_show_it_unless_the_owner_turns_that_on(
    kindred: Instance, graph: Graph
) -> None:
    token = await kindred.client.sign_up("quiet@example.com")
    note = secret()
    await conflict(kindred.client, token, note, summary="Who does the dishes")
    await kindred.dispatcher.drain()
    for query in ("inheritance quarrel", note):
        found = (await kindred.client.data(SEARCH, {"q": query}, token=token))["search"]
        assert all("inheritance" not in hit["matched"]["text"] for hit in found), found
    async with graph.driver.session() as session:
        texts = [
            r["t"]
            async for r in await session.run(
                "MATCH (n) WHERE n.search_text IS NOT NULL RETURN n.search_text AS t"
            )
        ]
    assert texts and not any("inheritance" in text for text in texts)
    view = await kindred.client.data(VIEW, token=token)
    assert "Who does the dishes" in repr(view) and "inheritance" not in repr(view)

    owner = await owner_of(graph, "quiet@example.com")
    deltas = await graph.read(changes.deltas, owner=owner, after=0)
    conflicts = [n for d in deltas for n in d.added + d.updated if n.label == "Conflict"]
    assert conflicts and all("private_note" not in (n.properties or {}) for n in conflicts)
    assert "inheritance" not in repr(deltas)
    assert (await kindred.client.data(SHOW, {"show": True}, token=token))["setShowSensitive"] is True
    deltas = await graph.read(changes.deltas, owner=owner, after=0)
    conflicts = [n for d in deltas for n in d.added + d.updated if n.label == "Conflict"]
    # Turned on, a delta carries it, sealed still: the owner's subscription opens it for them alone.
    assert all(sealing.is_sealed((n.properties or {}).get("private_note")) for n in conflicts)
    assert "inheritance" not in repr(deltas)


async def test_rotate_key_rewraps_every_data_key_and_the_notes_stay_readable(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    own = settings.model_copy(update={"data_dir": tmp_path})
    async with started(create_app(own, graph)) as manager, client_of(manager.app) as client:
        ann, bob = await client.sign_up("rot-ann@example.com"), await client.sign_up("rot-bob@example.com")
        notes = {ann: secret(), bob: secret()}
        made = {token: await conflict(client, token, note) for token, note in notes.items()}
        key_file = tmp_path / master.FILE
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # made on first use, for its owner alone
        before = key_file.read_text()
        sealed_before = await stored_note(graph, made[ann]["id"], client, ann)

        version, count = await rotate(graph, tmp_path)
        assert count >= 2 and key_file.read_text() != before
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert not (tmp_path / master.NEXT).exists()
        for owner in (
            await owner_of(graph, "rot-ann@example.com"),
            await owner_of(graph, "rot-bob@example.com"),
        ):
            stored = await graph.read(data_keys.data_key, owner)
            assert stored is not None and sealing.master_version_of(stored[1]) == version
        # The fields were not re-encrypted, and the running app reads them under the new master key.
        assert await stored_note(graph, made[ann]["id"], client, ann) == sealed_before
        for token, note in notes.items():
            assert (await client.data(READ, {"id": made[token]["id"]}, token=token))["node"][
                "privateNote"
            ] == note

        given = master.new_key()
        version, _ = await rotate(graph, tmp_path, given)
        assert master.decode(key_file.read_text()) == given and version == master.version_of(given)
        for token, note in notes.items():
            assert (await client.data(READ, {"id": made[token]["id"]}, token=token))["node"][
                "privateNote"
            ] == note

    # A master key that is not the one the data keys were wrapped by opens nothing: a clear, coded error.
    master.write_key(tmp_path / master.FILE, master.new_key())
    async with started(create_app(own, graph)) as manager, client_of(manager.app) as client:
        answer = await client.execute(READ, {"id": made[ann]["id"]}, token=ann)
        assert answer["errors"][0]["extensions"]["code"] == "SEALED_UNREADABLE"
        assert notes[ann] not in repr(answer)


def test_a_master_key_from_the_environment_must_be_32_bytes_of_base64(tmp_path: Path) -> None:
    key = master.new_key()
    ring = master.load(tmp_path, master.encode(key))
    assert ring.keys == {master.version_of(key): key}
    assert not (tmp_path / master.FILE).exists()  # the environment's key: no file made
    for bad in ("not base64!", master.encode(os.urandom(16))):
        with pytest.raises(master.BadMasterKey):
            master.load(tmp_path, bad)


def test_a_sealed_value_is_bound_to_where_it_belongs() -> None:
    key_id, key = sealing.new_data_key()
    sealed = sealing.seal("private words", key_id, key, "owner:Conflict:1:private_note")
    assert "private" not in sealed and sealing.key_id_of(sealed) == key_id
    assert sealing.open_sealed(sealed, key_id, key, "owner:Conflict:1:private_note") == "private words"
    with pytest.raises(sealing.Unreadable, match="altered or moved"):
        sealing.open_sealed(sealed, key_id, key, "owner:Conflict:2:private_note")
    with pytest.raises(sealing.Unreadable, match="gone"):
        sealing.open_sealed(sealed, None, None, "owner:Conflict:1:private_note")
