"""The public shapes of ``/v1/playbooks``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class PlaybookVersionRead(BaseModel):
    version: int
    created_at: datetime
    created_by: str | None


class PlaybookRead(BaseModel):
    """A playbook at one version; ``document`` is the validated playbook, ``yaml`` its text."""

    id: str
    key: str
    name: str
    description: str | None
    version: int
    latest_version: int
    active: bool
    languages: list[str]
    document: dict[str, object]
    yaml: str
    created_at: datetime
    updated_at: datetime
    created_by: str | None
    #: Every version (``GET /v1/playbooks/{id}`` only; lists leave it empty).
    versions: list[PlaybookVersionRead] = []


class ActiveIn(BaseModel):
    active: bool


class ImportResult(BaseModel):
    items: list[PlaybookRead]
