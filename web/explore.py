"""The 3D explorer at /explore: a page and its one script, 3d-force-graph bundled by esbuild from the npm
packages in web/explore (built by ./kindred, no CDN). Until it is built, /explore says how to build it."""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

FOLDER = Path(__file__).with_name("explore")
BUNDLE = FOLDER / "dist"


def built() -> bool:
    return (BUNDLE / "explore.js").is_file()


async def page(request: Request) -> Response:
    if not built():
        return PlainTextResponse("The explorer is not built: run ./kindred run (it builds web/explore).", 503)
    return FileResponse(FOLDER / "index.html", media_type="text/html")


def routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = [Route("/explore", page)]
    if built():
        routes.append(Mount("/explore/assets", StaticFiles(directory=BUNDLE), name="explore-assets"))
    return routes
