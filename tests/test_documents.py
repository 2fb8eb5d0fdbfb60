"""Documents: uploads over GraphQL multipart requests, downloads, extraction through the dispatcher, and
search over what was extracted; against the real Neo4j, the embedded vectors and the filesystem blobs."""

import io
import json
import math
import struct
import time
import wave
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import create_app
from bench.pdfs import pdf as pdf_of
from dispatch.runner import Dispatcher
from graph import changes
from graph.driver import Graph
from settings import Settings
from storage.blobs import BlobStore
from storage.vectors import VectorStore
from tests.client import GraphQLClient
from tests.conftest import LiveServer
from tests.lifespan import started
from tests.openai_stand_in import SPOKEN, OpenAIStandIn
from tests.test_blobs_contract import moto_url  # noqa: F401 -- the fixture: moto's S3 server
from tests.test_recipients import create as create_recipient

UPLOAD = """mutation ($file: Upload!, $to: ID!, $role: DocumentRole!) {
  uploadDocument(file: $file, attachTo: $to, role: $role) {
    id kind role filename mime size sha256 storageKey status pages durationSeconds url
    attachedTo { id __typename } } }"""
DOCUMENT = """query ($id: ID!) { node(id: $id) { ... on Document {
  id status failureReason pages durationSeconds url kind mime } } }"""
DELETE = "mutation ($id: ID!) { deleteDocument(id: $id) { deletedId } }"
SEARCH = """query ($q: String!, $kinds: [SearchKind!]) { search(query: $q, kinds: $kinds, first: 5) {
  score matched { text fields words signals } node { id __typename }
  chunk { text page startSeconds endSeconds document { id filename } } } }"""
CONFLICT = """mutation ($input: CreateConflictInput!) { createConflict(input: $input) { id } }"""
CONFLICT_TRANSCRIPT = "query ($id: ID!) { node(id: $id) { ... on Conflict { transcript } } }"
MEMORY = """mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"""
DELETE_RECIPIENT = "mutation ($id: ID!) { deleteRecipient(id: $id) { deletedId } }"

SECOND_PAGE = "She keeps a lighthouse keeper's logbook and is afraid of thunderstorms at sea."


def profile_pdf() -> bytes:
    return pdf_of(
        "Personality profile of Ann. Ann is an organised planner who likes spreadsheets and tea.",
        SECOND_PAGE,
        "Relationship handbook: talk things over on Sunday mornings.",
    )


