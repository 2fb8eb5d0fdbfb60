"""Cycle and intimacy entries (seed 002): their author's alone. Created, listed by date (the newest
first), changed and deleted; their personal fields sealed at rest; never searched, drawn, or named in a
delta (nor, sealed, in the author's own); out of every reach of another user; refused with a code on bad
input with nothing written; erased with the account. And a rant's messages are as private as the rest."""

import datetime as dt
import uuid
from dataclasses import replace
from typing import Any

import pytest

from graph import changes
from graph.driver import Graph
from graph.kinds import BY_LABEL, DRAWN, SEARCHED
from tests.client import GraphQLClient
from tests.test_conversations import _conversation, _say
from tests.test_couples import ACCEPT, CONFLICT, INVITE, LINK_PARTNER, SHARE
from tests.test_forget_me import PASSWORD, until
from tests.test_recipients import create as create_recipient
from tests.test_sensitive import Instance, everything_in_neo4j, kindred, owner_of

__all__ = ["kindred"]  # the fixture, used here

CYCLE_FIELDS = "id date eventType cycleDay flow symptoms mood note createdAt about { id name }"
INTIMACY_FIELDS = "id occurredAt kind initiatedBy satisfaction mood note about { id name }"
CREATE_CYCLE = f"""mutation ($input: CreateCycleEntryInput!) {{
  createCycleEntry(input: $input) {{ {CYCLE_FIELDS} }} }}"""
UPDATE_CYCLE = f"""mutation ($input: UpdateCycleEntryInput!) {{
  updateCycleEntry(input: $input) {{ {CYCLE_FIELDS} }} }}"""
DELETE_CYCLE = "mutation ($id: ID!) { deleteCycleEntry(id: $id) { deletedId deletedCount } }"
CYCLES = f"""query ($f: CycleEntryFilter, $o: [CycleEntryOrder!]) {{
  cycleEntries(filter: $f, orderBy: $o) {{ totalCount nodes {{ {CYCLE_FIELDS} }} }} }}"""
CREATE_INTIMACY = f"""mutation ($input: CreateIntimacyEntryInput!) {{
  createIntimacyEntry(input: $input) {{ {INTIMACY_FIELDS} }} }}"""
UPDATE_INTIMACY = f"""mutation ($input: UpdateIntimacyEntryInput!) {{
  updateIntimacyEntry(input: $input) {{ {INTIMACY_FIELDS} }} }}"""
DELETE_INTIMACY = "mutation ($id: ID!) { deleteIntimacyEntry(id: $id) { deletedId deletedCount } }"
INTIMACIES = f"""query ($f: IntimacyEntryFilter) {{
  intimacyEntries(filter: $f) {{ totalCount nodes {{ {INTIMACY_FIELDS} }} }} }}"""
NODE = """query ($id: ID!) { node(id: $id) { __typename id
  ... on CycleEntry { note symptoms } ... on IntimacyEntry { note satisfaction } } }"""
NODES = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
SEARCH = "query ($q: String!) { search(query: $q, minScore: 0) { node { __typename id } matched { text } } }"
VIEW = "{ graphView(maxNodes: 500) { nodes { id label name } } }"
SHOW = "mutation { setShowSensitive(show: true) }"


def marker() -> str:
    return uuid.uuid4().hex


async def cycle(client: GraphQLClient, token: str, **given: Any) -> dict[str, Any]:
    values = {"date": "2026-03-01", "eventType": "PERIOD_START", **given}
    return (await client.data(CREATE_CYCLE, {"input": values}, token=token))["createCycleEntry"]


async def intimacy(client: GraphQLClient, token: str, **given: Any) -> dict[str, Any]:
    values = {"kind": "PHYSICAL_AFFECTION", **given}
    return (await client.data(CREATE_INTIMACY, {"input": values}, token=token))["createIntimacyEntry"]


async def counts(graph: Graph) -> tuple[int, int]:
    async with graph.driver.session() as session:
        record = await (
            await session.run("MATCH (n) WITH count(n) AS n RETURN n, COUNT { ()-[]->() } AS r")
        ).single(strict=True)
    return record["n"], record["r"]


async def uid_of(graph: Graph, owner: str, summary: str) -> str:
    """The uid of the owner's conflict of this summary."""
    async with graph.driver.session() as session:
        query = "MATCH (c:Conflict {owner: $owner, summary: $summary}) RETURN c.uid AS uid"
        return (await (await session.run(query, owner=owner, summary=summary)).single(strict=True))["uid"]


