"""`python -m resolvers.rotate_key [--new-key BASE64]` (`./kindred rotate-key`): re-wraps every user's
data key under a new master key, without re-encrypting a single field (each sealed field names its data
key, which stays the same; each wrapped key names its master key's version).

With the key file (the default), the new key is written to `master-key.next` first and renamed over
`master-key` once every data key is re-wrapped; a rotation cut short resumes with that same new key.
With KINDRED_MASTER_KEY set, the new key is printed: set it in the environment before the next start."""

import argparse
import asyncio
import os
import sys
from pathlib import Path

from graph import data_keys
from graph.driver import Graph
from resolvers.sealed import key_where
from vault import master, sealing


async def rotate(graph: Graph, data_dir: Path, new_key: bytes | None = None) -> tuple[str, int]:
    """Re-wraps every data key; returns the new master key's version and how many keys it wraps."""
    from_env = bool(os.environ.get(master.ENV))
    pending = data_dir / master.NEXT
    if not from_env and pending.exists():  # resume the rotation cut short, with its key
        new_key = master.decode(pending.read_text())
    new_key = new_key or master.new_key()
    old = master.load(data_dir)
    if not from_env:
        master.write_key(pending, new_key)
    version = master.version_of(new_key)
    keys = await graph.read(data_keys.all_data_keys)
    rewrapped = []
    for row in keys:
        where = key_where(row["owner"], row["id"])
        if sealing.master_version_of(row["wrapped"]) == version:
            continue  # re-wrapped already, by the run cut short
        key = old.unwrap(row["wrapped"], where)
        rewrapped.append({**row, "wrapped": sealing.wrap(key, version, new_key, where)})
    await graph.write(data_keys.rewrap, rewrapped)
    if not from_env:
        pending.replace(data_dir / master.FILE)
    return version, len(keys)


async def main_async(new_key: bytes | None) -> None:
    from app import open_graph  # the app's own way to reach Neo4j (the local one when NEO4J_URI is unset)
    from settings import Settings

    settings = Settings()
    async with open_graph(settings) as graph:
        version, count = await rotate(graph, settings.data_dir, new_key)
    print(f"re-wrapped {count} data keys under master key {version}")
    if os.environ.get(master.ENV):
        print(f"set {master.ENV} to the new key before the next start:", file=sys.stderr)
        print(master.encode(new_key) if new_key else "", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(prog="kindred rotate-key", description=__doc__)
    parser.add_argument("--new-key", help="the new master key (base64 of 32 bytes); generated if not given")
    args = parser.parse_args()
    try:
        new_key = master.decode(args.new_key) if args.new_key else None
    except master.BadMasterKey as error:
        sys.exit(str(error))
    if new_key is None and os.environ.get(master.ENV):
        new_key = master.new_key()  # printed after: the operator keeps it
    asyncio.run(main_async(new_key))


if __name__ == "__main__":
    main()
