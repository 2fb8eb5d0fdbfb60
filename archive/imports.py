"""`python -m archive.imports ARCHIVE --email EMAIL` (`./kindred import`): loads an account archive
(exportAccount's, docs/export-format.md) into an existing, empty account of this instance.

Everything is checked before anything is written: the archive whole (archive/format.py: the manifest's
format and version, every part's SHA-256, every line), the account (active, owning no node yet), and that
no uid of the archive is taken on this instance. Then the documents' bytes go to the blob store, and the
graph is written in one transaction (graph/imports.py): ids kept, events in order with their sequences,
sensitive fields sealed again with the account's own data key. The dispatcher of a running Kindred (or
of the next start) then rebuilds what derives from the graph: the vectors, the documents' passages, the
layout.
"""

import argparse
import asyncio
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import format
from graph import data_keys, export, imports
from graph.driver import Graph
from graph.kinds import KINDS
from graph.refs import Ref
from storage.blobs import BlobStore
from vault import master, sealing

_SENSITIVE = {kind.label: kind.sensitive for kind in KINDS}


class Refused(Exception):
    """Why the archive is not imported; nothing was written."""


@dataclass(frozen=True)
class Imported:
    owner: str
    nodes: int
    links: int
    events: int
    documents: int
    seconds: float


async def import_archive(graph: Graph, blobs: BlobStore, data_dir: Path, path: str, email: str) -> Imported:
    """Loads the archive at `path` into the account of `email`; Refused (nothing written) when it cannot."""
    started = time.monotonic()
    try:
        opened, archive = format.read(path, export.LABELS, export.LINK_TYPES)
    except format.BadArchive as error:
        raise Refused(f"The archive is refused: {error}.") from error
    with opened:
        account = await graph.read(imports.account, email.strip().lower())
        if account is None:
            raise Refused(f"No account has the email {email}: sign up first, then import into it.")
        owner = account["uid"]
        if account["status"] != "active":
            raise Refused(f"The account of {email} is {account['status']}: it cannot take an import.")
        if await graph.read(imports.owns_any, owner):
            raise Refused(
                f"The account of {email} is not empty: an archive is imported into a new account only."
            )
        await _refuse_taken(graph, owner, archive)
        # The key of the vector made for a node's text on the instance it came from: without it, the
        # embedding consumer embeds the node here (dispatch/embeddings.py passes over an unchanged key).
        for node in archive.nodes:
            node["properties"].pop("search_key", None)
        nodes = await _sealed(graph, data_dir, owner, archive.nodes)
        kept = await _put_documents(blobs, opened, owner, archive, nodes)
        events = [_event(row, archive.user, owner) for row in archive.events]
        try:
            links = await graph.write(
                imports.load,
                owner=owner,
                nodes=nodes,
                links=archive.links,
                events=events,
                old_user=archive.user,
            )
        except BaseException as error:
            for key in kept:  # what this import stored alone goes again
                await blobs.delete(key)
            if isinstance(error, imports.Unlinked):
                raise Refused(f"The archive is refused: {error}.") from error
            raise
    return Imported(owner, len(nodes), links, len(events), len(archive.documents), time.monotonic() - started)


async def _refuse_taken(graph: Graph, owner: str, archive: format.Archive) -> None:
    uids: dict[str, list[str]] = defaultdict(list)
    for node in archive.nodes:
        uids[node["label"]].append(node["uid"])
    uids["Event"] = [event["uid"] for event in archive.events]
    taken = await graph.read(imports.taken, owner=owner, uids=dict(uids))
    if taken:
        raise Refused(
            f"{len(taken)} ids of the archive are taken on this instance (e.g. {taken[0]}): it was imported "
            "here already, or its account still exists here."
        )


