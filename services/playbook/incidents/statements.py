"""Statements: drafts per platform and audience, approvals by department, conflicts, release.

A statement needs the approval of every department its step names before it may become
``ready``; two different live drafts for the same platform and audience in one incident are both
marked as a conflict (and neither may become ready) until one is withdrawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Caller
from services.playbook import hooks
from services.playbook.effects import Effects
from services.playbook.ids import ordered_id
from services.playbook.incidents import conflicts
from services.playbook.incidents import repository as repo
from services.playbook.incidents import service as incidents
from services.playbook.incidents.errors import (
    ApprovalRequired,
    IncidentClosed,
    InvalidTransition,
    NotAnApprover,
    StatementConflict,
    StatementNotFound,
    StepNotFound,
    TemplateProblem,
)
from services.playbook.incidents.schemas import (
    ApprovalRead,
    StatementIn,
    StatementRead,
    StatementStatus,
    TimelineKind,
)
from services.playbook.incidents.tables import Approval, Incident, Statement
from services.playbook.playbook_store.service import version_of
from services.playbook.playbooks import (
    MissingVariables,
    TemplateLanguageMissing,
    TemplateNotFound,
    render_template,
)

MOVES: dict[str, tuple[str, ...]] = {
    "draft": ("ready", "withdrawn"),
    "approved": ("ready", "withdrawn"),
    "rejected": ("withdrawn",),
    "ready": ("published", "withdrawn"),
    "published": (),
    "withdrawn": (),
}


def missing(statement: Statement, approvals: Sequence[Approval]) -> list[str]:
    done = {a.department for a in approvals if a.decision == "approved"}
    return [d for d in statement.required_approvals if d not in done]


def to_read(
    statement: Statement, approvals: Sequence[Approval], conflicting: Sequence[str] = ()
) -> StatementRead:
    return StatementRead(
        id=statement.id,
        incident_id=statement.incident_id,
        step_id=statement.step_id,
        platform=statement.platform,
        audience=statement.audience,
        language=statement.language,
        text=statement.text,
        status=StatementStatus(statement.status),
        required_approvals=list(statement.required_approvals),
        missing_approvals=missing(statement, approvals),
        conflict=statement.conflict,
        conflicting_statement_ids=list(conflicting) if statement.conflict else [],
        author=statement.author,
        approvals=[
            ApprovalRead(
                id=a.id,
                department=a.department,
                decision="approved" if a.decision == "approved" else "rejected",
                approver=a.approver,
                comment=a.comment,
                at=a.at,
            )
            for a in approvals
        ],
        created_at=statement.created_at,
        updated_at=statement.updated_at,
        channel=statement.platform,
        state=StatementStatus(statement.status),
    )


async def read_many(
    session: AsyncSession, tenant: str, incident_ids: Sequence[str]
) -> list[StatementRead]:
    statements = await repo.statements_for(session, tenant, incident_ids)
    approvals = await repo.approvals_for(session, tenant, [s.id for s in statements])
    clashes = conflicts.conflicts_of(statements)
    return [to_read(s, approvals[s.id], clashes.get(s.id, [])) for s in statements]


async def read_one(session: AsyncSession, tenant: str, statement_id: str) -> StatementRead:
    statement = await repo.get_statement(session, tenant, statement_id)
    if statement is None:
        raise StatementNotFound(statement_id)
    for read in await read_many(session, tenant, [statement.incident_id]):
        if read.id == statement_id:
            return read
    raise StatementNotFound(statement_id)


async def _render(
    session: AsyncSession, incident: Incident, step_key: str, body: StatementIn, language: str
) -> str:
    assert body.template is not None
    playbook = await version_of(
        session, incident.tenant, incident.playbook_id, incident.playbook_version
    )
    if playbook is None:
        raise TemplateProblem("The incident's playbook version is gone.")
    variables = {
        "incident_id": incident.id,
        "topic": incident.topic,
        "severity": incident.severity,
        "opened_at": incident.opened_at.strftime("%Y-%m-%d %H:%M UTC"),
        "mention_count": str(len(incident.evidence_mention_ids)),
        **body.variables,
    }
    try:
        return render_template(
            playbook,
            step_key,
            body.template,
            language=language,
            platform=body.platform,
            variables=variables,
        )
    except MissingVariables as exc:
        raise TemplateProblem(
            f"Give these template variables: {', '.join(exc.names)}.", missing_variables=exc.names
        ) from exc
    except (TemplateNotFound, TemplateLanguageMissing) as exc:
        raise TemplateProblem(str(exc)) from exc


async def draft(
    session: AsyncSession,
    tenant: str,
    incident_id: str,
    body: StatementIn,
    *,
    actor: str,
    now: datetime,
    fx: Effects,
) -> Statement:
    """A draft routed for approval to the departments its step names (without a step: every
    department any step of the incident names)."""
    incident = await incidents.get(session, tenant, incident_id, lock=True)
    if incident.state == "resolved":
        raise IncidentClosed(incident.id)
    steps = await repo.steps_for(session, tenant, [incident.id])
    if body.step_id is not None:
        step = next((s for s in steps if s.id == body.step_id or s.key == body.step_id), None)
        if step is None:
            raise StepNotFound(body.step_id)
        required = list(step.approvals)
    else:
        step = None
        required = sorted({d for s in steps for d in s.approvals})
    language = body.language or incident.language
    if body.text is not None:
        text = body.text
    elif body.template is not None:
        if step is None:
            raise TemplateProblem("A template belongs to a step: give `step_id`.")
        text = await _render(session, incident, step.key, body, language)
    else:
        raise TemplateProblem("Give `text`, or `template` with `step_id`.")
    statement = Statement(
        id=ordered_id(now),
        tenant=tenant,
        incident_id=incident.id,
        step_id=step.id if step else None,
        platform=body.platform,
        audience=body.audience,
        language=language,
        text=text,
        status=StatementStatus.DRAFT.value if required else StatementStatus.APPROVED.value,
        required_approvals=required,
        conflict=False,
        author=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(statement)
    needs = f"; needs approval of {', '.join(required)}" if required else ""
    incidents.record(
        session,
        fx,
        incident,
        TimelineKind.STATEMENT,
        f"Draft for {body.platform}/{body.audience} ({language}){needs}",
        actor=actor,
        now=now,
        data={"statement_id": statement.id, "status": statement.status},
    )
    await conflicts.recheck(
        session, incident, body.platform, body.audience, actor=actor, now=now, fx=fx
    )
    return statement


async def _locked(
    session: AsyncSession, tenant: str, statement_id: str
) -> tuple[Statement, Incident]:
    """The statement and its incident, locked incident first (the order drafting uses)."""
    found = await repo.get_statement(session, tenant, statement_id)
    if found is None:
        raise StatementNotFound(statement_id)
    incident = await incidents.get(session, tenant, found.incident_id, lock=True)
    statement = await repo.get_statement(session, tenant, statement_id, lock=True)
    if statement is None:
        raise StatementNotFound(statement_id)
    return statement, incident


async def decide(
    session: AsyncSession,
    tenant: str,
    statement_id: str,
    *,
    approve: bool,
    caller: Caller,
    comment: str | None,
    now: datetime,
    fx: Effects,
) -> Statement:
    """Approve or reject on behalf of the caller's department (the token's ``department``)."""
    statement, incident = await _locked(session, tenant, statement_id)
    decision = "approved" if approve else "rejected"
    if statement.status not in ("draft", "approved") or (approve and statement.status != "draft"):
        raise InvalidTransition(
            "statement", statement.status, decision, list(MOVES.get(statement.status, ()))
        )
    approvals = (await repo.approvals_for(session, tenant, [statement.id]))[statement.id]
    pending = missing(statement, approvals)
    department = caller.department
    if (
        department is None
        or department not in statement.required_approvals
        or (approve and department not in pending)
    ):
        raise NotAnApprover(department, pending)
    approval = Approval(
        id=ordered_id(now),
        tenant=tenant,
        statement_id=statement.id,
        department=department,
        decision=decision,
        approver=caller.subject,
        comment=comment,
        at=now,
    )
    session.add(approval)
    if not approve:
        statement.status = StatementStatus.REJECTED.value
    elif not [d for d in pending if d != department]:
        statement.status = StatementStatus.APPROVED.value
    statement.updated_at = now
    incidents.record(
        session,
        fx,
        incident,
        TimelineKind.APPROVAL,
        f"{department} {decision} the {statement.platform}/{statement.audience} statement"
        + (f": {comment}" if comment else ""),
        actor=caller.subject,
        now=now,
        data={"statement_id": statement.id, "department": department, "decision": decision},
    )
    if not approve:
        await conflicts.recheck(
            session,
            incident,
            statement.platform,
            statement.audience,
            actor=caller.subject,
            now=now,
            fx=fx,
        )
    return statement


async def move(
    session: AsyncSession,
    tenant: str,
    statement_id: str,
    to: StatementStatus,
    *,
    actor: str,
    now: datetime,
    fx: Effects,
) -> Statement:
    """``ready`` (every approval in, no conflict), ``published`` (after ready), ``withdrawn``."""
    statement, incident = await _locked(session, tenant, statement_id)
    allowed = MOVES.get(statement.status, ())
    if to.value not in allowed:
        raise InvalidTransition("statement", statement.status, to.value, list(allowed))
    if to is StatementStatus.READY:
        approvals = (await repo.approvals_for(session, tenant, [statement.id]))[statement.id]
        lacking = missing(statement, approvals)
        if lacking:
            raise ApprovalRequired(statement.id, lacking)
        if statement.conflict:
            others = conflicts.conflicts_of(
                await repo.statements_for(session, tenant, [incident.id])
            )
            raise StatementConflict(statement.id, others.get(statement.id, []))
    statement.status = to.value
    statement.updated_at = now
    if to is StatementStatus.PUBLISHED and incident.first_statement_at is None:
        incident.first_statement_at = now
    incidents.record(
        session,
        fx,
        incident,
        TimelineKind.STATEMENT,
        f"The {statement.platform}/{statement.audience} statement is {to.value}",
        actor=actor,
        now=now,
        data={"statement_id": statement.id, "status": to.value},
    )
    if to is StatementStatus.READY:
        await hooks.notify(
            session,
            tenant,
            "statement.ready",
            incidents.webhook_payload(
                incident,
                statement_id=statement.id,
                platform=statement.platform,
                audience=statement.audience,
                language=statement.language,
                text=statement.text,
            ),
            now=now,
        )
    if to is StatementStatus.WITHDRAWN:
        await conflicts.recheck(
            session, incident, statement.platform, statement.audience, actor=actor, now=now, fx=fx
        )
    return statement
