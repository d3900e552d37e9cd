"""Playbooks: schema, validation with locations, the shipped library, evaluation, planning."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import resources

import jsonschema
import pytest
import yaml

from services.playbook.detection import SignalKind
from services.playbook.playbooks import (
    Department,
    MissingVariables,
    PlaybookInvalid,
    Severity,
    TemplateLanguageMissing,
    due_at_for_start,
    dump_playbook,
    evaluate_trigger,
    load_library,
    parse_duration,
    parse_playbook,
    plan_steps,
    raise_severity,
    ready_steps,
    render_template,
    severity_for,
)
from services.playbook.playbooks.library import library_files, published_schema, schema_text
from tests.playbook_logic.helpers import signal

MINIMAL = """\
id: test_pb
name: {nl: Test, en: Test}
version: 1
languages: [nl, en]
trigger:
  any:
    - detector: keyword
      keywords: [storing]
      min_count: 3
      window: PT10M
severity:
  default: sev3
  rules:
    - when: {any: [{detector: stakeholder, stakeholder_types: [media]}]}
      level: sev1
steps:
  - id: first
    title: {nl: Eerste, en: First}
    owner: webcare
    deadline: {within: PT15M, relative_to: incident}
  - parallel:
      - id: second
        title: {nl: Tweede, en: Second}
        owner: legal
        deadline: {within: PT1H}
        approvals: [corporate_communications]
        templates:
          reply:
            default: {nl: "Hoi {customer_name}, zie {status_url}", en: "Hi {customer_name}"}
            x: {nl: "Kort: {status_url}", en: "Short: {status_url}"}
      - id: third
        title: {nl: Derde, en: Third}
        owner: marketing
        deadline: {within: PT30M}
  - id: fourth
    title: {nl: Vierde, en: Fourth}
    owner: management
    deadline: {within: PT2H}
    escalation: {to: corporate_communications, raise_severity: true}