def wav_of(seconds: float, rate: int = 8000) -> bytes:
    """A WAV of a quiet 440 Hz tone (16-bit mono)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        frames = int(seconds * rate)
        audio.writeframes(
            b"".join(
                struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(frames)
            )
        )
    return out.getvalue()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x03\x00\x08\xfc\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def upload(
    http: httpx.AsyncClient,
    token: str,
    to: str,
    role: str,
    name: str,
    data: bytes | Any,
    content_type: str = "application/octet-stream",
    *,
    csrf: bool = True,
) -> httpx.Response:
    """A GraphQL multipart request (operations, map, then the file), as Apollo's upload client sends it."""
    operations = {"query": UPLOAD, "variables": {"file": None, "to": to, "role": role}}
    form = {"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})}
    headers = {"Authorization": f"Bearer {token}"}
    if csrf:
        headers["Apollo-Require-Preflight"] = "true"
    return await http.post("/graphql", data=form, files={"0": (name, data, content_type)}, headers=headers)


@dataclass
class Instance:
    client: GraphQLClient
    http: httpx.AsyncClient
    dispatcher: Dispatcher
    blobs: BlobStore
    blobs_dir: Path
    vectors: VectorStore


@asynccontextmanager
async def app_of(
    settings: Settings, graph: Graph, tmp_path: Path, **update: object
) -> AsyncIterator[Instance]:
    """An app of its own (its blobs and vectors in `tmp_path`), its settings `update`d; its dispatcher runs
    on `drain`."""
    own = settings.model_copy(update={"data_dir": tmp_path, **update})
    async with started(create_app(own, graph)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
            state = manager._state
            yield Instance(
                GraphQLClient(http),
                http,
                state["dispatcher"],
                state["blobs"],
                own.blobs_dir,
                state["vectors"],
            )


@pytest.fixture
async def kindred(settings: Settings, graph: Graph, tmp_path: Path) -> AsyncIterator[Instance]:
    """An app of its own (its blobs and vectors in a fresh folder); its dispatcher runs on `drain`."""
    # No transcriber: these tests are about uploads and PDFs (tests/test_local_transcription.py hears).
    async with app_of(settings, graph, tmp_path, max_upload_bytes=2_000_000, transcriber="none") as made:
        yield made


def blob_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


async def documents_in_graph(graph: Graph) -> int:
    async with graph.driver.session() as session:
        record = await (await session.run("MATCH (d:Document) RETURN count(d) AS n")).single()
        return record["n"]


async def recipient(k: Instance, token: str, name: str = "Ann") -> str:
    return (await create_recipient(k.client, token, name))["id"]


async def document(k: Instance, token: str, doc_id: str) -> dict[str, Any] | None:
    return (await k.client.data(DOCUMENT, {"id": doc_id}, token=token))["node"]


# --- uploads and what they make ---------------------------------------------------------------------


async def test_a_pdf_uploaded_over_http_is_found_by_a_phrase_on_its_second_page(
    settings: Settings, tmp_path: Path
) -> None:
    """Through uvicorn on a real port, with its dispatcher running: what a client sees end to end."""
    own = settings.model_copy(update={"data_dir": tmp_path, "dispatch": True, "dispatch_poll_seconds": 0.2})
    with LiveServer(own) as live:
        base = live.url.removesuffix("/graphql")
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            client = GraphQLClient(http)
            token = await client.sign_up("profile@example.com")
            ann = (await create_recipient(client, token, "Ann"))["id"]
            data = profile_pdf()
            answer = await upload(http, token, ann, "PROFILE", "ann-profile.pdf", data, "application/pdf")
            made = answer.json()["data"]["uploadDocument"]
            assert made["kind"] == "PDF" and made["mime"] == "application/pdf" and made["size"] == len(data)
            assert made["attachedTo"] == {"id": ann, "__typename": "Recipient"}
            assert made["status"] in ("PENDING", "EXTRACTING", "READY")
            deadline = time.monotonic() + 120
            while (found := (await client.data(DOCUMENT, {"id": made["id"]}, token=token))["node"])[
                "status"
            ] in ("PENDING", "EXTRACTING"):
                assert time.monotonic() < deadline, "the PDF was not extracted in time"
                await _pause()
            assert (found["status"], found["pages"]) == ("READY", 3)
            hits = (await client.data(SEARCH, {"q": "scared of storms on the ocean"}, token=token))["search"]
            assert hits[0]["node"] == {"id": made["id"], "__typename": "Document"}
            assert hits[0]["chunk"]["page"] == 2
            assert "thunderstorms" in hits[0]["chunk"]["text"]
            assert hits[0]["chunk"]["document"]["filename"] == "ann-profile.pdf"
            # The download streams the same bytes back, and serves a byte range.
            whole = await http.get(found["url"])
            assert whole.status_code == 200 and whole.content == data
            assert whole.headers["content-type"].startswith("application/pdf")
            part = await http.get(found["url"], headers={"Range": "bytes=0-4"})
            assert part.status_code == 206 and part.content == b"%PDF-"


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.2)  # polling the document's status, as a client would


async def test_search_keeps_its_other_kinds_and_a_document_kind_filter(kindred: Instance) -> None:
    token = await kindred.client.sign_up("kinds@example.com")
    ann = await recipient(kindred, token)
    await upload(kindred.http, token, ann, "PROFILE", "p.pdf", profile_pdf(), "application/pdf")
    await kindred.dispatcher.drain()
    only_recipients = (await kindred.client.data(SEARCH, {"q": "Ann", "kinds": ["RECIPIENT"]}, token=token))[
        "search"
    ]
    assert [hit["node"]["__typename"] for hit in only_recipients] == ["Recipient"]
    assert only_recipients[0]["chunk"] is None
    only_documents = (
        await kindred.client.data(SEARCH, {"q": "lighthouse logbook", "kinds": ["DOCUMENT"]}, token=token)
    )["search"]
    assert only_documents and {hit["node"]["__typename"] for hit in only_documents} == {"Document"}
    assert only_documents[0]["chunk"]["page"] == 2


async def test_a_passage_is_found_by_its_words_before_a_node_that_only_means_the_like(
    kindred: Instance,
) -> None:
    """Passages were found by their vectors alone: "quince jam" put a concept about preserves first."""
    token = await kindred.client.sign_up("quince@example.com")
    oma = await recipient(kindred, token, "Ruth")
    concept = "mutation ($input: ConceptInput!) { createConcept(input: $input) { id } }"
    preserves = {"name": "preserves", "description": "homemade jams, jellies and marmalades"}
    await kindred.client.data(concept, {"input": preserves}, token=token)
    pages = ("Care notes: blood pressure tablets with breakfast.", "Her favourite: quince jam on rye bread.")
    await upload(kindred.http, token, oma, "PROFILE", "notes.pdf", pdf_of(*pages), "application/pdf")
    await kindred.dispatcher.drain()
    hits = (await kindred.client.data(SEARCH, {"q": "quince jam"}, token=token))["search"]
    assert hits[0]["node"]["__typename"] == "Document" and hits[0]["chunk"]["page"] == 2
    assert hits[0]["matched"]["fields"] == ["passage"] and hits[0]["matched"]["words"] == ["quince", "jam"]
    assert "WORDS" in hits[0]["matched"]["signals"]


async def test_the_same_file_twice_is_one_blob_kept_until_its_last_document_goes(kindred: Instance) -> None:
    token = await kindred.client.sign_up("twice@example.com")
    ann, bob = await recipient(kindred, token, "Ann"), await recipient(kindred, token, "Bob")
    data = profile_pdf()
    first = (await upload(kindred.http, token, ann, "PROFILE", "a.pdf", data)).json()["data"][
        "uploadDocument"
    ]
    second = (await upload(kindred.http, token, bob, "PROFILE", "b.pdf", data)).json()["data"][
        "uploadDocument"
    ]
    assert first["storageKey"] == second["storageKey"] and first["id"] != second["id"]
    assert len(blob_files(kindred.blobs_dir)) == 1
    await kindred.dispatcher.drain()
    await kindred.client.data(DELETE, {"id": first["id"]}, token=token)
    assert await document(kindred, token, first["id"]) is None  # out of sight at once
    await kindred.dispatcher.drain()
    assert len(blob_files(kindred.blobs_dir)) == 1  # the other document still has these bytes
    hits = (
        await kindred.client.data(SEARCH, {"q": "lighthouse logbook", "kinds": ["DOCUMENT"]}, token=token)
    )["search"]
    assert {hit["node"]["id"] for hit in hits} == {second["id"]}
    await kindred.client.data(DELETE, {"id": second["id"]}, token=token)
    await kindred.dispatcher.drain()
    assert blob_files(kindred.blobs_dir) == []
    assert await kindred.blobs.size(second["storageKey"]) is None
    hits = (
        await kindred.client.data(SEARCH, {"q": "lighthouse logbook", "kinds": ["DOCUMENT"]}, token=token)
    )["search"]
    assert hits == []


async def test_deleting_the_node_a_document_belongs_to_removes_the_document_and_its_blob(
    kindred: Instance, graph: Graph
) -> None:
    token = await kindred.client.sign_up("cascade@example.com")
    ann = await recipient(kindred, token)
    made = (await upload(kindred.http, token, ann, "PROFILE", "p.pdf", profile_pdf())).json()["data"][
        "uploadDocument"
    ]
    await kindred.dispatcher.drain()
    await kindred.client.data(DELETE_RECIPIENT, {"id": ann}, token=token)
    assert await document(kindred, token, made["id"]) is None
    await kindred.dispatcher.drain()
    assert blob_files(kindred.blobs_dir) == []
    assert await documents_in_graph(graph) == 0
    async with graph.driver.session() as session:
        chunks = await (await session.run("MATCH (c:DocumentChunk) RETURN count(c) AS n")).single()
    assert chunks["n"] == 0


async def test_a_photo_is_kept_for_a_memory_and_ready_at_once(kindred: Instance) -> None:
    token = await kindred.client.sign_up("photo@example.com")
    memory = (
        await kindred.client.data(
            MEMORY, {"input": {"kind": "EPISODIC", "content": "Beach day"}}, token=token
        )
    )["createMemory"]["id"]
    made = (await upload(kindred.http, token, memory, "PHOTO", "beach.png", PNG, "image/png")).json()
    assert made["data"]["uploadDocument"]["kind"] == "IMAGE"
    await kindred.dispatcher.drain()
    assert (await document(kindred, token, made["data"]["uploadDocument"]["id"]))["status"] == "READY"


async def test_a_recording_with_the_transcriber_set_to_none_is_untranscribed(kindred: Instance) -> None:
    token = await kindred.client.sign_up("audio@example.com")
    ann = await recipient(kindred, token)
    conflict = (await kindred.client.data(CONFLICT, {"input": {"recipientId": ann}}, token=token))[
        "createConflict"
    ]["id"]
    answer = await upload(kindred.http, token, conflict, "RECORDING", "fight.wav", wav_of(2.0), "audio/wav")
    made = answer.json()["data"]["uploadDocument"]
    assert (made["kind"], made["mime"]) == ("AUDIO", "audio/wav")
    await kindred.dispatcher.drain()
    found = await document(kindred, token, made["id"])
    assert found["status"] == "UNTRANSCRIBED"
    assert found["durationSeconds"] == pytest.approx(2.0, abs=0.01)
    assert (await kindred.client.data(CONFLICT_TRANSCRIPT, {"id": conflict}, token=token))["node"] == {
        "transcript": None
    }


async def test_a_broken_pdf_fails_with_its_reason(kindred: Instance) -> None:
    token = await kindred.client.sign_up("broken@example.com")
    ann = await recipient(kindred, token)
    broken = b"%PDF-1.7\n" + b"\x00 not really a pdf " * 50
    made = (await upload(kindred.http, token, ann, "PROFILE", "broken.pdf", broken)).json()["data"][
        "uploadDocument"
    ]
    await kindred.dispatcher.drain()
    found = await document(kindred, token, made["id"])
    assert found["status"] == "FAILED" and "PDF" in found["failureReason"]


# --- refusals, each leaving nothing behind --------------------------------------------------------


async def assert_nothing_kept(k: Instance, graph: Graph) -> None:
    assert blob_files(k.blobs_dir) == []
    assert await documents_in_graph(graph) == 0


async def test_an_upload_over_the_cap_is_refused_with_413_and_nothing_kept(
    kindred: Instance, graph: Graph
) -> None:
    token = await kindred.client.sign_up("large@example.com")
    ann = await recipient(kindred, token)
    too_large = pdf_of("big") + b"\n%" + b"x" * 2_100_000
    answer = await upload(kindred.http, token, ann, "PROFILE", "big.pdf", too_large)
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "limit": "upload"}
    await assert_nothing_kept(kindred, graph)


