"""Documents: files attached to the viewer's nodes (a recipient's profile PDF, a conflict's recording, a
memory's photo), their bytes in the blob store, their metadata in the graph.

An upload is checked before anything is kept (the node it is attached to is the viewer's, its bytes are
a type its role takes, its declared type and name do not say otherwise), then streamed to the blob
store in chunks and recorded; if recording fails, a blob it wrote is removed again.
"""

import contextlib
import logging
import mimetypes
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO, Protocol
from uuid import uuid4

import filetype
import jwt

from auth.state import user_state
from errors import BadUserInput, Forbidden, KindredError, NotFound
from graph import documents
from graph.documents import DOCUMENT, ROLES
from graph.pages import Row
from resolvers import nodes
from resolvers.context import Context
from settings import Settings
from storage.blobs import BlobStore, BlobsUnavailable, owner_of
from storage.cache import Cache
from telemetry import metrics

# The types each role takes, as detected from the bytes.
PDF = frozenset({"application/pdf"})
AUDIO = frozenset(
    {"audio/mpeg", "audio/wav", "audio/x-wav", "audio/ogg", "audio/x-flac", "audio/flac", "audio/mp4",
     "audio/m4a", "audio/x-m4a", "audio/webm", "audio/aac", "video/webm"}
)  # fmt: skip
IMAGE = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/avif"})
ACCEPTS = {
    "profile": PDF,
    "recording": AUDIO,
    "photo": IMAGE,
    "evidence": PDF | AUDIO | IMAGE,
    "voice_note": AUDIO,
}
KIND_OF = {**dict.fromkeys(PDF, "pdf"), **dict.fromkeys(AUDIO, "audio"), **dict.fromkeys(IMAGE, "image")}
# Names of one type that libraries and clients spell differently.
_SAME = {
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/mp3": "audio/mpeg",
    "audio/x-flac": "audio/flac",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
    "video/webm": "audio/webm",
    "image/jpg": "image/jpeg",
}
_UNSAID = {"", "application/octet-stream", "binary/octet-stream"}
SNIFF_BYTES = 8192
logger = logging.getLogger("kindred.documents")
_TOKEN_AUDIENCE = "kindred-download"  # noqa: S105 -- a JWT audience, not a secret


class Upload(Protocol):
    """What Strawberry's Upload scalar gives on Starlette (an UploadFile, spooled to disk past 1 MB)."""

    filename: str | None
    content_type: str | None
    size: int | None
    file: BinaryIO


class BlobsDown(KindredError):
    code = "BLOBS_UNAVAILABLE"


async def upload(context: Context, file: Upload, label: str, target: str, role: str) -> Row:
    owner, blobs = context.viewer, _blobs(context)
    if not all(hasattr(file, name) for name in ("file", "filename", "content_type", "size")):
        raise BadUserInput(
            "Send the file as a part of a multipart request (the GraphQL multipart request specification).",
            field="file",
        )
    if ROLES[role] != label:
        raise BadUserInput(
            f"A {role} is attached to a {ROLES[role]}, not to a {label}.", field="attachTo", role=role
        )
    if not await context.graph.read(documents.target_exists, owner=owner, label=label, uid=target):
        raise NotFound(f"No {label} of yours has this id.", field="attachTo")
    limit = context.settings.max_upload_bytes
    if file.size is not None and file.size > limit:
        raise BadUserInput(
            f"The upload is over {limit} bytes: send a smaller one.", field="file", limit="upload"
        )
    if file.size == 0:
        raise BadUserInput("The file is empty.", field="file")
    filename = _filename(file.filename)
    mime = _checked_type(file, filename, role)
    file.file.seek(0)
    try:
        stored = await blobs.put(owner, file.file)
    except BlobsUnavailable as error:
        raise BlobsDown("Files cannot be stored now: try again later.") from error
    values = {
        "kind": KIND_OF[mime],
        "role": role,
        "filename": filename,
        "mime": mime,
        "size": stored.size,
        "sha256": stored.sha256,
        "storage_key": stored.key,
    }
    try:
        row = await context.graph.write(
            documents.create, owner=owner, uid=str(uuid4()), values=values, label=label, target=target
        )
    except BaseException:
        if stored.created:  # no Document names the bytes this upload wrote: they go with it
            with contextlib.suppress(BlobsUnavailable):  # else left behind: the write's error matters
                await blobs.delete(stored.key)
        raise
    try:
        if not stored.created and await blobs.size(stored.key) is None:
            # The owner's earlier copy was purged while this one was recorded: keep this one instead.
            file.file.seek(0)
            await blobs.put(owner, file.file)
    except BlobsUnavailable:
        # The Document is committed: answer it. Its bytes are there unless a purge raced this upload
        # and the store failed right then; its download then answers NOT_FOUND.
        logger.warning("the blob store failed after document %s was recorded", row.node["uid"], exc_info=True)
    metrics.record_upload(stored.size)
    return row


def _blobs(context: Context) -> BlobStore:
    if context.blobs is None:
        raise BlobsDown("This server keeps no files.")
    return context.blobs


