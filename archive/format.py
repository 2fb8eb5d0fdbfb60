"""The account archive's format (docs/export-format.md): its files, how a property value is written as
JSON and read back, and the checks an archive passes before anything of it is imported.

A zip of `manifest.json`, `nodes.jsonl`, `links.jsonl`, `events.jsonl` and `documents/<uid>/<filename>`.
The manifest names the SHA-256 of every other file in it, so an archive damaged or edited after it was
made (without its manifest made again) is refused whole. It is not a signature: the archive is the
user's own, to import on any instance, so there is no secret the importing instance could check it with.
"""

import datetime as dt
import hashlib
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from neo4j.time import Date, DateTime

FORMAT = "kindred-account-archive"
VERSION = 1
MANIFEST = "manifest.json"
NODES = "nodes.jsonl"
LINKS = "links.jsonl"
EVENTS = "events.jsonl"
DOCUMENTS = "documents/"
_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_TYPE = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


# Neo4j values JSON has no type for, written as {"$date": ...} or {"$datetime": ...} (ISO 8601).
def _datetime(text: str) -> DateTime:
    """A zoned datetime with a fixed offset, as Cypher's datetime() makes them (the parser's own UTC is a
    named zone, which Neo4j would keep as `[UTC]`: a different value to every reader of it)."""
    parsed = DateTime.from_iso_format(text)
    offset = parsed.utcoffset()
    if offset is None:
        raise ValueError("a datetime without its offset")
    return parsed.replace(tzinfo=dt.timezone(offset))


_TAGS = {"$datetime": _datetime, "$date": Date.from_iso_format}


class BadArchive(Exception):
    """An archive that cannot be imported as it is: what is wrong with it, for a person to read."""


