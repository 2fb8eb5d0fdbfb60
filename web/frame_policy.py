"""Kindred's pages (the explorer, GraphiQL) may be framed by Kindred's own pages only: a page any site
can frame is a page any site can overlay to trick a click (clickjacking). CSP's frame-ancestors for
today's browsers, X-Frame-Options for older ones. Set on every response, so no page is left out
(an API's JSON framed is nothing a browser shows; the policy costs it nothing)."""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {"content-security-policy": "frame-ancestors 'self'", "x-frame-options": "SAMEORIGIN"}


class FramePolicy:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_policy)
