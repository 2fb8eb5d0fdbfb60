"""Documents: files attached to the viewer's nodes, uploaded by the GraphQL multipart request
specification, read back through a short-lived `url`, and searchable once their text is extracted."""

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from graph import kinds
from resolvers import documents as resolve
from schema.docs import described
from schema.nodes import load, ref_of
from schema.ordering import ordering
from schema.relay import DeletePayload, Info, OwnedNode, node_uid


@strawberry.enum(description="What a document is, as its bytes show.")
class DocumentKind(Enum):
    PDF = strawberry.enum_value("pdf", description="A PDF: its text is extracted per page.")
    AUDIO = strawberry.enum_value("audio", description="A recording: transcribed when the server can.")
    IMAGE = strawberry.enum_value("image", description="A photo.")


@strawberry.enum(description="What a document is to the node it is attached to.")
class DocumentRole(Enum):
    _value_: str  # what strawberry.enum_value leaves as each member's value
    PROFILE = strawberry.enum_value("profile", description="A recipient's profile (a PDF).")
    RECORDING = strawberry.enum_value(
        "recording", description="A conflict's recording (audio): its transcript becomes the conflict's."
    )
    PHOTO = strawberry.enum_value("photo", description="A memory's photo (an image).")
    EVIDENCE = strawberry.enum_value(
        "evidence", description="An observation's source as it was (a PDF, a recording or an image)."
    )
    VOICE_NOTE = strawberry.enum_value(
        "voice_note",
        description="A conversation's voice note (audio), for a message to carry: appended without text, "
        "the message takes its transcript as its text.",
    )


@strawberry.enum(description="Where the extraction of a document's text stands.")
class DocumentStatus(Enum):
    PENDING = strawberry.enum_value("pending", description="Uploaded; extraction has not started.")
    EXTRACTING = strawberry.enum_value("extracting", description="Its text is being extracted.")
    READY = strawberry.enum_value("ready", description="Done: its text (if any) is searchable.")
    FAILED = strawberry.enum_value("failed", description="Extraction failed: see failureReason.")
    UNTRANSCRIBED = strawberry.enum_value(
        "untranscribed", description="A recording this server cannot transcribe (no transcription service)."
    )


DOCUMENT = {
    "kind": "What it is, as its bytes show (never its name).",
    "role": "What it is to the node it is attached to.",
    "filename": "The name it was uploaded with (without folders).",
    "mime": "Its media type, detected from its bytes.",
    "size": "Its size in bytes.",
    "sha256": "The SHA-256 of its bytes, in hex.",
    "storage_key": "Where the blob store keeps it: the owner and the content hash.",
    "pages": "How many pages a PDF has (once extracted).",
    "duration_seconds": "How long a recording is, in seconds (once extracted).",
    "status": "Where the extraction of its text stands.",
    "failure_reason": "Why extraction failed, when it did.",
    "created_at": "When it was uploaded (UTC).",
}


@strawberry.type(description="A file of the viewer's (a PDF, a recording, a photo), attached to a node.")
@described(DOCUMENT)
class Document(OwnedNode):
    load = staticmethod(resolve.by_uids)
    id: relay.NodeID[str]
    kind: DocumentKind
    role: DocumentRole
    filename: str
    mime: str
    size: int
    sha256: str
    storage_key: str
    pages: int | None
    duration_seconds: float | None
    status: DocumentStatus
    failure_reason: str | None
    created_at: dt.datetime
    attached: strawberry.Private[tuple[str, str] | None] = None

    @classmethod
    def from_row(cls, row: Any) -> Any:
        document = super().from_row(row)
        label, uid = row.node.get("attached_label"), row.node.get("attached_uid")
        document.attached = (label, uid) if label and uid else None
        return document

    @strawberry.field(
        description="Where to download it for the next few minutes (KINDRED_DOWNLOAD_URL_SECONDS): a "
        "presigned URL of the object store, or this server's own, for the viewer and this document only."
    )
    async def url(self, info: Info) -> str:
        node = {"uid": self.id, "storage_key": self.storage_key, "filename": self.filename, "mime": self.mime}
        return await resolve.url(info.context, node)

    @strawberry.field(
        description="The node it belongs to: a recipient, a conflict, a memory or an observation."
    )
    async def attached_to(self, info: Info) -> relay.Node | None:
        if self.attached is None:
            return None
        return (await load(info, [self.attached]))[0]


@strawberry.type(description="A passage of a document that a search matched: its text and where it is.")
class DocumentChunk:
    text: str = strawberry.field(description="The passage.")
    page: int | None = strawberry.field(description="The PDF page it is on (1 is the first).")
    start_seconds: float | None = strawberry.field(description="Where it starts in a recording, in seconds.")
    end_seconds: float | None = strawberry.field(description="Where it ends in a recording, in seconds.")
    document: Document = strawberry.field(description="The document it is part of.")


@ordering(kinds.DOCUMENT, "documents")
class DocumentOrder: ...


@strawberry.type
class DocumentMutation:
    @strawberry.mutation(
        description="Uploads a file (a multipart request, by the GraphQL multipart request specification, "
        "with an `Apollo-Require-Preflight` header) and attaches it to one of the viewer's nodes: a PDF as "
        "a recipient's PROFILE, audio as a conflict's RECORDING or a conversation's VOICE_NOTE, an image as "
        "a memory's PHOTO, any of them as an observation's EVIDENCE. Its type is read from its bytes; its "
        "text is extracted afterwards (see `status`)."
    )
    async def upload_document(
        self,
        info: Info,
        file: Annotated[Upload, strawberry.argument(description="The file (a multipart part).")],
        attach_to: Annotated[
            strawberry.ID, strawberry.argument(description="The node it belongs to (one of the viewer's).")
        ],
        role: Annotated[DocumentRole, strawberry.argument(description="What it is to that node.")],
    ) -> Document:
        label, uid = ref_of(attach_to, "attachTo")
        # Strawberry types Upload as bytes; on Starlette it is the UploadFile that resolve.upload reads.
        row = await resolve.upload(info.context, file, label, uid, role.value)  # type: ignore[arg-type]
        return Document.from_row(row)

    @strawberry.mutation(
        description="Deletes a document: at once out of sight; its file (unless another document of the "
        "viewer's has the same bytes), its passages and their vectors are removed soon after."
    )
    async def delete_document(
        self, info: Info, id: Annotated[relay.GlobalID, strawberry.argument(description="The document.")]
    ) -> DeletePayload:
        deleted = await resolve.delete(info.context, node_uid(id, "Document"))
        return DeletePayload(deleted_id=id, deleted_count=len(deleted[:1]))
