"""Signals: store what the detectors found, folding repeats into the signal they repeat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook.detection import Signal, fingerprint
from services.playbook.ids import ordered_id
from services.playbook.signals import repository as repo
from services.playbook.signals.schemas import SignalRead
from services.playbook.signals.tables import SignalRow


def signal_fingerprint(signal: Signal) -> str:
    """The same detector rule on the same topic of the same tenant is "the same thing"."""
    return fingerprint(signal.tenant, signal.topic, f"{signal.kind.value}:{signal.detector}")


@dataclass(slots=True)
class Stored:
    row: SignalRow
    signal: Signal
    new: bool


def _merge(old: Sequence[str], new: Sequence[str], limit: int) -> list[str]:
    merged = list(dict.fromkeys([*old, *new]))
    return merged[-limit:]


async def store(
    session: AsyncSession,
    tenant: str,
    items: Sequence[tuple[Signal, str | None]],
    *,
    now: datetime,
    window: timedelta,
    max_ids: int,
) -> list[Stored]:
    """Store each ``(signal, incident id)``: a signal with the fingerprint and incident of one
    seen within ``window`` folds into it (count, last time, evidence ids, strongest score);
    anything else is a new row. Never a flood: one row per thing per incident per window."""
    if not items:
        return []
    fps = [signal_fingerprint(s) for s, _ in items]
    earliest = min(s.at for s, _ in items) - window
    candidates: dict[tuple[str, str | None], SignalRow] = {}
    for row in await repo.recent(session, tenant, sorted(set(fps)), earliest):
        candidates.setdefault((row.fingerprint, row.incident_id), row)
    out: list[Stored] = []
    new_rows: list[SignalRow] = []
    for (signal, incident_id), fp in zip(items, fps, strict=True):
        ids = list(signal.evidence.mention_ids)
        found = candidates.get((fp, incident_id))
        if (
            found is not None
            and abs((signal.at - found.last_at).total_seconds()) <= window.total_seconds()
        ):
            found.count += 1
            found.last_at = max(found.last_at, signal.at)
            found.score = max(found.score, signal.score)
            found.evidence = signal.evidence.model_dump(mode="json", exclude={"mention_ids"})
            found.mention_ids = _merge(found.mention_ids, ids, max_ids)
            out.append(Stored(found, signal, new=False))
            continue
        row = SignalRow(
            id=ordered_id(now),
            tenant=tenant,
            topic=signal.topic,
            kind=signal.kind.value,
            detector=signal.detector,
            fingerprint=fp,
            incident_id=incident_id,
            score=signal.score,
            count=1,
            first_at=signal.at,
            last_at=signal.at,
            evidence=signal.evidence.model_dump(mode="json", exclude={"mention_ids"}),
            mention_ids=ids[-max_ids:],
            created_at=now,
        )
        candidates[(fp, incident_id)] = row
        new_rows.append(row)
        out.append(Stored(row, signal, new=True))
    await repo.add(session, new_rows)
    return out


def to_read(row: SignalRow) -> SignalRead:
    why = row.evidence.get("why")
    return SignalRead(
        id=row.id,
        incident_id=row.incident_id,
        topic=row.topic,
        kind=row.kind,
        detector=row.detector,
        score=row.score,
        count=row.count,
        first_at=row.first_at,
        last_at=row.last_at,
        at=row.last_at,
        detail=str(why) if why is not None else "",
        evidence=row.evidence,
        mention_ids=list(row.mention_ids),
        snoozed_until=row.snoozed_until,
    )
