"""Every refusal is JSON with an `extensions.code`, whichever layer refuses: the multipart form parser,
the multipart `map`, a download's Range and method, a path no route serves."""

import json
from typing import Any

import httpx
import pytest

from graph.driver import Graph
from tests.test_documents import (
    Instance,
    assert_nothing_kept,
    kindred,  # noqa: F401 -- the fixture (its users below: noqa F811)
    profile_pdf,
    recipient,
    upload,
)
from tests.test_recipients import CREATE as CREATE_RECIPIENT

PREFLIGHT = {"Apollo-Require-Preflight": "true"}
OPERATIONS = json.dumps({"query": "{ __typename }", "variables": {}})


def coded(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The one error of a refusal, checked to be JSON with this status and code."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    errors = answer.json()["errors"]
    assert len(errors) == 1 and errors[0]["message"], errors
    assert errors[0]["extensions"]["code"] == code, errors
    return errors[0]


def multipart(*parts: bytes, boundary: str = "b0undary") -> bytes:
    return b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts) + (
        b"--" + boundary.encode() + b"--\r\n"
    )


def field(name: str | None, value: bytes) -> bytes:
    disposition = b'form-data; name="' + name.encode() + b'"' if name is not None else b"form-data"
    return b"Content-Disposition: " + disposition + b"\r\n\r\n" + value


MULTIPART_REFUSALS = {
    "no boundary": ("multipart/form-data", multipart(field("operations", OPERATIONS.encode()))),
    "a part without a name": (
        "multipart/form-data; boundary=b0undary",
        multipart(field(None, b"x"), field("operations", OPERATIONS.encode())),
    ),
    "too many parts": (
        "multipart/form-data; boundary=b0undary",
        multipart(*(field(f"f{i}", b"x") for i in range(1_001))),
    ),
    "an oversized field": (
        "multipart/form-data; boundary=b0undary",
        multipart(field("operations", b'{"query": "{ __typename }", "x": "' + b"y" * 1_100_000 + b'"}')),
    ),
}


@pytest.mark.parametrize("case", MULTIPART_REFUSALS)
async def test_a_multipart_body_the_form_parser_refuses_is_a_coded_400(
    kindred: Instance,  # noqa: F811
    graph: Graph,
    case: str,
) -> None:
    content_type, body = MULTIPART_REFUSALS[case]
    answer = await kindred.http.post(
        "/graphql", content=body, headers={**PREFLIGHT, "content-type": content_type}
    )
    coded(answer, 400, "BAD_REQUEST")
    await assert_nothing_kept(kindred, graph)


async def test_a_file_mapped_into_a_json_argument_is_bad_user_input(
    kindred: Instance,  # noqa: F811
    graph: Graph,
) -> None:
    token = await kindred.client.sign_up("file-in-json@example.com")
    variables = {"input": {"name": "Ann", "relationship": {"kind": "FRIEND"}, "personalityTraits": None}}
    form = {
        "operations": json.dumps({"query": CREATE_RECIPIENT, "variables": variables}),
        "map": json.dumps({"0": ["variables.input.personalityTraits"]}),
    }
    answer = await kindred.http.post(
        "/graphql",
        data=form,
        files={"0": ("p.pdf", profile_pdf(), "application/pdf")},
        headers={**PREFLIGHT, "Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    (error,) = answer.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "file" in error["message"]
    async with graph.driver.session() as session:
        record = await (await session.run("MATCH (r:Recipient) RETURN count(r) AS n")).single(strict=True)
    assert record["n"] == 0


async def downloadable(k: Instance, email: str) -> str:
    token = await k.client.sign_up(email)
    ann = await recipient(k, token)
    made = (await upload(k.http, token, ann, "PROFILE", "p.pdf", profile_pdf())).json()
    return made["data"]["uploadDocument"]["url"]


async def test_a_range_a_download_cannot_serve_is_refused_in_json(
    kindred: Instance,  # noqa: F811
) -> None:
    url = await downloadable(kindred, "ranges@example.com")
    size = len((await kindred.http.get(url)).content)
    # What is served stays served: a range, and a malformed If-Range's fallback to the whole file.
    part = await kindred.http.get(url, headers={"range": "bytes=0-9"})
    assert part.status_code == 206 and len(part.content) == 10
    coded(await kindred.http.get(url, headers={"range": "bytes=50-10"}), 400, "BAD_REQUEST")
    coded(await kindred.http.get(url, headers={"range": "pages=1-2"}), 400, "BAD_REQUEST")
    beyond = await kindred.http.get(url, headers={"range": f"bytes={size + 10}-{size + 20}"})
    coded(beyond, 416, "RANGE_NOT_SATISFIABLE")
    assert beyond.headers["content-range"] == f"bytes */{size}"
    # A stale If-Range serves the whole file rather than judging the range.
    whole = await kindred.http.get(url, headers={"range": "bytes=50-10", "if-range": '"stale"'})
    assert whole.status_code == 200 and len(whole.content) == size


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
async def test_another_method_on_a_download_is_a_coded_405_with_allow(
    kindred: Instance,  # noqa: F811
    method: str,
) -> None:
    url = await downloadable(kindred, f"method-{method.lower()}@example.com")
    answer = await kindred.http.request(method, url)
    coded(answer, 405, "METHOD_NOT_ALLOWED")
    assert set(answer.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    assert (await kindred.http.get(url)).status_code == 200  # and nothing was done to it


async def test_a_path_no_route_serves_is_a_coded_404(
    kindred: Instance,  # noqa: F811
) -> None:
    coded(await kindred.http.get("/no/such/path"), 404, "NOT_FOUND")