def _filename(given: str | None) -> str:
    """The name the client gave, without any folder, control characters or more than 255 characters."""
    name = (given or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or "upload"


def _checked_type(file: Upload, filename: str, role: str) -> str:
    """The file's type from its first bytes; BadUserInput when its role does not take it, or when the
    type the client declared, or the name's extension, says it is something else."""
    file.file.seek(0)
    head = file.file.read(SNIFF_BYTES)
    guessed = filetype.guess(head)
    detected = _same(guessed.mime) if guessed is not None else None
    accepted = {_same(mime) for mime in ACCEPTS[role]}
    if detected is None or detected not in accepted:
        wanted = {
            "profile": "a PDF",
            "recording": "an audio file",
            "photo": "an image",
            "evidence": "a PDF, an audio file or an image",
            "voice_note": "an audio file",
        }[role]
        raise BadUserInput(
            f"A {role} must be {wanted}; this file's bytes are {detected or 'of no type Kindred knows'}.",
            field="file",
            detected=detected,
        )
    declared = _same((file.content_type or "").split(";")[0].strip().lower())
    by_name = _same(mimetypes.guess_type(filename)[0] or "")
    for claim, source in ((declared, "declared type"), (by_name, "name")):
        if claim not in _UNSAID and claim != detected:
            raise BadUserInput(
                f"The file's {source} says {claim}, but its bytes are {detected}.",
                field="file",
                detected=detected,
                claimed=claim,
            )
    return detected


def _same(mime: str) -> str:
    return _SAME.get(mime, mime)


async def delete(context: Context, uid: str) -> list[str]:
    within = context.scope.kinds  # an API key limited to other kinds deletes no document
    return await context.graph.write(documents.mark_deleted, owner=context.viewer, uid=uid, within=within)


by_uids = nodes.by_uids_of(DOCUMENT)


of_recipient = nodes.relation(documents.OF_RECIPIENT)
of_conflict = nodes.relation(documents.OF_CONFLICT)
of_memory = nodes.relation(documents.OF_MEMORY)
of_observation = nodes.relation(documents.OF_OBSERVATION)
of_conversation = nodes.relation(documents.OF_CONVERSATION)


async def url(context: Context, node: dict[str, Any]) -> str:
    """Where the viewer downloads the Document for the next few minutes: a presigned URL of the blob
    store, or the app's own route with a token bound to the viewer, their token generation and this
    Document (so logOutEverywhere ends the app's links at once; a presigned URL lasts its minutes).
    A partner reading a Document shared with them gets the app's route always: it asks again at each
    download whether the Document is still shared, which a presigned URL cannot."""
    seconds = context.settings.download_url_seconds
    if owner_of(node["storage_key"]) == context.viewer:
        blobs = _blobs(context)
        try:
            presigned = await blobs.presigned_url(
                node["storage_key"], filename=node["filename"], mime=node["mime"], seconds=seconds
            )
        except BlobsUnavailable as error:
            raise BlobsDown("Files cannot be reached now: try again later.") from error
        if presigned is not None:
            return presigned
    state = await user_state(context.auth_cache, context.graph, context.viewer)
    generation = state.generation if state is not None else 0
    token = download_token(context.settings, context.viewer, node["uid"], seconds, generation)
    base = str(context.connection.base_url).rstrip("/") if context.connection is not None else ""
    # Asked for over a WebSocket (a subscription), the base is ws(s)://: the file is fetched over HTTP.
    base = base.replace("ws://", "http://", 1).replace("wss://", "https://", 1)
    return f"{base}/documents/{node['uid']}/content?token={token}"


def download_token(
    settings: Settings,
    owner: str,
    uid: str,
    seconds: int,
    generation: int = 0,
    audience: str = _TOKEN_AUDIENCE,
) -> str:
    """A signed link's token: for this owner (at this token generation) and this file, for `seconds`;
    the audience says what it opens (a Document's bytes, an export's archive), and nothing else."""
    claims = {
        "sub": owner,
        "doc": uid,
        "gen": generation,
        "aud": audience,
        "exp": datetime.now(UTC) + timedelta(seconds=seconds),
    }
    return jwt.encode(claims, _download_secret(settings), algorithm="HS256")


def download_owner(
    settings: Settings, token: str, uid: str, audience: str = _TOKEN_AUDIENCE
) -> tuple[str, int] | None:
    """The owner a download token was made for and their token generation then, if it is valid,
    unexpired and for this Document."""
    try:
        claims = jwt.decode(token, _download_secret(settings), algorithms=["HS256"], audience=audience)
    except jwt.PyJWTError:
        return None
    generation = claims.get("gen", 0)
    if claims.get("doc") != uid or not isinstance(claims.get("sub"), str) or type(generation) is not int:
        return None
    return claims["sub"], generation


def _download_secret(settings: Settings) -> str:
    # Its own key, derived from the signing secret, so a download token is never a session token.
    return f"{settings.signing_secret}:downloads"


async def downloadable(graph: Any, settings: Settings, token: str, uid: str, auth_cache: Cache | None) -> Row:
    """The Document a download token opens: Forbidden for a token that is not valid for it (another
    user's, expired, altered, for another Document, from before a logOutEverywhere, of an account no
    longer active), NotFound once it is deleted."""
    found = download_owner(settings, token, uid)
    state = await user_state(auth_cache, graph, found[0]) if found is not None else None
    if found is None or state is None or state.generation != found[1] or state.status != "active":
        raise Forbidden("This download link is not valid (or no longer): ask for the Document's url again.")
    owner = found[0]
    row = await graph.read(documents.readable, owner=owner, uid=uid)
    if row is None:  # deleted, or no longer shared with the viewer
        raise NotFound("No such Document.", id=uid)
    return row
