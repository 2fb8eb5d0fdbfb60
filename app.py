"""The Starlette app: /graphql (GraphiQL in a browser, HTTP and WebSocket), /health, and the lifespan
that opens what requests use: the local Neo4j when NEO4J_URI is unset, the driver, the migrations."""

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import uvicorn
from anyio import to_thread
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from graph import migrations
from graph.driver import Graph
from localneo4j import LocalNeo4j
from resolvers.context import Context, authenticate
from schema import schema
from settings import Settings

logger = logging.getLogger("kindred")


class KindredGraphQL(GraphQL[Context, None]):
    async def get_context(self, request: Request | WebSocket, response: Response | None) -> Context:
        state = request.state
        context = Context(request, response, state.settings, state.graph, state.request_id)
        await authenticate(context, request.headers.get("authorization"))
        return context


class RequestId:
    """Gives each request an id (the client's X-Request-ID if sane), for its logs and its answer."""

    _SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get("x-request-id", "")
        request_id = offered if self._SANE.fullmatch(offered) else uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-request-id"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


async def health(request: Request) -> JSONResponse:
    problem = await request.state.graph.reachable()
    if problem is not None:
        return JSONResponse({"status": "unavailable", "neo4j": "unreachable", "detail": problem}, 503)
    return JSONResponse({"status": "ok", "neo4j": "reachable"})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    graphql = KindredGraphQL(
        schema,
        graphql_ide="graphiql" if settings.graphiql else None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        async with _graph(settings) as graph:
            applied = await migrations.apply(graph)
            if applied:
                logger.info("applied schema migrations %s", applied)
            logger.info("Kindred is ready: GraphiQL on http://%s:%s/graphql", settings.host, settings.port)
            yield {"settings": settings, "graph": graph}

    routes = [Route("/health", health), Route("/graphql", graphql), WebSocketRoute("/graphql", graphql)]
    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(RequestId)])


@asynccontextmanager
async def _graph(settings: Settings) -> AsyncIterator[Graph]:
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


def main() -> None:
    settings = Settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
