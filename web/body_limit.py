"""Refuses a request body over a size, before it is read whole: 413 with a GraphQL error.

A multipart request (a file upload, by the GraphQL multipart request specification) has a cap of its
own, `max_upload_bytes`; every other body keeps `max_bytes`.
"""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.refusals import refusal


class _TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        upload = headers.get("content-type", "").lower().startswith("multipart/form-data")
        limit = self.max_upload_bytes if upload else self.max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit, upload)
            return
        received = 0
        started = False

        # A body sent in chunks, with no length declared, is counted as it arrives.
        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send, limit, upload)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int, upload: bool) -> None:
        what = "upload" if upload else "request body"
        message = f"The {what} is over {limit} bytes: send a smaller one."
        extensions = {"limit": "upload" if upload else "body"}
        await refusal(413, message, "BAD_USER_INPUT", extensions=extensions)(scope, receive, send)