async def test_the_upload_cap_does_not_lift_the_cap_on_plain_graphql_bodies(kindred: Instance) -> None:
    padding = " " * 1_100_000  # over KINDRED_MAX_BODY_BYTES, under the upload cap
    answer = await kindred.http.post("/graphql", json={"query": "{ __typename }" + padding})
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "limit": "body"}


async def test_a_file_whose_name_and_type_lie_about_its_bytes_is_refused(
    kindred: Instance, graph: Graph
) -> None:
    token = await kindred.client.sign_up("liar@example.com")
    ann = await recipient(kindred, token)
    # A PNG sent as a PDF profile.
    answer = await upload(kindred.http, token, ann, "PROFILE", "profile.pdf", PNG, "application/pdf")
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["detected"] == "image/png"
    # A real PDF, attached as a memory's photo under a photo's name.
    memory = (
        await kindred.client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": "x"}}, token=token)
    )["createMemory"]["id"]
    answer = await upload(kindred.http, token, memory, "PHOTO", "photo.png", pdf_of("x"), "image/png")
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # A real PDF whose declared type says audio.
    answer = await upload(kindred.http, token, ann, "PROFILE", "p.pdf", pdf_of("x"), "audio/mpeg")
    error = answer.json()["errors"][0]
    assert (
        error["extensions"]["claimed"] == "audio/mpeg"
        and error["extensions"]["detected"] == "application/pdf"
    )
    # Plain text named .pdf.
    answer = await upload(kindred.http, token, ann, "PROFILE", "notes.pdf", b"just some notes\n" * 20)
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    await assert_nothing_kept(kindred, graph)


