"""``/v1/drills``: start a drill, follow its progress and metrics, stop it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

import httpx
import structlog
from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.auth import Caller, require
from services.common.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from services.common.problems import PROBLEM_RESPONSES
from services.common.settings import TokenSettings
from services.playbook.drills import repository as repo
from services.playbook.drills import service
from services.playbook.drills.schemas import DrillRead, DrillStart, SandboxToken, ScenarioRead
from services.playbook.drills.service import SandboxSeeder
from services.playbook.drills.settings import DrillSettings
from services.playbook.drills.topics import TopicCopyFailed, copy_topics

log = structlog.get_logger("uitkijk.playbook.drills")

router = APIRouter(prefix="/v1", tags=["drills"], responses=PROBLEM_RESPONSES)


async def _tx(request: Request) -> AsyncIterator[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with sessions() as session:
        yield session


def drill_settings(request: Request) -> DrillSettings:
    """``settings.drills`` of the app's settings, or the defaults when it has none."""
    embedded = getattr(request.app.state.settings, "drills", None)
    return embedded if isinstance(embedded, DrillSettings) else DrillSettings()


def sandbox_seeder(request: Request) -> SandboxSeeder:
    """``app.state.drill_seeder`` when the app sets one, else a copy of the active playbooks."""
    seeder: SandboxSeeder = getattr(request.app.state, "drill_seeder", service.copy_playbooks)
    return seeder


def _now(request: Request) -> datetime:
    """The app's clock (``app.state.clock``, which tests can move) or the system's."""
    clock = getattr(request.app.state, "clock", None)
    now = clock.now() if clock is not None else None
    return now if isinstance(now, datetime) else datetime.now(UTC)


Tx = Annotated[AsyncSession, Depends(_tx, scope="function")]
Now = Annotated[datetime, Depends(_now)]
Settings = Annotated[DrillSettings, Depends(drill_settings)]
Seeder = Annotated[SandboxSeeder, Depends(sandbox_seeder)]
Reader = Annotated[Caller, require("incidents:read")]
Writer = Annotated[Caller, require("drills:write")]


@router.get("/drills/scenarios", response_model=list[ScenarioRead], summary="Shipped scenarios")
async def list_scenarios(caller: Reader) -> list[ScenarioRead]:
    return service.list_scenarios()


@router.post(
    "/drills",
    status_code=201,
    response_model=DrillRead,
    summary="Start a drill",
    description=(
        "Replays a shipped scenario (`scenario`) or a generated one (`generate`: topic, language, "
        "volume curve) into a sandbox copy of the tenant (`sandbox_tenant`) at `speed` times real "
        "time, through the real pipeline. Act on its incidents as usual (with a token for the "
        "sandbox tenant); the drill reports time to detect and time to each step."
    ),
)
async def start_drill(
    request: Request,
    body: DrillStart,
    caller: Writer,
    tx: Tx,
    settings: Settings,
    seeder: Seeder,
    now: Now,
) -> DrillRead:
    drill = await service.start_drill(
        tx, caller.tenant, body, settings, actor=caller.subject, seeder=seeder, now=now
    )
    await tx.commit()
    error = await _copy_topics(request, settings, caller.tenant, drill.sandbox_tenant)
    if error is not None:
        await service.note_error(tx, caller.tenant, drill.id, error)
        await tx.commit()
    return service.to_read(drill, [], now)


async def _copy_topics(
    request: Request, settings: DrillSettings, tenant: str, sandbox_tenant: str
) -> str | None:
    """Topics and known accounts live in the sentiment service: copy them over its REST API.
    A failure is kept on the drill (it still runs, on the ``*`` topic and profile guesses)."""
    client: httpx.AsyncClient | None = getattr(request.app.state, "drill_sentiment_client", None)
    if client is None and settings.sentiment_url is None:
        return None
    tokens: TokenSettings = request.app.state.settings.tokens
    try:
        if client is not None:
            await copy_topics(client, tokens, tenant, sandbox_tenant)
        else:
            assert settings.sentiment_url is not None
            async with httpx.AsyncClient(
                base_url=settings.sentiment_url.rstrip("/"),
                timeout=settings.timeout_seconds,
                follow_redirects=False,
            ) as own:
                await copy_topics(own, tokens, tenant, sandbox_tenant)
    except TopicCopyFailed as exc:
        log.warning("drill topics not copied", sandbox=sandbox_tenant, error=str(exc))
        return f"topics not copied: {exc}"
    return None


@router.get("/drills", response_model=Page[DrillRead], summary="Drills, newest first")
async def list_drills(
    caller: Reader, tx: Tx, now: Now, limit: Limit = 50, cursor: Cursor = None
) -> Page[DrillRead]:
    after = str(decode_cursor(cursor, 1)[0]) if cursor else None
    items = await service.list_drills(tx, caller.tenant, limit=limit + 1, after=after, now=now)
    next_cursor = encode_cursor(items[limit - 1].id) if len(items) > limit else None
    return Page[DrillRead](items=items[:limit], next_cursor=next_cursor)


@router.get("/drills/{drill_id}", response_model=DrillRead, summary="Status, progress and metrics")
async def get_drill(drill_id: str, caller: Reader, tx: Tx, now: Now) -> DrillRead:
    return await service.read_drill(tx, caller.tenant, drill_id, now=now)


@router.post("/drills/{drill_id}/stop", response_model=DrillRead, summary="Stop a drill")
async def stop_drill(drill_id: str, caller: Writer, tx: Tx, now: Now) -> DrillRead:
    drill = await service.stop_drill(tx, caller.tenant, drill_id, now=now)
    events = await repo.events_for(tx, [drill.id])
    await tx.commit()
    return service.to_read(drill, events[drill.id], now)


def _token_settings(request: Request) -> TokenSettings:
    tokens: TokenSettings = request.app.state.settings.tokens
    return tokens


Tokens = Annotated[TokenSettings, Depends(_token_settings)]


@router.post(
    "/drills/{drill_id}/token",
    status_code=201,
    response_model=SandboxToken,
    summary="A token for the drill's sandbox tenant",
    description=(
        "Carries the caller's own incident scopes and department, for the sandbox tenant only, "
        "so the team acknowledges, completes steps and approves statements in the drill as they "
        "would for real. Signed with the shared HS256 secret."
    ),
)
async def sandbox_token(
    drill_id: str, caller: Reader, tx: Tx, settings: Settings, tokens: Tokens, now: Now
) -> SandboxToken:
    return await service.sandbox_token(tx, caller, drill_id, tokens, settings, now=now)
