"""GET /documents/{id}/content?token=...: a Document's bytes, for the filesystem blob store (S3 hands
out presigned URLs instead). The token (from Document.url) is bound to its user and Document and lasts
minutes; Range requests are served, so audio can seek."""

import json

from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.routing import Route

from errors import KindredError, NotFound
from resolvers import documents
from storage.blobs.filesystem import FilesystemBlobStore
from web.state import AppState

_STATUS = {"FORBIDDEN": 403, "NOT_FOUND": 404}


async def content(request: Request[AppState]) -> Response:
    uid, state = request.path_params["uid"], request.state
    try:
        row = await documents.downloadable(
            state["graph"], state["settings"], request.query_params.get("token", ""), uid
        )
    except KindredError as error:
        return _refusal(error)
    node, blobs = row.node, state["blobs"]
    headers = {"cache-control": "private, no-store", "x-content-type-options": "nosniff"}
    if isinstance(blobs, FilesystemBlobStore):
        path = blobs.path(node["storage_key"])
        if not path.is_file():
            return _refusal(NotFound("The file of this Document is missing."))
        # Starlette's FileResponse streams in chunks and answers Range (206) and If-Range itself.
        return FileResponse(
            path,
            media_type=node["mime"],
            filename=node["filename"],
            content_disposition_type="inline",
            headers=headers,
        )
    return StreamingResponse(blobs.read(node["storage_key"]), media_type=node["mime"], headers=headers)


def _refusal(error: KindredError) -> Response:
    code = str(error.extensions.get("code"))
    body = json.dumps({"errors": [{"message": error.message, "extensions": error.extensions}]})
    return Response(body, status_code=_STATUS.get(code, 400), media_type="application/json")


def route() -> Route:
    return Route("/documents/{uid}/content", content, methods=["GET", "HEAD"])
