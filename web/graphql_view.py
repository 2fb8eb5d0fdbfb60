"""The GraphQL view: Strawberry's, with Kindred's context, admission, media types and persisted queries."""

import asyncio
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult

from errors import KindredError, LimitExceeded, RateLimited
from resolvers.context import Context, authenticate, confirm, recheck
from settings import Settings
from web import graphiql, persisted_queries
from web.media_types import GRAPHQL_RESPONSE_JSON, negotiate

# With application/graphql-response+json, a request that never ran answers with a 4xx status.
_REQUEST_ERROR_STATUS = {
    "GRAPHQL_PARSE_FAILED": 400,
    "GRAPHQL_VALIDATION_FAILED": 400,
    "BAD_USER_INPUT": 400,
    "UNAUTHENTICATED": 401,
    "RATE_LIMITED": 429,
}


class CheckedTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws whose credential is checked for the life of the socket, and whose refusal
    past the per-connection cap carries a code.

    Every `ws_credential_check_seconds` (and when a token expires) the credential is checked again
    against the auth-state cache: once it is revoked, logged out, expired or its account gone or
    suspended, each running operation gets an `error` with the code, and the socket closes with 4403.
    """

    watcher: asyncio.Task | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self.watcher is None:
            self.watcher = asyncio.create_task(self._watch_credential())

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        cap = self.max_subscriptions_per_connection
        if self.connection_acknowledged and cap is not None and len(self.operations) >= cap:
            error = LimitExceeded(
                f"A connection may run {cap} operations at once: complete one before subscribing again.",
                limit="subscriptionsPerConnection",
                maxSubscriptions=cap,
            )
            await self.send_message({"id": message["id"], "type": "error", "payload": [_formatted(error)]})
            return
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
            with suppress(asyncio.CancelledError):
                await self.watcher
        await super().shutdown()

    async def _watch_credential(self) -> None:
        try:
            while True:
                await asyncio.sleep(self._until_next_check())
                problem = await recheck(self.context)
                if problem is not None:
                    await self._end(problem)
                    return
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a failed check must not leave the socket unchecked
            await self.handle_task_exception(error)
            await self.websocket.close(code=4500, reason="Internal server error")

    def _until_next_check(self) -> float:
        every = self.view.settings.ws_credential_check_seconds  # type: ignore[attr-defined]
        credential = self.context.credential
        if credential is not None and credential.expires_at is not None:
            left = (credential.expires_at - datetime.now(UTC)).total_seconds()
            every = min(every, max(left, 0.0) + 0.01)
        return every

    async def _end(self, problem: KindredError) -> None:
        for operation in list(self.operations.values()):
            message = {"id": operation.id, "type": "error", "payload": [_formatted(problem)]}
            await operation.send_operation_message(message)  # type: ignore[arg-type]
            if operation.task is not None:
                operation.task.cancel()
        # A close reason is at most 123 bytes.
        reason = f"{problem.extensions['code']}: {problem.message}".encode()[:123].decode(errors="ignore")
        await self.websocket.close(code=4403, reason=reason)


def _formatted(error: KindredError) -> Any:
    return GraphQLError(error.message, extensions=error.extensions).formatted


class KindredGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = CheckedTransportWS

    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=settings.connection_init_timeout_seconds),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        )
        self.settings = settings

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        state = request.state
        sub_response = response if isinstance(response, Response) else None
        context = Context(request, sub_response, self.settings, state.graph, state.request_id)
        context.auth_cache, context.rate_limits = state.auth_cache, state.rate_limits
        if isinstance(request, Request):
            await authenticate(context, request.headers.get("authorization"))
        return context

    async def on_ws_connect(self, context: Context) -> None:
        """A WebSocket authenticates in connection_init: {"authorization": "Bearer <credential>"}; one
        that is missing, not a string or not valid closes the socket with 4403. The credential is then
        checked again for as long as the socket lives (see CheckedTransportWS)."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        authorization = params.get("authorization", params.get("Authorization"))
        if not isinstance(authorization, str) or not authorization:
            raise ConnectionRejectionError()
        await authenticate(context, authorization)
        await confirm(context)
        if context.viewer_uid is None:
            raise ConnectionRejectionError()

    async def render_graphql_ide(self, request: Request) -> Response:
        page = self.graphql_ide_html
        return HTMLResponse(graphiql.local_page(page) if graphiql.installed() else page)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # Only a browser asking for a page gets GraphiQL; a GET with a persisted query's hash is an operation.
        params = request.query_params
        wants_page = "text/html" in request.headers.get("accept", "")
        return request.method == "GET" and wants_page and "query" not in params and "extensions" not in params

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = negotiate(request.headers.get("accept"))
        return sub_response

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> Any:
        try:
            return await super().parse_http_body(request)
        except UnicodeDecodeError as error:
            raise HTTPException(400, "The request body must be UTF-8 JSON.") from error
        except AttributeError as error:  # Strawberry reads the JSON body as an object without checking
            raise HTTPException(400, 'The request body must be a JSON object: {"query": ...}.') from error

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        if sub_response.media_type is None:
            raise HTTPException(406, f"Accept {GRAPHQL_RESPONSE_JSON} or application/json.")
        try:
            await self._admit(request, context, sub_response)
            request_data = await persisted_queries.resolve(request_data, request.state.persisted_queries)
        except KindredError as error:
            result = ExecutionResult(
                data=None, errors=[GraphQLError(error.message, extensions=error.extensions)]
            )
        else:
            try:
                result = await super().execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
            except HTTPException as error:
                if isinstance(error.__cause__, InvalidOperationTypeError) and request_adapter.method == "GET":
                    raise HTTPException(405, "Only queries may be sent with GET: POST mutations.") from error
                raise
        sub_response.status_code = self._status(sub_response, result)
        return result

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if _never_ran(result):
            response.pop("data", None)  # the specification: a request error has no data entry
        return response

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = f"{sub_response.media_type}; charset=utf-8"
        return response

    async def _admit(self, request: Request, context: Context, sub_response: Response) -> None:
        """Counts the request against the per-IP and per-user rate limits; RateLimited past either."""
        limits = request.state.rate_limits
        client = request.client.host if request.client else "unknown"
        wait = await limits.hit(self.settings.rate_limit_per_ip, "ip", client)
        if wait is None and context.viewer_uid is not None:
            wait = await limits.hit(self.settings.rate_limit_per_user, "user", context.viewer_uid)
        if wait is not None:
            sub_response.headers["retry-after"] = str(int(wait + 0.999))
            raise RateLimited(f"Too many requests: try again in {wait:.0f} s.", retryAfterSeconds=round(wait))

    @staticmethod
    def _status(sub_response: Response, result: ExecutionResult) -> int:
        code = (
            result.errors[0].extensions.get("code") if result.errors and result.errors[0].extensions else None
        )
        if code == "RATE_LIMITED":
            return 429
        if sub_response.media_type == GRAPHQL_RESPONSE_JSON and _never_ran(result):
            return _REQUEST_ERROR_STATUS.get(str(code), 200)
        return 200


def _never_ran(result: ExecutionResult) -> bool:
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors or [])
