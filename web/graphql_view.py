"""The GraphQL view: Strawberry's, with Kindred's context, admission, media types and persisted queries."""

import asyncio
import time
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from errors import BadUserInput, KindredError, LimitExceeded, RateLimited
from resolvers.context import Context, authenticate, confirm, recheck
from schema.admission import NoOperation
from settings import Settings
from telemetry import logs, metrics
from web import graphiql, origins, persisted_queries
from web.media_types import GRAPHQL_RESPONSE_JSON, negotiate
from web.refusals import CODES, refusal
from web.shutdown import Shutdown
from web.state import state_of

# With application/graphql-response+json, a request that never ran answers with a 4xx status.
_REQUEST_ERROR_STATUS = {
    "GRAPHQL_PARSE_FAILED": 400,
    "GRAPHQL_VALIDATION_FAILED": 400,
    "BAD_USER_INPUT": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "RATE_LIMITED": 429,
}
# Where a request's outcome and operation name wait in its scope to be counted (telemetry/metrics.py).
_OUTCOME, _OPERATION = "kindred.outcome", "kindred.operation"
_ALLOWED_OPERATIONS = {
    "GET": {OperationType.QUERY},
    "POST": {OperationType.QUERY, OperationType.MUTATION},
}


class _MethodNotAllowed(HTTPException):
    """405 with the methods that would have been allowed."""

    def __init__(self, reason: str, allow: str) -> None:
        super().__init__(405, reason)
        self.allow = allow


class CheckedTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws whose credential is checked for the life of the socket, and whose refusal
    past the per-connection cap carries a code.

    Every `ws_credential_check_seconds` (and when a token expires) the credential is checked again
    against the auth-state cache: once it is revoked, logged out, expired or its account gone or
    suspended, each running operation gets an `error` with the code, and the socket closes with 4403.
    """

    watcher: asyncio.Task | None = None

    async def handle(self) -> None:
        """The socket's whole life: counted while open, and closed with 1001 if the server shuts down."""
        view = self.view
        if isinstance(view, KindredGraphQL) and isinstance(self.context.connection, WebSocket):
            view.shutdown.track(self.context.connection)
        metrics.WEBSOCKETS_OPEN.inc()
        try:
            await super().handle()
        finally:
            metrics.WEBSOCKETS_OPEN.dec()

    async def run_operation(self, operation: Any) -> None:
        metrics.SUBSCRIPTIONS_OPEN.inc()
        try:
            await super().run_operation(operation)
        finally:
            metrics.SUBSCRIPTIONS_OPEN.dec()

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
        every = self.context.settings.ws_credential_check_seconds
        credential = self.context.credential
        if credential is not None and credential.expires_at is not None:
            left = (credential.expires_at - datetime.now(UTC)).total_seconds()
            every = min(every, max(left, 0.0) + 0.01)
        return every

    async def _end(self, problem: KindredError) -> None:
        for operation in list(self.operations.values()):
            message: ErrorMessage = {"id": operation.id, "type": "error", "payload": [_formatted(problem)]}
            await operation.send_operation_message(message)
            if operation.task is not None:
                operation.task.cancel()
        # A close reason is at most 123 bytes.
        reason = f"{problem.extensions['code']}: {problem.message}".encode()[:123].decode(errors="ignore")
        await self.websocket.close(code=4403, reason=reason)


def _formatted(error: KindredError) -> Any:
    return GraphQLError(error.message, extensions=error.extensions).formatted


class KindredGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = CheckedTransportWS

    def __init__(self, schema: Any, settings: Settings, shutdown: Shutdown | None = None) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=settings.connection_init_timeout_seconds),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            # File uploads (the GraphQL multipart request specification), with CSRF prevention: see
            # parse_http_body.
            multipart_uploads_enabled=True,
            # Strawberry's own check of a WebSocket's Origin, with the list Kindred checks first.
            allowed_origins=sorted(origins.allowed(settings.cors_origin_list)),
        )
        self.settings = settings
        self.shutdown = shutdown or Shutdown()
        self.origins = origins.allowed(settings.cors_origin_list)
        # Made once, so a Strawberry whose page no longer fits web/graphiql.py fails at start.
        self._graphiql_page = graphiql.kindred_page(self.graphql_ide_html) if settings.graphiql else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry answers the requests it refuses itself in text/plain: here they answer JSON. A
        WebSocket from a page on an origin KINDRED_CORS_ORIGINS does not name is refused (403) at the
        handshake, before Strawberry sees it (web/origins.py)."""
        if scope["type"] == "websocket":
            socket = WebSocket(scope, receive=receive, send=send)
            if not origins.admits(socket.headers, self.origins):
                await self.reject_websocket(socket)
                return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        start = time.perf_counter()
        try:
            try:
                response = await self.run(request)
            except HTTPException as error:
                code = CODES.get(error.status_code, "BAD_REQUEST")
                scope[_OUTCOME] = code
                response = _refusal(request, error.status_code, error.reason, code)
                if isinstance(error, _MethodNotAllowed):
                    response.headers["allow"] = error.allow
            except RateLimited as error:
                scope[_OUTCOME] = error.code
                response = _refusal(request, 429, error.message, error.code, error.extensions)
                response.headers["retry-after"] = str(error.extensions["retryAfterSeconds"])
            await response(scope, receive, send)
        except BaseException:
            scope[_OUTCOME] = "INTERNAL_SERVER_ERROR"
            raise
        finally:
            _count(scope, time.perf_counter() - start)

    def is_request_allowed(self, request: BaseRequestProtocol) -> bool:
        if request.method not in ("GET", "POST"):
            raise _MethodNotAllowed("GraphQL is served over GET (queries) and POST.", "GET, POST")
        return True

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        state = state_of(request)
        sub_response = response if isinstance(response, Response) else None
        context = Context(request, sub_response, self.settings, state["graph"], state["request_id"])
        context.auth_cache, context.rate_limits = state["auth_cache"], state["rate_limits"]
        context.working_memory = state["working_memory"]
        context.recommendations = state["recommendations"]
        context.companion = state["companion"]
        context.embedder, context.vectors = state["embedder"], state["vectors"]
        context.pubsub, context.blobs = state["pubsub"], state["blobs"]
        if isinstance(request, Request):
            await self._admit(request, context)
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
        page = self._graphiql_page
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
        refuse_simple_multipart(request)
        try:
            data = await super().parse_http_body(request)
        except UnicodeDecodeError as error:
            raise HTTPException(400, "The request body must be UTF-8 JSON.") from error
        except AttributeError as error:  # Strawberry reads the JSON body as an object without checking
            raise HTTPException(400, 'The request body must be a JSON object: {"query": ...}.') from error
        except RecursionError as error:  # json.loads of a body nested deeper than Python recurses
            raise HTTPException(400, "The request body nests too deeply.") from error
        except (TypeError, ValueError, IndexError) as error:
            # Strawberry turns only a missing key of a multipart `map` path into a 400; a path through
            # a null, a string or past a list's end raises these instead.
            raise HTTPException(
                400, "The body does not form a GraphQL request (an upload's `map` must fit its `operations`)."
            ) from error
        if isinstance(data, GraphQLRequestData) and not isinstance(data.operation_name, str | None):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null.")
        return data

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
            refuse_lone_surrogates(request_data)
            owner = f"user:{context.viewer_uid}" if context.viewer_uid else f"address:{_address(request)}"
            cache = state_of(request)["persisted_queries"]
            request_data = await persisted_queries.resolve(request_data, cache, owner)
            result = await self._execute(request_adapter.method, context, request_data)
        except KindredError as error:
            result = ExecutionResult(
                data=None, errors=[GraphQLError(error.message, extensions=error.extensions)]
            )
        request.scope[_OPERATION] = request_data.operation_name
        request.scope[_OUTCOME] = _outcome(result)
        sub_response.status_code = self._status(sub_response, result)
        return result

    async def _execute(
        self, method: str, context: Context, request_data: GraphQLRequestData
    ) -> ExecutionResult:
        try:
            return await self.schema.execute(
                request_data.query,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=_ALLOWED_OPERATIONS[method],
                operation_extensions=request_data.extensions,
            )
        except MissingQueryError as error:
            raise HTTPException(400, "Send the GraphQL document as `query`.") from error
        except CannotGetOperationTypeError as error:
            # An unknown operationName (or a document without operations): a GraphQL request error.
            several = error.operation_name is None
            raise NoOperation(NoOperation.several if several else NoOperation.unknown) from error
        except InvalidOperationTypeError as error:
            if error.operation_type == OperationType.SUBSCRIPTION:
                raise HTTPException(
                    400, "Subscriptions are served over WebSocket (graphql-transport-ws) at /graphql."
                ) from error
            raise _MethodNotAllowed("Only queries may be sent with GET: POST mutations.", "POST") from error

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        if _never_ran(result):
            response.pop("data", None)  # the specification: a request error has no data entry
        return response

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = f"{sub_response.media_type}; charset=utf-8"
        return response

    async def _admit(self, request: Request, context: Context) -> None:
        """Rate limits around authentication: an address over its limit is refused before its
        credentials are looked at (no Neo4j); then an authenticated request counts against its user,
        any other (logIn, signUp, a credential that fails) against its address."""
        limits = state_of(request)["rate_limits"]
        address = _address(request)
        per_address = self.settings.rate_limit_per_ip
        wait = await limits.over(per_address, "ip", address)
        if wait is None:
            await authenticate(context, request.headers.get("authorization"))
            if context.viewer_uid is not None:
                wait = await limits.hit(self.settings.rate_limit_per_user, "user", context.viewer_uid)
            else:
                wait = await limits.hit(per_address, "ip", address)
        if wait is not None:
            seconds = int(wait + 0.999)
            raise RateLimited(f"Too many requests: try again in {seconds} s.", retryAfterSeconds=seconds)

    @staticmethod
    def _status(sub_response: Response, result: ExecutionResult) -> int:
        code = (
            result.errors[0].extensions.get("code") if result.errors and result.errors[0].extensions else None
        )
        if code == "RATE_LIMITED":  # also when a resolver refused (the per-email limit of logIn)
            return 429
        if sub_response.media_type == GRAPHQL_RESPONSE_JSON and _never_ran(result):
            return _REQUEST_ERROR_STATUS.get(str(code), 200)
        return 200


# Headers a browser cannot add to a cross-site form post without a CORS preflight (Apollo's names).
CSRF_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name")


def refuse_simple_multipart(request: AsyncHTTPRequestAdapter) -> None:
    """CSRF prevention: a multipart/form-data POST is a "simple" request that any page may make a
    browser send with the user's cookies, so one must carry a header that needs a preflight."""
    content_type = (request.content_type or "").lower()
    multipart = request.method == "POST" and content_type.startswith("multipart/form-data")
    if multipart and not any(request.headers.get(name) for name in CSRF_HEADERS):
        raise HTTPException(
            400,
            "A multipart request (a file upload) must carry a non-empty `Apollo-Require-Preflight` "
            "header (CSRF prevention).",
        )


