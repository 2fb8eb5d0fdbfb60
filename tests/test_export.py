"""Export and import: exportAccount writes an archive of the whole account, downloaded through a signed
link; the account is erased; `./kindred import` loads the archive into a new account of the same email;
and the graph is the same again, read through the API and from Neo4j, with its document's bytes, its
search and its sealed note. Plus the refusals: another user's link, a non-empty account, a tampered or
unknown archive, ids already taken."""

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from strawberry.relay import GlobalID

from archive import format
from bench.pdfs import pdf as pdf_of
from graph.driver import Graph
from graph.export import LABELS, LINK_TYPES
from settings import Settings
from tests.conftest import LiveServer
from tests.live import SIGN_UP, live_settings
from tests.test_documents import upload
from tests.test_forget_me import PASSWORD, _no_work_left, _user_gone
from tests.test_forget_me import until as until_within
from tests.test_sensitive import owner_of

EMAIL = "export-ann@example.com"
OTHER_EMAIL = "export-bob@example.com"
EXPORT = "mutation { exportAccount { id status url } }"
EXPORTS = "{ exports { id status url size nodes links events documents error } }"
RECIPIENT = """mutation ($name: String!) {
  createRecipient(input: {name: $name, relationship: {kind: FRIEND, importance: 8}}) { id } }"""
GIFT = "mutation ($input: CreateGiftInput!) { createGift(input: $input) { id } }"
MEMORY = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"
OCCASION = "mutation ($input: CreateOccasionInput!) { createOccasion(input: $input) { id } }"
CONFLICT = "mutation ($input: CreateConflictInput!) { createConflict(input: $input) { id } }"
CONCEPT = "mutation ($name: String!) { createConcept(input: {name: $name}) { id } }"
INSIGHT = "mutation ($input: CreateInsightInput!) { createInsight(input: $input) { id } }"
SERIES = "mutation ($input: CreateSeriesInput!) { createSeries(input: $input) { id } }"
APPEND = """mutation ($id: ID!, $entries: [SeriesEntryInput!]!) {
  appendEntries(seriesId: $id, entries: $entries) { count } }"""
CYCLE = "mutation ($input: CreateCycleEntryInput!) { createCycleEntry(input: $input) { id } }"
INTIMACY = "mutation ($input: CreateIntimacyEntryInput!) { createIntimacyEntry(input: $input) { id } }"
CYCLE_NOTE = "Quillwort tea helped with the cramps"
LINK = "mutation ($a: ID!, $b: ID!, $k: LinkKind!) { link(from: $a, to: $b, kind: $k) { changed } }"
DELETE = "mutation ($password: String!) { deleteAccount(password: $password) }"
DOCUMENT = "query ($id: ID!) { node(id: $id) { ... on Document { status url sha256 } } }"
SEARCH = 'query { search(query: "saffron kite festival", kinds: [MEMORY], first: 3) { node { id } } }'
# The graph as a client reads it: every list, with the fields a person would look at, and the view.
API_GRAPH = """{
  recipients(first: 100) { nodes { id name relationship { importance } } }
  occasions(first: 100) { nodes { id name date } }
  gifts(first: 100) { nodes { id name } }
  memories(first: 100) { nodes { id content growth { total engaged } } }
  concepts(first: 100) { nodes { id name growth { total engaged } } }
  growthProfile(period: MONTH) { total dimensions { key total count lastAt lastSource } periods { start total } }
  conflicts(first: 100) { nodes { id summary privateNote } }
  insights(first: 100) { nodes { id statement evidence { nodes { id } } } }
  series(first: 5) { nodes { id name entryCount about { id }
    entries(first: 5) { nodes { at value delta note detail } }
    summary(period: MONTH) { start count sum first last } } }
  cycleEntries(first: 100) { nodes { id date eventType symptoms note about { id } } }
  intimacyEntries(first: 100) { nodes { id occurredAt kind satisfaction mood about { id } } }
  graphView(maxNodes: 500) { nodes { id label name } links { source target type } }
}"""
GROWTH = (
    "mutation ($credits: [GrowthCreditInput!]!) { recordGrowth(credits: $credits) { credits { sequence } } }"
)
MEMORY_TEXT = "We flew the red kite at the saffron kite festival on the dunes"
NOTE = "What I never said aloud: the quarrel was about the borrowed money"
PAGE = "Quillfeather register of the dune kite club"


