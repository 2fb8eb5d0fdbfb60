"""A backup is a folder: a copy of each part of the data folder (PARTS) and manifest.json, which lists
every file with its size and SHA-256, so a restore checks the whole backup before it replaces anything.

The local Neo4j (Community edition: no online backup) is copied with its server stopped: a backup stops
it if it runs on its own (`./kindred neo4j start`) and starts it again after; a restore leaves it
stopped. Both refuse while Kindred runs on the data folder (backup/lock.py): the vectors and the store
it has open would be copied mid-write, or replaced under it.
"""

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backup.lock import alone_on
from localneo4j import LocalNeo4j

FORMAT = 1
MANIFEST = "manifest.json"
# What a backup holds, by its name in the data folder: the graph, the vectors, the blobs, and the secret
# that signs tokens (so sessions and signed links made before still hold after a restore).
PARTS = ("neo4j", "vectors", "blobs", "jwt-secret")
# Files of the Neo4j home that are the running process's, not the data.
_LEFT_OUT = {"neo4j.pid", "launcher.log"}


class BackupError(Exception):
    """A backup or restore that cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    folder: Path
    files: int
    bytes: int


def backup(data_dir: Path, target: Path, neo4j: LocalNeo4j | None = None) -> Summary:
    """Copies the data folder's parts into `target` (a new or empty folder) with its manifest. `neo4j`
    is the local Neo4j as configured (its port), started again after the copy if it was running."""
    data_dir = data_dir.resolve()
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: give a new folder for the backup")
    if target.resolve().is_relative_to(data_dir):
        raise BackupError(f"{target} is inside the data folder {data_dir}: give a folder outside it")
    with alone_on(data_dir):
        neo4j = neo4j or LocalNeo4j(data_dir / "neo4j")
        was_running = neo4j.stop()
        try:
            target.mkdir(mode=0o700, parents=True, exist_ok=True)  # private lives, and the token secret
            files = _copy_parts(data_dir, target)
        finally:
            if was_running:
                neo4j.start()
    parts = sorted({name.split("/")[0] for name in files})
    manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(), "parts": parts, "files": files}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return Summary(target, len(files), sum(entry["size"] for entry in files.values()))


def restore(data_dir: Path, source: Path) -> Summary:
    """Replaces the data folder's parts with the backup in `source`, once every file of its manifest is
    found whole; what the data folder held before is removed only after the copy is complete."""
    data_dir = data_dir.resolve()
    files = _checked(source)
    with alone_on(data_dir):
        LocalNeo4j(data_dir / "neo4j").stop()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        aside = data_dir / f".before-restore-{stamp}"
        aside.mkdir()
        for part in PARTS:
            if (data_dir / part).exists():
                (data_dir / part).rename(aside / part)
        try:
            for name in files:
                (data_dir / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / name, data_dir / name)
        except BaseException:
            for part in PARTS:  # put back what was there
                shutil.rmtree(data_dir / part, ignore_errors=True)
                if (aside / part).exists():
                    (aside / part).rename(data_dir / part)
            aside.rmdir()
            raise
        shutil.rmtree(aside)
    return Summary(source, len(files), sum(entry["size"] for entry in files.values()))


def _copy_parts(data_dir: Path, target: Path) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    for part in PARTS:
        origin = data_dir / part
        paths = [origin] if origin.is_file() else sorted(p for p in origin.rglob("*") if p.is_file())
        for path in paths:
            name = path.relative_to(data_dir).as_posix()
            if part == "neo4j" and path.name in _LEFT_OUT:
                continue
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target / name)
            files[name] = {"size": (target / name).stat().st_size, "sha256": _sha256(target / name)}
    return files


def _checked(source: Path) -> dict[str, dict[str, Any]]:
    """The manifest's files, once each is found with its size and hash; BackupError otherwise."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(
            f"{source} is not a Kindred backup: it holds no readable {MANIFEST} ({error})"
        ) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{source} is a backup of format {manifest.get('format')}; this Kindred reads {FORMAT}"
        )
    files: dict[str, dict[str, Any]] = manifest["files"]
    for name, entry in files.items():
        path = source / name
        if not path.is_file() or path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            raise BackupError(f"{path} is missing or changed since the backup: nothing was restored")
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
