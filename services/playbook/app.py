"""The playbook service: ``create_app(settings)`` wires everything at start-up, nothing at import.

Besides its own routers (playbooks, signals, incidents, steps, statements, reports) it includes
the notifications (``/v1/webhooks``, ``/v1/social-freeze``) and drills (``/v1/drills``) routers
when those packages are present, and runs their background loops: webhook delivery
(``delivery_loop``) and drill replay (``drill_loop``).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.util
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.app import build_app
from services.common.db import create_engine, session_factory
from services.common.health import database_check, redis_check
from services.common.migrate import upgrade_async
from services.common.queue import PLAYBOOK_QUEUE, LazyQueue
from services.playbook.clock import Clock, SystemClock
from services.playbook.effects import Dispatcher
from services.playbook.incidents.router import router as incidents_router
from services.playbook.incidents.statements_router import router as statements_router
from services.playbook.playbook_store import service as playbook_store
from services.playbook.playbook_store.router import router as playbooks_router
from services.playbook.settings import PlaybookSettings
from services.playbook.signals.router import router as signals_router

log = structlog.get_logger("uitkijk.playbook")

OPTIONAL_ROUTERS = (
    "services.playbook.notifications.router",
    "services.playbook.drills.router",
)


def _optional(module: str, name: str) -> Any:
    """An attribute of a sibling package, or ``None`` while that package is not there."""
    try:
        if importlib.util.find_spec(module) is None:
            return None
    except ModuleNotFoundError:
        return None
    return getattr(importlib.import_module(module), name, None)


def _routers() -> list[APIRouter]:
    routers = [playbooks_router, signals_router, incidents_router, statements_router]
    for module in OPTIONAL_ROUTERS:
        router = _optional(module, "router")
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers


async def _forever(name: str, loop: Awaitable[None]) -> None:
    try:
        await loop
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a loop that dies is logged, the API keeps serving
        log.error("background loop stopped", loop=name, error=repr(exc))


def create_app(settings: PlaybookSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or PlaybookSettings()
    the_clock = clock or SystemClock()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.auto_migrate:
            await upgrade_async("playbook", settings.database_url, settings.database_schema)
        engine = create_engine(
            settings.database_url, schema=settings.database_schema, pool_size=settings.db_pool_size
        )
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout_seconds,
            socket_connect_timeout=settings.redis_timeout_seconds,
        )
        queue = LazyQueue(
            settings.redis_url,
            settings.queue_prefix,
            PLAYBOOK_QUEUE,
            settings.redis_timeout_seconds,
        )
        sessions = session_factory(engine)
        app.state.engine = engine
        app.state.sessions = sessions
        app.state.clock = the_clock
        app.state.dispatcher = Dispatcher(
            redis,
            queue,
            settings.queue_prefix,
            publish_events=settings.publish_events,
            timeout=settings.redis_timeout_seconds,
        )
        app.state.readiness_checks = {
            "database": database_check(engine),
            "redis": redis_check(redis),
        }

        async def seed_sandbox(session: AsyncSession, tenant: str, sandbox: str) -> int:
            return await playbook_store.copy_active(session, tenant, sandbox, now=the_clock.now())

        app.state.drill_seeder = seed_sandbox
        tasks: list[asyncio.Task[None]] = []
        closers: list[Callable[[], Awaitable[None]]] = []
        if settings.run_delivery:
            make_client = _optional(
                "services.playbook.notifications.delivery", "create_http_client"
            )
            delivery_loop = _optional("services.playbook.notifications.delivery", "delivery_loop")
            if make_client is not None and delivery_loop is not None:
                client = make_client(settings.notifications)
                closers.append(client.aclose)
                tasks.append(
                    asyncio.create_task(
                        _forever(
                            "delivery", delivery_loop(sessions, settings.notifications, client)
                        )
                    )
                )
        if settings.run_drills:
            make_sender = _optional("services.playbook.drills.senders", "create_sender")
            drill_loop = _optional("services.playbook.drills.runner", "drill_loop")
            if make_sender is not None and drill_loop is not None:
                sender = make_sender(
                    settings.drills,
                    tokens=settings.tokens,
                    redis_url=settings.redis_url,
                    queue_prefix=settings.queue_prefix,
                )
                closers.append(sender.aclose)
                tasks.append(
                    asyncio.create_task(
                        _forever("drills", drill_loop(sessions, settings.drills, sender))
                    )
                )
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for close in closers:
                with contextlib.suppress(Exception):
                    await close()
            await queue.close()
            await redis.aclose()
            await engine.dispose()

    return build_app(
        settings,
        title="Uitkijk playbook",
        description=(
            "Detects crises in scored mentions, opens incidents and runs the matching playbook: "
            "steps with deadlines that escalate, statements routed for approval, a timeline, "
            "post-incident reports, webhooks and drills."
        ),
        lifespan=lifespan,
        routers=_routers(),
    )
