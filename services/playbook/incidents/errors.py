from __future__ import annotations

from collections.abc import Sequence

from services.common.problems import Conflict, Forbidden, NotFound, Problem


class IncidentNotFound(NotFound):
    slug = "incident-not-found"
    title = "Incident not found"

    def __init__(self, incident_id: str) -> None:
        super().__init__(f"No incident {incident_id!r} for this tenant.", incident_id=incident_id)


class StepNotFound(NotFound):
    slug = "step-not-found"
    title = "Step not found"

    def __init__(self, step_id: str) -> None:
        super().__init__(f"No step {step_id!r} for this tenant.", step_id=step_id)


class StatementNotFound(NotFound):
    slug = "statement-not-found"
    title = "Statement not found"

    def __init__(self, statement_id: str) -> None:
        super().__init__(
            f"No statement {statement_id!r} for this tenant.", statement_id=statement_id
        )


class InvalidTransition(Conflict):
    slug = "invalid-transition"
    title = "Transition not allowed"

    def __init__(self, what: str, current: str, wanted: str, allowed: Sequence[str]) -> None:
        options = ", ".join(allowed) or "none"
        super().__init__(
            f"A {what} in state {current!r} cannot go to {wanted!r}; allowed: {options}.",
            current=current,
            requested=wanted,
            allowed=list(allowed),
        )


class IncidentClosed(Conflict):
    slug = "incident-closed"
    title = "The incident is resolved"

    def __init__(self, incident_id: str) -> None:
        super().__init__(
            f"Incident {incident_id!r} is resolved; reopen it first.", incident_id=incident_id
        )


class ApprovalRequired(Conflict):
    slug = "approval-required"
    title = "Approval required"

    def __init__(self, statement_id: str, missing: Sequence[str]) -> None:
        super().__init__(
            f"Statement {statement_id!r} still needs the approval of {', '.join(missing)}.",
            statement_id=statement_id,
            missing_departments=list(missing),
        )


class StatementConflict(Conflict):
    slug = "statement-conflict"
    title = "Conflicting statements"

    def __init__(self, statement_id: str, others: Sequence[str]) -> None:
        super().__init__(
            f"Statement {statement_id!r} conflicts with {', '.join(others)} for the same platform "
            "and audience; withdraw one of them first.",
            statement_id=statement_id,
            conflicting_statement_ids=list(others),
        )


class NotAnApprover(Forbidden):
    slug = "not-an-approver"
    title = "Not an approver of this statement"

    def __init__(self, department: str | None, expected: Sequence[str]) -> None:
        super().__init__(
            f"Your department ({department or 'none in your token'}) does not approve this "
            f"statement; pending approvers: {', '.join(expected) or 'none'}.",
            department=department,
            pending_departments=list(expected),
        )


class TemplateProblem(Problem):
    status = 422
    slug = "template-problem"
    title = "The statement template cannot be rendered"


class InvalidSeverity(Problem):
    status = 422
    slug = "invalid-severity"
    title = "Unknown severity"
