"""``POST /graphql`` with a JSON body, served without Starlette's router, FastAPI's dependency
solving and strawberry's request adapters.

Every query and mutation from a screen arrives this way, and the framework between the socket and
``Schema.execute`` cost about as much as resolving a page of mentions. This middleware sits inside
the request-id, metrics and body-size middlewares (so those apply unchanged) and calls the same
``Schema.execute`` with the same context, the same allowed operation types and the same result
processing as strawberry's view. Anything it does not handle itself is handed, body and all, to the
ordinary route: another method or path, a body that is not a single JSON object of the usual
members, a batch, a streaming ``Accept`` (multipart subscriptions, SSE), a missing or refused token
(the route answers those with problem+json) and the errors strawberry raises before execution
(no query, an operation type the method does not allow).
"""

from __future__ import annotations

from collections import OrderedDict
from inspect import isawaitable
from typing import Any

import orjson
import strawberry
from graphql import DocumentNode, ExecutionResult, execute
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult as StrawberryResult
from strawberry.types.graphql import OperationType

from gateway.context import Context, Runtime, bearer
from gateway.protection import CostLimit, NoteValidQuery, document_cost, error_masking
from services.common.problems import Problem

ResultLike = ExecutionResult | StrawberryResult
#: Extensions whose per-request work a noted document needs no more of: parsing and validation
#: (done once), or redone by the fast path (the cost check, masking).
_PER_DOCUMENT = (
    ParserCache, MaxTokensLimiter, AddValidationRules, ValidationCache, DisableIntrospection,
    CostLimit, MaskErrors, NoteValidQuery,
)  # fmt: skip
_ALLOWED = frozenset({OperationType.QUERY, OperationType.MUTATION, OperationType.SUBSCRIPTION})
_STREAMING_ACCEPTS = (b"multipart/mixed", b"text/event-stream")
_MEMBERS = frozenset({"query", "variables", "operationName", "extensions"})


class GraphQLFastPath:
    def __init__(
        self,
        app: ASGIApp,
        schema: strawberry.Schema,
        route: BaseRoute,
        max_cost: int,
        default_page: int,
        cache_size: int = 256,
    ) -> None:
        self.app = app
        self.schema = schema
        self.max_cost = max_cost
        self.default_page = default_page
        self.cache_size = cache_size
        #: Queries strawberry parsed, validated and found affordable, by (text, operation name).
        self.valid: OrderedDict[tuple[str, str | None], DocumentNode] = OrderedDict()
        #: Reusing a noted document skips the extensions' hooks: only with extensions whose
        #: work is done once per document (or redone here: cost, masking).
        self.reuse = all(isinstance(e, _PER_DOCUMENT) for e in schema.get_extensions())
        #: Masks a reused document's errors exactly as the schema's MaskErrors does.
        self.masking = error_masking()
        #: The ordinary route: its path is this one's, and the request metrics are labelled by it.
        self.route = route
        self.path: str = getattr(route, "path", "/graphql")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        authorization: bytes | None = None
        json_body = False
        for name, value in scope["headers"]:
            if name == b"content-type":
                json_body = value.split(b";", 1)[0].strip().lower() == b"application/json"
            elif name == b"authorization":
                authorization = value
            elif name == b"accept" and any(kind in value.lower() for kind in _STREAMING_ACCEPTS):
                json_body = False
                break
        if not json_body:
            await self.app(scope, receive, send)
            return
        body = await _read(receive)
        if body is None:  # the client went away, or a body-size limit answered already
            return
        request = _request(body)
        runtime: Runtime | None = getattr(scope["app"].state, "runtime", None)
        caller = None
        if request is not None and runtime is not None and authorization is not None:
            token = bearer(authorization.decode("latin-1"))
            try:
                caller = await runtime.tokens.verify(runtime.verifier, token) if token else None
            except Problem:
                caller = None
            if caller is None:
                request = None  # the route answers a bad token with a 401 problem
        if request is None or runtime is None:
            await self.app(scope, _replay(body, receive), send)
            return
        query, variables, operation_name, extensions = request
        scope["route"] = self.route  # the request metrics label it as the route would
        context = Context(runtime, caller)
        key = (query, operation_name)
        document = self.valid.get(key) if extensions is None and self.reuse else None
        if document is not None and self._affordable(document, operation_name, variables):
            self.valid.move_to_end(key)
            result: ResultLike = await self._execute(document, variables, operation_name, context)
        else:
            try:
                result = await self.schema.execute(
                    query,
                    variable_values=variables,
                    context_value=context,
                    operation_name=operation_name,
                    allowed_operation_types=_ALLOWED,
                    operation_extensions=extensions,
                )
            except (CannotGetOperationTypeError, InvalidOperationTypeError, MissingQueryError):
                # Raised before anything executes: the route gives these their 400 answers.
                await self.app(scope, _replay(body, receive), send)
                return
            if context.valid_query is not None and extensions is None and self.reuse:
                self.valid[key] = context.valid_query
                if len(self.valid) > self.cache_size:
                    self.valid.popitem(last=False)
        payload = orjson.dumps(process_result(result))
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _affordable(
        self, document: DocumentNode, operation_name: str | None, variables: Any
    ) -> bool:
        cost = document_cost(document, operation_name, variables or {}, self.default_page)
        return cost <= self.max_cost

    async def _execute(
        self,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Context,
    ) -> ExecutionResult:
        """A query seen before, executed as strawberry would once its extensions have passed it:
        same executor, errors logged by the schema, then masked by the same :class:`MaskErrors`."""
        outcome = execute(
            self.schema._schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            executor_class=self.schema.execution_context_class,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
        )
        result = await outcome if isawaitable(outcome) else outcome
        assert isinstance(result, ExecutionResult)
        if result.errors:
            self.schema._process_errors(result.errors)
            mask = self.masking
            result.errors = [
                mask.anonymise_error(error) if mask.should_mask_error(error) else error
                for error in result.errors
            ]
        return result


def _request(body: bytes) -> tuple[str, dict[str, Any] | None, str | None, Any] | None:
    """``(query, variables, operationName, extensions)`` of an ordinary request, else None."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict or not data.keys() <= _MEMBERS:
        return None
    query = data.get("query")
    variables = data.get("variables")
    operation_name = data.get("operationName")
    extensions = data.get("extensions")
    if (
        type(query) is not str
        or not (variables is None or type(variables) is dict)
        or not (operation_name is None or type(operation_name) is str)
        or not (extensions is None or type(extensions) is dict)
    ):
        return None
    return query, variables, operation_name, extensions


async def _read(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