async def _rich_account(server: LiveServer, http: httpx.AsyncClient, token: str) -> dict[str, str]:
    """Recipients, a gift, a memory, an occasion, a conflict with a private note, a concept, links, a
    PDF, an insight derived from the memory and the PDF, a series with entries in two months; returns
    some of their ids."""
    mira = (await post(server, RECIPIENT, {"name": "Mira Sandoval"}, token))["createRecipient"]["id"]
    theo = (await post(server, RECIPIENT, {"name": "Theo Marsh"}, token))["createRecipient"]["id"]
    birthday = {"name": "Mira's birthday", "kind": "BIRTHDAY", "date": "1990-05-17", "recipientIds": [mira]}
    occasion = (await post(server, OCCASION, {"input": birthday}, token))["createOccasion"]["id"]
    gift = {"name": "A box kite", "recipientIds": [mira], "occasionId": occasion, "tags": ["kites"]}
    await post(server, GIFT, {"input": gift}, token)
    memory = {"kind": "EPISODIC", "content": MEMORY_TEXT, "recipientIds": [mira, theo], "concepts": ["kites"]}
    memory_id = (await post(server, MEMORY, {"input": memory}, token))["createMemory"]["id"]
    quarrel = {"recipientId": theo, "summary": "About the loan", "privateNote": NOTE}
    await post(server, CONFLICT, {"input": quarrel}, token)
    sailing = (await post(server, CONCEPT, {"name": "sailing"}, token))["createConcept"]["id"]
    await post(server, LINK, {"a": theo, "b": sailing, "k": "INTERESTED_IN"}, token)
    # Growth on a card, a memory and the person, over two months: its buckets travel too.
    credits = [
        {
            "dimension": "world_act",
            "delta": 0.4,
            "source": "MANUAL",
            "entityId": sailing,
            "at": "2026-04-02T10:00:00Z",
        },
        {
            "dimension": "self_know",
            "delta": 0.2,
            "source": "MEMORY",
            "sourceId": memory_id,
            "entityId": memory_id,
        },
        {"dimension": "self_show", "delta": 0.1, "source": "MANUAL", "at": "2026-05-03T10:00:00Z"},
    ]
    await post(server, GROWTH, {"credits": credits}, token)
    made = await upload(
        http, token, mira, "PROFILE", "club.pdf", pdf_of(PAGE, "Second page"), "application/pdf"
    )
    document = made.json()["data"]["uploadDocument"]["id"]
    # An insight derived from a memory and a document: its evidence of every kind is in the archive.
    insight = {
        "category": "PREFERENCE",
        "statement": "Mira loves kites",
        "evidenceIds": [memory_id, document],
    }
    await post(server, INSIGHT, {"input": insight}, token)
    # A series about her, with entries over two months (a delta, a note and a detail on some).
    kites = {"name": "Kites Mira flew", "kind": "OTHER", "unit": "kites", "aboutId": mira}
    series = (await post(server, SERIES, {"input": kites}, token))["createSeries"]["id"]
    entries = [
        {"at": "2026-04-30T18:00:00Z", "value": 2, "delta": 2, "note": "a windy evening"},
        {"at": "2026-05-01T09:30:00+02:00", "value": 5, "detail": {"beach": "north"}},
    ]
    await post(server, APPEND, {"id": series, "entries": entries}, token)
    # Her personal entries, their fields sealed: in her archive opened, sealed again on import.
    day = {"date": "2026-02-01", "eventType": "PERIOD_START", "symptoms": ["cramps"], "note": CYCLE_NOTE}
    await post(server, CYCLE, {"input": {**day, "aboutId": mira}}, token)
    moment = {"kind": "EMOTIONAL", "occurredAt": "2026-02-03T21:00:00Z", "satisfaction": 4, "mood": "close"}
    await post(server, INTIMACY, {"input": {**moment, "aboutId": mira}}, token)
    return {"mira": mira, "memory": memory_id, "document": document}


def _unordered(read: dict[str, Any]) -> dict[str, Any]:
    """The API's graph with the view's nodes and links in one order (the view's own follows its ranks)."""
    view = read["graphView"]
    ordered = {"nodes": sorted(view["nodes"], key=json.dumps), "links": sorted(view["links"], key=json.dumps)}
    return {**read, "graphView": ordered}


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    await until_within(check, within=600)  # seconds: a loaded machine extracts and embeds slowly


