"""The Starlette app: /graphql (GraphiQL in a browser, HTTP and WebSocket), /health (live and ready),
/metrics, and the lifespan that opens what requests use: the local Neo4j when NEO4J_URI is unset, the
driver, the caches (given to each request as its typed state, web/state.py)."""

import gc
import importlib.metadata
import logging
import os
import signal
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import uvicorn
from anyio import to_thread
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Route, WebSocketRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from backup.lock import running_on
from dispatch import (
    Consumer,
    ExtractionLimits,
    Job,
    Services,
    announce,
    consolidation,
    embeddings,
    erasure,
    history,
    live,
    mentions,
    outcome_preferences,
    proposals,
    purge,
    similarity,
)
from dispatch import documents as document_extraction
from dispatch import layout as view_layout
from dispatch.exports import Exporter
from dispatch.runner import Dispatcher
from dispatch.schedule import Scheduler
from extraction.factory import create_extractor
from graph import migrations, plans
from graph.driver import Graph
from localneo4j import LocalNeo4j
from schema import build_schema
from settings import Settings
from storage.blobs.factory import create_blob_store
from storage.cache import Cache
from storage.companion import CompanionCaches
from storage.embeddings.factory import create_embedder
from storage.memory_cache import MemoryCache
from storage.pubsub.factory import create_pubsub
from storage.rate_limits import RateLimits
from storage.redis_cache import RedisCache
from storage.transcription.factory import create_transcriber
from storage.vectors import VectorSpace
from storage.vectors.factory import create_vector_store
from telemetry import logs, tracing
from web import downloads, explore, exports, graphiql, health, metrics, origins, refusals
from web.body_limit import BodyLimit
from web.frame_policy import FramePolicy
from web.graphql_view import KindredGraphQL
from web.observe import Observed
from web.readiness import Readiness
from web.request_id import RequestId
from web.shutdown import GracefulServer, Shutdown
from web.state import AppState

logger = logging.getLogger("kindred")


def create_app(settings: Settings | None = None, graph: Graph | None = None) -> Starlette:
    """The app; given a `graph`, it uses that one (and leaves it open) instead of connecting its own."""
    settings = settings or Settings()
    shutdown = Shutdown()
    graphql = KindredGraphQL(build_schema(settings), settings, shutdown)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[AppState]:
        async with AsyncExitStack() as stack:
            stack.enter_context(running_on(settings.data_dir))  # no restore under a running app
            used = graph if graph is not None else await stack.enter_async_context(open_graph(settings))
            applied = await migrations.apply(used)
            if applied:
                logger.info("applied schema migrations %s", applied)
            persisted_queries = _persisted_query_cache(settings)
            stack.push_async_callback(persisted_queries.close)
            auth_cache = _auth_state_cache(settings)
            stack.push_async_callback(auth_cache.close)
            working_memory = _working_memory_cache(settings)
            stack.push_async_callback(working_memory.close)
            recommendations = _recommendation_cache(settings)
            stack.push_async_callback(recommendations.close)
            companion = _companion_caches(settings)
            stack.push_async_callback(companion.close)
            rate_limits = RateLimits(settings.redis_url)
            services = await stack.enter_async_context(open_services(settings, used))
            _say_if_search_cannot_work(services)
            if settings.vectors_index_at_start:
                await _index_vectors(services)
            dispatcher = Dispatcher(
                services,
                CONSUMERS,
                poll_seconds=settings.dispatch_poll_seconds,
                linger_seconds=settings.dispatch_linger_seconds,
            )
            if services.extractions is not None:
                stack.push_async_callback(services.extractions.stop)
            if settings.dispatch:
                await dispatcher.start()
                stack.push_async_callback(dispatcher.stop, settings.shutdown_grace_seconds)
                await document_extraction.resume(services)
                keyed = erasure.Keyed(
                    auth_cache,
                    persisted_queries,
                    rate_limits,
                    settings.rate_limit_per_user,
                    settings.rate_limit_per_email,
                    working_memory,
                    recommendations,
                    companion,
                )
                eraser = _eraser(settings, services, keyed)
                await eraser.start()
                stack.push_async_callback(eraser.stop)
                exporter = Exporter(
                    services, settings.data_dir, _version(), poll_seconds=settings.dispatch_poll_seconds
                )
                await exporter.start()
                stack.push_async_callback(exporter.stop)
            if settings.schedule:
                scheduler = Scheduler(services, jobs(settings), tick_seconds=settings.schedule_tick_seconds)
                await scheduler.start()
                stack.push_async_callback(scheduler.stop)
            readiness = Readiness(used, services.vectors, services.embedder, shutdown)
            readiness.start_loading()
            # Entered last, so a shutdown cancels it first.
            plans_warmed = (
                await stack.enter_async_context(plans.warming(used)) if settings.warm_plans else None
            )
            blobs, pubsub = services.blobs, services.pubsub
            assert blobs is not None and pubsub is not None  # open_services makes both
            logger.info("Kindred is ready: GraphiQL on http://%s:%s/graphql", settings.host, settings.port)
            yield AppState(
                settings=settings,
                graph=used,
                persisted_queries=persisted_queries,
                auth_cache=auth_cache,
                working_memory=working_memory,
                recommendations=recommendations,
                companion=companion,
                rate_limits=rate_limits,
                embedder=services.embedder,
                vectors=services.vectors,
                blobs=blobs,
                dispatcher=dispatcher,
                pubsub=pubsub,
                readiness=readiness,
                plans=plans_warmed,
            )

    routes: list[BaseRoute] = [*health.routes(), metrics.route()]
    routes += [
        Route("/graphql", graphql),
        WebSocketRoute("/graphql", graphql),
        downloads.route(),
        exports.route(),
    ]
    if settings.graphiql and graphiql.installed():
        routes.append(graphiql.route())
    routes.extend(explore.routes())
    # Starlette's own refusals (the form parser's, routing's 404 and 405) answer in Kindred's shape.
    handlers = {HTTPException: refusals.http_exception}
    app = Starlette(
        routes=routes, lifespan=lifespan, middleware=_middleware(settings), exception_handlers=handlers
    )
    app.state.shutdown = shutdown  # for serve(): closes the WebSockets before uvicorn stops
    return app