"""
OPENED = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _errors(text: str) -> list[dict[str, str | int | None]]:
    with pytest.raises(PlaybookInvalid) as info:
        parse_playbook(text)
    return [e.as_dict() for e in info.value.errors]


def test_minimal_playbook_parses_and_round_trips() -> None:
    playbook = parse_playbook(MINIMAL)
    assert [s.id for s in playbook.all_steps()] == ["first", "second", "third", "fourth"]
    assert parse_playbook(dump_playbook(playbook)) == playbook


def test_missing_field_is_located_by_path_and_line() -> None:
    text = MINIMAL.replace("    deadline: {within: PT2H}\n", "")
    errors = _errors(text)
    # the step lacking it starts at line 35
    assert errors == [{"loc": "steps[2].deadline", "msg": "Field required", "line": 35}]


def test_bad_duration_inside_a_parallel_group_is_located() -> None:
    text = MINIMAL.replace("deadline: {within: PT30M}", "deadline: {within: 30 minutes}")
    (error,) = _errors(text)
    assert error["loc"] == "steps[1].parallel[1].deadline.within"
    assert error["line"] == 34
    assert "pattern" in str(error["msg"])


def test_unknown_department_and_action_fields_are_located() -> None:
    text = MINIMAL.replace("owner: marketing", "owner: finance").replace(
        "    escalation: {to: corporate_communications, raise_severity: true}\n",
        "    escalation: {to: corporate_communications, raise_severity: true}\n"
        "    actions:\n      - type: notify\n        departments: []\n",
    )
    locs = {e["loc"]: e["line"] for e in _errors(text)}
    assert locs == {"steps[1].parallel[1].owner": 33, "steps[2].actions[0].departments": 42}


def test_unknown_template_variable_is_rejected_with_its_location() -> None:
    text = MINIMAL.replace("Hi {customer_name}", "Hi {customer}")
    (error,) = _errors(text)
    assert error["loc"] == "steps[1].parallel[0].templates.reply.default.en"
    assert "unknown variable {customer}" in str(error["msg"])
    assert error["line"] == 29


def test_semantic_rules_duplicate_ids_approvals_languages_and_keys() -> None:
    text = (
        MINIMAL.replace("id: third", "id: first")
        .replace("approvals: [corporate_communications]", "approvals: [legal]")
        .replace('x: {nl: "Kort: {status_url}", en: "Short: {status_url}"}', 'x: {nl: "Kort"}')
    )
    by_loc = {e["loc"]: e["msg"] for e in _errors(text)}
    assert set(by_loc) == {
        "steps[1].parallel[1].id",
        "steps[1].parallel[0].approvals[0]",
        "steps[1].parallel[0].templates.reply.x.en",
    }
    assert "already used at steps[0]" in str(by_loc["steps[1].parallel[1].id"])

    dup = MINIMAL.replace("version: 1\n", "version: 1\nversion: 2\n")
    assert _errors(dup) == [{"loc": "version", "msg": "duplicate key", "line": 4}]
    assert _errors("id: [unclosed\n")[0]["line"] == 2
    assert _errors("- just a list\n")[0]["msg"] == "a playbook is a YAML mapping"


def test_shipped_library_is_valid_and_matches_the_published_schema() -> None:
    playbooks = load_library()
    assert {p.id for p in playbooks} == {
        "datalek",
        "storing",
        "terugroepactie",
        "executive_misconduct",
        "campaign_backlash",
    }
    schema = published_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name, text in library_files().items():
        assert not list(validator.iter_errors(yaml.safe_load(text))), name
    for playbook in playbooks:
        assert set(playbook.languages) == {"nl", "en"}
        assert parse_playbook(dump_playbook(playbook)) == playbook
        for step in playbook.all_steps():
            for platforms in step.templates.values():
                assert all(t.nl and t.en for t in platforms.values())
    on_disk = (resources.files("services.playbook.playbooks") / "playbook.schema.json").read_text()
    assert on_disk == schema_text()  # regenerate with library.schema_text() after model changes
    assert json.loads(on_disk) == schema


def test_library_encodes_the_required_approvals() -> None:
    by_id = {p.id: p for p in load_library()}
    holding = by_id["datalek"].step("holding_statement")
    assert holding.owner is Department.CORPORATE_COMMUNICATIONS
    assert {Department.LEGAL, Department.MANAGEMENT} <= set(holding.approvals)
    misconduct = by_id["executive_misconduct"]
    assert any(s.owner is Department.INVESTOR_RELATIONS for s in misconduct.all_steps())
    assert Department.INVESTOR_RELATIONS in misconduct.step("statement").approvals


def test_trigger_and_severity_follow_the_signals() -> None:
    playbook = parse_playbook(MINIMAL)
    weak = signal(SignalKind.KEYWORD, keywords=("storing",), observed=2, window_seconds=600)
    strong = signal(SignalKind.KEYWORD, keywords=("storingen",), observed=5, window_seconds=600)
    wide = signal(SignalKind.KEYWORD, keywords=("storing",), observed=5, window_seconds=3600)
    press = signal(SignalKind.STAKEHOLDER, stakeholder_types=("media",))
    assert not evaluate_trigger(playbook, [weak])
    assert not evaluate_trigger(playbook, [wide])
    assert evaluate_trigger(playbook, [weak, strong])
    assert severity_for(playbook, [strong]) is Severity.SEV3
    assert severity_for(playbook, [strong, press]) is Severity.SEV1
    assert raise_severity(Severity.SEV3) is Severity.SEV2
    assert raise_severity(Severity.SEV1) is Severity.SEV1


def test_shipped_datalek_playbook_triggers_on_a_journalist_asking_about_a_leak() -> None:
    datalek = next(p for p in load_library() if p.id == "datalek")
    journalist = signal(
        SignalKind.STAKEHOLDER,
        detector="press_inquiry",
        stakeholder_types=("media",),
        keywords=("datalek",),
    )
    unrelated_press = signal(SignalKind.STAKEHOLDER, stakeholder_types=("media",))
    assert not evaluate_trigger(datalek, [unrelated_press])
    assert evaluate_trigger(datalek, [journalist])
    assert severity_for(datalek, [journalist]) is Severity.SEV1


def test_render_template_falls_back_to_default_and_checks_variables() -> None:
    playbook = parse_playbook(MINIMAL)
    values = {"customer_name": "Sanne", "status_url": "https://status.example"}
    assert (
        render_template(playbook, "second", "reply", language="nl", platform="x", variables=values)
        == "Kort: https://status.example"
    )
    assert (
        render_template(
            playbook, "second", "reply", language="en", platform="facebook", variables=values
        )
        == "Hi Sanne"
    )
    with pytest.raises(MissingVariables) as info:
        render_template(
            playbook, "second", "reply", language="nl", variables={"customer_name": "S"}
        )
    assert info.value.names == ["status_url"]
    with pytest.raises(TemplateLanguageMissing):
        render_template(playbook, "second", "reply", language="de", variables=values)


def test_plan_orders_groups_and_computes_due_times() -> None:
    plan = plan_steps(parse_playbook(MINIMAL), OPENED)
    by_id = {p.step_id: p for p in plan}
    assert [p.step_id for p in plan] == ["first", "second", "third", "fourth"]
    assert by_id["first"].due_at == OPENED + timedelta(minutes=15)
    assert not by_id["first"].due_is_estimate
    assert by_id["second"].depends_on == ("first",)
    assert by_id["second"].planned_start == OPENED + timedelta(minutes=15)
    assert by_id["second"].due_at == OPENED + timedelta(minutes=75)
    assert by_id["second"].due_is_estimate
    assert by_id["fourth"].depends_on == ("second", "third")
    assert by_id["fourth"].planned_start == OPENED + timedelta(minutes=75)
    assert by_id["fourth"].escalate_to is Department.CORPORATE_COMMUNICATIONS
    assert by_id["fourth"].raise_severity

    playbook = parse_playbook(MINIMAL)
    started = OPENED + timedelta(minutes=40)
    assert due_at_for_start(playbook.step("third"), OPENED, started) == started + timedelta(
        minutes=30
    )
    assert due_at_for_start(playbook.step("first"), OPENED, started) == OPENED + timedelta(
        minutes=15
    )
    assert ready_steps(playbook, set()) == ["first"]
    assert ready_steps(playbook, {"first"}) == ["second", "third"]
    assert ready_steps(playbook, {"first", "third"}) == ["second"]
    assert ready_steps(playbook, {"first", "second", "third"}) == ["fourth"]
    with pytest.raises(ValueError, match="aware"):
        plan_steps(playbook, datetime(2026, 1, 1))  # noqa: DTZ001 - the naive case under test


def test_durations() -> None:
    assert parse_duration("PT15M") == timedelta(minutes=15)
    assert parse_duration("P1DT2H") == timedelta(days=1, hours=2)
    assert parse_duration("P2W") == timedelta(weeks=2)
    for bad in ("P", "PT", "P1Y", "15M", "PT1.5H"):
        with pytest.raises(ValueError, match="ISO-8601"):
            parse_duration(bad)