async def test_another_users_node_is_no_target(kindred: Instance, graph: Graph) -> None:
    ann_token = await kindred.client.sign_up("owner@example.com")
    ann_mom = await recipient(kindred, ann_token, "Mom")
    eve_token = await kindred.client.sign_up("eve@example.com")
    answer = await upload(kindred.http, eve_token, ann_mom, "PROFILE", "p.pdf", profile_pdf())
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "NOT_FOUND"
    # A role its node does not take.
    answer = await upload(kindred.http, ann_token, ann_mom, "RECORDING", "a.wav", wav_of(0.2))
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    await assert_nothing_kept(kindred, graph)


async def test_a_multipart_request_without_the_csrf_header_is_refused(
    kindred: Instance, graph: Graph
) -> None:
    token = await kindred.client.sign_up("csrf@example.com")
    ann = await recipient(kindred, token)
    answer = await upload(kindred.http, token, ann, "PROFILE", "p.pdf", profile_pdf(), csrf=False)
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST" and "Apollo-Require-Preflight" in error["message"]
    await assert_nothing_kept(kindred, graph)


async def test_another_users_document_is_out_of_reach_by_id_url_and_route(kindred: Instance) -> None:
    ann_token = await kindred.client.sign_up("ann-docs@example.com")
    ann = await recipient(kindred, ann_token)
    mine = (await upload(kindred.http, ann_token, ann, "PROFILE", "ann.pdf", profile_pdf())).json()["data"][
        "uploadDocument"
    ]
    eve_token = await kindred.client.sign_up("eve-docs@example.com")
    eve_ann = await recipient(kindred, eve_token)
    eves = (await upload(kindred.http, eve_token, eve_ann, "PROFILE", "eve.pdf", pdf_of("eve"))).json()[
        "data"
    ]["uploadDocument"]
    assert await document(kindred, eve_token, mine["id"]) is None
    error = (await kindred.client.execute(DELETE, {"id": mine["id"]}, token=eve_token))["errors"][0]
    assert error["extensions"]["code"] == "NOT_FOUND"
    # Eve's own link, pointed at Ann's document: refused.
    mine_uid = mine["url"].split("/documents/")[1].split("/")[0]
    eves_uid = eves["url"].split("/documents/")[1].split("/")[0]
    stolen = eves["url"].replace(eves_uid, mine_uid)
    answer = await kindred.http.get(stolen)
    assert answer.status_code == 403 and answer.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # An altered token, and none at all.
    assert (await kindred.http.get(mine["url"][:-3] + "abc")).status_code == 403
    assert (await kindred.http.get(mine["url"].split("?")[0])).status_code == 403
    # Ann's own link works, until the document is deleted.
    assert (await kindred.http.get(mine["url"])).status_code == 200
    await kindred.client.data(DELETE, {"id": mine["id"]}, token=ann_token)
    answer = await kindred.http.get(mine["url"])
    assert answer.status_code == 404 and answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_download_link_expires(kindred: Instance, settings: Settings) -> None:
    from resolvers.documents import download_token

    token = await kindred.client.sign_up("expiry@example.com")
    ann = await recipient(kindred, token)
    made = (await upload(kindred.http, token, ann, "PROFILE", "p.pdf", profile_pdf())).json()["data"][
        "uploadDocument"
    ]
    owner = made["storageKey"].split("/")[0]
    uid = made["url"].split("/documents/")[1].split("/")[0]
    expired = download_token(settings, owner, uid, -1)
    assert (await kindred.http.get(f"/documents/{uid}/content?token={expired}")).status_code == 403


