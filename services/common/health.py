"""``/healthz`` (the process lives), ``/readyz`` (its dependencies answer), ``/metrics``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.problems import PROBLEM_JSON

ReadinessCheck = Callable[[], Awaitable[None]]


def database_check(engine: AsyncEngine) -> ReadinessCheck:
    async def check() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return check


def redis_check(redis: Redis) -> ReadinessCheck:
    async def check() -> None:
        await redis.ping()

    return check


def health_router(timeout: float = 2.0) -> APIRouter:
    """Readiness checks are read from ``app.state.readiness_checks`` (name → check)."""
    router = APIRouter(tags=["health"], include_in_schema=True)

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: the database and Redis answer")
    async def readyz(request: Request) -> JSONResponse:
        checks: Mapping[str, ReadinessCheck] = getattr(request.app.state, "readiness_checks", {})
        results: dict[str, str] = {}
        started = time.perf_counter()
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout=timeout)
                results[name] = "ok"
            except Exception as exc:  # any failure means not ready; the reason is reported
                results[name] = f"failed: {type(exc).__name__}: {exc}"[:300]
        ready = all(v == "ok" for v in results.values())
        body = {
            "status": "ready" if ready else "not ready",
            "checks": results,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if ready:
            return JSONResponse(body)
        return JSONResponse(
            {
                "type": "https://uitkijk.dev/problems/not-ready",
                "title": "Not ready",
                "status": 503,
                "detail": "A dependency does not answer.",
                **body,
            },
            status_code=503,
            media_type=PROBLEM_JSON,
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
