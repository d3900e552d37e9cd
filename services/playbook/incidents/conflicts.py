"""Conflicting statements: two different live drafts for the same platform and audience in one
incident are both marked, with a timeline event, until one is withdrawn (or rejected)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook.effects import Effects
from services.playbook.incidents import repository as repo
from services.playbook.incidents import service as incidents
from services.playbook.incidents.schemas import StatementStatus, TimelineKind
from services.playbook.incidents.tables import Incident, Statement

LIVE = (
    StatementStatus.DRAFT.value,
    StatementStatus.APPROVED.value,
    StatementStatus.READY.value,
    StatementStatus.PUBLISHED.value,
)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def conflicts_of(statements: Sequence[Statement]) -> dict[str, list[str]]:
    """Statement id → the live statements it conflicts with (same incident, platform, audience)."""
    groups: dict[tuple[str, str, str], list[Statement]] = defaultdict(list)
    for s in statements:
        if s.status in LIVE:
            groups[(s.incident_id, s.platform, s.audience)].append(s)
    out: dict[str, list[str]] = {}
    for members in groups.values():
        for s in members:
            out[s.id] = [o.id for o in members if o.id != s.id and _norm(o.text) != _norm(s.text)]
    return out


async def recheck(
    session: AsyncSession,
    incident: Incident,
    platform: str,
    audience: str,
    *,
    actor: str,
    now: datetime,
    fx: Effects,
) -> None:
    await session.flush()
    statements = [
        s
        for s in await repo.statements_for(session, incident.tenant, [incident.id], lock=True)
        if s.platform == platform and s.audience == audience
    ]
    conflicts = conflicts_of(statements)
    flagged = [s for s in statements if conflicts.get(s.id) and not s.conflict]
    cleared = [s for s in statements if s.conflict and not conflicts.get(s.id)]
    for s in flagged:
        s.conflict = True
        s.updated_at = now
    for s in cleared:
        s.conflict = False
        s.updated_at = now
    if flagged:
        ids = sorted({s.id for s in flagged} | {o for s in flagged for o in conflicts[s.id]})
        incidents.record(
            session,
            fx,
            incident,
            TimelineKind.STATEMENT,
            f"Conflict: {len(ids)} different drafts for {platform}/{audience}; withdraw all but one",
            actor=actor,
            now=now,
            data={
                "conflict": True,
                "statement_ids": ids,
                "platform": platform,
                "audience": audience,
            },
        )
    if cleared:
        incidents.record(
            session,
            fx,
            incident,
            TimelineKind.STATEMENT,
            f"Conflict for {platform}/{audience} resolved",
            actor=actor,
            now=now,
            data={"conflict": False, "statement_ids": [s.id for s in cleared]},
        )