async def events_of(graph: Graph, owner: str) -> list[list[str]]:
    """The nodes each event of the owner's log names."""
    async with graph.driver.session() as session:
        query = "MATCH (e:Event {owner: $owner}) RETURN e.nodes AS nodes ORDER BY e.sequence"
        return [record["nodes"] or [] async for record in await session.run(query, owner=owner)]


def test_the_personal_kinds_are_neither_drawn_nor_searched_and_a_kind_that_would_be_is_refused() -> None:
    for label in ("CycleEntry", "IntimacyEntry"):
        kind = BY_LABEL[label]
        assert kind.personal and kind not in DRAWN and kind not in SEARCHED
        assert {"note", "mood"} <= set(kind.sensitive)
    with pytest.raises(ValueError, match="neither drawn, searched nor shared"):
        replace(BY_LABEL["CycleEntry"], drawn=True)


async def test_cycle_entries_are_created_listed_newest_first_changed_and_deleted(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("cycle@example.com")
    sam = await create_recipient(client, token, "Sam", kind="PARTNER")
    first = await cycle(
        client,
        token,
        date="2026-02-01",
        cycleDay=1,
        flow="HEAVY",
        symptoms=["cramps", "cramps", "headache"],
        mood="tired",
        note="Rest day",
        aboutId=sam["id"],
    )
    assert first["symptoms"] == ["cramps", "headache"] and first["mood"] == "tired"
    assert first["note"] == "Rest day" and first["flow"] == "HEAVY" and first["cycleDay"] == 1
    assert first["about"] == {"id": sam["id"], "name": "Sam"} and first["eventType"] == "PERIOD_START"
    second = await cycle(client, token, date="2026-02-14", eventType="OVULATION", cycleDay=14)
    third = await cycle(client, token, date="2026-02-05", eventType="PERIOD_END", cycleDay=5)
    assert second["about"] is None and second["symptoms"] is None and second["note"] is None

    async def dates(filter: dict[str, Any] | None = None, order: Any = None) -> list[str]:
        found = await client.data(CYCLES, {"f": filter, "o": order}, token=token)
        return [node["date"] for node in found["cycleEntries"]["nodes"]]

    assert await dates() == ["2026-02-14", "2026-02-05", "2026-02-01"]  # the newest first
    assert await dates({"since": "2026-02-02", "until": "2026-02-10"}) == ["2026-02-05"]
    assert await dates({"eventTypes": ["OVULATION", "PERIOD_START"]}) == ["2026-02-14", "2026-02-01"]
    assert await dates({"aboutId": sam["id"]}) == ["2026-02-01"]
    assert await dates(None, [{"field": "DATE", "direction": "ASC"}]) == [
        "2026-02-01",
        "2026-02-05",
        "2026-02-14",
    ]
    reached = await client.data(
        "query ($id: ID!) { node(id: $id) { ... on Recipient { cycleEntries { nodes { id } } } } }",
        {"id": sam["id"]},
        token=token,
    )
    assert reached["node"]["cycleEntries"]["nodes"] == [{"id": first["id"]}]

    changed = {"id": first["id"], "symptoms": ["bloating"], "note": None, "mood": "calm", "cycleDay": 2}
    updated = (await client.data(UPDATE_CYCLE, {"input": changed}, token=token))["updateCycleEntry"]
    assert updated["symptoms"] == ["bloating"] and updated["note"] is None and updated["mood"] == "calm"
    assert updated["cycleDay"] == 2 and updated["date"] == "2026-02-01" and updated["flow"] == "HEAVY"
    read = (await client.data(NODE, {"id": first["id"]}, token=token))["node"]
    assert read == {"__typename": "CycleEntry", "id": first["id"], "note": None, "symptoms": ["bloating"]}

    deleted = await client.data(DELETE_CYCLE, {"id": third["id"]}, token=token)
    assert deleted["deleteCycleEntry"] == {"deletedId": third["id"], "deletedCount": 1}
    assert await dates() == ["2026-02-14", "2026-02-01"]
    assert (await client.data(NODE, {"id": third["id"]}, token=token))["node"] is None


async def test_intimacy_entries_are_created_listed_newest_first_changed_and_deleted(
    client: GraphQLClient,
) -> None:
    token = await client.sign_up("intimacy@example.com")
    sam = await create_recipient(client, token, "Sam", kind="PARTNER")
    older = await intimacy(
        client,
        token,
        occurredAt="2026-01-10T22:00:00+01:00",
        kind="SEX",
        initiatedBy="PARTNER",
        satisfaction=4,
        mood="close",
        note="After the concert",
        aboutId=sam["id"],
    )
    assert older["occurredAt"].startswith("2026-01-10T21:00:00") and older["kind"] == "SEX"
    assert (
        older["satisfaction"] == 4
        and older["initiatedBy"] == "PARTNER"
        and older["note"] == "After the concert"
    )
    assert older["about"] == {"id": sam["id"], "name": "Sam"}
    newer = await intimacy(client, token)  # now, by default
    assert newer["satisfaction"] is None and newer["kind"] == "PHYSICAL_AFFECTION"

    async def ids(filter: dict[str, Any] | None = None) -> list[str]:
        found = await client.data(INTIMACIES, {"f": filter}, token=token)
        return [node["id"] for node in found["intimacyEntries"]["nodes"]]

    assert await ids() == [newer["id"], older["id"]]
    assert await ids({"kinds": ["SEX"]}) == [older["id"]]
    assert await ids({"until": "2026-02-01T00:00:00Z"}) == [older["id"]]
    assert await ids({"aboutId": sam["id"]}) == [older["id"]]
    changed = {"id": older["id"], "satisfaction": 5, "kind": "EMOTIONAL", "initiatedBy": None}
    updated = (await client.data(UPDATE_INTIMACY, {"input": changed}, token=token))["updateIntimacyEntry"]
    assert updated["satisfaction"] == 5 and updated["kind"] == "EMOTIONAL" and updated["initiatedBy"] is None
    assert updated["note"] == "After the concert"
    deleted = await client.data(DELETE_INTIMACY, {"id": older["id"]}, token=token)
    assert deleted["deleteIntimacyEntry"]["deletedCount"] == 1
    assert await ids() == [newer["id"]]


async def test_their_personal_fields_are_sealed_at_rest(client: GraphQLClient, graph: Graph) -> None:
    token = await client.sign_up("sealed-entries@example.com")
    words = {name: marker() for name in ("symptom", "mood", "note", "imood", "inote")}
    made = await cycle(
        client, token, symptoms=[words["symptom"]], mood=words["mood"], note=words["note"], flow="LIGHT"
    )
    held = await intimacy(client, token, satisfaction=3, mood=words["imood"], note=words["inote"])
    async with graph.driver.session() as session:
        query = (
            "MATCH (n) WHERE n:CycleEntry OR n:IntimacyEntry RETURN labels(n)[0] AS label, properties(n) AS p"
        )
        stored = {r["label"]: r["p"] async for r in await session.run(query)}
    for name in ("symptoms", "mood", "note"):
        assert stored["CycleEntry"][name].startswith("s1:"), stored["CycleEntry"]
    for name in ("satisfaction", "mood", "note"):
        assert stored["IntimacyEntry"][name].startswith("s1:"), stored["IntimacyEntry"]
    assert stored["CycleEntry"]["flow"] == "light"  # what a list is filtered by is kept plain
    everything = await everything_in_neo4j(graph)
    assert all(word not in everything for word in words.values())
    assert made["note"] == words["note"] and held["satisfaction"] == 3  # opened for their author


async def test_another_user_reaches_none_of_them(client: GraphQLClient, graph: Graph) -> None:
    """Bob is Ann's partner, in a couple with her, her person Sam linked to his account, and he reads
    what she shares: her entries about him reach him by no way at all."""
    ann = await client.sign_up("ann-entries@example.com")
    bob = await client.sign_up("bob-entries@example.com")
    code = (await client.data(INVITE, token=ann))["inviteToCouple"]["code"]
    await client.data(ACCEPT, {"code": code}, token=bob)
    sam = await create_recipient(client, ann, "Sam", kind="PARTNER")
    linked = await client.data(LINK_PARTNER, {"id": sam["id"]}, token=ann)
    assert linked["linkPartner"]["partnerRecipientId"] == sam["id"]
    note = marker()
    made = await cycle(client, ann, note=note, aboutId=sam["id"])
    held = await intimacy(client, ann, note=note, satisfaction=5, aboutId=sam["id"])
    error = await client.error(SHARE, {"id": made["id"]}, token=ann)
    assert error["extensions"]["code"] == "NOT_SHAREABLE", error
    summary = f"Shared {marker()}"  # not the entries' note: her own stream carries it
    shared = (
        await client.data(CONFLICT, {"input": {"recipientId": sam["id"], "summary": summary}}, token=ann)
    )["createConflict"]
    assert (await client.data(SHARE, {"id": shared["id"]}, token=ann))["shareWithCouple"] is True
    await client.data(UPDATE_CYCLE, {"input": {"id": made["id"], "flow": "HEAVY"}}, token=ann)
    for entry in (made, held):
        assert (await client.data(NODE, {"id": entry["id"]}, token=bob))["node"] is None
    assert (await client.data(NODES, {"ids": [made["id"], held["id"]]}, token=bob))["nodes"] == [None, None]
    assert (await client.data(CYCLES, token=bob))["cycleEntries"] == {"totalCount": 0, "nodes": []}
    assert (await client.data(INTIMACIES, token=bob))["intimacyEntries"] == {"totalCount": 0, "nodes": []}
    for query, values in (
        (UPDATE_CYCLE, {"input": {"id": made["id"], "note": "mine"}}),
        (UPDATE_INTIMACY, {"input": {"id": held["id"], "note": "mine"}}),
        (DELETE_CYCLE, {"id": made["id"]}),
        (DELETE_INTIMACY, {"id": held["id"]}),
    ):
        error = await client.error(query, values, token=bob)
        assert error["extensions"]["code"] == "NOT_FOUND", error
    # Ann's partner is no one Bob may write about, nor filter by.
    error = await client.error(
        CREATE_CYCLE, {"input": {"date": "2026-01-01", "eventType": "MOOD", "aboutId": sam["id"]}}, token=bob
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await client.data(CYCLES, {"f": {"aboutId": sam["id"]}}, token=bob))["cycleEntries"][
        "nodes"
    ] == []
    assert (await client.data(CYCLES, token=ann))["cycleEntries"]["nodes"][0]["note"] == note

    # Live updates: Bob's stream names none of them; Ann's names them without their sealed fields, even
    # once she chose to see her sensitive fields in her deltas.
    bob_uid = await owner_of(graph, "bob-entries@example.com")
    ann_uid = await owner_of(graph, "ann-entries@example.com")
    theirs = await graph.read(changes.deltas, owner=bob_uid, after=0)
    # His stream carries what she shared (so it is a stream that could carry hers) ...
    conflict_uid = await uid_of(graph, ann_uid, summary)
    assert {n.uid for d in theirs for n in d.added + d.updated if n.label == "Conflict"} == {conflict_uid}
    # ... and nothing of her entries: not added, changed or removed, not named in his log at all.
    private = ("CycleEntry", "IntimacyEntry")
    assert not [n for d in theirs for n in d.added + d.updated + d.removed if n.label in private]
    assert not [e for e in await events_of(graph, bob_uid) if any(x.startswith(private) for x in e)]
    await client.data(SHOW, token=ann)
    hers = await graph.read(changes.deltas, owner=ann_uid, after=0)
    entries = [n for d in hers for n in d.added + d.updated if n.label in ("CycleEntry", "IntimacyEntry")]
    assert {n.label for n in entries} == {"CycleEntry", "IntimacyEntry"}
    for n in entries:
        assert not set(BY_LABEL[n.label].sensitive) & set(n.properties or {}), n.properties
    assert note not in repr(hers) and "s1:" not in repr(entries)


async def test_bad_input_is_refused_with_a_code_and_nothing_is_written(
    client: GraphQLClient, graph: Graph
) -> None:
    token = await client.sign_up("bad-entries@example.com")
    made = await cycle(client, token)
    held = await intimacy(client, token)
    far = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).date().isoformat()
    cases: list[tuple[str, dict[str, Any], str]] = [
        (CREATE_CYCLE, {"date": "2026-01-01", "eventType": "SYMPTOM", "cycleDay": 0}, "cycleDay"),
        (CREATE_CYCLE, {"date": "2026-01-01", "eventType": "SYMPTOM", "cycleDay": 61}, "cycleDay"),
        (CREATE_CYCLE, {"date": far, "eventType": "SYMPTOM"}, "date"),
        (CREATE_CYCLE, {"date": "1899-12-31", "eventType": "SYMPTOM"}, "date"),
        (CREATE_CYCLE, {"date": "2026-01-01", "eventType": "SYMPTOM", "symptoms": ["x"] * 21}, "symptoms"),
        (CREATE_CYCLE, {"date": "2026-01-01", "eventType": "SYMPTOM", "symptoms": ["x" * 51]}, "symptoms"),
        (CREATE_CYCLE, {"date": "2026-01-01", "eventType": "MOOD", "mood": "m" * 101}, "mood"),
        (CREATE_CYCLE, {"date": "2026-01-01", "eventType": "OTHER", "note": "bell\x07"}, "note"),
        (CREATE_INTIMACY, {"kind": "SEX", "satisfaction": 0}, "satisfaction"),
        (CREATE_INTIMACY, {"kind": "SEX", "satisfaction": 6}, "satisfaction"),
        (CREATE_INTIMACY, {"kind": "SEX", "occurredAt": f"{far}T10:00:00Z"}, "occurredAt"),
        (CREATE_INTIMACY, {"kind": "SEX", "note": "   "}, "note"),
        (UPDATE_CYCLE, {"id": made["id"], "eventType": None}, "eventType"),
        (UPDATE_CYCLE, {"id": made["id"], "date": None}, "date"),
        (UPDATE_CYCLE, {"id": made["id"], "cycleDay": 99, "note": "kept?"}, "cycleDay"),
        (UPDATE_INTIMACY, {"id": held["id"], "kind": None}, "kind"),
        (UPDATE_INTIMACY, {"id": held["id"], "satisfaction": 9, "note": "kept?"}, "satisfaction"),
    ]
    before = await counts(graph)
    for query, given, field in cases:
        error = await client.error(query, {"input": given}, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (given, error)
    assert await counts(graph) == before
    error = await client.error(CYCLES, {"f": {"since": "2026-02-01", "until": "2026-01-01"}}, token=token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    listed = (await client.data(CYCLES, token=token))["cycleEntries"]["nodes"]
    assert [(n["cycleDay"], n["note"]) for n in listed] == [(None, None)]  # nothing of a refused write


async def test_they_are_not_searched_nor_drawn_and_go_with_the_account(
    kindred: Instance, graph: Graph
) -> None:
    client = kindred.client
    token = await client.sign_up("private-view@example.com", PASSWORD)
    sam = await create_recipient(client, token, "Sam", kind="PARTNER")
    word = "saffronwhisper"
    made = await cycle(
        client, token, note=f"{word} cramps after the hike", mood=word, symptoms=[word], aboutId=sam["id"]
    )
    held = await intimacy(client, token, note=f"{word} by the lake", mood=word, aboutId=sam["id"])
    await client.data(
        "mutation ($i: CreateMemoryInput!) { createMemory(input: $i) { id } }",
        {"i": {"kind": "EPISODIC", "content": "A hike by the lake with Sam"}},
        token=token,
    )
    await kindred.dispatcher.drain()
    ids = {made["id"], held["id"]}
    for query in (word, f"{word} cramps after the hike", "by the lake", "cramps"):
        found = (await client.data(SEARCH, {"q": query}, token=token))["search"]
        assert not ids & {hit["node"]["id"] for hit in found}, found
        assert word not in repr(found)
    view = repr(await client.data(VIEW, token=token))
    assert "Sam" in view and not any(i in view for i in ids) and word not in view
    async with graph.driver.session() as session:
        query = "MATCH (n) WHERE n:CycleEntry OR n:IntimacyEntry RETURN n.search_text AS t, n.view_x AS x"
        rows = [r.data() async for r in await session.run(query)]
    assert rows and all(row == {"t": None, "x": None} for row in rows)

    uid = await owner_of(graph, "private-view@example.com")
    delete = "mutation ($password: String!) { deleteAccount(password: $password) }"
    assert (await client.data(delete, {"password": PASSWORD}, token=token))["deleteAccount"] is True

    async def gone() -> bool:
        async with graph.driver.session() as session:
            query = "RETURN COUNT { MATCH (n {owner: $uid}) WHERE n:CycleEntry OR n:IntimacyEntry } AS n"
            return (await (await session.run(query, uid=uid)).single(strict=True))["n"] == 0

    await until(gone)


async def test_a_rants_messages_are_out_of_another_users_reach(client: GraphQLClient) -> None:
    ann = await client.sign_up("ann-rant@example.com")
    bob = await client.sign_up("bob-rant@example.com")
    sam = await create_recipient(client, ann, "Sam")
    rant = await _conversation(client, ann, "Venting", purpose="RANT", participantIds=[sam["id"]])
    said = await _say(client, ann, rant["id"], f"He forgot again {marker()}")
    assert (await client.data(NODES, {"ids": [rant["id"], said["id"]]}, token=bob))["nodes"] == [None, None]
    messages = (
        """query ($id: ID!) { node(id: $id) { ... on Conversation { messages { nodes { text } } } } }"""
    )
    assert (await client.data(messages, {"id": rant["id"]}, token=bob))["node"] is None
    listed = await client.data("{ conversations(filter: {purposes: [RANT]}) { nodes { id } } }", token=bob)
    assert listed["conversations"]["nodes"] == []
    error = await client.error(
        "mutation ($i: AppendMessageInput!) { appendMessage(input: $i) { id } }",
        {"i": {"conversationId": rant["id"], "role": "USER", "text": "mine"}},
        token=bob,
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    # Her own reading is whole: the test above is not blind.
    assert (await client.data(messages, {"id": rant["id"]}, token=ann))["node"]["messages"]["nodes"] == [
        {"text": said["text"]}
    ]
