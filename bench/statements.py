"""Counts the Cypher statements a server process sends, for `./kindred bench api`.

`install()` wraps the driver's `run` (in every transaction and on sessions) in this process only; the
bench servers call it at start and answer the count at GET /bench/statements. The runner reads it
before and after a number of sequential calls of one operation: nothing else sends statements then.
"""

from typing import Any

from neo4j._async.work.session import AsyncSession
from neo4j._async.work.transaction import AsyncTransactionBase
from starlette.requests import Request
from starlette.responses import JSONResponse

sent = 0


def install() -> None:
    for cls in (AsyncTransactionBase, AsyncSession):
        cls.run = _counted(cls.run)  # type: ignore[method-assign]  # on purpose: counts every statement


def _counted(run: Any) -> Any:
    async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        global sent
        sent += 1
        return await run(self, *args, **kwargs)

    return counted


async def endpoint(request: Request) -> JSONResponse:
    # Kindred's Graph counts its transactions too (the floor has no Graph: one transaction a request).
    graph = getattr(request.state, "graph", None)
    return JSONResponse({"statements": sent, "transactions": graph.transactions if graph else None})
