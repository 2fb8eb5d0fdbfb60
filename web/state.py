"""What the app's lifespan (app.py) gives every request and WebSocket: `request.state["graph"]` and the
rest, typed (Starlette's typed lifespan state: read it through `Request[AppState]`, or `state_of` where
Strawberry's signatures say a plain Request)."""

import asyncio
from typing import Any, NotRequired, TypedDict, cast

from starlette.requests import HTTPConnection

from dispatch.runner import Dispatcher
from graph.driver import Graph
from settings import Settings
from storage.blobs import BlobStore
from storage.cache import Cache
from storage.companion import CompanionCaches
from storage.embeddings import Embedder
from storage.pubsub import PubSub
from storage.rate_limits import RateLimits
from storage.vectors import VectorStore
from web.readiness import Readiness


class AppState(TypedDict):
    settings: Settings
    graph: Graph
    # Persisted queries' documents by hash (web/persisted_queries.py).
    persisted_queries: Cache
    # The auth state credentials are checked against (auth/state.py).
    auth_cache: Cache
    # Conversations' working memory, kept hot (resolvers/working_memory.py).
    working_memory: Cache
    # Each person's last list of gift recommendations (resolvers/recommendations.py).
    recommendations: Cache
    # The companion's orb and scene state (resolvers/companion.py).
    companion: CompanionCaches
    rate_limits: RateLimits
    embedder: Embedder
    vectors: VectorStore
    blobs: BlobStore
    # Hands each commit's events to what derives from the graph; running only when settings.dispatch.
    dispatcher: Dispatcher
    pubsub: PubSub
    # What /health/ready checks, and whether a shutdown has begun (web/readiness.py).
    readiness: Readiness
    # Neo4j planning the view's and layout's statements after start (graph/plans.py): its result is how
    # many it planned; None when settings.warm_plans is off.
    plans: asyncio.Task[int] | None
    # Not the lifespan's: set in each request's copy of the state by web/request_id.py.
    request_id: NotRequired[str]


def state_of(connection: HTTPConnection[Any]) -> AppState:
    """The state of a request or WebSocket, typed: Starlette keeps it in a `State`, read by key."""
    return cast(AppState, connection.state)
