"""Browser apps on other origins: the WebSocket's Origin check follows KINDRED_CORS_ORIGINS, the list that
lets them make HTTP requests. An allowed origin subscribes, any other is refused at the handshake (403),
with a log line naming KINDRED_CORS_ORIGINS. Checked at the handshake with a WebSocket client that sends
an Origin, and from a real page on another origin in Debian's headless chromium."""

import asyncio
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import websockets
from starlette.applications import Starlette
from starlette.responses import FileResponse
from starlette.routing import Route
from websockets.exceptions import InvalidStatus

from settings import Settings
from tests.conftest import LiveServer
from tests.live import GRAPHQL_TRANSPORT_WS, Socket, live_only, live_settings, sign_up, ws_url
from tests.served import Served

HERE = Path(__file__).resolve().parent / "explore"
NODE_MODULES = HERE.parent.parent / "web" / "explore" / "node_modules"


class _Page(Served):
    """The page of tests/explore/other_origin.html, served on a port (an origin) of its own."""

    def __init__(self) -> None:
        async def page(request: object) -> FileResponse:
            return FileResponse(HERE / "other_origin.html", media_type="text/html")

        super().__init__(Starlette(routes=[Route("/", page)]))


@pytest.fixture(scope="module")
def pages() -> Iterator[tuple[_Page, _Page]]:
    """Two apps on origins of their own: the first one allowed, the second not."""
    with _Page() as allowed, _Page() as other:
        yield allowed, other


@pytest.fixture(scope="module")
def server(settings: Settings, pages: tuple[_Page, _Page]) -> Iterator[LiveServer]:
    allowed = pages[0]
    # As a person writes it: a list with spaces, a trailing slash and capitals are the same origin.
    origins = f"https://app.example.com, {allowed.base}/ , HTTPS://Other.Example"
    with live_only(), LiveServer(live_settings(settings, cors_origins=origins)) as live_server:
        yield live_server


async def test_an_allowed_origin_subscribes_and_another_is_refused_naming_kindreds_setting(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    token = await sign_up(server, "origins@example.com")
    for origin in ("https://app.example.com", "https://other.example"):
        socket = await Socket.open(server, token, origin=websockets.Origin(origin))
        await socket.close()
    # Same origin (what /explore does) and a client that is no browser (no Origin) are let in as before.
    same = await Socket.open(server, token, origin=websockets.Origin(server.base))
    await same.close()
    await (await Socket.open(server, token)).close()
    evil = websockets.Origin("https://evil.example")
    with caplog.at_level(logging.WARNING, logger="kindred.origins"), pytest.raises(InvalidStatus) as refused:
        await websockets.connect(ws_url(server), subprotocols=[GRAPHQL_TRANSPORT_WS], origin=evil)
    assert refused.value.response.status_code == 403
    said = [record.getMessage() for record in caplog.records if record.name == "kindred.origins"]
    assert len(said) == 1 and "'https://evil.example'" in said[0] and "KINDRED_CORS_ORIGINS" in said[0]
    assert not any("allowed_origins" in record.getMessage() for record in caplog.records)


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium is installed by ./kindred test")
async def test_a_page_on_an_allowed_origin_hears_its_change_and_one_on_another_is_refused(
    server: LiveServer, pages: tuple[_Page, _Page], tmp_path: Path
) -> None:
    token = await sign_up(server, "origins-page@example.com")
    allowed, other = pages
    heard = await _outcome(allowed, server, token, tmp_path / "allowed")
    assert heard["acked"] and heard["heard"] == f"Made from {allowed.base}", json.dumps(heard)
    refused = await _outcome(other, server, token, tmp_path / "other")
    # Refused at the handshake: the socket never opens, so the browser closes it abnormally.
    assert not refused["acked"] and refused["closed"] == 1006, refused


async def _outcome(page: _Page, server: LiveServer, token: str, profile: Path) -> dict:
    url = f"{page.base}/?{urlencode({'kindred': server.url, 'token': token})}"
    process = await asyncio.create_subprocess_exec(
        "node",
        str(HERE / "other_origin.cjs"),
        url,
        str(profile),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
    )
    out, _ = await asyncio.wait_for(process.communicate(), 90)
    word, _, rest = out.decode().strip().partition(" ")
    assert word == "OUTCOME", out.decode()
    return json.loads(rest)