def refuse_lone_surrogates(request_data: GraphQLRequestData) -> None:
    """BadUserInput for a lone surrogate (such as "\\ud800", which JSON can carry) anywhere in the
    request: no store, Neo4j included, can encode one, so it is refused here, once for every field."""
    parts = {
        "query": request_data.query,
        "variables": request_data.variables,
        "operationName": request_data.operation_name,
        "extensions": request_data.extensions,
    }
    for part, value in parts.items():
        if any(_has_lone_surrogate(text) for text in _strings(value)):
            message = f"The request's {part} holds a lone surrogate: send valid Unicode."
            raise BadUserInput(message, field=part)


def _strings(value: Any) -> Any:
    """Every string in a JSON value, keys included (without recursion: the value may nest deeply)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _has_lone_surrogate(text: str) -> bool:
    # Python keeps a decoded surrogate pair as one code point, so any surrogate left is a lone one.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _address(request: Request) -> str:
    """The client's address: the peer's, or the forwarded one when the peer is a trusted proxy
    (ProxyHeadersMiddleware has put it in the scope then)."""
    return request.client.host if request.client else "unknown"


def _refusal(
    request: Request,
    status: int,
    message: str,
    code: str | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response:
    """A request refused before it ran, in the media type the client reads (plain text when it reads
    no JSON: the one refusal that cannot be JSON is telling such a client so)."""
    media_type = negotiate(request.headers.get("accept"))
    if media_type is None:
        return PlainTextResponse(message, status_code=status)
    return refusal(status, message, code, extensions=extensions, media_type=media_type)


def _outcome(result: ExecutionResult) -> str:
    """ "ok", or the code of the first error (a field's error counts: the client got an error)."""
    if not result.errors:
        return "ok"
    extensions = result.errors[0].extensions or {}
    return str(extensions.get("code", "INTERNAL_SERVER_ERROR"))


def _count(scope: Scope, seconds: float) -> None:
    """A GraphQL request in the metrics, by the operation that ran (else the one it named) and its
    outcome; a GraphiQL page or anything else that was no GraphQL request is not counted."""
    outcome = scope.get(_OUTCOME)
    if outcome is None:
        return
    operation = logs.OPERATION.get() or scope.get(_OPERATION)
    if operation is None and outcome == "BAD_REQUEST":
        operation = metrics.UNPARSED_OPERATION
    metrics.observe_request(operation, outcome, seconds)


def _never_ran(result: ExecutionResult) -> bool:
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors or [])
