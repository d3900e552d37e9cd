"""The post-incident report: time to detect, acknowledge, first statement and resolve; per-step
deadline adherence; the sentiment and crisis-signal curves from the per-minute counts. JSON and
Markdown."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook.counts import repository as counts
from services.playbook.incidents import repository as repo
from services.playbook.incidents import service as incidents
from services.playbook.incidents.schemas import (
    CrisisCurvePoint,
    CurvePoint,
    IncidentState,
    ReportRead,
    StepAdherence,
    StepStatus,
)
from services.playbook.playbooks import Severity

MAX_POINTS = 288
BEFORE = timedelta(hours=1)


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds(), 3)


async def build(session: AsyncSession, tenant: str, incident_id: str, now: datetime) -> ReportRead:
    incident = await incidents.get(session, tenant, incident_id)
    steps = await repo.steps_for(session, tenant, [incident.id])
    statements = await repo.statements_for(session, tenant, [incident.id])
    adherence: list[StepAdherence] = []
    for step in steps:
        met: bool | None = None
        late: float | None = None
        if step.due_at is not None:
            finished = step.completed_at if step.status in ("done", "skipped") else None
            if finished is not None:
                met = finished <= step.due_at
                late = max(0.0, (finished - step.due_at).total_seconds())
            elif now > step.due_at:
                met = False
                late = (now - step.due_at).total_seconds()
        adherence.append(
            StepAdherence(
                id=step.id,
                key=step.key,
                title=step.title,
                owner=step.owner,
                status=StepStatus(step.status),
                due_at=step.due_at,
                completed_at=step.completed_at,
                met_deadline=met,
                late_seconds=late,
                escalated=step.escalated_at is not None,
            )
        )
    start = incident.first_evidence_at - BEFORE
    end = (incident.resolved_at or now) + timedelta(minutes=1)
    rows = await counts.curve(session, tenant, incident.topic, start, end)
    minutes = max(1, int((end - start).total_seconds() // 60))
    bucket = max(1, -(-minutes // MAX_POINTS))

    def key_of(minute: datetime) -> int:
        return int((minute - start).total_seconds() // 60) // bucket

    points: dict[int, list[float]] = {}
    for row in rows:
        acc = points.setdefault(key_of(row.minute), [0, 0, 0.0, 0])
        acc[0] += row.total
        acc[1] += row.negative
        acc[2] += row.risk
        acc[3] += row.crisis_signal
    categories: dict[int, Counter[str]] = {}
    if any(row.crisis_signal for row in rows):
        for minute, category, n in await counts.crisis_categories(
            session, tenant, incident.topic, start, end
        ):
            categories.setdefault(key_of(minute), Counter())[category] += n
    ordered = sorted(points.items())
    curve = [
        CurvePoint(
            start=start + timedelta(minutes=k * bucket),
            total=int(v[0]),
            negative=int(v[1]),
            risk=round(v[2], 4),
            negative_share=round(v[1] / v[0], 4) if v[0] else 0.0,
        )
        for k, v in ordered
    ]
    crisis_curve = [
        CrisisCurvePoint(
            start=start + timedelta(minutes=k * bucket),
            total=int(v[0]),
            crisis_signal=int(v[3]),
            crisis_share=round(v[3] / v[0], 4) if v[0] else 0.0,
            categories=dict(categories.get(k, Counter()).most_common()),
        )
        for k, v in ordered
    ]
    return ReportRead(
        incident_id=incident.id,
        title=incident.title,
        playbook_id=incident.playbook_id,
        playbook_version=incident.playbook_version,
        severity=Severity(incident.severity),
        state=IncidentState(incident.state),
        first_evidence_at=incident.first_evidence_at,
        opened_at=incident.opened_at,
        acknowledged_at=incident.acknowledged_at,
        first_statement_at=incident.first_statement_at,
        resolved_at=incident.resolved_at,
        time_to_detect_seconds=round(
            (incident.opened_at - incident.first_evidence_at).total_seconds(), 3
        ),
        time_to_acknowledge_seconds=_seconds(incident.opened_at, incident.acknowledged_at),
        time_to_first_statement_seconds=_seconds(incident.opened_at, incident.first_statement_at),
        time_to_resolve_seconds=_seconds(incident.opened_at, incident.resolved_at),
        steps=adherence,
        deadlines_met=sum(1 for a in adherence if a.met_deadline is True),
        deadlines_missed=sum(1 for a in adherence if a.met_deadline is False),
        escalations=sum(1 for a in adherence if a.escalated),
        signals=incident.signal_count,
        statements=len(statements),
        curve_bucket_seconds=bucket * 60,
        sentiment_curve=curve,
        crisis_signal_curve=crisis_curve,
        generated_at=now,
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"


def _at(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "—"


def markdown(report: ReportRead) -> str:
    lines = [
        f"# Post-incident report: {report.title}",
        "",
        f"- Incident: `{report.incident_id}` · playbook `{report.playbook_id}` "
        f"v{report.playbook_version} · severity **{report.severity.value}** · "
        f"state **{report.state.value}**",
        f"- First evidence: {_at(report.first_evidence_at)} · opened: {_at(report.opened_at)}",
        "",
        "## Timings",
        "",
        "| measure | time |",
        "| --- | --- |",
        f"| time to detect | {_duration(report.time_to_detect_seconds)} |",
        f"| time to acknowledge | {_duration(report.time_to_acknowledge_seconds)} |",
        f"| time to first statement | {_duration(report.time_to_first_statement_seconds)} |",
        f"| time to resolve | {_duration(report.time_to_resolve_seconds)} |",
        "",
        f"## Steps ({report.deadlines_met} deadlines met, {report.deadlines_missed} missed, "
        f"{report.escalations} escalated)",
        "",
        "| step | owner | status | due | done | deadline |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for s in report.steps:
        verdict = (
            "met"
            if s.met_deadline
            else f"missed by {_duration(s.late_seconds)}"
            if s.met_deadline is False
            else "—"
        )
        lines.append(
            f"| {s.title} | {s.owner} | {s.status.value} | {_at(s.due_at)} | "
            f"{_at(s.completed_at)} | {verdict} |"
        )
    lines += [
        "",
        f"## Sentiment curve ({report.curve_bucket_seconds // 60}-minute buckets)",
        "",
        "| from | mentions | negative | share negative |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {_at(p.start)} | {p.total} | {p.negative} | {p.negative_share:.0%} |"
        for p in report.sentiment_curve
    ]
    lines += [
        "",
        f"## Crisis-signal curve ({report.curve_bucket_seconds // 60}-minute buckets)",
        "",
        "| from | mentions | crisis signals | share crisis | categories |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    lines += [
        f"| {_at(p.start)} | {p.total} | {p.crisis_signal} | {p.crisis_share:.0%} | "
        f"{', '.join(f'{c} {n}' for c, n in p.categories.items()) or '—'} |"
        for p in report.crisis_signal_curve
    ]
    lines += ["", f"{report.signals} signal(s), {report.statements} statement(s).", ""]
    return "\n".join(lines)
