"""Drills as use cases: start, read, stop, and record what happens in a drill's sandbox.

A drill plays into ``{tenant}~drill-{id}``, a tenant of its own, so its mentions, signals and
incidents never mix with the real ones. Functions flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Caller, mint_token
from services.common.db import new_id
from services.common.settings import TokenSettings
from services.playbook.drills import repository as repo
from services.playbook.drills import scenarios
from services.playbook.drills.errors import (
    DrillFinished,
    DrillNotFound,
    InvalidScenario,
    UnknownScenario,
)
from services.playbook.drills.metrics import compute_metrics
from services.playbook.drills.schemas import (
    DrillEventKind,
    DrillEventRead,
    DrillRead,
    DrillStart,
    DrillStatus,
    SandboxToken,
    ScenarioRead,
)
from services.playbook.drills.settings import DrillSettings
from services.playbook.drills.tables import Drill, DrillEvent

SANDBOX_MARK = "~drill-"
#: The longest tenant id every service stores (ingest keeps 128 characters).
MAX_SANDBOX_TENANT = 128
#: What a drill participant may do in the sandbox (never more than their own token allows).
SANDBOX_SCOPES = (
    "incidents:read",
    "incidents:write",
    "statements:approve",
    "playbooks:read",
    "mentions:read",
    "analytics:read",
)

#: Copies what a drill needs from the real tenant into its sandbox:
#: ``await seeder(session, tenant, sandbox_tenant)`` (the app sets ``app.state.drill_seeder``).
SandboxSeeder = Callable[[AsyncSession, str, str], Awaitable[object]]


async def copy_playbooks(
    session: AsyncSession, tenant: str, sandbox_tenant: str, now: datetime | None = None
) -> object:
    """The default seeder: the tenant's active playbooks (the shipped library when it has none),
    through the playbook store's own use case, in the drill's transaction."""
    # Imported here: the store belongs to the core of this service and is only needed on start.
    from services.playbook.playbook_store.service import copy_active

    return await copy_active(session, tenant, sandbox_tenant, now=now or datetime.now(UTC))


def sandbox_tenant_for(tenant: str, drill_id: str) -> str:
    return f"{tenant}{SANDBOX_MARK}{drill_id}"


def is_sandbox(tenant: str) -> bool:
    """Whether ``tenant`` is a drill's sandbox (so real-world side effects can be skipped)."""
    return SANDBOX_MARK in tenant


def list_scenarios() -> list[ScenarioRead]:
    out = []
    for name, shipped in scenarios.SHIPPED.items():
        mentions = shipped.load()
        out.append(
            ScenarioRead(
                name=name,
                description=shipped.description,
                mentions=len(mentions),
                duration_seconds=scenarios.duration([m.offset_seconds for m in mentions]),
                onset_seconds=shipped.onset_seconds,
            )
        )
    return out


def _load(
    body: DrillStart, settings: DrillSettings
) -> tuple[str, list[dict[str, object]], float | None, dict[str, object] | None]:
    if body.scenario is not None:
        shipped = scenarios.SHIPPED.get(body.scenario)
        if shipped is None:
            raise UnknownScenario(body.scenario, sorted(scenarios.SHIPPED))
        mentions = shipped.load()
        onset: float | None = shipped.onset_seconds
        name, spec = body.scenario, None
    else:
        assert body.generate is not None
        g = body.generate
        try:
            mentions = scenarios.generated(
                g.topic,
                g.language,
                g.volume_curve,
                negative_share=g.negative_share,
                seed=g.seed,
                brand=g.brand,
            )
        except ValueError as exc:
            raise InvalidScenario(str(exc)) from exc
        onset = scenarios.curve_onset(g.volume_curve)
        name, spec = f"generated:{g.topic}", g.model_dump(mode="json")
    if not mentions:
        raise InvalidScenario("The scenario has no mentions.")
    if len(mentions) > settings.max_mentions:
        raise InvalidScenario(
            f"The scenario has {len(mentions)} mentions; a drill plays at most "
            f"{settings.max_mentions}.",
            limit=settings.max_mentions,
            got=len(mentions),
        )
    ordered = [m.model_dump(mode="json") for m in scenarios.ordered(mentions)]
    if body.onset_seconds is not None:
        onset = body.onset_seconds
    return name, ordered, onset, spec


