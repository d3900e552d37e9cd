"""Playbooks as code: the YAML document, its schema, validation, evaluation and planning.

Public API:

* :func:`parse_playbook` (YAML → :class:`Playbook`, raises :class:`PlaybookInvalid` with
  ``errors``: ``loc``/``msg``/``line``), :func:`dump_playbook` (round-trips).
* :func:`evaluate_trigger`, :func:`severity_for`, :func:`raise_severity`.
* :func:`render_template`, :func:`template_variables`, :data:`TEMPLATE_VARIABLES`.
* :func:`plan_steps`, :func:`due_at_for_start`, :func:`ready_steps`, :class:`PlannedStep`.
* :func:`load_library` (the five shipped playbooks), :func:`published_schema`.
"""

from services.playbook.playbooks.evaluation import (
    condition_matches,
    evaluate_trigger,
    raise_severity,
    severity_for,
)
from services.playbook.playbooks.library import load_library, published_schema
from services.playbook.playbooks.models import (
    TEMPLATE_VARIABLES,
    Condition,
    Deadline,
    Department,
    Escalation,
    LocalizedText,
    ParallelGroup,
    Playbook,
    Severity,
    Step,
    Trigger,
    parse_duration,
)
from services.playbook.playbooks.parsing import (
    PlaybookError,
    PlaybookInvalid,
    dump_playbook,
    parse_playbook,
)
from services.playbook.playbooks.planning import (
    PlannedStep,
    due_at_for_start,
    plan_steps,
    ready_steps,
)
from services.playbook.playbooks.templates import (
    MissingVariables,
    TemplateLanguageMissing,
    TemplateNotFound,
    render_template,
    template_variables,
)

__all__ = [
    "TEMPLATE_VARIABLES",
    "Condition",
    "Deadline",
    "Department",
    "Escalation",
    "LocalizedText",
    "MissingVariables",
    "ParallelGroup",
    "PlannedStep",
    "Playbook",
    "PlaybookError",
    "PlaybookInvalid",
    "Severity",
    "Step",
    "TemplateLanguageMissing",
    "TemplateNotFound",
    "Trigger",
    "condition_matches",
    "due_at_for_start",
    "dump_playbook",
    "evaluate_trigger",
    "load_library",
    "parse_duration",
    "parse_playbook",
    "plan_steps",
    "published_schema",
    "raise_severity",
    "ready_steps",
    "render_template",
    "severity_for",
    "template_variables",
]
