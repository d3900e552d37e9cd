"""Versioned playbooks: save (a new version each time), read, export, import, the shipped library.

Functions flush; the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import orjson
import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from services.playbook.playbook_store import repository as repo
from services.playbook.playbook_store.errors import PlaybookNotFound, PlaybookValidationFailed
from services.playbook.playbook_store.schemas import PlaybookRead
from services.playbook.playbook_store.tables import PlaybookHead, PlaybookVersion
from services.playbook.playbooks import (
    Playbook,
    PlaybookError,
    PlaybookInvalid,
    dump_playbook,
    load_library,
    parse_playbook,
)

_SEPARATOR = re.compile(r"^---[ \t]*(?:#.*)?$", re.M)


@dataclass(frozen=True, slots=True)
class ActivePlaybook:
    playbook: Playbook
    version: int


def _text(playbook: Playbook) -> str:
    return playbook.name.get(playbook.languages[0]) or playbook.name.nl or playbook.name.en or ""


def to_read(head: PlaybookHead, version: PlaybookVersion) -> PlaybookRead:
    playbook = document_of(version)
    description = playbook.description
    return PlaybookRead(
        id=head.playbook_id,
        key=head.playbook_id,
        name=_text(playbook),
        description=(description.get(playbook.languages[0]) if description else None),
        version=version.version,
        latest_version=head.latest_version,
        active=head.active,
        languages=list(playbook.languages),
        document=version.document,
        yaml=version.yaml,
        created_at=version.created_at,
        updated_at=head.updated_at,
        created_by=version.created_by,
    )


def document_of(version: PlaybookVersion) -> Playbook:
    return _parse_document(orjson.dumps(version.document, option=orjson.OPT_SORT_KEYS))


@lru_cache(maxsize=1024)
def _parse_document(document: bytes) -> Playbook:
    """Validated documents, cached by content (the worker evaluates them on every batch)."""
    return Playbook.model_validate_json(document)


def parse_text(text: str, *, prefix: str = "", line_offset: int = 0) -> Playbook:
    try:
        return parse_playbook(text)
    except PlaybookInvalid as exc:
        raise PlaybookValidationFailed(exc.errors, prefix, line_offset) from None


def parse_body(body: bytes, content_type: str) -> Playbook:
    """YAML (``application/yaml``, ``text/yaml``) or JSON; JSON is read as YAML, so the same
    locations and lines are reported for both."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PlaybookValidationFailed([PlaybookError("", "the body is not UTF-8 text")]) from None
    if "json" in content_type:
        try:
            orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise PlaybookValidationFailed(
                [PlaybookError("", f"not valid JSON: {exc}", exc.lineno)]
            ) from None
    return parse_text(text)


def split_documents(text: str) -> list[tuple[str, int]]:
    """The documents of a multi-document YAML file, each with the line it starts at (0-based)."""
    parts: list[tuple[str, int]] = []
    start = 0
    line = 0
    for match in _SEPARATOR.finditer(text):
        chunk = text[start : match.start()]
        if chunk.strip() and not _only_comments(chunk):
            parts.append((chunk, line))
        line = text.count("\n", 0, match.end()) + 1
        start = match.end() + 1
    chunk = text[start:]
    if chunk.strip() and not _only_comments(chunk):
        parts.append((chunk, line))
    return parts


def _only_comments(chunk: str) -> bool:
    return all(not ln.strip() or ln.lstrip().startswith("#") for ln in chunk.splitlines())


async def save(
    session: AsyncSession,
    tenant: str,
    playbook: Playbook,
    *,
    actor: str | None,
    now: datetime,
    active: bool | None = None,
) -> PlaybookRead:
    """Store ``playbook`` as the next version of its id (version 1 when new)."""
    head = await repo.head(session, tenant, playbook.id, lock=True)
    number = 1 if head is None else head.latest_version + 1
    stored = playbook.model_copy(update={"version": number})
    text = dump_playbook(stored)
    version = PlaybookVersion(
        tenant=tenant,
        playbook_id=playbook.id,
        version=number,
        yaml=text,
        document=stored.model_dump(mode="json", exclude_none=True),
        created_at=now,
        created_by=actor,
    )
    session.add(version)
    if head is None:
        head = PlaybookHead(
            tenant=tenant,
            playbook_id=playbook.id,
            latest_version=number,
            active=True if active is None else active,
            created_at=now,
            updated_at=now,
        )
        session.add(head)
    else:
        head.latest_version = number
        head.updated_at = now
        if active is not None:
            head.active = active
    await session.flush()
    return to_read(head, version)


