"""The one way a service's FastAPI app is put together."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI

from services.common.auth import TokenVerifier
from services.common.health import health_router
from services.common.limits import BodySizeLimitMiddleware, TokenBucketLimiter
from services.common.observability import RequestContextMiddleware, configure_logging
from services.common.problems import install_problem_handlers
from services.common.settings import ServiceSettings


def build_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    routers: Sequence[APIRouter],
    streaming_paths: tuple[str, ...] = (),
    version: str = "1.0.0",
    **extra: Any,
) -> FastAPI:
    configure_logging(settings.log_level, settings.log_json)
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        **extra,
    )
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(settings.tokens)
    app.state.rate_limiter = TokenBucketLimiter(
        settings.rate_limit_per_second, settings.rate_limit_burst
    )
    app.state.readiness_checks = {}
    install_problem_handlers(app)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        streaming_paths=streaming_paths,
    )
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    return app
