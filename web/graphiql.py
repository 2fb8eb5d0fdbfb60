"""GraphiQL without the internet: the page Strawberry serves loads its scripts from a CDN; when the same
npm packages are installed here (web/graphiql, by ./kindred), they are served by Kindred instead."""

import re
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).with_name("graphiql") / "node_modules"
PREFIX = "/graphiql-assets"
# https://unpkg.com/<package>@<version>/<file>, the package possibly scoped (@graphiql/plugin-explorer).
_CDN = re.compile(r"https://unpkg\.com/((?:@[^/@]+/)?[^/@]+)@[^/]+/")


def installed() -> bool:
    return (ASSETS / "graphiql" / "package.json").exists()


def local_page(html: str) -> str:
    """The page with every CDN address turned into one of Kindred's own."""
    return _CDN.sub(lambda match: f"{PREFIX}/{match.group(1)}/", html)


def route() -> Mount:
    return Mount(PREFIX, StaticFiles(directory=ASSETS), name="graphiql-assets")