async def import_text(
    session: AsyncSession, tenant: str, text: str, *, actor: str | None, now: datetime
) -> list[PlaybookRead]:
    """Every document of a multi-document YAML file, all or none (errors name the document)."""
    documents = split_documents(text)
    if not documents:
        raise PlaybookValidationFailed([PlaybookError("", "no YAML documents found", 1)])
    parsed = [
        parse_text(chunk, prefix=f"documents[{i}].", line_offset=offset)
        for i, (chunk, offset) in enumerate(documents)
    ]
    seen: set[str] = set()
    for i, playbook in enumerate(parsed):
        if playbook.id in seen:
            raise PlaybookValidationFailed(
                [PlaybookError("id", f"playbook {playbook.id!r} appears twice in the file")],
                prefix=f"documents[{i}].",
                line_offset=documents[i][1],
            )
        seen.add(playbook.id)
    return [await save(session, tenant, p, actor=actor, now=now) for p in parsed]


async def get(
    session: AsyncSession, tenant: str, playbook_id: str, number: int | None = None
) -> PlaybookRead:
    head = await repo.head(session, tenant, playbook_id)
    if head is None:
        raise PlaybookNotFound(playbook_id)
    version = await repo.version(session, tenant, playbook_id, number or head.latest_version)
    if version is None:
        raise PlaybookNotFound(playbook_id, number)
    return to_read(head, version)


async def set_active(
    session: AsyncSession, tenant: str, playbook_id: str, active: bool, now: datetime
) -> PlaybookRead:
    head = await repo.head(session, tenant, playbook_id, lock=True)
    if head is None:
        raise PlaybookNotFound(playbook_id)
    head.active = active
    head.updated_at = now
    await session.flush()
    version = await repo.version(session, tenant, playbook_id, head.latest_version)
    assert version is not None
    return to_read(head, version)


async def version_of(
    session: AsyncSession, tenant: str, playbook_id: str, number: int
) -> Playbook | None:
    """The exact version an incident started with (``None`` if it is gone)."""
    version = await repo.version(session, tenant, playbook_id, number)
    return document_of(version) if version is not None else None


async def active_playbooks(
    session: AsyncSession, tenant: str, *, library_fallback: bool = False
) -> list[ActivePlaybook]:
    """The tenant's active playbooks at their latest version."""
    rows = await repo.latest(session, tenant, active_only=True)
    if not rows and library_fallback and not await repo.has_any(session, tenant):
        return [ActivePlaybook(p, p.version) for p in load_library()]
    return [ActivePlaybook(document_of(v), v.version) for _, v in rows]


async def load_library_into(
    session: AsyncSession, tenant: str, *, now: datetime, actor: str | None = "library"
) -> list[PlaybookRead]:
    """Store the five shipped playbooks for ``tenant`` (those it has not got yet). ``uitkijk demo``
    and drills use it."""
    out = []
    for playbook in load_library():
        if await repo.head(session, tenant, playbook.id) is None:
            out.append(await save(session, tenant, playbook, actor=actor, now=now))
    return out


async def copy_active(
    session: AsyncSession, source_tenant: str, target_tenant: str, *, now: datetime
) -> int:
    """Copy ``source_tenant``'s active playbooks (latest versions) to ``target_tenant``; the
    shipped library when it has none. Used to seed a drill's sandbox."""
    rows = await repo.latest(session, source_tenant, active_only=True)
    if not rows:
        return len(await load_library_into(session, target_tenant, now=now))
    for _, version in rows:
        if await repo.head(session, target_tenant, version.playbook_id) is None:
            await save(session, target_tenant, document_of(version), actor="drill", now=now)
    return len(rows)


def export_yaml(reads: Sequence[PlaybookRead]) -> str:
    """One or more playbooks as a multi-document YAML file (what ``import`` reads back)."""
    return "---\n".join(r.yaml for r in reads)


def yaml_of_schema(schema: dict[str, object]) -> str:
    return yaml.safe_dump(schema, sort_keys=False, allow_unicode=True)