# --- transcription by OpenAI's API, against a local stand-in of it ---------------------------------


@pytest.fixture
def openai_stand_in() -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn() as server:
        yield server


async def test_a_long_recording_is_transcribed_in_parts_with_its_times_and_sets_the_conflicts_transcript(
    settings: Settings, graph: Graph, tmp_path: Path, openai_stand_in: OpenAIStandIn
) -> None:
    own = settings.model_copy(
        update={
            "data_dir": tmp_path,
            "openai_api_key": "sk-test",
            "openai_base_url": openai_stand_in.url,
            "openai_embedding_dimensions": 64,
            "transcription_segment_seconds": 1.0,  # so a 2.5 s recording goes in three parts
        }
    )
    own = Settings.model_validate(own.model_dump())  # the secret as pydantic types it
    async with started(create_app(own, graph)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
            client = GraphQLClient(http)
            token = await client.sign_up("transcribed@example.com")
            ann = (await create_recipient(client, token, "Ann"))["id"]
            conflict = (await client.data(CONFLICT, {"input": {"recipientId": ann}}, token=token))[
                "createConflict"
            ]["id"]
            made = (
                await upload(http, token, conflict, "RECORDING", "fight.wav", wav_of(2.5), "audio/wav")
            ).json()["data"]["uploadDocument"]
            await manager._state["dispatcher"].drain()
            found = (await client.data(DOCUMENT, {"id": made["id"]}, token=token))["node"]
            assert found["status"] == "READY"
            assert found["durationSeconds"] == pytest.approx(2.5, abs=0.01)
            sent = openai_stand_in.transcriptions
            assert [round(part["seconds"], 2) for part in sent] == [1.0, 1.0, 0.5]
            assert {(p["model"], p["response_format"]) for p in sent} == {("whisper-1", "verbose_json")}
            assert sent[0]["granularities"] == ["segment"]
            transcript = (await client.data(CONFLICT_TRANSCRIPT, {"id": conflict}, token=token))["node"]
            assert transcript == {"transcript": " ".join(SPOKEN)}
            hits = (await client.data(SEARCH, {"q": " ".join(SPOKEN), "kinds": ["DOCUMENT"]}, token=token))[
                "search"
            ]
            assert hits[0]["node"]["id"] == made["id"]
            # The times are the recording's: the last part's segments were shifted by where it starts.
            assert hits[0]["chunk"]["startSeconds"] == 0.0
            assert hits[0]["chunk"]["endSeconds"] == pytest.approx(2.5, abs=0.01)


# --- on S3 (moto's server over HTTP) ---------------------------------------------------------------


async def test_on_s3_a_document_downloads_from_a_presigned_url_and_is_extracted_from_the_bucket(
    settings: Settings,
    graph: Graph,
    tmp_path: Path,
    moto_url: str,  # noqa: F811
) -> None:
    own = Settings.model_validate(
        {
            **settings.model_dump(),
            "data_dir": tmp_path,
            "s3_endpoint_url": moto_url,
            "s3_bucket": "kindred-documents",
            "s3_region": "eu-west-1",
            "s3_access_key_id": "testing",
            "s3_secret_access_key": "testing",
        }
    )
    async with started(create_app(own, graph)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
            client = GraphQLClient(http)
            token = await client.sign_up("s3@example.com")
            ann = (await create_recipient(client, token, "Ann"))["id"]
            data = profile_pdf()
            made = (await upload(http, token, ann, "PROFILE", "ann.pdf", data, "application/pdf")).json()[
                "data"
            ]["uploadDocument"]
            assert (
                made["url"].startswith(moto_url + "/kindred-documents/") and "X-Amz-Signature" in made["url"]
            )
            async with httpx.AsyncClient() as outside:
                assert (await outside.get(made["url"])).content == data
            await manager._state["dispatcher"].drain()
            found = (await client.data(DOCUMENT, {"id": made["id"]}, token=token))["node"]
            assert (found["status"], found["pages"]) == ("READY", 3)
            await client.data(DELETE, {"id": made["id"]}, token=token)
            await manager._state["dispatcher"].drain()
            assert await manager._state["blobs"].size(made["storageKey"]) is None


async def test_a_node_lists_its_documents_and_a_document_its_node(kindred: Instance) -> None:
    token = await kindred.client.sign_up("lists@example.com")
    ann = await recipient(kindred, token)
    made = (await upload(kindred.http, token, ann, "PROFILE", "p.pdf", profile_pdf())).json()["data"][
        "uploadDocument"
    ]
    query = """query ($id: ID!) { node(id: $id) { ... on Recipient {
      documents { totalCount nodes { id filename role attachedTo { ... on Recipient { name } } } } } } }"""
    listed = (await kindred.client.data(query, {"id": ann}, token=token))["node"]["documents"]
    assert listed == {
        "totalCount": 1,
        "nodes": [{"id": made["id"], "filename": "p.pdf", "role": "PROFILE", "attachedTo": {"name": "Ann"}}],
    }
    await kindred.client.data(DELETE, {"id": made["id"]}, token=token)
    listed = (await kindred.client.data(query, {"id": ann}, token=token))["node"]["documents"]
    assert listed == {"totalCount": 0, "nodes": []}


async def test_a_file_variable_that_is_no_file_is_refused(kindred: Instance) -> None:
    token = await kindred.client.sign_up("nofile@example.com")
    ann = await recipient(kindred, token)
    error = await kindred.client.error(
        UPLOAD, {"file": "not a file", "to": ann, "role": "PROFILE"}, token=token
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "file"}


@pytest.mark.parametrize(
    "path", ["variables.file.x", "variables.role.x", "variables.to.3", "variables.missing.x"]
)
async def test_a_multipart_map_that_does_not_fit_its_operations_is_a_bad_request(
    kindred: Instance, graph: Graph, path: str
) -> None:
    """A `map` path through a null, a string, past a value or to nothing: 400 with a code, never a 500,
    whoever sends it."""
    operations = {"query": UPLOAD, "variables": {"file": None, "to": "x", "role": "PROFILE"}}
    form = {"operations": json.dumps(operations), "map": json.dumps({"0": [path]})}
    answer = await kindred.http.post(
        "/graphql",
        data=form,
        files={"0": ("p.pdf", profile_pdf(), "application/pdf")},
        headers={"Apollo-Require-Preflight": "true"},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    await assert_nothing_kept(kindred, graph)


async def test_a_deleted_document_reaches_live_clients_as_removed_and_its_node_as_kept(
    kindred: Instance, graph: Graph
) -> None:
    token = await kindred.client.sign_up("live-docs@example.com")
    ann = await recipient(kindred, token)
    made = (await upload(kindred.http, token, ann, "PROFILE", "p.pdf", profile_pdf())).json()["data"]
    async with graph.driver.session() as session:
        query = "MATCH (u:User {email: 'live-docs@example.com'}) RETURN u.uid AS uid, u.event_sequence AS n"
        user = (await (await session.run(query)).single(strict=True)).data()
    await kindred.client.data(DELETE, {"id": made["uploadDocument"]["id"]}, token=token)
    (delta,) = await graph.read(changes.deltas, owner=user["uid"], after=user["n"])
    assert delta.kind == "DocumentDeleted"
    assert [(n.label, n.properties) for n in delta.removed] == [("Document", None)]
    assert [(n.label, n.properties["name"]) for n in delta.updated] == [("Recipient", "Ann")]
