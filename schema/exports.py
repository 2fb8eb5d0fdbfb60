"""Exports: an archive of the viewer's whole account, asked for with exportAccount and downloaded through
a signed link (docs/export-format.md says what it holds)."""

import json
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from resolvers import exports
from schema.docs import described
from schema.relay import Info


@strawberry.enum(description="Where an export's archive is.")
class ExportStatus(Enum):
    PENDING = strawberry.enum_value("pending", description="Asked for: it is built in the background.")
    BUILDING = strawberry.enum_value("building", description="Being written.")
    READY = strawberry.enum_value("ready", description="Ready: download it through `url`.")
    FAILED = strawberry.enum_value("failed", description="It could not be built (see error): ask again.")


EXPORT = {
    "id": "The export's id (it is in the archive's manifest too).",
    "status": "Where its archive is.",
    "created_at": "When it was asked for (UTC).",
    "finished_at": "When its archive was ready, or failed (UTC).",
    "expires_at": "When the archive is deleted (UTC): export_days after it was asked for.",
    "size": "The archive's size in bytes, once ready.",
    "nodes": "How many nodes the archive holds, once ready.",
    "links": "How many links it holds, once ready.",
    "events": "How many events of the log it holds, once ready.",
    "documents": "How many documents' files it holds, once ready.",
    "error": "Why it failed.",
}


@strawberry.type(description="An archive of the viewer's whole account (exportAccount).")
@described(EXPORT)
class AccountExport:
    id: strawberry.ID
    status: ExportStatus
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime
    size: int | None
    nodes: int | None
    links: int | None
    events: int | None
    documents: int | None
    error: str | None
    row: strawberry.Private[dict[str, Any]]

    @strawberry.field(
        description="A link to download the archive (a zip), once ready: it works for the viewer alone, "
        "for this archive, for a few minutes (ask again for a fresh one); null until ready."
    )
    async def url(self, info: Info) -> str | None:
        return await exports.url(info.context, self.row)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "AccountExport":
        counts = json.loads(row["counts"]) if row.get("counts") else {}
        return cls(
            id=strawberry.ID(row["uid"]),
            status=ExportStatus(row["status"]),
            created_at=row["created_at"],
            finished_at=row.get("finished_at"),
            expires_at=row["expires_at"],
            size=row.get("size"),
            nodes=counts.get("nodes"),
            links=counts.get("links"),
            events=counts.get("events"),
            documents=counts.get("documents"),
            error=row.get("error"),
            row=row,
        )


@strawberry.type
class ExportQuery:
    @strawberry.field(description="The viewer's exports not expired yet, newest first (at most 20).")
    async def exports(self, info: Info) -> list[AccountExport]:
        return [AccountExport.from_row(row) for row in await exports.of_viewer(info.context)]


@strawberry.type
class ExportMutation:
    @strawberry.mutation(
        description="Asks for an archive of everything in the viewer's account (every node, link and "
        "event, and the documents' files; sensitive fields opened, as the archive is the viewer's own). "
        "It is built in the background: poll `exports` until its status is READY, then download it "
        "through its `url`. Needs a session token (not an API key)."
    )
    async def export_account(self, info: Info) -> AccountExport:
        return AccountExport.from_row(await exports.export_account(info.context))
