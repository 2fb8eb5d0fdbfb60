"""The dispatcher: after each commit, hands the graph's new Events to each consumer of derived state.

It sits above graph/ and storage/ (which never import each other) because a consumer joins the two: it
reads the graph and writes a derived store. A consumer is one small module with a `NAME`,
`def handles(kind) -> bool` (the event kinds it wakes for and is given; it passes over the others) and
`async def handle(services, events)`; list it in CONSUMERS. Delivery is at least once: `handle` must
be idempotent (an event, keyed by its uid, may come again after a crash or a lost lease).

A scheduled job (dispatch/schedule.py) is a module with a `NAME`, an `EVERY` (seconds: HOURLY, DAILY
or any number) and `async def run(services, now) -> int` (what it did, counted); list it in JOBS. It
runs once a period across all instances, and again only if a run is cut short: it must be idempotent.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from dispatch.fair_queue import FairQueue
from graph.driver import Graph
from graph.events import Event
from storage.blobs import BlobStore
from storage.embeddings import Embedder
from storage.pubsub import PubSub
from storage.transcription import Transcriber
from storage.vectors import VectorStore

if TYPE_CHECKING:  # extraction/ reads dispatch/mention_finder.py: imported for its type alone
    from extraction import Extractor


@dataclass(frozen=True)
class ExtractionLimits:
    """How far a Document's extraction may go (settings.py: extraction_max_*)."""

    pages: int = 500
    passages: int = 5_000
    seconds: float = 60.0
    memory_mb: int = 1_024
    concurrency: int = 2  # documents extracted at once, at most one per owner


@dataclass
class Services:
    """What consumers write to and read from."""

    graph: Graph
    embedder: Embedder
    vectors: VectorStore
    pubsub: PubSub | None = None  # where live updates are published (dispatch/live.py)
    blobs: BlobStore | None = None
    transcriber: Transcriber | None = None  # None: recordings stay untranscribed
    extraction: ExtractionLimits = ExtractionLimits()
    # Where Documents wait for extraction, fairly by owner (dispatch/documents.py); None: in the event.
    extractions: FairQueue | None = None
    # What proposes insights from what is written (dispatch/proposals.py); None: the deterministic one.
    extractor: "Extractor | None" = None


Handle = Callable[[Services, Sequence[Event]], Awaitable[None]]
Handles = Callable[[str], bool]


def every_kind(kind: str) -> bool:
    return True


HOURLY = 3600.0
DAILY = 86400.0
Run = Callable[[Services, float], Awaitable[int]]  # (services, now in seconds since the epoch) -> count


@dataclass(frozen=True)
class Job:
    """Work done once a period (`every` seconds, periods counted from the epoch, UTC)."""

    name: str
    every: float
    run: Run

    @classmethod
    def of(cls, module: ModuleType) -> "Job":
        return cls(module.NAME, module.EVERY, module.run)


@dataclass(frozen=True)
class Consumer:
    name: str
    handle: Handle
    handles: Handles = every_kind  # the event kinds it is woken for and given

    @classmethod
    def of(cls, module: ModuleType) -> "Consumer":
        return cls(module.NAME, module.handle, module.handles)


__all__ = [
    "DAILY",
    "HOURLY",
    "Consumer",
    "Event",
    "ExtractionLimits",
    "Handle",
    "Handles",
    "Job",
    "Run",
    "Services",
    "every_kind",
]
