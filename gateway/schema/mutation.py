"""The ``Mutation`` root: everything a war-room screen does.

Each mutation answers a union: the changed object, or the expected failure (``NotFound``,
``NotAllowed``, ``ApprovalRequired``, ``ValidationFailed``, ``Conflict``) mapped from the service's
problem+json answer.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from pydantic import JsonValue

from gateway.clients import ServiceClient
from gateway.context import Info
from gateway.ids import expect_id, to_global_id
from gateway.rest.playbook import (
    DrillRest,
    FreezeRest,
    IncidentRest,
    PlaybookImportRest,
    PlaybookRest,
    StatementRest,
    StepRest,
    WebhookRest,
)
from gateway.rest.sentiment import KnownAccountsOut, TopicRest
from gateway.schema import fields
from gateway.schema.admin import (
    FreezeMode,
    KnownAccount,
    SocialFreeze,
    Topic,
    TopicKind,
    WebhookFormat,
    WebhookSubscription,
    WebhookSubscriptionCreated,
)
from gateway.schema.errors import (
    ApprovalRequired,
    Conflict,
    ExpectedFailure,
    NotAllowed,
    NotFound,
    ValidationFailed,
    attempt,
)
from gateway.schema.incidents import Incident, IncidentState, Severity, Statement, Step
from gateway.schema.playbooks import Drill, Playbook
from services.common.auth import Caller

Failures = NotFound | NotAllowed | ApprovalRequired | ValidationFailed | Conflict

IncidentResult = Annotated[Incident | Failures, strawberry.union("IncidentResult")]
StepResult = Annotated[Step | Failures, strawberry.union("StepResult")]
StatementResult = Annotated[Statement | Failures, strawberry.union("StatementResult")]
PlaybookResult = Annotated[Playbook | Failures, strawberry.union("PlaybookResult")]
DrillResult = Annotated[Drill | Failures, strawberry.union("DrillResult")]
WebhookResult = Annotated[
    WebhookSubscription | Failures, strawberry.union("WebhookSubscriptionResult")
]
WebhookCreatedResult = Annotated[
    WebhookSubscriptionCreated | Failures, strawberry.union("WebhookSubscriptionCreatedResult")
]
FreezeResult = Annotated[SocialFreeze | Failures, strawberry.union("SocialFreezeResult")]
TopicResult = Annotated[Topic | Failures, strawberry.union("TopicResult")]


@strawberry.type(description="What a delete removed.")
class Deleted:
    id: strawberry.ID


@strawberry.type
class KnownAccountsUpserted:
    upserted: int
    accounts: list[KnownAccount]


DeleteResult = Annotated[Deleted | Failures, strawberry.union("DeleteResult")]
KnownAccountsResult = Annotated[
    KnownAccountsUpserted | Failures, strawberry.union("KnownAccountsResult")
]

Body = dict[str, JsonValue]


def _body(**values: JsonValue) -> Body:
    """A JSON body without the ``None`` members (the services treat absent as unchanged)."""
    return {k: v for k, v in values.items() if v is not None}


async def _transition(info: Info, id: str, to: IncidentState, note: str | None) -> Incident:
    return await _incident_action(info, id, "transitions", _body(to=to.value, note=note))


async def _step_action(info: Info, id: str, action: str, note: str | None) -> Step:
    raw = expect_id(id, "Step")
    step = await info.context.services.playbook.send(
        "POST", f"/v1/steps/{raw}/{action}", StepRest, info.context.caller, _body(note=note)
    )
    return Step.from_rest(step)


async def _incident_action(info: Info, id: str, action: str, body: Body) -> Incident:
    raw = expect_id(id, "Incident")
    playbook = info.context.services.playbook
    incident = await playbook.send(
        "POST", f"/v1/incidents/{raw}/{action}", IncidentRest, info.context.caller, body
    )
    return Incident.from_rest(incident)


async def _delete(client: ServiceClient, path: str, caller: Caller, global_id: str) -> Deleted:
    await client.request("DELETE", path, caller)
    return Deleted(id=strawberry.ID(global_id))


@strawberry.type
class PlaybookList:
    playbooks: list[Playbook]


PlaybooksResult = Annotated[PlaybookList | Failures, strawberry.union("PlaybooksResult")]


@strawberry.input
class TemplateVariable:
    name: str
    value: str


@strawberry.input(description="Give `text`, or `template` (a template of the step) and variables.")
class StatementInput:
    text: str | None = None
    template: str | None = None
    variables: list[TemplateVariable] = strawberry.field(default_factory=list)
    platform: str = "default"
    audience: str = "public"
    language: str | None = strawberry.field(default=None, description="nl or en.")
    step_id: strawberry.ID | None = None


@strawberry.input
class PlaybookInput:
    yaml: str = strawberry.field(description="The playbook as YAML (validated by the service).")
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Update this playbook (a new version); omit to create."
    )


@strawberry.input(description="A (offset, rate) breakpoint of a generated scenario's volume.")
class VolumePoint:
    offset_seconds: int
    mentions_per_minute: float


@strawberry.input(description="A scenario made on the spot.")
class GeneratedScenarioInput:
    topic: str
    volume_curve: list[VolumePoint]
    language: str = "nl"
    negative_share: float = 0.6
    brand: str | None = None
    seed: int = 0


@strawberry.input(description="Give exactly one of `scenario` (shipped) and `generate`.")
class DrillInput:
    scenario: str | None = strawberry.field(default=None, description="e.g. `datalek_nl`.")
    generate: GeneratedScenarioInput | None = None
    speed: float | None = strawberry.field(default=None, description="Times real time.")
    onset_seconds: float | None = None


@strawberry.input
class WebhookSubscriptionInput:
    url: str
    event_types: list[str] = strawberry.field(default_factory=list)
    format: WebhookFormat = WebhookFormat.STANDARD
    active: bool = True
    description: str | None = None


@strawberry.input
class WebhookSubscriptionPatch:
    url: str | None = None
    event_types: list[str] | None = None
    format: WebhookFormat | None = None
    active: bool | None = None
    description: str | None = None


@strawberry.input
class TopicInput:
    name: str
    query: str = strawberry.field(description='Boolean query: words, "phrases", #tags, OR, NOT.')
    kind: TopicKind = TopicKind.KEYWORD_GROUP
    languages: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class TopicPatch:
    name: str | None = None
    query: str | None = None
    kind: TopicKind | None = None
    languages: list[str] | None = None


@strawberry.input
class KnownAccountInput:
    handle: str
    stakeholder: str
    platform: str | None = None
    note: str | None = None


@strawberry.type
class Mutation:
    # --- incidents -------------------------------------------------------------------------
    @fields.mutation("Moves the incident to ACKNOWLEDGED.")
    async def acknowledge_incident(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> IncidentResult:
        return await attempt(_transition(info, id, IncidentState.ACKNOWLEDGED, note))

    @fields.mutation("Moves the incident to RESOLVED.")
    async def resolve_incident(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> IncidentResult:
        return await attempt(_transition(info, id, IncidentState.RESOLVED, note))

    @fields.mutation("Moves a resolved incident back to OPEN.")
    async def reopen_incident(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> IncidentResult:
        return await attempt(_transition(info, id, IncidentState.OPEN, note))

    @fields.mutation("Any move in `allowedTransitions` (RESPONDING, MONITORING...).")
    async def transition_incident(
        self, info: Info, id: strawberry.ID, to: IncidentState, note: str | None = None
    ) -> IncidentResult:
        return await attempt(_transition(info, id, to, note))

    @strawberry.mutation
    async def assign_incident(
        self,
        info: Info,
        id: strawberry.ID,
        assignee: str | None = None,
        department: str | None = None,
    ) -> IncidentResult:
        body = _body(assignee=assignee, department=department)
        return await attempt(_incident_action(info, id, "assign", body))

    @strawberry.mutation
    async def change_incident_severity(
        self, info: Info, id: strawberry.ID, severity: Severity, reason: str | None = None
    ) -> IncidentResult:
        body = _body(severity=severity.value, reason=reason)
        return await attempt(_incident_action(info, id, "severity", body))

    @fields.mutation("Adds a note to the incident's timeline; answers the incident.")
    async def add_incident_note(self, info: Info, id: strawberry.ID, text: str) -> IncidentResult:
        async def run() -> Incident:
            raw = expect_id(id, "Incident")
            playbook, caller = info.context.services.playbook, info.context.caller
            await playbook.request(
                "POST", f"/v1/incidents/{raw}/notes", caller, body={"text": text}
            )
            incident = await playbook.get(f"/v1/incidents/{raw}", IncidentRest, caller)
            return Incident.from_rest(incident)

        return await attempt(run())

    # --- steps and statements --------------------------------------------------------------
    @fields.mutation("Completes a step (cancels its escalation).")
    async def complete_step(
        self, info: Info, id: strawberry.ID, note: str | None = None
    ) -> StepResult:
        return await attempt(_step_action(info, id, "complete", note))

    @strawberry.mutation
    async def skip_step(self, info: Info, id: strawberry.ID, note: str | None = None) -> StepResult:
        return await attempt(_step_action(info, id, "skip", note))

    @fields.mutation("Drafts a statement from `text`, or from a step's `template` and `variables`.")
    async def draft_statement(
        self, info: Info, incident_id: strawberry.ID, input: StatementInput
    ) -> StatementResult:
        async def run() -> Statement:
            raw = expect_id(incident_id, "Incident")
            step = expect_id(input.step_id, "Step") if input.step_id else None
            variables: dict[str, JsonValue] = {v.name: v.value for v in input.variables}
            statement = await info.context.services.playbook.send(
                "POST",
                f"/v1/incidents/{raw}/statements",
                StatementRest,
                info.context.caller,
                _body(
                    platform=input.platform,
                    audience=input.audience,
                    language=input.language,
                    step_id=step,
                    text=input.text,
                    template=input.template,
                    variables=variables,
                ),
            )
            return Statement.from_rest(statement)

        return await attempt(run())

    @fields.mutation("Approves for the caller's department (token claim `department`).")
    async def approve_statement(
        self, info: Info, id: strawberry.ID, comment: str | None = None
    ) -> StatementResult:
        return await attempt(_statement_action(info, id, "approve", _body(comment=comment)))

    @strawberry.mutation
    async def reject_statement(
        self, info: Info, id: strawberry.ID, comment: str | None = None
    ) -> StatementResult:
        return await attempt(_statement_action(info, id, "reject", _body(comment=comment)))

    @fields.mutation("Marks a statement ready: ApprovalRequired while approvals are missing.")
    async def mark_statement_ready(self, info: Info, id: strawberry.ID) -> StatementResult:
        return await attempt(_statement_action(info, id, "ready", {}))

    @strawberry.mutation
    async def publish_statement(self, info: Info, id: strawberry.ID) -> StatementResult:
        return await attempt(_statement_action(info, id, "publish", {}))

    @strawberry.mutation
    async def withdraw_statement(self, info: Info, id: strawberry.ID) -> StatementResult:
        return await attempt(_statement_action(info, id, "withdraw", {}))

    # --- playbooks and drills --------------------------------------------------------------
    @fields.mutation("Creates a playbook from YAML, or stores a new version of `id`.")
    async def upsert_playbook(self, info: Info, input: PlaybookInput) -> PlaybookResult:
        async def run() -> Playbook:
            playbook, caller = info.context.services.playbook, info.context.caller
            raw = (input.yaml.encode(), "application/yaml")
            if input.id is None:
                found = await playbook.send("POST", "/v1/playbooks", PlaybookRest, caller, raw=raw)
            else:
                path = f"/v1/playbooks/{expect_id(input.id, 'Playbook')}"
                found = await playbook.send("PUT", path, PlaybookRest, caller, raw=raw)
            return Playbook.from_rest(found)

        return await attempt(run())

    @fields.mutation("Imports playbooks from a multi-document YAML file (all or nothing).")
    async def import_playbooks(self, info: Info, yaml: str) -> PlaybooksResult:
        async def run() -> PlaybookList:
            answer = await info.context.services.playbook.send(
                "POST",
                "/v1/playbooks/import",
                PlaybookImportRest,
                info.context.caller,
                raw=(yaml.encode(), "application/yaml"),
            )
            return PlaybookList(playbooks=[Playbook.from_rest(p) for p in answer.items])

        return await attempt(run())

    @fields.mutation("Loads the shipped playbooks the tenant has not got yet.")
    async def load_playbook_library(self, info: Info) -> PlaybooksResult:
        async def run() -> PlaybookList:
            answer = await info.context.services.playbook.send(
                "POST", "/v1/playbooks/library", PlaybookImportRest, info.context.caller
            )
            return PlaybookList(playbooks=[Playbook.from_rest(p) for p in answer.items])

        return await attempt(run())

    @fields.mutation("Turns a playbook on or off (off: it opens no new incidents).")
    async def set_playbook_active(
        self, info: Info, id: strawberry.ID, active: bool
    ) -> PlaybookResult:
        async def run() -> Playbook:
            raw = expect_id(id, "Playbook")
            found = await info.context.services.playbook.send(
                "POST",
                f"/v1/playbooks/{raw}/active",
                PlaybookRest,
                info.context.caller,
                {"active": active},
            )
            return Playbook.from_rest(found)

        return await attempt(run())

    @strawberry.mutation
    async def start_drill(self, info: Info, input: DrillInput) -> DrillResult:
        async def run() -> Drill:
            generate: JsonValue = None
            if input.generate is not None:
                g = input.generate
                curve: list[JsonValue] = [
                    [p.offset_seconds, p.mentions_per_minute] for p in g.volume_curve
                ]
                generate = _body(
                    topic=g.topic,
                    language=g.language,
                    volume_curve=curve,
                    negative_share=g.negative_share,
                    brand=g.brand,
                    seed=g.seed,
                )
            drill = await info.context.services.playbook.send(
                "POST",
                "/v1/drills",
                DrillRest,
                info.context.caller,
                _body(
                    scenario=input.scenario,
                    generate=generate,
                    speed=input.speed,
                    onset_seconds=input.onset_seconds,
                ),
            )
            return Drill.from_rest(drill)

        return await attempt(run())

    @strawberry.mutation
    async def stop_drill(self, info: Info, id: strawberry.ID) -> DrillResult:
        async def run() -> Drill:
            raw = expect_id(id, "Drill")
            drill = await info.context.services.playbook.send(
                "POST", f"/v1/drills/{raw}/stop", DrillRest, info.context.caller
            )
            return Drill.from_rest(drill)

        return await attempt(run())

    # --- webhooks and the social freeze ----------------------------------------------------
    @strawberry.mutation
    async def create_webhook_subscription(
        self,
        info: Info,
        input: WebhookSubscriptionInput,
    ) -> WebhookCreatedResult:
        async def run() -> WebhookSubscriptionCreated:
            hook = await info.context.services.playbook.send(
                "POST",
                "/v1/webhooks",
                WebhookRest,
                info.context.caller,
                _body(
                    url=input.url,
                    event_types=list(input.event_types),
                    format=input.format.value,
                    active=input.active,
                    description=input.description,
                ),
            )
            return WebhookSubscriptionCreated(
                subscription=WebhookSubscription.from_rest(hook), secret=hook.secret or ""
            )

        return await attempt(run())

    @strawberry.mutation
    async def update_webhook_subscription(
        self,
        info: Info,
        id: strawberry.ID,
        input: WebhookSubscriptionPatch,
    ) -> WebhookResult:
        async def run() -> WebhookSubscription:
            raw = expect_id(id, "WebhookSubscription")
            hook = await info.context.services.playbook.send(
                "PATCH",
                f"/v1/webhooks/{raw}",
                WebhookRest,
                info.context.caller,
                _body(
                    url=input.url,
                    event_types=list(input.event_types) if input.event_types is not None else None,
                    format=input.format.value if input.format else None,
                    active=input.active,
                    description=input.description,
                ),
            )
            return WebhookSubscription.from_rest(hook)

        return await attempt(run())

    @strawberry.mutation
    async def delete_webhook_subscription(
        self,
        info: Info,
        id: strawberry.ID,
    ) -> DeleteResult:
        async def run() -> Deleted:
            raw = expect_id(id, "WebhookSubscription")
            path = f"/v1/webhooks/{raw}"
            return await _delete(info.context.services.playbook, path, info.context.caller, id)

        return await attempt(run())

    @fields.mutation("A new signing secret (shown once).")
    async def rotate_webhook_secret(
        self,
        info: Info,
        id: strawberry.ID,
    ) -> WebhookCreatedResult:
        async def run() -> WebhookSubscriptionCreated:
            raw = expect_id(id, "WebhookSubscription")
            hook = await info.context.services.playbook.send(
                "POST", f"/v1/webhooks/{raw}/rotate-secret", WebhookRest, info.context.caller
            )
            return WebhookSubscriptionCreated(
                subscription=WebhookSubscription.from_rest(hook), secret=hook.secret or ""
            )

        return await attempt(run())

    @fields.mutation("Forces the freeze on or off, or lets incidents decide (AUTO).")
    async def set_social_freeze(
        self, info: Info, mode: FreezeMode, reason: str | None = None
    ) -> FreezeResult:
        async def run() -> SocialFreeze:
            freeze = await info.context.services.playbook.send(
                "PUT",
                "/v1/social-freeze",
                FreezeRest,
                info.context.caller,
                _body(mode=mode.value, reason=reason),
            )
            return SocialFreeze.from_rest(freeze)

        return await attempt(run())

    @fields.mutation("Which incident severities freeze scheduled posts.")
    async def set_social_freeze_policy(self, info: Info, severities: list[str]) -> FreezeResult:
        async def run() -> SocialFreeze:
            playbook, caller = info.context.services.playbook, info.context.caller
            body: Body = {"severities": list(severities)}
            await playbook.request("PUT", "/v1/social-freeze/policy", caller, body=body)
            freeze = await playbook.get("/v1/social-freeze", FreezeRest, caller)
            return SocialFreeze.from_rest(freeze)

        return await attempt(run())

    # --- topics and known accounts ---------------------------------------------------------
    @strawberry.mutation
    async def create_topic(self, info: Info, input: TopicInput) -> TopicResult:
        async def run() -> Topic:
            topic = await info.context.services.sentiment.send(
                "POST",
                "/v1/topics",
                TopicRest,
                info.context.caller,
                _body(
                    name=input.name,
                    query=input.query,
                    kind=input.kind.value,
                    languages=list(input.languages),
                ),
            )
            return Topic.from_rest(topic)

        return await attempt(run())

    @strawberry.mutation
    async def update_topic(
        self,
        info: Info,
        id: strawberry.ID,
        input: TopicPatch,
    ) -> TopicResult:
        async def run() -> Topic:
            raw = expect_id(id, "Topic")
            topic = await info.context.services.sentiment.send(
                "PATCH",
                f"/v1/topics/{raw}",
                TopicRest,
                info.context.caller,
                _body(
                    name=input.name,
                    query=input.query,
                    kind=input.kind.value if input.kind else None,
                    languages=list(input.languages) if input.languages is not None else None,
                ),
            )
            return Topic.from_rest(topic)

        return await attempt(run())

    @strawberry.mutation
    async def delete_topic(self, info: Info, id: strawberry.ID) -> DeleteResult:
        async def run() -> Deleted:
            raw = expect_id(id, "Topic")
            sentiment = info.context.services.sentiment
            return await _delete(sentiment, f"/v1/topics/{raw}", info.context.caller, id)

        return await attempt(run())

    @fields.mutation("Inserts or updates known accounts by (platform, handle).")
    async def upsert_known_accounts(
        self, info: Info, accounts: list[KnownAccountInput]
    ) -> KnownAccountsResult:
        async def run() -> KnownAccountsUpserted:
            body: Body = {
                "accounts": [
                    _body(
                        handle=a.handle, stakeholder=a.stakeholder, platform=a.platform, note=a.note
                    )
                    for a in accounts
                ]
            }
            out = await info.context.services.sentiment.send(
                "PUT", "/v1/known-accounts", KnownAccountsOut, info.context.caller, body
            )
            return KnownAccountsUpserted(
                upserted=out.upserted, accounts=[KnownAccount.from_rest(a) for a in out.items]
            )

        return await attempt(run())

    @strawberry.mutation
    async def delete_known_account(
        self,
        info: Info,
        id: strawberry.ID,
    ) -> DeleteResult:
        async def run() -> Deleted:
            raw = expect_id(id, "KnownAccount")
            sentiment = info.context.services.sentiment
            return await _delete(sentiment, f"/v1/known-accounts/{raw}", info.context.caller, id)

        return await attempt(run())


async def _statement_action(info: Info, id: str, action: str, body: Body) -> Statement:
    raw = expect_id(id, "Statement")
    statement = await info.context.services.playbook.send(
        "POST", f"/v1/statements/{raw}/{action}", StatementRest, info.context.caller, body
    )
    return Statement.from_rest(statement)


__all__ = ["ExpectedFailure", "Mutation", "to_global_id"]
