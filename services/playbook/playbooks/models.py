"""The playbook document: pydantic models that ``playbook.schema.json`` is generated from.

A playbook is YAML. Its shape (see ``library/`` for five real ones)::

    id: datalek
    name: {nl: Datalek, en: Data leak}
    version: 1
    languages: [nl, en]
    trigger: {any: [{detector: keyword, keywords: [datalek, data breach], min_count: 2}]}
    severity: {default: sev3, rules: [{when: {any: [...]}, level: sev1}]}
    steps:                          # top-level items run one after the other
      - id: triage                  # a step ...
        ...
      - parallel: [{id: ...}, ...]  # ... or a group of steps that run at the same time
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag

#: ISO-8601 durations without years and months (their length varies), never empty: PT15M, P1DT2H.
ISO_DURATION = (
    r"^P(?:(?:\d+W)?(?:\d+D)?T(?:\d+H(?:\d+M)?(?:\d+S)?|\d+M(?:\d+S)?|\d+S)"
    r"|\d+W(?:\d+D)?|\d+D)$"
)
_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
IsoDuration = Annotated[
    str,
    StringConstraints(pattern=ISO_DURATION),
    Field(description="ISO-8601 duration such as PT15M, PT2H, P1D", examples=["PT15M"]),
]


def parse_duration(text: str) -> timedelta:
    """``PT1H30M`` → 1:30:00. Years and months are not allowed (their length varies)."""
    m = _DURATION.match(text)
    if m is None or not re.match(ISO_DURATION, text):
        raise ValueError(f"not an ISO-8601 duration: {text!r}")
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in m.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


class Department(StrEnum):
    WEBCARE = "webcare"
    CORPORATE_COMMUNICATIONS = "corporate_communications"
    INVESTOR_RELATIONS = "investor_relations"
    MARKETING = "marketing"
    SALES = "sales"
    LEGAL = "legal"
    CUSTOMER_SERVICE = "customer_service"
    MANAGEMENT = "management"


class Severity(StrEnum):
    """sev1 is the most severe."""

    SEV1 = "sev1"
    SEV2 = "sev2"
    SEV3 = "sev3"
    SEV4 = "sev4"

    @property
    def rank(self) -> int:
        """1 for sev1 (worst) … 4 for sev4."""
        return int(self.value[-1])


class Detector(StrEnum):
    """The signal kinds of ``services.playbook.detection`` a condition can name."""

    VOLUME_SPIKE = "volume_spike"
    NEGATIVE_SPIKE = "negative_spike"
    NEGATIVE_SHARE = "negative_share"
    RISK_SPIKE = "risk_spike"
    CRISIS_SIGNAL = "crisis_signal"
    KEYWORD = "keyword"
    STAKEHOLDER = "stakeholder"
    FOLLOWERS = "followers"
    RISK = "risk"


Language = Literal["nl", "en"]
TemplatePlatform = Literal[
    "default",
    "x",
    "facebook",
    "instagram",
    "linkedin",
    "tiktok",
    "threads",
    "mastodon",
    "bluesky",
    "youtube",
    "website",
    "press",
    "email",
    "intranet",
    "sms",
]

#: Variables a template may use, filled in by the service when it renders a statement.
TEMPLATE_VARIABLES: frozenset[str] = frozenset(
    {
        "brand",
        "topic",
        "incident_id",
        "incident_url",
        "severity",
        "opened_at",
        "deadline",
        "step_title",
        "owner",
        "contact_email",
        "contact_phone",
        "faq_url",
        "status_url",
        "signal_summary",
        "mention_count",
        "customer_name",
        "statement_url",
        "next_update_at",
        "product_name",
        "batch_codes",
        "executive_name",
    }
)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalizedText(_Model):
    """The same text in each language of the playbook."""

    nl: str | None = Field(default=None, min_length=1)
    en: str | None = Field(default=None, min_length=1)

    def get(self, language: str) -> str | None:
        return self.nl if language == "nl" else self.en if language == "en" else None


class Condition(_Model):
    """Holds when one signal matches every field given here."""

    detector: Detector
    topic: str | None = None
    keywords: list[str] | None = Field(
        default=None,
        min_length=1,
        description="any of these among the signal's keywords (inflections match: storing ~ "
        "storingen), or the name of the keyword rule that fired",
    )
    min_count: int | None = Field(default=None, ge=1)
    window: IsoDuration | None = Field(default=None, description="the count happened within it")
    stakeholder_types: list[str] | None = Field(default=None, min_length=1)
    min_followers: int | None = Field(default=None, ge=0)
    min_risk: float | None = Field(default=None, ge=0, le=1)
    min_score: float | None = Field(default=None, ge=0, le=1)


class Trigger(_Model):
    """``any``: at least one condition holds; ``all``: every one holds. Both given: both apply."""

    any: list[Condition] | None = Field(default=None, min_length=1)
    all: list[Condition] | None = Field(default=None, min_length=1)


class SeverityRule(_Model):
    when: Trigger
    level: Severity


class SeverityPolicy(_Model):
    """The most severe level among the rules that hold; ``default`` when none does."""

    default: Severity = Severity.SEV3
    rules: list[SeverityRule] = Field(default_factory=list)


class Deadline(_Model):
    within: IsoDuration
    relative_to: Literal["incident", "step_start"] = "step_start"


class Escalation(_Model):
    """Who hears about it when the deadline passes, and whether the incident gets worse."""

    to: Department
    raise_severity: bool = False


class NotifyAction(_Model):
    type: Literal["notify"]
    departments: list[Department] = Field(min_length=1)
    channel: Literal["slack", "teams", "email", "sms", "phone"] = "email"
    template: Slug | None = None


class WebhookAction(_Model):
    type: Literal["webhook"]
    event: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]*$")]


class SocialFreezeAction(_Model):
    """Pause scheduled posts and paid campaigns on these platforms (empty: all)."""

    type: Literal["social_freeze"]
    platforms: list[str] = Field(default_factory=list)
    include_paid: bool = True


class OpenWebcareQueueAction(_Model):
    type: Literal["open_webcare_queue"]
    queue: Slug
    template: Slug | None = Field(default=None, description="the reply template agents start from")


StepAction = Annotated[
    NotifyAction | WebhookAction | SocialFreezeAction | OpenWebcareQueueAction,
    Field(discriminator="type"),
]


class Step(_Model):
    id: Slug
    title: LocalizedText
    owner: Department
    deadline: Deadline
    escalation: Escalation | None = None
    approvals: list[Department] = Field(
        default_factory=list, description="departments that must approve the step's statements"
    )
    templates: dict[Slug, dict[TemplatePlatform, LocalizedText]] = Field(
        default_factory=dict, description="template name → platform → text per language"
    )
    actions: list[StepAction] = Field(default_factory=list)


class ParallelGroup(_Model):
    """Steps that start together; the next item starts when all of them are done."""

    parallel: list[Step] = Field(min_length=1)


def _step_or_group(value: Any) -> str:
    if isinstance(value, dict):
        return "group" if "parallel" in value else "step"
    return "group" if isinstance(value, ParallelGroup) else "step"


StepItem = Annotated[
    Annotated[Step, Tag("step")] | Annotated[ParallelGroup, Tag("group")],
    Discriminator(_step_or_group),
]


class Playbook(_Model):
    """A versioned crisis playbook; see the module docstring for an outline."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://uitkijk.dev/schemas/playbook.schema.json",
        },
    )

    id: Slug
    name: LocalizedText
    version: int = Field(ge=1)
    languages: list[Language] = Field(min_length=1)
    description: LocalizedText | None = None
    trigger: Trigger
    severity: SeverityPolicy = Field(default_factory=SeverityPolicy)
    steps: list[StepItem] = Field(min_length=1)

    def groups(self) -> list[list[Step]]:
        """The steps as sequential groups (a lone step is a group of one)."""
        return [item.parallel if isinstance(item, ParallelGroup) else [item] for item in self.steps]

    def all_steps(self) -> list[Step]:
        return [s for group in self.groups() for s in group]

    def step(self, step_id: str) -> Step:
        for s in self.all_steps():
            if s.id == step_id:
                return s
        raise KeyError(step_id)
