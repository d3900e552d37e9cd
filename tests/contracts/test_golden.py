"""Contracts grow by addition: a golden file per live version pins the wire form and the schema.

A failing test here means a contract changed. If the change only adds an optional field, re-bless
with `UPDATE_GOLDEN=1 pytest tests/contracts`; anything else needs a new version that consumers
accept before producers send it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pydantic import BaseModel

from services.common.contracts import (
    EVENT_ADAPTER,
    IncidentEventV1,
    MentionBatchV1,
    MentionScoredEventV1,
    ScoredBatchV1,
)

GOLDEN = Path(__file__).parent / "golden"
CONTRACTS: dict[str, type[BaseModel]] = {
    "mention_batch_v1": MentionBatchV1,
    "scored_batch_v1": ScoredBatchV1,
    "incident_event_v1": IncidentEventV1,
    "mention_scored_event_v1": MentionScoredEventV1,
}


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_golden_example_still_validates_and_round_trips(name: str) -> None:
    model = CONTRACTS[name]
    example = json.loads((GOLDEN / f"{name}.example.json").read_text())
    parsed = model.model_validate(example)
    assert json.loads(parsed.model_dump_json()) == example


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_schema_has_not_changed_unnoticed(name: str) -> None:
    schema = CONTRACTS[name].model_json_schema(mode="serialization")
    path = GOLDEN / f"{name}.schema.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    assert json.loads(path.read_text()) == schema, f"{name} changed: see this module's docstring"


def test_events_are_told_apart_by_type() -> None:
    example = json.loads((GOLDEN / "incident_event_v1.example.json").read_text())
    assert isinstance(EVENT_ADAPTER.validate_python(example), IncidentEventV1)
    scored = json.loads((GOLDEN / "mention_scored_event_v1.example.json").read_text())
    assert isinstance(EVENT_ADAPTER.validate_python(scored), MentionScoredEventV1)


def test_batches_are_bounded() -> None:
    example = json.loads((GOLDEN / "mention_batch_v1.example.json").read_text())
    example["mentions"] = example["mentions"] * 1001
    with pytest.raises(ValueError, match="at most 1000"):
        MentionBatchV1.model_validate(example)
