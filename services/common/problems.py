"""RFC 9457 problem details: every 4xx and 5xx leaves as ``application/problem+json``.

Domain errors subclass :class:`Problem`; one set of handlers renders them, FastAPI's validation
errors, Starlette's HTTP errors and anything unexpected.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://uitkijk.dev/problems/"

logger = logging.getLogger("uitkijk.problems")


class Problem(Exception):  # noqa: N818 - the RFC's own name for the thing
    """A named, expected failure. Subclasses set ``status``, ``slug`` and ``title``."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.headers = dict(headers or {})
        self.extensions = extensions

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class NotFound(Problem):
    status = 404
    slug = "not-found"
    title = "Not found"


class Unauthorized(Problem):
    status = 401
    slug = "unauthorized"
    title = "Missing or invalid credentials"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **extensions)


class Forbidden(Problem):
    status = 403
    slug = "forbidden"
    title = "Missing scope"


class Conflict(Problem):
    status = 409
    slug = "conflict"
    title = "Conflict"


class ValidationFailed(Problem):
    status = 422
    slug = "validation-error"
    title = "Validation failed"

    def __init__(self, detail: str, errors: Sequence[Mapping[str, Any]]) -> None:
        super().__init__(detail, errors=[dict(e) for e in errors])


class PayloadTooLarge(Problem):
    status = 413
    slug = "payload-too-large"
    title = "Request body too large"


class BatchTooLarge(Problem):
    status = 413
    slug = "batch-too-large"
    title = "Too many items in one request"

    def __init__(self, *, limit: int, got: int) -> None:
        super().__init__(
            f"A request carries at most {limit} items; this one has {got}.", limit=limit, got=got
        )


class RateLimited(Problem):
    status = 429
    slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Rate limit exceeded; retry after {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )


class ServiceUnavailable(Problem):
    status = 503
    slug = "unavailable"
    title = "Service unavailable"


def problem_response(
    status: int,
    *,
    slug: str,
    title: str,
    detail: str,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {})
    )


def _loc(loc: Sequence[Any]) -> str:
    """``("body", "mentions", 3, "text")`` → ``"body.mentions[3].text"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def validation_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    return [{"loc": _loc(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in errors]


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return JSONResponse(
            exc.body(instance=request.url.path),
            status_code=exc.status,
            media_type=PROBLEM_JSON,
            headers=exc.headers,
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = validation_errors(exc.errors())
        return problem_response(
            422,
            slug="validation-error",
            title="Validation failed",
            detail=f"{len(errors)} validation error(s) in the request.",
            instance=request.url.path,
            errors=errors,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        try:
            phrase = HTTPStatus(exc.status_code).phrase
        except ValueError:
            phrase = "Error"
        return problem_response(
            exc.status_code,
            slug=phrase.lower().replace(" ", "-"),
            title=phrase,
            detail=str(exc.detail),
            instance=request.url.path,
            headers=exc.headers,
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(
            500,
            slug="internal-error",
            title="Internal server error",
            detail="An unexpected error occurred; it has been logged.",
            instance=request.url.path,
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


#: For ``responses=`` in routers, so OpenAPI shows the problem shape.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": HTTPStatus(status).phrase, "content": {PROBLEM_JSON: {}}}
    for status in (400, 401, 403, 404, 413, 422, 429)
}
