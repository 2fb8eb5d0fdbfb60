"""What /health/ready checks: Neo4j answers, every migration is recorded, the vector store answers,
and the embedder has embedded (its model is loaded); and whether a shutdown has begun (from then on the
instance is not ready, so a load balancer stops sending it new requests)."""

import asyncio
import logging
from collections.abc import Awaitable

from graph import migrations
from graph.driver import Graph
from storage.embeddings import Embedder
from storage.vectors import VectorStore
from web.shutdown import Shutdown

logger = logging.getLogger("kindred.health")
CHECK_SECONDS = 3.0  # each check's bound: a probe must answer quickly, whatever hangs behind it
_PROBE_KIND = "memory"  # a collection every vector space has (any kind would do)


class Readiness:
    """What /health/ready checks, and whether a shutdown has begun. The embedder is loaded once, at
    start (in the background) or on the first probe that finds it not yet loaded."""

    def __init__(self, graph: Graph, vectors: VectorStore, embedder: Embedder, shutdown: Shutdown) -> None:
        self.graph, self.vectors, self.embedder = graph, vectors, embedder
        self.shutdown = shutdown
        self.embedder_loaded = False
        self._loading: asyncio.Task[None] | None = None

    def start_loading(self) -> None:
        """Loads the embedder's model now, off the request path."""
        if self._loading is None or self._loading.done():
            self._loading = asyncio.create_task(self._load())

    async def _load(self) -> None:
        try:
            await self.embedder.embed(["ready"])
            self.embedder_loaded = True
        except Exception:
            logger.error("the embedder could not embed: search is unavailable", exc_info=True)

    async def checks(self) -> dict[str, str]:
        """Each check's answer: "ok", or what is wrong."""
        names = ("neo4j", "migrations", "vectors", "embedder")
        probes = (self._neo4j(), self._migrations(), self._vectors(), self._embedder())
        answers = await asyncio.gather(*(_bounded(probe) for probe in probes))
        found = dict(zip(names, answers, strict=True))
        if self.shutdown.begun:
            found["shutdown"] = "shutting down: finishing the requests in flight"
        return found

    async def _neo4j(self) -> str:
        problem = await self.graph.reachable(within=CHECK_SECONDS)
        return "ok" if problem is None else problem

    async def _migrations(self) -> str:
        applied = set(await migrations.applied_versions(self.graph))
        missing = sorted({m.version for m in migrations.MIGRATIONS} - applied)
        return "ok" if not missing else f"not applied: {missing}"

    async def _vectors(self) -> str:
        await self.vectors.count(_PROBE_KIND, owner="-")
        return "ok"

    async def _embedder(self) -> str:
        if self.embedder_loaded:
            return "ok"
        self.start_loading()
        assert self._loading is not None
        await asyncio.shield(self._loading)
        return "ok" if self._loaded() else "not loaded (see the log)"

    def _loaded(self) -> bool:
        return self.embedder_loaded  # read again after the wait (mypy would take it for still False)


async def _bounded(probe: Awaitable[str]) -> str:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            return await probe
    except TimeoutError:
        return f"no answer in {CHECK_SECONDS:.0f} s"
    except Exception as error:
        return f"{type(error).__name__}: {error}"