def _eraser(settings: Settings, services: Services, keyed: erasure.Keyed) -> erasure.Eraser:
    """What erases the accounts deleteAccount marks, from every store (dispatch/erasure.py): the caches
    and limits `keyed` by a user's uid or email among them."""
    return erasure.Eraser(
        services, keyed, batch=settings.erasure_batch_size, poll_seconds=settings.dispatch_poll_seconds
    )


def _version() -> str:
    """This Kindred's version, as installed (an export's manifest names it)."""
    try:
        return importlib.metadata.version("kindred")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _say_if_search_cannot_work(services: Services) -> None:
    """One loud line at start when the embedder's model is not installed (a `pip install .` that
    skipped its weights): the server runs, search answers SEARCH_UNAVAILABLE, embedding events wait."""
    problem = services.embedder.missing()
    if problem is not None:
        logger.error("SEARCH IS UNAVAILABLE on this server: %s", problem)


async def _index_vectors(services: Services) -> None:
    """The vector index of what grew since the last start, built before anything is served: the embedded
    engine builds it only when asked, holding the GIL meanwhile (storage/vectors/edge_store.py)."""
    started = time.perf_counter()
    await services.vectors.optimize()
    if time.perf_counter() - started > 1:
        logger.info("indexed the vectors in %.0f s", time.perf_counter() - started)


# What derives from the graph, each fed its events by the dispatcher: add a module here to add one.
CONSUMERS = [
    Consumer.of(embeddings),
    Consumer.of(live),
    Consumer.of(document_extraction),
    Consumer.of(view_layout),
    Consumer.of(mentions),
    Consumer.of(proposals),
    Consumer.of(outcome_preferences),
    Consumer.of(similarity),
    Consumer.of(history),
]


def jobs(settings: Settings) -> list[Job]:
    """What runs on a schedule (dispatch/schedule.py): add a module here to add one."""
    return [
        Job.of(purge),
        Job(announce.NAME, announce.EVERY, announce.job(settings.occasion_notice_days)),
        Job.of(similarity),
        Job.of(history),
        Job.of(consolidation),
    ]


@asynccontextmanager
async def open_services(settings: Settings, graph: Graph) -> AsyncIterator[Services]:
    """The embedder, the vector store, the blob store, the transcriber and the pub/sub of this instance
    (closed on exit)."""
    embedder = create_embedder(settings)
    vectors = create_vector_store(settings, VectorSpace(embedder.model_id, embedder.dimensions))
    blobs = create_blob_store(settings)
    transcriber = create_transcriber(settings)
    pubsub = create_pubsub(settings.redis_url)
    extractor = create_extractor(settings)
    try:
        limits = ExtractionLimits(
            pages=settings.extraction_max_pages,
            passages=settings.extraction_max_passages,
            seconds=settings.extraction_max_seconds,
            memory_mb=settings.extraction_max_memory_mb,
            concurrency=settings.extraction_concurrency,
        )
        services = Services(
            graph, embedder, vectors, pubsub=pubsub, blobs=blobs, transcriber=transcriber, extraction=limits
        )
        services.extractions = document_extraction.fair_queue(services)
        services.extractor = extractor
        yield services
    finally:
        await extractor.close()
        await pubsub.close()
        if transcriber is not None:
            await transcriber.close()
        await blobs.close()
        await vectors.close()
        await embedder.close()


