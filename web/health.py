"""Health for whoever runs Kindred: liveness and readiness apart.

- `/health/live`: the process answers (its event loop turns); no dependency is asked, so a Neo4j outage
  never has an orchestrator restart every instance.
- `/health/ready`: whether this instance can serve now (web/readiness.py): 503 while a check fails or
  once a shutdown has begun, with a body naming each check and what failed.
- `/health`: as before, Neo4j alone (200 or 503).
"""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from web.state import state_of


async def live(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    checks = await state_of(request)["readiness"].checks()
    failed = sorted(name for name, answer in checks.items() if answer != "ok")
    body = {"status": "ok" if not failed else "unavailable", "failed": failed, "checks": checks}
    return JSONResponse(body, 200 if not failed else 503)


async def neo4j_only(request: Request) -> JSONResponse:
    problem = await state_of(request)["graph"].reachable()
    if problem is not None:
        return JSONResponse({"status": "unavailable", "neo4j": "unreachable", "detail": problem}, 503)
    return JSONResponse({"status": "ok", "neo4j": "reachable"})


def routes() -> list[Route]:
    endpoints: dict[str, Callable[[Request], Awaitable[JSONResponse]]] = {
        "/health": neo4j_only,
        "/health/live": live,
        "/health/ready": ready,
    }
    return [Route(path, endpoint, methods=["GET"]) for path, endpoint in endpoints.items()]