def encoded(value: Any) -> Any:
    """A property value as JSON: temporal values tagged, lists item by item."""
    if isinstance(value, DateTime):
        return {"$datetime": value.iso_format()}
    if isinstance(value, Date):
        return {"$date": value.iso_format()}
    if isinstance(value, list):
        return [encoded(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a property of a type the archive does not know: {type(value).__name__}")


def decoded(value: Any) -> Any:
    """A property value as the driver writes it; BadArchive for what `encoded` never writes."""
    if isinstance(value, dict):
        if len(value) != 1 or next(iter(value)) not in _TAGS:
            raise BadArchive(f"a property value is not one the format knows: {value!r:.80}")
        tag, text = next(iter(value.items()))
        try:
            return _TAGS[tag](text)
        except (TypeError, ValueError) as error:
            raise BadArchive(f"a {tag[1:]} that cannot be read: {text!r:.80}") from error
    if isinstance(value, list):
        return [decoded(item) for item in value]
    return value


def properties(row: dict[str, Any], key: str = "properties") -> dict[str, Any]:
    given = row.get(key, {})
    if not isinstance(given, dict) or not all(
        isinstance(name, str) and _NAME.fullmatch(name) for name in given
    ):
        raise BadArchive(f"{key} must be an object of property names")
    return {name: decoded(value) for name, value in given.items()}


def line(row: dict[str, Any]) -> bytes:
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def document_path(uid: str, filename: str) -> str:
    # Only the last part of a name: an archive entry never climbs out of its folder when unzipped.
    safe = filename.replace("\\", "/").rsplit("/", 1)[-1] or "file"
    return f"{DOCUMENTS}{uid}/{safe}"


class Part:
    """One file of an archive being written: bytes or rows go in as they come, hashed on the way."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._digest = hashlib.sha256()
        self.count = 0

    def write(self, data: bytes) -> None:
        self._digest.update(data)
        self._out.write(data)

    def rows(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.write(line(row))
            self.count += 1

    def sha256(self) -> str:
        return self._digest.hexdigest()


class Writer:
    """Writes an archive into a file opened for writing, one part at a time, keeping each part's SHA-256
    for the manifest, which it writes last."""

    def __init__(self, target: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        self.sha256: dict[str, str] = {}

    @contextmanager
    def part(self, name: str) -> Iterator[Part]:
        with self._zip.open(name, "w", force_zip64=True) as out:
            part = Part(out)
            yield part
        self.sha256[name] = part.sha256()

    def close(self, manifest: dict[str, Any]) -> None:
        body = {"format": FORMAT, "version": VERSION, **manifest, "files": dict(sorted(self.sha256.items()))}
        self._zip.writestr(MANIFEST, json.dumps(body, indent=2, ensure_ascii=False))
        self._zip.close()


@dataclass
class Archive:
    """An archive read and checked whole: every part matches the manifest's SHA-256, every line parses,
    every link's ends and every document's file are in it."""

    manifest: dict[str, Any]
    nodes: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    documents: dict[str, str] = field(default_factory=dict)  # a Document's uid: its entry in the zip

    @property
    def user(self) -> str:
        return str(self.manifest["user"]["uid"])


def read(path: str, labels: Iterable[str], link_types: Iterable[str]) -> tuple[zipfile.ZipFile, Archive]:
    """Opens and checks the archive at `path` against the labels and link types this instance knows;
    BadArchive (with what is wrong) for anything it would not import whole. The zip stays open for the
    documents' bytes: the caller closes it."""
    try:
        opened = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise BadArchive(f"this is not a readable zip archive: {error}") from error
    try:
        return opened, _checked(opened, frozenset(labels), frozenset(link_types))
    except BadArchive:
        opened.close()
        raise
    except (zipfile.BadZipFile, OSError, EOFError, UnicodeDecodeError, ValueError) as error:
        opened.close()
        raise BadArchive(f"the archive is damaged: {error}") from error


def _checked(opened: zipfile.ZipFile, labels: frozenset[str], link_types: frozenset[str]) -> Archive:
    manifest = _manifest(opened)
    files: dict[str, str] = manifest["files"]
    names = set(opened.namelist()) - {MANIFEST}
    if names != set(files):
        raise BadArchive("the archive's files are not the ones its manifest lists")
    for name, sha256 in files.items():
        if _sha256(opened, name) != sha256:
            raise BadArchive(f"{name} is not what the archive's manifest says (altered or damaged)")
    archive = Archive(manifest)
    archive.nodes = [_node(row, labels) for row in _rows(opened, NODES)]
    uids = [node["uid"] for node in archive.nodes]
    if len(set(uids)) != len(uids):
        raise BadArchive("two nodes in the archive have the same uid")
    label_of = {node["uid"]: node["label"] for node in archive.nodes}
    label_of[archive.user] = "User"
    archive.links = [_link(row, label_of, link_types) for row in _rows(opened, LINKS)]
    archive.events = [_event(row) for row in _rows(opened, EVENTS)]
    sequences = [event["sequence"] for event in archive.events]
    if sequences != sorted(set(sequences)):
        raise BadArchive("the events are not in order of their sequence numbers, each once")
    for node in archive.nodes:
        if node["label"] == "Document":
            entry = document_path(node["uid"], str(node["properties"].get("filename", "")))
            if files.get(entry) != node["properties"].get("sha256"):
                raise BadArchive(f"the bytes of Document {node['uid']} are missing or not its own")
            archive.documents[node["uid"]] = entry
    counts = {"nodes": len(archive.nodes), "links": len(archive.links), "events": len(archive.events)}
    if {name: manifest["counts"].get(name) for name in counts} != counts:
        raise BadArchive("the archive holds other counts of nodes, links or events than its manifest says")
    return archive


def _manifest(opened: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(opened.read(MANIFEST))
    except KeyError as error:
        raise BadArchive(f"the archive has no {MANIFEST}: it is not a Kindred account archive") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadArchive("this is not a Kindred account archive (its manifest names another format)")
    if manifest.get("version") != VERSION:
        raise BadArchive(
            f"format version {manifest.get('version')!r} is not one this Kindred reads ({VERSION})"
        )
    user, files, counts = manifest.get("user"), manifest.get("files"), manifest.get("counts")
    if not isinstance(user, dict) or not _is_uid(user.get("uid")):
        raise BadArchive("the manifest names no user")
    if not isinstance(files, dict) or not isinstance(counts, dict) or NODES not in files:
        raise BadArchive("the manifest lists no files or counts")
    return manifest


def _sha256(opened: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with opened.open(name) as part:
        while chunk := part.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _rows(opened: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    if name not in opened.namelist():
        return
    with opened.open(name) as part:
        for number, raw in enumerate(part, start=1):
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as error:
                raise BadArchive(f"{name}, line {number}: not JSON") from error
            if not isinstance(row, dict):
                raise BadArchive(f"{name}, line {number}: not an object")
            yield row


def _is_uid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UID.fullmatch(value))


def _node(row: dict[str, Any], labels: frozenset[str]) -> dict[str, Any]:
    if row.get("label") not in labels:
        raise BadArchive(f"a node of a kind this Kindred does not know: {row.get('label')!r:.40}")
    if not _is_uid(row.get("id")):
        raise BadArchive("a node without a valid id")
    props = properties(row)
    props.pop("owner", None)
    return {"label": row["label"], "uid": row["id"], "properties": {**props, "uid": row["id"]}}


def _link(row: dict[str, Any], label_of: dict[str, str], types: frozenset[str]) -> dict[str, Any]:
    kind, start, end = row.get("type"), row.get("from"), row.get("to")
    if not isinstance(kind, str) or not _TYPE.fullmatch(kind) or kind not in types:
        raise BadArchive(f"a link of a type this Kindred does not know: {kind!r:.40}")
    if start not in label_of or end not in label_of or label_of[end] == "User":
        raise BadArchive(f"a {kind} link with an end that is not in the archive")
    return {
        "type": kind,
        "from": start,
        "to": end,
        "from_label": label_of[str(start)],
        "to_label": label_of[str(end)],
        "properties": properties(row),
    }


def _event(row: dict[str, Any]) -> dict[str, Any]:
    if not _is_uid(row.get("id")) or type(row.get("sequence")) is not int or row["sequence"] < 1:
        raise BadArchive("an event without a valid id or sequence number")
    props = properties(row)
    props.pop("owner", None)
    return {"uid": row["id"], "sequence": row["sequence"], "properties": props}