def _middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: the client's real address, the request id, what operators see of the request
    (its log lines, access line and span), the frame policy, CORS, then the body limit."""
    middleware = []
    if settings.trusted_proxy_list:
        # Only a trusted peer's X-Forwarded-For replaces the client address (rate limits, logs).
        middleware.append(Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list))
    middleware.append(Middleware(RequestId))
    middleware.append(Middleware(Observed))
    middleware.append(Middleware(FramePolicy))
    if settings.cors_origin_list:
        middleware.append(
            Middleware(
                CORSMiddleware,
                # As browsers send them, so a trailing slash or capitals in the setting still match.
                allow_origins=sorted(origins.allowed(settings.cors_origin_list)),
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "authorization",
                    "content-type",
                    "accept",
                    "x-request-id",
                    # One of these must come with an upload (the CSRF check of multipart requests).
                    "apollo-require-preflight",
                    "x-apollo-operation-name",
                ],
                expose_headers=["x-request-id", "retry-after"],
                max_age=600,
            )
        )
    middleware.append(
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes)
    )
    return middleware


def _persisted_query_cache(settings: Settings) -> Cache:
    ttl = settings.persisted_query_ttl_seconds
    if settings.redis_url:
        return RedisCache(Redis.from_url(settings.redis_url), "kindred:apq", ttl)
    return MemoryCache(ttl)


def _auth_state_cache(settings: Settings) -> Cache:
    """Where each request finds its user's auth state (auth/state.py): shared in Redis, so a
    logout holds on every instance at once."""
    ttl = settings.auth_state_ttl_seconds
    if settings.redis_url:
        return RedisCache(Redis.from_url(settings.redis_url), "kindred:auth", ttl)
    return MemoryCache(ttl)


def _working_memory_cache(settings: Settings) -> Cache:
    """Where conversations' working memory is kept hot (resolvers/working_memory.py): in Redis, so every
    instance answers the same one."""
    ttl = settings.working_memory_ttl_seconds
    if settings.redis_url:
        return RedisCache(Redis.from_url(settings.redis_url), "kindred:wm", ttl)
    return MemoryCache(ttl)


def _recommendation_cache(settings: Settings) -> Cache:
    """Where each person's last list of gift recommendations is kept for its time to live
    (resolvers/recommendations.py): in Redis, so every instance answers the same list."""
    ttl = settings.recommendation_ttl_seconds
    if settings.redis_url:
        return RedisCache(Redis.from_url(settings.redis_url), "kindred:recs", ttl)
    return MemoryCache(ttl)


def _companion_caches(settings: Settings) -> CompanionCaches:
    """Where the companion's orb and scene state are kept, each with its TTL (resolvers/companion.py): in
    Redis, so every instance reads and changes the same state."""
    orb, scene = settings.companion_orb_ttl_seconds, settings.companion_scene_ttl_seconds
    if settings.redis_url:
        return CompanionCaches(
            RedisCache(Redis.from_url(settings.redis_url), "kindred:companion", orb),
            RedisCache(Redis.from_url(settings.redis_url), "kindred:companion", scene),
        )
    return CompanionCaches(MemoryCache(orb), MemoryCache(scene))


@asynccontextmanager
async def open_graph(settings: Settings) -> AsyncIterator[Graph]:
    """The configured Neo4j, or the local one: started here if it is not running, and then stopped here."""
    local, started = None, False
    uri = settings.neo4j_uri
    if uri is None:
        local = LocalNeo4j(settings.local_neo4j_home, settings.local_neo4j_port, settings.local_neo4j_heap)
        logger.info("NEO4J_URI is not set: using the local Neo4j at %s", local.uri)
        started = await to_thread.run_sync(local.start)
        uri = local.uri
    password = settings.neo4j_password
    auth = (settings.neo4j_user, password.get_secret_value()) if password else None
    graph = Graph.connect(uri, auth, settings.neo4j_database)
    try:
        yield graph
    finally:
        await graph.close()
        if local is not None and started:
            await to_thread.run_sync(local.stop)


def serve(app: Starlette, **options: Any) -> None:
    """Runs the app under uvicorn until it is stopped (SIGTERM or Ctrl-C: gracefully, web/shutdown.py).
    What is imported and built by now lives as long as the process: frozen (after one collection), it is
    left out of every later full collection, each of which would walk all of it (measured: a fifth of a
    nested read's CPU)."""
    gc.collect()
    gc.freeze()
    try:
        GracefulServer(uvicorn.Config(app, **options), app.state.shutdown).run()
    except KeyboardInterrupt:
        # uvicorn raises the Ctrl-C it caught again once it has stopped: end by SIGINT, as Python
        # itself would (a calling shell script then stops too), without its traceback.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)


def main() -> None:
    settings = Settings()
    logs.configure(settings.log_format)
    tracing.enable_if_wanted()  # before the app is built: its schema traces resolvers only if so
    serve(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        # uvicorn's own proxy headers would trust 127.0.0.1 by default: KINDRED_TRUSTED_PROXIES decides.
        proxy_headers=False,
        # Logs are configured above (telemetry/logs.py), and web/observe.py writes the access lines.
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
    )


if __name__ == "__main__":
    main()
