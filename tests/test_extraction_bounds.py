"""Extraction is bounded: past the pages, passages or seconds a Document may take, it is FAILED with a
reason a person reads, and a PDF bomb is refused fast instead of being read thousands of times."""

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pypdf import PageObject

from dispatch import pdf_text
from graph.driver import Graph
from settings import Settings
from tests.pdf_bomb import page_tree_bomb
from tests.test_documents import Instance, app_of, document, pdf_of, profile_pdf, recipient, upload


@pytest.fixture
async def bounded(settings: Settings, graph: Graph, tmp_path: Path) -> AsyncIterator[Instance]:
    async with app_of(settings, graph, tmp_path, extraction_max_passages=4) as made:
        yield made


async def extracted(k: Instance, email: str, name: str, data: bytes) -> dict:
    found, _ = await timed_extraction(k, email, name, data)
    return found


async def timed_extraction(k: Instance, email: str, name: str, data: bytes) -> tuple[dict, float]:
    """The Document made of this file once extracted, and the seconds its upload and extraction took
    (the user's own events, and the embedder's first load, delivered before)."""
    token = await k.client.sign_up(email)
    ann = await recipient(k, token)
    await k.dispatcher.drain()
    started = time.monotonic()
    made = (await upload(k.http, token, ann, "PROFILE", name, data)).json()["data"]["uploadDocument"]
    await k.dispatcher.drain()
    took = time.monotonic() - started
    found = await document(k, token, made["id"])
    assert found is not None
    return found, took


async def test_a_page_tree_that_repeats_one_page_2500_times_is_refused_fast(bounded: Instance) -> None:
    bomb = page_tree_bomb(fan=50)
    assert len(bomb) < 1_500  # about 1.3 KB, 2,500 pages
    found, took = await timed_extraction(bounded, "bomb@example.com", "bomb.pdf", bomb)
    assert found["status"] == "FAILED" and found["failureReason"] == "it has more than 500 pages", found
    assert found["pages"] is None
    # Most of it is the child process's start (seconds on a loaded machine); no page is read (below).
    print(f"the bomb refused in {took:.2f} s")
    assert took < 20, took


def test_the_bomb_is_refused_from_its_page_tree_before_a_page_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(page_tree_bomb(fan=50))
    read: list[int] = []
    real = PageObject.extract_text
    monkeypatch.setattr(
        PageObject, "extract_text", lambda page, *a, **k: read.append(1) or real(page, *a, **k)
    )
    assert pdf_text._read(str(path), 500) == pdf_text.TOO_MANY_PAGES
    assert read == []
    # Under the bound, every page is read: the same tree of 9 pages gives 9 texts.
    path.write_bytes(page_tree_bomb(fan=3))
    assert pdf_text._read(str(path), 500) == 0 and len(read) == 9


async def test_a_document_past_the_passages_bound_fails_with_its_reason(bounded: Instance) -> None:
    long_text = " ".join(f"word{i}" for i in range(1_000))  # about 8 passages on one page
    found = await extracted(bounded, "passages@example.com", "long.pdf", pdf_of(long_text))
    assert found["status"] == "FAILED" and found["failureReason"] == "it holds more than 4 passages of text"
    # Within the bounds, the same instance extracts as before.
    found = await extracted(bounded, "within@example.com", "p.pdf", profile_pdf())
    assert found["status"] == "READY" and found["pages"] == 3


async def test_a_pdf_that_takes_longer_than_the_time_bound_fails_with_its_reason(
    settings: Settings, graph: Graph, tmp_path: Path
) -> None:
    async with app_of(settings, graph, tmp_path, extraction_max_seconds=0.05) as k:
        found = await extracted(k, "slow@example.com", "p.pdf", profile_pdf())
        assert found["status"] == "FAILED"
        assert found["failureReason"] == "reading it took more than 0.05 seconds", found


async def test_a_lower_page_bound_is_the_one_told(settings: Settings, graph: Graph, tmp_path: Path) -> None:
    async with app_of(settings, graph, tmp_path, extraction_max_pages=2) as k:
        found = await extracted(k, "pages@example.com", "p.pdf", profile_pdf())
        assert found["status"] == "FAILED" and found["failureReason"] == "it has more than 2 pages"
