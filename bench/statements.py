"""Counts the Cypher statements a server process sends, for `./kindred bench api`: per request.

`install()` wraps the driver's `run` (in every transaction and on sessions) and its managed
transactions in this process only; the bench servers call it at start. `PerRequest` (an ASGI
middleware) opens a tally for each HTTP request in a context variable and answers it in the response's
headers (`x-bench-statements`, `x-bench-transactions`, `x-bench-auth-statements`): only what ran in the
request's own task and the tasks it started is counted, never the work of tasks started before it (Kindred's
dispatcher, eraser and scheduler), however many requests run at once. Statements run inside a function
wrapped with `aside` (Kindred's check of a credential against its auth-state cache) are counted apart,
as auth statements, not as the operation's. GET /bench/statements still answers the process's total.
"""

from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from neo4j import AsyncSession
from neo4j._async.work.transaction import AsyncTransactionBase
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

P = ParamSpec("P")
T = TypeVar("T")
HEADERS = ("x-bench-statements", "x-bench-transactions", "x-bench-auth-statements")


@dataclass
class Tally:
    statements: int = 0
    transactions: int = 0
    auth: int = 0  # statements run aside (the credential's check), not counted in `statements`


sent = 0  # every statement this process sent, whatever ran it
_REQUEST: ContextVar[Tally | None] = ContextVar("bench_request_tally", default=None)
_ASIDE: ContextVar[bool] = ContextVar("bench_aside", default=False)


_ORIGINALS: dict[tuple[type, str], Any] = {}  # what install() wrapped, for uninstall()


def install() -> None:
    """Counts every statement and managed transaction of this process's drivers from now on (once)."""
    if _ORIGINALS:
        return
    wrapped: list[tuple[type, str, Callable[[Any], Any]]]
    wrapped = [(cls, "run", _counted_run) for cls in (AsyncTransactionBase, AsyncSession)]
    wrapped += [(AsyncSession, name, _counted_transaction) for name in ("execute_read", "execute_write")]
    for cls, name, wrapper in wrapped:
        _ORIGINALS[(cls, name)] = cls.__dict__[name]
        setattr(cls, name, wrapper(cls.__dict__[name]))  # on purpose: the driver's own methods, counted


def uninstall() -> None:
    """The drivers as they were (a test's process goes on without the counting)."""
    for (cls, name), original in _ORIGINALS.items():
        setattr(cls, name, original)
    _ORIGINALS.clear()


def _counted_run(run: Any) -> Any:
    async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        global sent
        sent += 1
        tally = _REQUEST.get()
        if tally is not None and _ASIDE.get():
            tally.auth += 1
        elif tally is not None:
            tally.statements += 1
            if isinstance(self, AsyncSession):  # an auto-commit statement is a transaction of its own
                tally.transactions += 1
        return await run(self, *args, **kwargs)

    return counted


def _counted_transaction(execute: Any) -> Any:
    async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        tally = _REQUEST.get()
        if tally is not None and not _ASIDE.get():
            tally.transactions += 1
        return await execute(self, *args, **kwargs)

    return counted


def aside(work: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """`work` with the statements it runs counted as auth statements, apart from the request's."""

    @wraps(work)
    async def set_aside(*args: P.args, **kwargs: P.kwargs) -> T:
        token = _ASIDE.set(True)
        try:
            return await work(*args, **kwargs)
        finally:
            _ASIDE.reset(token)

    return set_aside


class PerRequest:
    """Each HTTP request's tally of statements, answered in its response's headers (complete by then:
    a GraphQL answer is rendered whole before it is sent)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tally = Tally()
        token = _REQUEST.set(tally)

        async def with_tally(message: Message) -> None:
            if message["type"] == "http.response.start":
                counts = (tally.statements, tally.transactions, tally.auth)
                extra = [
                    (name.encode(), str(count).encode()) for name, count in zip(HEADERS, counts, strict=True)
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, with_tally)
        finally:
            _REQUEST.reset(token)


def of(headers: Any) -> Tally | None:
    """The tally a response's headers carry, or None where the server answers none (the peer)."""
    if HEADERS[0] not in headers:
        return None
    return Tally(*(int(headers[name]) for name in HEADERS))


async def endpoint(request: Request) -> JSONResponse:
    return JSONResponse({"statements": sent})
