"""GET /documents/{id}/content?token=...: a Document's bytes, for the filesystem blob store (S3 hands
out presigned URLs instead). The token (from Document.url) is bound to its user and Document and lasts
minutes; Range requests are served, so audio can seek. A Range that cannot be served is refused in
JSON with a code (400, or 416 with Content-Range), like every other refusal."""

import os

from anyio import to_thread
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    MalformedRangeHeader,
    RangeNotSatisfiable,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from errors import KindredError, NotFound
from resolvers import documents
from storage.blobs.filesystem import FilesystemBlobStore
from web.refusals import refusal
from web.state import AppState

_STATUS = {"FORBIDDEN": 403, "NOT_FOUND": 404}


async def content(request: Request[AppState]) -> Response:
    uid, state = request.path_params["uid"], request.state
    try:
        row = await documents.downloadable(
            state["graph"], state["settings"], request.query_params.get("token", ""), uid, state["auth_cache"]
        )
    except KindredError as error:
        return _refused(error)
    node, blobs = row.node, state["blobs"]
    headers = {"cache-control": "private, no-store", "x-content-type-options": "nosniff"}
    if isinstance(blobs, FilesystemBlobStore):
        path = blobs.path(node["storage_key"])
        if not path.is_file():
            return _refused(NotFound("The file of this Document is missing."))
        # Starlette's FileResponse streams in chunks and answers Range (206) and If-Range itself.
        response = FileResponse(
            path,
            media_type=node["mime"],
            filename=node["filename"],
            content_disposition_type="inline",
            headers=headers,
            stat_result=await to_thread.run_sync(os.stat, path),
        )
        return _range_refusal(request.headers, response) or response
    return StreamingResponse(blobs.read(node["storage_key"]), media_type=node["mime"], headers=headers)


def _range_refusal(headers: Headers, response: FileResponse) -> Response | None:
    """The refusal of a Range the file response would refuse in plain text, judged as it judges it
    (its own parser; a Range an If-Range sets aside is not judged)."""
    http_range, if_range = headers.get("range"), headers.get("if-range")
    if http_range is None or (if_range is not None and not response._should_use_range(if_range)):
        return None
    assert response.stat_result is not None  # given above
    size = response.stat_result.st_size
    try:
        response._parse_range_header(http_range, size)
    except MalformedRangeHeader as error:
        return refusal(400, f"The Range header cannot be served: {error.content}")
    except RangeNotSatisfiable:
        message = f"The Range asks for bytes past the end of the file ({size} bytes)."
        return refusal(416, message, headers={"content-range": f"bytes */{size}"})
    return None


def _refused(error: KindredError) -> Response:
    code = str(error.extensions.get("code"))
    return refusal(_STATUS.get(code, 400), error.message, code, extensions=error.extensions)


def route() -> Route:
    return Route("/documents/{uid}/content", content, methods=["GET", "HEAD"])