async def post(
    server: LiveServer, query: str, variables: dict | None = None, token: str | None = None
) -> Any:
    """tests/live.py's post, with a bound for a loaded machine (signUp's hashing, the view's layout)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=300) as http:
        answer = (
            await http.post(server.url, json={"query": query, "variables": variables}, headers=headers)
        ).json()
    assert "errors" not in answer, answer
    return answer["data"]


async def sign_up(server: LiveServer, email: str) -> str:
    return (await post(server, SIGN_UP, {"email": email}))["signUp"]["token"]


async def _uid(server: LiveServer, token: str) -> str:
    return GlobalID.from_id((await post(server, "{ me { id } }", None, token))["me"]["id"]).node_id


async def _dump(graph: Graph, owner: str) -> dict[str, Any]:
    """The user's nodes of every kind and the links between them (and from their User node), as Neo4j
    holds them, by uid: what is local to an account (its owner, a blob's key, when extraction last ran)
    and sealed values (sealed again with another key) set aside."""
    nodes = f"""
    MATCH (n {{owner: $owner}}) WHERE any(l IN labels(n) WHERE l IN {list(LABELS)!r})
    RETURN labels(n)[0] AS label, properties(n) AS p
    """
    links = f"""
    MATCH (a)-[r]->(b {{owner: $owner}})
    WHERE any(l IN labels(b) WHERE l IN {list(LABELS)!r})
      AND ((a.owner = $owner AND any(l IN labels(a) WHERE l IN {list(LABELS)!r})) OR a.uid = $owner)
    RETURN CASE WHEN a.uid = $owner THEN 'the user' ELSE a.uid END AS a, type(r) AS t, b.uid AS b,
           properties(r) AS p
    """
    local = {"owner", "storage_key", "updated_at", "private_note", "symptoms", "mood", "note", "satisfaction"}
    async with graph.driver.session() as session:
        found = await (await session.run(nodes, owner=owner)).data()
        linked = await (await session.run(links, owner=owner)).data()
    return {
        "nodes": {row["p"]["uid"]: (row["label"], _plain(row["p"], local)) for row in found},
        "links": sorted(
            json.dumps([row["a"], row["t"], row["b"], _plain(row["p"], set())]) for row in linked
        ),
    }


def _plain(props: dict[str, Any], dropped: set[str]) -> str:
    # The layout's places, ranks and communities are derived (the layout consumer places the imported
    # graph again, as it does any graph): the rest must be as it was.
    kept = {k: v for k, v in props.items() if k not in dropped and not k.startswith("view_")}
    return json.dumps(kept, sort_keys=True, default=str)


def _differences(after: dict[str, Any], before: dict[str, Any]) -> list[Any]:
    """What differs between two dumps, node by node and link by link, for a failure to show."""
    nodes = [
        (uid, before["nodes"].get(uid), after["nodes"].get(uid))
        for uid in sorted(set(after["nodes"]) | set(before["nodes"]))
        if after["nodes"].get(uid) != before["nodes"].get(uid)
    ]
    links = sorted(set(after["links"]) ^ set(before["links"]))
    return [*nodes, *links]


async def _written(
    graph: Graph, owner: str, settings: Settings
) -> tuple[dict[str, Any], list[Any], list[str]]:
    """What an import could write for this account: its nodes and links, its events, the blob files."""
    async with graph.driver.session() as session:
        query = (
            "MATCH (e:Event {owner: $owner}) RETURN e.uid AS uid, e.sequence AS sequence ORDER BY e.sequence"
        )
        events = await (await session.run(query, owner=owner)).data()
        query = "MATCH (u:User {uid: $owner}) RETURN u.data_key_id AS key, u.event_sequence AS sequence"
        events.append(await (await session.run(query, owner=owner)).data())
    blobs = sorted(str(path) for path in settings.blobs_dir.rglob("*") if path.is_file())
    return await _dump(graph, owner), events, blobs


async def _ready_export(server: LiveServer, token: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def ready() -> bool:
        rows = (await post(server, EXPORTS, None, token))["exports"]
        assert rows and rows[0]["status"] != "FAILED", rows
        found.update(rows[0])
        return bool(rows[0]["status"] == "READY")

    await until(ready)
    return found


def _import(archive: Path, email: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    """`./kindred import ARCHIVE --email EMAIL` as a person runs it (the module it calls)."""
    env = {k: v for k, v in os.environ.items() if k not in ("QDRANT_URL", "S3_ENDPOINT_URL")}
    env |= {"NEO4J_URI": str(settings.neo4j_uri), "KINDRED_DATA_DIR": str(settings.data_dir)}
    run = [sys.executable, "-m", "archive.imports", str(archive), "--email", email]
    return subprocess.run(run, env=env, capture_output=True, text=True, timeout=600, check=False)


def _rewritten(source: Path, target: Path, change: dict[str, bytes], manifest: bool = False) -> None:
    """A copy of the archive with some parts replaced; with `manifest`, its SHA-256s made again to match."""
    with zipfile.ZipFile(source) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    parts.update(change)
    if manifest:
        body = json.loads(parts[format.MANIFEST])
        body["files"] = {n: hashlib.sha256(d).hexdigest() for n, d in parts.items() if n != format.MANIFEST}
        parts[format.MANIFEST] = json.dumps(body).encode()
    with zipfile.ZipFile(target, "w") as new:
        for name, data in parts.items():
            new.writestr(name, data)


async def test_export_erase_and_import_give_back_the_same_graph(
    settings: Settings, graph: Graph, redis_url: str, tmp_path: Path
) -> None:
    own = live_settings(settings, redis_url=redis_url, data_dir=tmp_path)
    with LiveServer(own) as server:
        async with httpx.AsyncClient(base_url=server.base, timeout=300) as http:
            token = await sign_up(server, EMAIL)
            other = await sign_up(server, OTHER_EMAIL)
            ids = await _rich_account(server, http, token)
            # Bob's graph, linked to nothing of Ann's: none of it may be in her archive.
            await post(server, RECIPIENT, {"name": "Bartholomew Quince"}, other)
            await until(lambda: _no_work_left(graph))
            document = (await post(server, DOCUMENT, {"id": ids["document"]}, token))["node"]
            assert document["status"] == "READY"
            pdf = (await http.get(document["url"])).content
            assert pdf.startswith(b"%PDF")
            uid = await _uid(server, token)
            api_before = _unordered(await post(server, API_GRAPH, None, token))
            dump_before = await _dump(graph, uid)
            assert len(dump_before["nodes"]) >= 8 and dump_before["links"]
            # A series' entries travel too: its two month buckets, and what the API reads of them.
            assert [label for label, _ in dump_before["nodes"].values()].count("SeriesBucket") == 2
            kept = api_before["series"]["nodes"][0]
            assert kept["entryCount"] == 2 and [e["delta"] for e in kept["entries"]["nodes"]] == [None, 2.0]

            asked = (await post(server, EXPORT, None, token))["exportAccount"]
            assert asked["status"] in ("PENDING", "BUILDING") and asked["url"] is None
            made = await _ready_export(server, token)
            assert made["id"] == asked["id"] and made["documents"] == 1
            assert (await post(server, EXPORTS, None, other))["exports"] == []  # Bob sees none of hers
            answer = await http.get(made["url"])
            assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
            archive = tmp_path / "ann.zip"
            archive.write_bytes(answer.content)

            # Bob's own export: his link does not open hers, nor hers with his token, nor a changed one.
            await post(server, EXPORT, None, other)
            bobs = await _ready_export(server, other)
            bob_token = bobs["url"].split("token=", 1)[1]
            for link in (
                made["url"].split("token=", 1)[0] + "token=" + bob_token,
                bobs["url"].replace(bobs["id"], made["id"]),
                made["url"][:-3] + "abc",
                made["url"].split("token=", 1)[0] + "token=",
            ):
                refused = await http.get(link)
                assert (
                    refused.status_code == 403
                    and refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
                ), link
            with zipfile.ZipFile(io.BytesIO(answer.content)) as zipped:
                everything = b"".join(zipped.read(name) for name in zipped.namelist())
                manifest = json.loads(zipped.read(format.MANIFEST))
                assert zipped.read(f"documents/{GlobalID.from_id(ids['document']).node_id}/club.pdf") == pdf
            assert b"Bartholomew" not in everything and (await _uid(server, other)).encode() not in everything
            assert NOTE.encode() in everything  # opened for the owner: the archive is hers
            assert CYCLE_NOTE.encode() in everything
            assert manifest["user"] == {"uid": uid, "email": EMAIL, "name": "Ann"}
            assert manifest["counts"]["nodes"] == len(dump_before["nodes"])

            assert (await post(server, DELETE, {"password": PASSWORD}, token))["deleteAccount"] is True
            await until(lambda: _user_gone(graph, uid))
            refused = await http.get(made["url"])  # the account, and its archive, are gone
            assert (
                refused.status_code == 403
                and refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            )

            token = await sign_up(server, EMAIL)
            new_uid = await _uid(server, token)
            done = _import(archive, EMAIL, own)
            assert done.returncode == 0, done.stderr
            assert f"imported {len(dump_before['nodes'])} nodes" in done.stdout
            await until(lambda: _no_work_left(graph))

            api_after = _unordered(await post(server, API_GRAPH, None, token))
            view_diff = [
                x for x in api_after["graphView"]["links"] if x not in api_before["graphView"]["links"]
            ]
            view_diff += [
                x for x in api_before["graphView"]["links"] if x not in api_after["graphView"]["links"]
            ]
            assert api_after == api_before, view_diff
            dump_after = await _dump(graph, new_uid)
            assert dump_after == dump_before, _differences(dump_after, dump_before)
            document = (await post(server, DOCUMENT, {"id": ids["document"]}, token))["node"]
            assert document["status"] == "READY" and (await http.get(document["url"])).content == pdf
            found = [hit["node"]["id"] for hit in (await post(server, SEARCH, None, token))["search"]]
            assert ids["memory"] in found
            conflicts = (await post(server, API_GRAPH, None, token))["conflicts"]["nodes"]
            assert [c["privateNote"] for c in conflicts] == [NOTE]
            cycles = (await post(server, API_GRAPH, None, token))["cycleEntries"]["nodes"]
            assert [(c["note"], c["symptoms"]) for c in cycles] == [(CYCLE_NOTE, ["cramps"])]
            events = (await post(server, "{ events(first: 1) { nodes { sequence } } }", None, token))[
                "events"
            ]
            assert events["nodes"][0]["sequence"] == 1

            # Again into the same account (no longer empty): refused, nothing written.
            before = await _written(graph, new_uid, own)
            again = _import(archive, EMAIL, own)
            assert again.returncode == 1 and "not empty" in again.stderr
            assert await _written(graph, new_uid, own) == before
            # Into a fresh account of this instance: its ids are taken, refused, nothing written.
            await sign_up(server, "export-cleo@example.com")
            cleo = await owner_of(graph, "export-cleo@example.com")
            before = await _written(graph, cleo, own)
            taken = _import(archive, "export-cleo@example.com", own)
            assert taken.returncode == 1 and "taken" in taken.stderr
            assert await _written(graph, cleo, own) == before


async def test_a_tampered_or_unknown_archive_is_refused_and_nothing_is_written(
    settings: Settings, graph: Graph, redis_url: str, tmp_path: Path
) -> None:
    own = live_settings(settings, redis_url=redis_url, data_dir=tmp_path)
    with LiveServer(own) as server:
        token = await sign_up(server, "export-dora@example.com")
        await post(server, RECIPIENT, {"name": "Dora's friend"}, token)
        await post(server, EXPORT, None, token)
        made = await _ready_export(server, token)
        async with httpx.AsyncClient(timeout=300) as http:
            archive = tmp_path / "dora.zip"
            archive.write_bytes((await http.get(made["url"])).content)
        with zipfile.ZipFile(archive) as zipped:
            nodes = zipped.read(format.NODES)
            manifest = json.loads(zipped.read(format.MANIFEST))
        await sign_up(server, "export-eve@example.com")
        eve = await owner_of(graph, "export-eve@example.com")
        before = await _written(graph, eve, own)
        assert before[0]["nodes"] == {}
        cases = {
            "edited": ({format.NODES: nodes.replace(b"Dora's friend", b"Someone else")}, False, "altered"),
            "unknown kind": ({format.NODES: nodes.replace(b'"Recipient"', b'"Spaceship"')}, True, "kind"),
            "version": (
                {format.MANIFEST: json.dumps({**manifest, "version": 99}).encode()},
                False,
                "version 99",
            ),
            "not json": ({format.NODES: b"{not json\n"}, True, "not JSON"),
        }
        for name, (change, remade, said) in cases.items():
            bad = tmp_path / f"{name}.zip"
            _rewritten(archive, bad, change, manifest=remade)
            refused = _import(bad, "export-eve@example.com", own)
            assert refused.returncode == 1 and said in refused.stderr, (name, refused.stderr)
        (tmp_path / "garbage.zip").write_bytes(b"PK not a zip at all")
        refused = _import(tmp_path / "garbage.zip", "export-eve@example.com", own)
        assert refused.returncode == 1 and "not a readable zip" in refused.stderr
        assert await _written(graph, eve, own) == before


async def test_an_api_key_cannot_export_and_nobody_else_sees_an_export(
    settings: Settings, graph: Graph, redis_url: str, tmp_path: Path
) -> None:
    own = live_settings(settings, redis_url=redis_url, data_dir=tmp_path)
    with LiveServer(own) as server:
        token = await sign_up(server, "export-fay@example.com")
        key = (await post(server, 'mutation { createApiKey(name: "k") { key } }', None, token))[
            "createApiKey"
        ]
        async with httpx.AsyncClient(timeout=300) as http:
            answer = (
                await http.post(
                    server.url, json={"query": EXPORT}, headers={"authorization": f"Bearer {key['key']}"}
                )
            ).json()
            assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            anonymous = (await http.post(server.url, json={"query": EXPORT})).json()
            assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            missing = await http.get(f"{server.base}/exports/no-such-export/archive?token=x")
            assert (
                missing.status_code == 403
                and missing.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            )


async def test_what_the_owner_no_longer_sees_stays_out_of_the_archive(
    settings: Settings, graph: Graph, redis_url: str, tmp_path: Path
) -> None:
    """A deleted document whose bytes are purged already, and a short-term memory past its expiry, are
    hidden from every read: the archive leaves them out, and the links to them, instead of failing."""
    own = live_settings(settings, redis_url=redis_url, data_dir=tmp_path)
    with LiveServer(own) as server:
        async with httpx.AsyncClient(base_url=server.base, timeout=300) as http:
            token = await sign_up(server, "export-gus@example.com")
            mira = (await post(server, RECIPIENT, {"name": "Mira Sandoval"}, token))["createRecipient"]["id"]
            fleeting = {"kind": "SHORT_TERM", "content": "Parked on level four", "recipientIds": [mira]}
            memory = (await post(server, MEMORY, {"input": fleeting}, token))["createMemory"]["id"]
            made = await upload(http, token, mira, "PROFILE", "old.pdf", pdf_of(PAGE), "application/pdf")
            document = made.json()["data"]["uploadDocument"]["id"]
            await until(lambda: _no_work_left(graph))
            hidden = {GlobalID.from_id(memory).node_id, GlobalID.from_id(document).node_id}
            # The memory's hour is over, and the document was deleted and its blob purged before the
            # purge job removed its node (the order the purge works in).
            async with graph.driver.session() as session:
                await session.run(
                    "MATCH (m:Memory {uid: $m}) SET m.expires_at = datetime() - duration('PT1H') "
                    "WITH m MATCH (d:Document {uid: $d}) SET d.deleted_at = datetime()",
                    m=GlobalID.from_id(memory).node_id,
                    d=GlobalID.from_id(document).node_id,
                )
            for path in own.blobs_dir.rglob("*"):
                if path.is_file():
                    path.unlink()

            await post(server, EXPORT, None, token)
            ready = await _ready_export(server, token)
            archive = tmp_path / "gus.zip"
            archive.write_bytes((await http.get(ready["url"])).content)
    opened, read = format.read(str(archive), LABELS, LINK_TYPES)  # every link's ends are in it
    opened.close()
    kept = {node["uid"] for node in read.nodes}
    assert GlobalID.from_id(mira).node_id in kept and not kept & hidden
    assert not [link for link in read.links if {link["from"], link["to"]} & hidden]
    assert read.documents == {} and ready["documents"] == 0
