"""GET /metrics: Prometheus's text format (telemetry/metrics.py), for whoever may read it.

With KINDRED_METRICS_TOKEN set, a scraper sends it as `Authorization: Bearer <token>`, from anywhere;
unset, only a client on this host (loopback) may read it. The numbers name no user, but they tell an
outsider how busy Kindred is and which operations fail: not for the public."""

import hmac
from ipaddress import ip_address

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from web.state import state_of


async def metrics(request: Request) -> Response:
    refusal = _refusal(request)
    if refusal is not None:
        message = f"/metrics is not yours to read: {refusal}."
        return JSONResponse({"errors": [{"message": message, "extensions": {"code": "FORBIDDEN"}}]}, 403)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def _refusal(request: Request) -> str | None:
    token = state_of(request)["settings"].metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if hmac.compare_digest(sent.encode(), expected.encode()):
            return None
        return "send KINDRED_METRICS_TOKEN as `Authorization: Bearer <token>`"
    if request.client is not None and _loopback(request.client.host):
        return None
    return "without KINDRED_METRICS_TOKEN set, only this host may read it"


def _loopback(host: str) -> bool:
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def route() -> Route:
    return Route("/metrics", metrics, methods=["GET"])
