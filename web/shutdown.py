"""A graceful shutdown. On SIGTERM (or Ctrl-C) uvicorn stops accepting connections, lets the HTTP
requests in flight finish (up to KINDRED_SHUTDOWN_GRACE_SECONDS), then runs the lifespan's exit, where
the dispatcher finishes the batch it is in. Before uvicorn does, `GracefulServer` has this instance
report itself not ready (/health/ready: 503) and close every GraphQL WebSocket with 1001 (going away),
so a client reconnects elsewhere and resumes its subscriptions with `since:`. Left to itself uvicorn
would close them with 1012."""

import asyncio
import logging
import weakref
from typing import Any

import uvicorn
from starlette.websockets import WebSocket, WebSocketState

logger = logging.getLogger("kindred.shutdown")
GOING_AWAY = 1001


class Shutdown:
    """The app's side of a shutdown: the sockets to close, and whether it has begun."""

    def __init__(self) -> None:
        self.begun = False
        self._sockets: weakref.WeakSet[WebSocket] = weakref.WeakSet()

    def track(self, websocket: WebSocket) -> None:
        self._sockets.add(websocket)

    async def begin(self) -> None:
        self.begun = True
        sockets = [ws for ws in list(self._sockets) if ws.application_state == WebSocketState.CONNECTED]
        if sockets:
            logger.info("closing %d WebSocket(s) with %d (going away)", len(sockets), GOING_AWAY)
        await asyncio.gather(*(_close(ws) for ws in sockets))


async def _close(websocket: WebSocket) -> None:
    try:
        await websocket.close(code=GOING_AWAY, reason="Kindred is shutting down: reconnect and resume")
    except Exception:  # already closing on its own: nothing left to say to it
        logger.debug("a WebSocket could not be closed", exc_info=True)


class GracefulServer(uvicorn.Server):
    """uvicorn's server, which first stops listening, then closes Kindred's WebSockets with 1001, before
    its own shutdown waits for the requests in flight."""

    def __init__(self, config: uvicorn.Config, shutdown: Shutdown) -> None:
        super().__init__(config)
        self.kindred_shutdown = shutdown

    async def shutdown(self, sockets: list[Any] | None = None) -> None:
        for server in self.servers:
            server.close()  # no new connection from here on (uvicorn closes them again: harmless)
        await self.kindred_shutdown.begin()
        await super().shutdown(sockets)
