"""One user's documents never wait behind another's: extraction takes owners in turn, each owner's
one document at a time, several owners at once. Shown without timing: user A's document is held inside
its extraction (a gate the test opens) while user B's uploads go through to READY; only then is A's let
go. With one documents queue for everyone, B's would wait behind the gate and never be READY."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from dispatch import pdf_text
from dispatch.fair_queue import FairQueue
from graph.driver import Graph
from settings import Settings
from tests.conftest import client_of
from tests.lifespan import started
from tests.test_documents import DOCUMENT, pdf_of, profile_pdf, upload
from tests.test_recipients import create as create_recipient


async def status_of(client: Any, token: str, uid: str) -> str:
    return (await client.data(DOCUMENT, {"id": uid}, token=token))["node"]["status"]


async def until(check: Callable[[], Awaitable[bool]], within: float = 120.0) -> None:
    async with asyncio.timeout(within):
        # Polling the app's state through its API (nothing to wait on there), not a timed assertion.
        while not await check():  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def test_a_users_one_page_pdf_is_ready_while_another_users_heavy_one_is_still_extracting(
    settings: Settings, graph: Graph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate, held = asyncio.Event(), asyncio.Event()
    real = pdf_text.page_texts

    async def first_held(path: str, *bounds: Any) -> list[str]:
        if not held.is_set():  # the first document read (A's) waits for the gate
            held.set()
            await gate.wait()
        return await real(path, *bounds)

    monkeypatch.setattr(pdf_text, "page_texts", first_held)
    own = settings.model_copy(update={"data_dir": tmp_path, "dispatch": True, "dispatch_poll_seconds": 0.2})
    # A generous start: the dispatcher starts with it, on a machine that may be loaded.
    lifespan = started(create_app(own, graph))
    async with lifespan as manager, client_of(manager.app) as client:
        ann = await client.sign_up("heavy-a@example.com")
        bob = await client.sign_up("light-b@example.com")
        a_to = (await create_recipient(client, ann, "Ann's mom"))["id"]
        b_to = (await create_recipient(client, bob, "Bob's dad"))["id"]
        a_doc = (await upload(client.http, ann, a_to, "PROFILE", "heavy.pdf", profile_pdf())).json()
        a_uid = a_doc["data"]["uploadDocument"]["id"]
        await until(lambda: asyncio.sleep(0, held.is_set()))
        # A's second document waits for A's first (one at a time per owner); B's go through meanwhile.
        a_second = (await upload(client.http, ann, a_to, "PROFILE", "a2.pdf", pdf_of("a two"))).json()
        b_uids = []
        for number in range(2):
            made = await upload(client.http, bob, b_to, "PROFILE", f"b{number}.pdf", pdf_of(f"bob {number}"))
            b_uids.append(made.json()["data"]["uploadDocument"]["id"])
        for uid in b_uids:
            await until(lambda uid=uid: _is(client, bob, uid, "READY"))
        assert await status_of(client, ann, a_uid) == "EXTRACTING"
        a_second_uid = a_second["data"]["uploadDocument"]["id"]
        assert await status_of(client, ann, a_second_uid) == "PENDING"
        gate.set()
        for uid in (a_uid, a_second_uid):
            await until(lambda uid=uid: _is(client, ann, uid, "READY"))


async def _is(client: Any, token: str, uid: str, status: str) -> bool:
    return await status_of(client, token, uid) == status


async def test_owners_take_turns_and_each_runs_one_job_at_a_time() -> None:
    order: list[str] = []
    gates = {owner: asyncio.Event() for owner in "abc"}

    async def job(owner: str, key: str) -> None:
        order.append(key)
        await gates[owner].wait()

    queue = FairQueue(job, concurrency=2)
    for key in ("a1", "a2", "a3"):
        queue.submit("a", key)
    queue.submit("b", "b1")
    queue.submit("c", "c1")
    queue.submit("a", "a1")  # already waiting or running: once
    await asyncio.sleep(0)
    assert order == ["a1", "b1"]  # two slots, one per owner: a's second waits, c's waits its turn
    gates["b"].set()
    await until(lambda: asyncio.sleep(0, order == ["a1", "b1", "c1"]), within=5)
    gates["c"].set()
    gates["a"].set()
    await queue.drain()
    assert order == ["a1", "b1", "c1", "a2", "a3"] and queue.completed == 5
