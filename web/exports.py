"""GET /exports/{id}/archive?token=...: an account's archive (exportAccount), streamed from the blob
store through the app whatever the store (never a presigned URL: only this route checks that the link
is the user's own, and still valid)."""

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from errors import KindredError
from resolvers import exports
from web.refusals import refusal
from web.state import AppState

_STATUS = {"FORBIDDEN": 403, "NOT_FOUND": 404}


async def archive(request: Request[AppState]) -> Response:
    uid, state = request.path_params["uid"], request.state
    token = request.query_params.get("token", "")
    try:
        row = await exports.downloadable(state["graph"], state["settings"], token, uid, state["auth_cache"])
    except KindredError as error:
        code = str(error.extensions.get("code"))
        return refusal(_STATUS.get(code, 400), error.message, code, extensions=error.extensions)
    headers = {
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
        "content-disposition": f'attachment; filename="kindred-export-{uid}.zip"',
    }
    if row.get("size") is not None:
        headers["content-length"] = str(row["size"])
    body = state["blobs"].read(row["storage_key"])
    return StreamingResponse(body, media_type="application/zip", headers=headers)


def route() -> Route:
    return Route("/exports/{uid}/archive", archive, methods=["GET"])
