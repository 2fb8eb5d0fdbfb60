"""Each HTTP request as operators see it: its id in every log line logged while it runs (the context
variable telemetry/logs.py reads), one access line when it ends, and a server span when tracing is on.

Inside RequestId (which chose the id). The access line has no query string (a download URL carries its
token there) and no client address or user: method, path, status, duration, request id and operation."""

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telemetry import logs, tracing

access_log = logging.getLogger("kindred.access")
# Asked every few seconds by a load balancer or Prometheus: their lines are DEBUG, not INFO.
_PROBES = ("/health", "/metrics")


class Observed:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = scope.get("state", {}).get("request_id")
        token = logs.REQUEST_ID.set(request_id)
        operation = logs.OPERATION.set(None)
        try:
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
            else:
                await self._http(scope, receive, send, request_id)
        finally:
            logs.OPERATION.reset(operation)
            logs.REQUEST_ID.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send, request_id: str | None) -> None:
        status = 500  # unless a response starts
        start = time.perf_counter()

        async def sent(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        method, path = scope["method"], scope["path"]
        with tracing.request_span(
            f"{method} {path}",
            headers,
            **{"http.request.method": method, "url.path": path, "kindred.request_id": request_id},
        ) as span:
            try:
                await self.app(scope, receive, sent)
            finally:
                if span is not None:
                    span.set_attribute("http.response.status_code", status)
                access_log.log(
                    logging.DEBUG if path.startswith(_PROBES) else logging.INFO,
                    "%s %s %d",
                    method,
                    path,
                    status,
                    extra={
                        "method": method,
                        "path": path,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                    },
                )
