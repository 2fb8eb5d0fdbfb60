"""Backup and restore of the embedded deployment (the local Neo4j, the vectors, the blobs): a round trip
through a real local Neo4j in a data folder of its own, and the refusals."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app import create_app
from backup.copy import BackupError, backup, restore
from backup.lock import InUse
from dispatch.runner import Dispatcher
from localneo4j import free_port
from settings import Settings
from tests.client import GraphQLClient
from tests.lifespan import started
from tests.test_documents import PNG, upload

MEMORY = "mutation ($input: CreateMemoryInput!) { createMemory(input: $input) { id } }"
DELETE_MEMORY = "mutation ($id: ID!) { deleteMemory(id: $id) { deletedId } }"
MEMORIES = "{ memories { nodes { content } } }"
SEARCH = "query ($q: String!) { search(query: $q, kinds: [MEMORY], first: 1) { node { ... on Memory { content } } } }"
DOCUMENT = "query ($id: ID!) { node(id: $id) { ... on Document { url } } }"
LOG_IN = 'mutation { logIn(email: "backup@example.com", password: "correct horse battery") { token } }'


def command(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`./kindred backup|restore` as a person runs it (the module it calls), on this data folder."""
    clean = {k: v for k, v in os.environ.items() if k not in ("NEO4J_URI", "QDRANT_URL", "S3_ENDPOINT_URL")}
    clean |= {"KINDRED_DATA_DIR": str(data_dir), **env}
    run = [sys.executable, "-m", "backup", *args]
    return subprocess.run(run, env=clean, capture_output=True, text=True, timeout=600, check=False)


@dataclass
class Instance:
    client: GraphQLClient
    http: httpx.AsyncClient
    dispatcher: Dispatcher


