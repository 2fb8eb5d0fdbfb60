"""Building account archives (exportAccount): a job of its own beside the consumers, like the eraser,
that finds the exports asked for (graph/exports.py), writes each account's archive (archive/format.py)
off the request path, and keeps it in the blob store under the owner's prefix until it expires.

Each export is built under a lease on its Export node, so two instances never build it at once and one
cut short (a crash) is built again from the start by whoever takes it next. The archive is written to a
temporary file a page of the graph at a time, then stored; its sensitive fields are opened with the
owner's data key, as the archive is theirs and another instance has another master key.
"""

import json
import logging
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from uuid import uuid4

from archive import format
from dispatch import Services
from dispatch.periodic import Periodic
from graph import data_keys, export, exports
from graph.kinds import KINDS
from vault import master, sealing

logger = logging.getLogger("kindred.exports")
PAGE = 500  # nodes (or events) read per query


class Exporter(Periodic):
    def __init__(
        self,
        services: Services,
        data_dir: Path,
        version: str,
        *,
        poll_seconds: float = 5.0,
        lease_seconds: float = 120.0,
    ) -> None:
        super().__init__("exports", poll_seconds, logger)
        self.services = services
        self.data_dir = data_dir
        self.version = version
        self.lease_seconds = lease_seconds
        self.holder = str(uuid4())
        self.built = 0  # archives this instance finished (for tests and logs)

    async def run_pass(self) -> None:
        await self.build_pending()
        await self.delete_expired()

    async def build_pending(self) -> int:
        done = 0
        for row in await self.services.graph.read(exports.pending):
            if await self._claim(row["uid"]):
                await self._build_or_fail(row["uid"], row["owner"])
                done += 1
        return done

    async def delete_expired(self) -> None:
        graph, blobs = self.services.graph, self.services.blobs
        rows = await graph.read(exports.expired, limit=100)
        for row in rows:
            if row["storage_key"] and blobs is not None:
                await blobs.delete(row["storage_key"])
        if rows:
            await graph.write(exports.delete, [row["uid"] for row in rows])

    async def _claim(self, uid: str) -> bool:
        graph = self.services.graph
        return bool(await graph.write(exports.claim, uid=uid, holder=self.holder, seconds=self.lease_seconds))

    async def _build_or_fail(self, uid: str, owner: str) -> None:
        started = time.monotonic()
        try:
            key, size, counts = await self.build(uid, owner)
        except LeaseLost:
            return
        except Exception:
            logger.exception("an export failed")
            message = "The archive could not be built; ask for a new export."
            await self.services.graph.write(exports.fail, uid=uid, holder=self.holder, error=message)
            return
        finished = await self.services.graph.write(
            exports.finish, uid=uid, holder=self.holder, storage_key=key, size=size, counts=json.dumps(counts)
        )
        if not finished:  # the lease went to another instance, or the account is being erased
            blobs = self.services.blobs
            assert blobs is not None  # build() stored the archive there
            await blobs.delete(key)
            return
        self.built += 1
        logger.info("built an export: %s in %.1f s", counts, time.monotonic() - started)

    async def build(self, uid: str, owner: str) -> tuple[str, int, dict[str, int]]:
        """Writes the owner's archive and stores it: its blob key, size in bytes and counts."""
        blobs = self.services.blobs
        assert blobs is not None  # the app always has a blob store
        profile = await self.services.graph.read(export.user, owner)
        if profile is None:
            raise LeaseLost(uid)  # the account is gone
        opener = await self._opener(owner)
        with tempfile.TemporaryFile(dir=self.data_dir if self.data_dir.is_dir() else None) as file:
            counts = await self._write(file, uid, owner, profile, opener)
            size = file.tell()
            file.seek(0)
            stored = await blobs.put(owner, file)
        return stored.key, size, counts

    async def _write(
        self, file: IO[bytes], uid: str, owner: str, profile: dict[str, Any], opener: "Opener"
    ) -> dict[str, int]:
        graph, blobs = self.services.graph, self.services.blobs
        assert blobs is not None
        writer = format.Writer(file)
        documents: list[dict[str, Any]] = []
        with writer.part(format.NODES) as part:
            for label in export.LABELS:
                after = ""
                while rows := await graph.read(
                    export.nodes, owner=owner, label=label, after=after, limit=PAGE
                ):
                    part.rows(_node(label, row, opener) for row in rows)
                    if label == "Document":
                        documents += [row["properties"] | {"uid": row["uid"]} for row in rows]
                    after = rows[-1]["uid"]
                    await self._renew(uid)
            nodes = part.count
        with writer.part(format.LINKS) as part:
            for label in export.LABELS:
                cursor: str | None = ""
                while cursor is not None:
                    links, cursor = await graph.read(
                        export.links, owner=owner, label=label, after=cursor, limit=PAGE
                    )
                    part.rows({**link, "properties": _encoded(link["properties"])} for link in links)
                    await self._renew(uid)
            links_count = part.count
        with writer.part(format.EVENTS) as part:
            sequence = 0
            while rows := await graph.read(export.events, owner=owner, after=sequence, limit=PAGE):
                part.rows(_event(row) for row in rows)
                sequence = rows[-1]["sequence"]
                await self._renew(uid)
            events = part.count
        for document in documents:
            with writer.part(format.document_path(document["uid"], document["filename"])) as part:
                async for chunk in blobs.read(document["storage_key"]):
                    part.write(chunk)
            await self._renew(uid)
        counts = {"nodes": nodes, "links": links_count, "events": events, "documents": len(documents)}
        writer.close(
            {
                "kindred_version": self.version,
                "created_at": datetime.now(UTC).isoformat(),
                "user": {name: profile[name] for name in ("uid", *export.PROFILE)},
                "export": uid,
                "counts": counts,
            }
        )
        return counts

    async def _renew(self, uid: str) -> None:
        if not await self._claim(uid):
            raise LeaseLost(uid)

    async def _opener(self, owner: str) -> "Opener":
        """Opens the owner's sealed values (None: they have no data key, so nothing of theirs is sealed
        that can still be read)."""
        stored = await self.services.graph.read(data_keys.data_key, owner)
        if stored is None:
            return lambda label, uid, name, value: value
        key_id, wrapped = stored
        key = master.ring(self.data_dir).unwrap(wrapped, sealing.key_where(owner, key_id))

        def opened(label: str, uid: str, name: str, value: Any) -> Any:
            if not sealing.is_sealed(value):
                return value
            return sealing.open_sealed(value, key_id, key, sealing.field_where(owner, label, uid, name))

        return opened


Opener = Callable[[str, str, str, Any], Any]
_SENSITIVE = {kind.label: kind.sensitive for kind in KINDS}


def _node(label: str, row: dict[str, Any], opener: Opener) -> dict[str, Any]:
    props = {name: value for name, value in row["properties"].items() if name != "owner"}
    for name in _SENSITIVE.get(label, ()):
        if props.get(name) is not None:
            props[name] = opener(label, row["uid"], name, props[name])
    return {"label": label, "id": row["uid"], "properties": _encoded(props)}


def _event(row: dict[str, Any]) -> dict[str, Any]:
    props = {
        name: value for name, value in row["properties"].items() if name not in ("owner", "uid", "sequence")
    }
    return {"id": row["uid"], "sequence": row["sequence"], "properties": _encoded(props)}


def _encoded(props: dict[str, Any]) -> dict[str, Any]:
    return {name: format.encoded(value) for name, value in sorted(props.items())}


class LeaseLost(Exception):
    """Another instance builds this export now (this one's lease ran out), or the account is gone."""
