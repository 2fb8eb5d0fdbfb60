"""GraphiQL, Kindred's way: opened on a starter document that shows how to log in and a first nested
query; writing nothing of what is typed into the page's address (Strawberry's page puts the document in
`?q=`, so a logIn password would land in the browser's history); and without the internet: the page
Strawberry serves loads its scripts from a CDN, and when the same npm packages are installed here
(web/graphiql, by ./kindred), they are served by Kindred instead."""

import re
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).with_name("graphiql") / "node_modules"
PREFIX = "/graphiql-assets"
# https://unpkg.com/<package>@<version>/<file>, the package possibly scoped (@graphiql/plugin-explorer).
_CDN = re.compile(r"https://unpkg\.com/((?:@[^/@]+/)?[^/@]+)@[^/]+/")
_EXAMPLE = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)
_WRITES_URL = "history.replaceState(null, null, newSearch);"

# Shown in the editor when the page opens. A JavaScript template literal: no backquotes, no "${".
STARTER = """# Welcome to Kindred: the people in your life, the gifts
# you gave them, what you remember together.
#
# 1. Run SignUp (or LogIn) with the play button above
#    and copy the token it answers.
# 2. Open "Headers" below and set, with that token:
#      { "Authorization": "Bearer <token>" }
#    (an API key from createApiKey works the same way).
# 3. Run MyPeople: your recipients and their gifts.
#
# Nothing typed here is written to the page's address,
# so no password lands in the browser's history.

mutation SignUp {
  signUp(
    email: "you@example.com"
    password: "a long password"
    name: "You"
  ) {
    token
  }
}

mutation LogIn {
  logIn(email: "you@example.com", password: "a long password") {
    token
  }
}

query MyPeople {
  recipients(first: 10) {
    nodes {
      name
      relationship { kind closeness }
      gifts(first: 5) {
        nodes { name priceCents outcome { reaction success } }
      }
    }
  }
}
"""


def installed() -> bool:
    return (ASSETS / "graphiql" / "package.json").exists()


def kindred_page(html: str) -> str:
    """Strawberry's page with Kindred's starter document and without writing to the address.

    Refuses (at start, not in a browser) a page that no longer has the parts this changes, so an
    upgrade of Strawberry cannot quietly bring the URL-writing back.
    """
    if not _EXAMPLE.search(html) or _WRITES_URL not in html:
        raise RuntimeError("Strawberry's GraphiQL page changed: update web/graphiql.py")
    page = _EXAMPLE.sub(lambda _: f"const EXAMPLE_QUERY = `{STARTER}`;", html, count=1)
    return page.replace(_WRITES_URL, "// Kindred: nothing typed is written to the address.")


def local_page(html: str) -> str:
    """The page with every CDN address turned into one of Kindred's own."""
    return _CDN.sub(lambda match: f"{PREFIX}/{match.group(1)}/", html)


def route() -> Mount:
    return Mount(PREFIX, StaticFiles(directory=ASSETS), name="graphiql-assets")