@asynccontextmanager
async def embedded(own: Settings) -> AsyncIterator[Instance]:
    """Kindred as `./kindred run` starts it: its own local Neo4j in the data folder, stopped after."""
    async with started(create_app(own)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kindred.test") as http:
            yield Instance(GraphQLClient(http), http, manager._state["dispatcher"])


async def remember(k: Instance, token: str, content: str) -> str:
    made = await k.client.data(MEMORY, {"input": {"kind": "EPISODIC", "content": content}}, token=token)
    return str(made["createMemory"]["id"])


async def found(k: Instance, token: str, query: str) -> list[str]:
    hits = (await k.client.data(SEARCH, {"q": query}, token=token))["search"]
    return [hit["node"]["content"] for hit in hits]


async def test_a_restore_gives_back_the_graph_search_and_documents_as_at_the_backup(
    settings: Settings, tmp_path: Path
) -> None:
    data_dir, saved = tmp_path / "data", tmp_path / "saved"
    own = settings.model_copy(
        update={
            "neo4j_uri": None,
            "data_dir": data_dir,
            "local_neo4j_port": free_port(),
            "local_neo4j_heap": "512m",
            "dispatch": True,
            "schedule": False,
        }
    )
    async with embedded(own) as kindred:
        token = await kindred.client.sign_up("backup@example.com")
        fjord = await remember(kindred, token, "Kayaking on the fjord at midnight")
        bread = await remember(kindred, token, "Baked sourdough bread for the neighbours")
        made = (await upload(kindred.http, token, fjord, "PHOTO", "fjord.png", PNG, "image/png")).json()
        photo = made["data"]["uploadDocument"]["id"]
        await kindred.dispatcher.drain()
    summary = backup(data_dir, saved)
    assert summary.files > 0 and (saved / "manifest.json").is_file()

    async with embedded(own) as kindred:  # after the backup: one more memory, one deleted
        await remember(kindred, token, "Took up the cello in the spring")
        await kindred.client.data(DELETE_MEMORY, {"id": bread}, token=token)
        await kindred.dispatcher.drain()
        assert await found(kindred, token, "cello lessons") == ["Took up the cello in the spring"]
        with pytest.raises(InUse, match="Kindred is running on"):
            restore(data_dir, saved)
        refused = command("restore", str(saved), data_dir=data_dir)
        assert refused.returncode == 1 and "Kindred is running on" in refused.stderr
        with pytest.raises(InUse, match="Kindred is running on"):
            backup(data_dir, tmp_path / "while-running")

    restore(data_dir, saved)
    async with embedded(own) as kindred:
        token = (await kindred.client.data(LOG_IN))["logIn"]["token"]
        listed = (await kindred.client.data(MEMORIES, token=token))["memories"]["nodes"]
        assert sorted(node["content"] for node in listed) == [
            "Baked sourdough bread for the neighbours",
            "Kayaking on the fjord at midnight",
        ]
        assert await found(kindred, token, "sourdough") == ["Baked sourdough bread for the neighbours"]
        assert "Took up the cello in the spring" not in await found(kindred, token, "cello")
        url = (await kindred.client.data(DOCUMENT, {"id": photo}, token=token))["node"]["url"]
        download = await kindred.http.get(url)
        assert download.status_code == 200 and download.content == PNG


def test_a_damaged_backup_is_refused_and_the_data_folder_left_as_it_was(tmp_path: Path) -> None:
    data_dir, saved = tmp_path / "data", tmp_path / "saved"
    (data_dir / "blobs" / "ab").mkdir(parents=True)
    (data_dir / "blobs" / "ab" / "blob").write_bytes(b"the bytes at the backup")
    (data_dir / "vectors").mkdir()
    (data_dir / "vectors" / "segment").write_bytes(b"vectors at the backup")
    backup(data_dir, saved)
    (data_dir / "blobs" / "ab" / "blob").write_bytes(b"the bytes since")
    (saved / "vectors" / "segment").write_bytes(b"tampered")
    with pytest.raises(BackupError, match="changed since the backup"):
        restore(data_dir, saved)
    assert (data_dir / "blobs" / "ab" / "blob").read_bytes() == b"the bytes since"
    with pytest.raises(BackupError, match="not a Kindred backup"):
        restore(data_dir, tmp_path / "nowhere")
    with pytest.raises(BackupError, match="not empty"):
        backup(data_dir, saved)


def test_a_whole_backup_restores_every_part_and_drops_what_came_since(tmp_path: Path) -> None:
    data_dir, saved = tmp_path / "data", tmp_path / "saved"
    (data_dir / "blobs").mkdir(parents=True)
    (data_dir / "blobs" / "kept").write_bytes(b"kept")
    backup(data_dir, saved)
    (data_dir / "blobs" / "since").write_bytes(b"written after the backup")
    (data_dir / "blobs" / "kept").unlink()
    restore(data_dir, saved)
    assert sorted(p.name for p in (data_dir / "blobs").iterdir()) == ["kept"]
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".before-restore")]


def test_the_command_backs_up_and_restores_and_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    data_dir, saved = tmp_path / "data", tmp_path / "saved"
    (data_dir / "blobs").mkdir(parents=True)
    (data_dir / "blobs" / "kept").write_bytes(b"kept")
    made = command("backup", str(saved), data_dir=data_dir)
    assert made.returncode == 0, made.stderr
    assert "backed up" in made.stdout and (saved / "blobs" / "kept").read_bytes() == b"kept"
    (data_dir / "blobs" / "kept").write_bytes(b"changed")
    assert command("restore", str(saved), data_dir=data_dir).returncode == 0
    assert (data_dir / "blobs" / "kept").read_bytes() == b"kept"
    away = command("backup", str(tmp_path / "other"), data_dir=data_dir, NEO4J_URI="bolt://db.example:7687")
    assert away.returncode == 1 and "NEO4J_URI" in away.stderr and not (tmp_path / "other").exists()
    assert command("restore", data_dir=data_dir).returncode == 2  # no folder named: the usage