async def _sealed(
    graph: Graph, data_dir: Path, owner: str, nodes: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The nodes with their sensitive fields sealed with the owner's data key (made now if they have none)."""
    given = [
        (node, name)
        for node in nodes
        for name in _SENSITIVE.get(node["label"], ())  # a series' buckets have none
        if node["properties"].get(name)
    ]
    for node, name in given:
        value = node["properties"][name]
        if not isinstance(value, str) or sealing.is_sealed(value):
            raise Refused(
                f"A {node['label']}'s {name} in the archive is not open text: it cannot be sealed here."
            )
    if not given:
        return nodes
    stored = await graph.read(data_keys.data_key, owner)
    if stored is None:
        key_id, key = sealing.new_data_key()
        wrapped = master.ring(data_dir).wrap(key, sealing.key_where(owner, key_id))
        stored = await graph.write(data_keys.keep_data_key, owner, key_id, wrapped)
    key_id, wrapped = stored
    key = master.ring(data_dir, fresh=True).unwrap(wrapped, sealing.key_where(owner, key_id))
    sealed = []
    for node in nodes:
        label, props = node["label"], dict(node["properties"])
        for name in _SENSITIVE.get(label, ()):
            value = props.get(name)
            if value:
                where = sealing.field_where(owner, label, node["uid"], name)
                props[name] = sealing.seal(value, key_id, key, where)
        sealed.append({**node, "properties": props})
    return sealed


async def _put_documents(
    blobs: BlobStore,
    opened: zipfile.ZipFile,
    owner: str,
    archive: format.Archive,
    nodes: list[dict[str, Any]],
) -> list[str]:
    """Puts each Document's bytes in the blob store under the owner, points the Document at them and
    has its text extracted again (its passages are derived); returns the keys this import created."""
    created: list[str] = []
    try:
        for node in nodes:
            entry = archive.documents.get(node["uid"]) if node["label"] == "Document" else None
            if entry is None:
                continue
            with tempfile.TemporaryFile() as file, opened.open(entry) as source:
                while chunk := source.read(1 << 20):
                    file.write(chunk)
                file.seek(0)
                stored = await blobs.put(owner, file)
            if stored.created:
                created.append(stored.key)
            props = node["properties"]
            props.update(storage_key=stored.key, status="pending", chunk_count=0)
            props.pop("failure_reason", None)
    except BaseException:
        for key in created:
            await blobs.delete(key)
        raise
    return created


def _event(row: dict[str, Any], old_user: str, owner: str) -> dict[str, Any]:
    """An event of the archive as this account's: a reference to the old User node names the new one."""
    props = dict(row["properties"])
    old = str(Ref("User", old_user))
    if isinstance(props.get("nodes"), list):
        props["nodes"] = [str(Ref("User", owner)) if text == old else text for text in props["nodes"]]
    return {**row, "properties": props}


async def main_async(path: str, email: str) -> int:
    from app import open_graph  # the app's own way to reach Neo4j (the local one when NEO4J_URI is unset)
    from graph import migrations
    from settings import Settings
    from storage.blobs.factory import create_blob_store

    settings = Settings()
    blobs = create_blob_store(settings)
    try:
        async with open_graph(settings) as graph:
            await migrations.apply(graph)
            done = await import_archive(graph, blobs, settings.data_dir, path, email)
    except Refused as refused:
        print(f"kindred import: {refused}", file=sys.stderr)
        return 1
    finally:
        await blobs.close()
    print(
        f"imported {done.nodes} nodes, {done.links} links, {done.events} events and "
        f"{done.documents} documents into {email} in {done.seconds:.1f} s; "
        "a running Kindred now rebuilds their search and layout"
    )
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="kindred import", description=__doc__)
    parser.add_argument("archive", help="the archive (a zip from exportAccount)")
    parser.add_argument(
        "--email", required=True, help="the email of the existing, empty account to load it into"
    )
    args = parser.parse_args()
    sys.exit(asyncio.run(main_async(args.archive, args.email)))


if __name__ == "__main__":
    main()
