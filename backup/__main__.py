"""`python -m backup backup [DIR]` and `python -m backup restore DIR` (`./kindred backup|restore`): the
embedded deployment's data folder (KINDRED_DATA_DIR) into a backup folder, and back."""

import sys
from datetime import UTC, datetime
from pathlib import Path

from backup.copy import BackupError, backup, restore
from backup.lock import InUse
from localneo4j import LocalNeo4j
from localneo4j.server import LocalNeo4jError
from settings import Settings

USAGE = "usage: ./kindred backup [DIR] | ./kindred restore DIR"


def external_stores(settings: Settings) -> list[str]:
    """The settings that put a store outside the data folder: what a backup of it would miss."""
    named = {
        "NEO4J_URI": settings.neo4j_uri,
        "QDRANT_URL": settings.qdrant_url,
        "S3_ENDPOINT_URL": settings.s3_endpoint_url,
    }
    return [name for name, value in named.items() if value]


def main(argv: list[str]) -> int:
    settings = Settings()
    data_dir = settings.data_dir
    elsewhere = external_stores(settings)
    if elsewhere:
        print(
            f"kindred: {', '.join(elsewhere)} set: those stores are not in the data folder; back them up with"
            " their own tools (backup and restore cover the embedded deployment only)",
            file=sys.stderr,
        )
        return 1
    neo4j = LocalNeo4j(settings.local_neo4j_home, settings.local_neo4j_port, settings.local_neo4j_heap)
    try:
        if argv[:1] == ["backup"] and len(argv) <= 2:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = settings.data_dir.parent / "backups" / f"kindred-{stamp}"
            done = backup(data_dir, target if len(argv) == 1 else Path(argv[1]), neo4j)
            print(f"backed up {data_dir} into {done.folder}: {done.files} files, {done.bytes} bytes")
        elif argv[:1] == ["restore"] and len(argv) == 2:
            done = restore(data_dir, Path(argv[1]))
            print(f"restored {data_dir} from {done.folder}: {done.files} files, {done.bytes} bytes")
            print("the local Neo4j is stopped; `./kindred run` starts it with the restored data")
        else:
            print(USAGE, file=sys.stderr)
            return 2
    except (BackupError, InUse, LocalNeo4jError) as error:
        print(f"kindred: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
