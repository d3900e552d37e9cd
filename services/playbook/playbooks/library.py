"""The playbooks shipped with Uitkijk (``library/*.yaml``) and the published JSON Schema."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from services.playbook.playbooks.models import Playbook
from services.playbook.playbooks.parsing import parse_playbook

SCHEMA_FILE = "playbook.schema.json"


def library_files() -> dict[str, str]:
    """File name → YAML text of every shipped playbook."""
    folder = resources.files("services.playbook.playbooks") / "library"
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }


@cache
def load_library() -> tuple[Playbook, ...]:
    """Every shipped playbook, parsed and validated (raises ``PlaybookInvalid`` if one is not)."""
    return tuple(parse_playbook(text) for text in library_files().values())


def generate_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a playbook, generated from the pydantic models."""
    return Playbook.model_json_schema()


def published_schema() -> dict[str, Any]:
    """``playbook.schema.json`` as shipped (a test keeps it equal to :func:`generate_schema`)."""
    text = (resources.files("services.playbook.playbooks") / SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def schema_text() -> str:
    """What ``playbook.schema.json`` should contain, byte for byte."""
    return json.dumps(generate_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
