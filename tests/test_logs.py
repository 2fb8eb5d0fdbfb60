"""Structured logs: one JSON object per line, with the request id and the operation, and nothing of
the user's."""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from telemetry import logs
from tests.client import GraphQLClient


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What Kindred logs meanwhile, as KINDRED_LOG_FORMAT=json writes it."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def kindreds(entries: list[dict]) -> str:
    """The lines Kindred wrote (not the test client's own, httpx's, which name the URLs it asks)."""
    return "\n".join(json.dumps(e) for e in entries if not e["logger"].startswith("httpx"))


async def test_each_line_is_json_with_the_request_id_and_operation_and_no_user(
    client: GraphQLClient, json_lines: io.StringIO
) -> None:
    token = await client.sign_up("logged-ann@example.com", password="a password never logged")
    answer = await client.http.post(
        "/graphql",
        json={"query": "query Me { me { email } }"},
        headers={"authorization": f"Bearer {token}", "x-request-id": "trace-ops-1"},
    )
    assert answer.headers["x-request-id"] == "trace-ops-1"
    entries = [json.loads(line) for line in json_lines.getvalue().splitlines()]  # each line is one object
    text = kindreds(entries)
    access = [e for e in entries if e["logger"] == "kindred.access" and e.get("request_id") == "trace-ops-1"]
    assert len(access) == 1
    (line,) = access
    assert line["operation"] == "Me"
    assert line["level"] == "INFO"
    assert {"time", "message", "method", "path", "status", "duration_ms"} <= set(line)
    assert (line["method"], line["path"], line["status"]) == ("POST", "/graphql", 200)
    for secret in ("logged-ann", "a password never logged", token):
        assert secret not in text


async def test_a_download_urls_token_stays_out_of_the_access_line(
    client: GraphQLClient, json_lines: io.StringIO
) -> None:
    await client.http.get("/documents/some-document/content?token=a-signed-secret-token")
    text = kindreds([json.loads(line) for line in json_lines.getvalue().splitlines()])
    assert "/documents/some-document/content" in text
    assert "a-signed-secret-token" not in text


def test_auto_is_json_unless_a_person_reads_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert logs.resolved("auto") == "json"
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert logs.resolved("auto") == "text"
    assert logs.resolved("json") == "json"
