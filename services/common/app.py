"""The one way a service's FastAPI app is put together."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI

from services.common.auth import TokenVerifier
from services.common.health import health_router
from services.common.limits import BodySizeLimitMiddleware, TokenBucketLimiter
from services.common.observability import RequestContextMiddleware, configure_logging
from services.common.problems import install_problem_handlers
from services.common.settings import ServiceSettings


def tune_gc() -> None:
    """Fewer, cheaper garbage collections for a process that allocates per request.

    A 500-mention batch allocates tens of thousands of short-lived objects; with the default
    thresholds the collector runs full passes over every long-lived object (models, routes,
    pools) many times per request. Measured on ingest: about 1.5x the throughput.
    """
    gc.set_threshold(100_000, 50, 1000)


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
    tune_gc()

    @contextlib.asynccontextmanager
    async def lifespan_then_freeze(app: FastAPI) -> AsyncIterator[None]:
        async with lifespan(app):
            # What start-up made lives as long as the process: keep the collector off it.
            gc.collect()
            gc.freeze()
            yield

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan_then_freeze,
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