async def start_drill(
    session: AsyncSession,
    tenant: str,
    body: DrillStart,
    settings: DrillSettings,
    *,
    actor: str,
    seeder: SandboxSeeder | None = copy_playbooks,
    now: datetime | None = None,
) -> Drill:
    """Create a running drill and seed its sandbox (``seeder``, by default the tenant's active
    playbooks); its first mentions are sent on the runner's next tick."""
    speed = body.speed or settings.default_speed
    if speed > settings.max_speed:
        raise InvalidScenario(
            f"Speed {speed:g}x is above the operator's limit of {settings.max_speed:g}x.",
            limit=settings.max_speed,
        )
    name, mentions, onset, spec = _load(body, settings)
    now = now or datetime.now(UTC)
    drill_id = new_id(now)
    if len(sandbox_tenant_for(tenant, drill_id)) > MAX_SANDBOX_TENANT:
        raise InvalidScenario(
            f"Tenant id {tenant!r} is too long for a sandbox tenant id "
            f"(at most {MAX_SANDBOX_TENANT - len(SANDBOX_MARK) - 36} characters)."
        )
    drill = Drill(
        id=drill_id,
        tenant=tenant,
        sandbox_tenant=sandbox_tenant_for(tenant, drill_id),
        status=DrillStatus.RUNNING,
        scenario=name,
        spec=spec,
        speed=speed,
        mentions=mentions,
        total=len(mentions),
        sent=0,
        onset_seconds=onset,
        started_at=now,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(drill)
    await session.flush()
    if seeder is not None:
        await seeder(session, tenant, drill.sandbox_tenant)
    return drill


async def get_drill(session: AsyncSession, tenant: str, drill_id: str) -> Drill:
    drill = await repo.get(session, tenant, drill_id)
    if drill is None:
        raise DrillNotFound(drill_id)
    return drill


async def stop_drill(
    session: AsyncSession, tenant: str, drill_id: str, *, now: datetime | None = None
) -> Drill:
    """Stop replaying; what was sent stays in the sandbox, and the metrics so far are kept."""
    drill = await repo.get(session, tenant, drill_id, lock=True)
    if drill is None:
        raise DrillNotFound(drill_id)
    if drill.status not in (DrillStatus.RUNNING, DrillStatus.REPLAYED):
        raise DrillFinished(drill_id, drill.status)
    now = now or datetime.now(UTC)
    drill.status = DrillStatus.STOPPED
    drill.finished_at = now
    drill.updated_at = now
    await session.flush()
    return drill


async def record_drill_event(
    session: AsyncSession,
    tenant: str,
    kind: DrillEventKind | str,
    ref_id: str | None,
    *,
    label: str | None = None,
    at: datetime | None = None,
    observed_at: datetime | None = None,
) -> bool:
    """Note that ``kind`` happened in a drill's sandbox (a no-op for real tenants).

    ``at`` is when it happened (wall clock); ``observed_at``, when known, is the scenario-clock
    time of the evidence (a signal's window end, from the mentions' ``created_at``), which measures
    time to detect exactly. Without it the wall clock is mapped back through the drill's speed.
    Recorded once per (kind, ref_id). Returns whether it was recorded now.
    """
    if not is_sandbox(tenant):
        return False
    drill = await repo.by_sandbox(session, tenant)
    if drill is None or drill.started_at is None or drill.status == DrillStatus.STOPPED:
        return False
    at = at or datetime.now(UTC)
    if observed_at is not None:
        seconds = (observed_at - drill.started_at).total_seconds()
    else:
        seconds = scenarios.wall_to_scenario(drill.started_at, at, drill.speed)
    return await repo.add_event(
        session,
        DrillEvent(
            id=new_id(at),
            drill_id=drill.id,
            kind=str(kind),
            ref_id=ref_id,
            label=label,
            at=at,
            scenario_seconds=round(seconds, 3),
        ),
    )


async def scenario_now(session: AsyncSession, tenant: str, now: datetime) -> datetime:
    """``now`` on the clock a tenant's mentions are dated on: the wall clock for real tenants, the
    scenario clock for a running drill's sandbox (``started_at + (now - started_at) * speed``).

    The drill dates its mentions on the scenario clock, so the worker should close detector
    minutes for a sandbox tenant with this time, or a 60x drill waits real hours for its spikes.
    """
    if not is_sandbox(tenant):
        return now
    drill = await repo.by_sandbox(session, tenant)
    if drill is None or drill.started_at is None:
        return now
    until = now if drill.finished_at is None else min(now, drill.finished_at)
    elapsed = max(0.0, (until - drill.started_at).total_seconds()) * drill.speed
    return drill.started_at + timedelta(seconds=elapsed)


def to_read(drill: Drill, events: list[DrillEvent], now: datetime | None = None) -> DrillRead:
    now = now or datetime.now(UTC)
    offsets = [float(m["offset_seconds"]) for m in drill.mentions]  # type: ignore[arg-type]
    duration = scenarios.duration(offsets)
    if drill.started_at is None:
        clock = 0.0
    else:
        until = drill.finished_at if drill.status != DrillStatus.RUNNING else now
        clock = min(duration, scenarios.scenario_clock(drill.started_at, until or now, drill.speed))
    return DrillRead(
        id=drill.id,
        status=DrillStatus(drill.status),
        sandbox_tenant=drill.sandbox_tenant,
        scenario=drill.scenario,
        spec=drill.spec,
        speed=drill.speed,
        total=drill.total,
        sent=drill.sent,
        progress=round(drill.sent / drill.total, 4) if drill.total else 1.0,
        scenario_clock_seconds=round(clock, 3),
        duration_seconds=duration,
        started_at=drill.started_at,
        finished_at=drill.finished_at,
        error=drill.error,
        metrics=compute_metrics(drill.onset_seconds, events),
        events=[DrillEventRead.model_validate(e, from_attributes=True) for e in events],
    )


async def read_drill(
    session: AsyncSession, tenant: str, drill_id: str, *, now: datetime | None = None
) -> DrillRead:
    drill = await get_drill(session, tenant, drill_id)
    events = await repo.events_for(session, [drill.id])
    return to_read(drill, events[drill.id], now)


async def list_drills(
    session: AsyncSession,
    tenant: str,
    *,
    limit: int,
    after: str | None,
    now: datetime | None = None,
) -> list[DrillRead]:
    drills = await repo.list_for(session, tenant, limit=limit, after=after)
    events = await repo.events_for(session, [d.id for d in drills])
    return [to_read(d, events[d.id], now) for d in drills]


async def sandbox_token(
    session: AsyncSession,
    caller: Caller,
    drill_id: str,
    tokens: TokenSettings,
    settings: DrillSettings,
    *,
    now: datetime | None = None,
) -> SandboxToken:
    """A token for the drill's sandbox tenant with the caller's own incident scopes and department,
    so the team acts on the drill's incidents exactly as on real ones (HS256, the shared secret)."""
    drill = await get_drill(session, caller.tenant, drill_id)
    if drill.status in (DrillStatus.STOPPED, DrillStatus.FAILED):
        raise DrillFinished(drill_id, drill.status)
    scopes = [s for s in SANDBOX_SCOPES if caller.has(s)]
    now = now or datetime.now(UTC)
    ttl = settings.token_ttl_seconds
    token = mint_token(
        tokens,
        tenant=drill.sandbox_tenant,
        scopes=scopes,
        subject=caller.subject or None,
        ttl_seconds=ttl,
        department=caller.department,
    )
    return SandboxToken(
        token=token,
        sandbox_tenant=drill.sandbox_tenant,
        scopes=scopes,
        expires_at=now + timedelta(seconds=ttl),
    )


async def note_error(session: AsyncSession, tenant: str, drill_id: str, error: str) -> None:
    """Keep a problem that did not stop the drill on it, for ``GET /v1/drills/{id}``."""
    drill = await repo.get(session, tenant, drill_id)
    if drill is not None:
        drill.error = error[:1000]
        await session.flush()
