"""``/v1/playbooks``: versioned playbooks, YAML in and out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from services.common.pagination import Cursor, Limit, Page, decode_cursor, encode_cursor
from services.common.problems import PROBLEM_JSON, PROBLEM_RESPONSES
from services.playbook.deps import Now, PlaybookReader, PlaybookWriter, Tx
from services.playbook.playbook_store import repository as repo
from services.playbook.playbook_store import service
from services.playbook.playbook_store.errors import PlaybookNotFound, UnsupportedPlaybookMedia
from services.playbook.playbook_store.schemas import (
    ActiveIn,
    ImportResult,
    PlaybookRead,
    PlaybookVersionRead,
)
from services.playbook.playbooks import published_schema

#: Every problem the endpoints answer with, 409 (conflicts, transitions) and 415 included.
RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    409: {"description": "Conflict", "content": {PROBLEM_JSON: {}}},
    415: {"description": "Unsupported Media Type", "content": {PROBLEM_JSON: {}}},
}
router = APIRouter(prefix="/v1", tags=["playbooks"], responses=RESPONSES)

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"$ref": "/v1/playbooks/schema"}},
        },
    }
}


def _content_type(request: Request) -> str:
    value = request.headers.get("content-type", "application/yaml").split(";")[0].strip().lower()
    if value not in YAML_TYPES and "json" not in value:
        raise UnsupportedPlaybookMedia(f"Content-Type {value!r}: send YAML or JSON.")
    return value


@router.get("/playbooks/schema", summary="The JSON Schema of a playbook")
async def schema(caller: PlaybookReader) -> JSONResponse:
    return JSONResponse(published_schema(), media_type="application/schema+json")


@router.post(
    "/playbooks",
    status_code=201,
    response_model=PlaybookRead,
    summary="Create a playbook or a new version of it",
    description=(
        "YAML (`application/yaml`) or JSON. A known id gets a new version; incidents keep the "
        "version they started with. Validation errors are a 422 problem whose `errors` give "
        "`loc` (like `steps[2].deadline.within`), `msg` and the YAML `line`."
    ),
    openapi_extra=_BODY,
)
async def create(request: Request, caller: PlaybookWriter, tx: Tx, clock: Now) -> PlaybookRead:
    playbook = service.parse_body(await request.body(), _content_type(request))
    read = await service.save(tx, caller.tenant, playbook, actor=caller.subject, now=clock.now())
    await tx.commit()
    return read


@router.put(
    "/playbooks/{playbook_id}",
    response_model=PlaybookRead,
    summary="Edit a playbook (a new version)",
    openapi_extra=_BODY,
)
async def edit(
    playbook_id: str, request: Request, caller: PlaybookWriter, tx: Tx, clock: Now
) -> PlaybookRead:
    playbook = service.parse_body(await request.body(), _content_type(request))
    if playbook.id != playbook_id:
        playbook = playbook.model_copy(update={"id": playbook_id})
    if await repo.head(tx, caller.tenant, playbook_id) is None:
        raise PlaybookNotFound(playbook_id)
    read = await service.save(tx, caller.tenant, playbook, actor=caller.subject, now=clock.now())
    await tx.commit()
    return read


@router.post(
    "/playbooks/import",
    status_code=201,
    response_model=ImportResult,
    summary="Import several playbooks (a multi-document YAML file)",
    description="All or nothing; an error's `loc` starts with `documents[i].` and its `line` "
    "counts in the whole file.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/yaml": {"schema": {"type": "string"}}},
        }
    },
)
async def import_playbooks(
    request: Request, caller: PlaybookWriter, tx: Tx, clock: Now
) -> ImportResult:
    _content_type(request)
    text = (await request.body()).decode("utf-8", "replace")
    items = await service.import_text(
        tx, caller.tenant, text, actor=caller.subject, now=clock.now()
    )
    await tx.commit()
    return ImportResult(items=items)


@router.get("/playbooks", response_model=Page[PlaybookRead], summary="Playbooks (latest versions)")
async def list_playbooks(
    caller: PlaybookReader,
    tx: Tx,
    limit: Limit = 50,
    cursor: Cursor = None,
    active: bool | None = None,
) -> Page[PlaybookRead]:
    after = str(decode_cursor(cursor, 1)[0]) if cursor else None
    rows = await repo.latest(
        tx, caller.tenant, active_only=bool(active), after=after, limit=limit + 1
    )
    items = [service.to_read(h, v) for h, v in rows[:limit]]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return Page[PlaybookRead](items=items, next_cursor=next_cursor)


@router.get("/playbooks/{playbook_id}", response_model=PlaybookRead, summary="Latest version")
async def get_playbook(playbook_id: str, caller: PlaybookReader, tx: Tx) -> PlaybookRead:
    read = await service.get(tx, caller.tenant, playbook_id)
    read.versions = [
        PlaybookVersionRead(version=v.version, created_at=v.created_at, created_by=v.created_by)
        for v in await repo.versions(tx, caller.tenant, playbook_id)
    ]
    return read


@router.get(
    "/playbooks/{playbook_id}/versions",
    response_model=list[PlaybookVersionRead],
    summary="Every version",
)
async def list_versions(
    playbook_id: str, caller: PlaybookReader, tx: Tx
) -> list[PlaybookVersionRead]:
    versions = await repo.versions(tx, caller.tenant, playbook_id)
    if not versions:
        raise PlaybookNotFound(playbook_id)
    return [
        PlaybookVersionRead(version=v.version, created_at=v.created_at, created_by=v.created_by)
        for v in versions
    ]


@router.get(
    "/playbooks/{playbook_id}/versions/{version}",
    response_model=PlaybookRead,
    summary="One version",
)
async def get_version(
    playbook_id: str, version: int, caller: PlaybookReader, tx: Tx
) -> PlaybookRead:
    return await service.get(tx, caller.tenant, playbook_id, version)


@router.get(
    "/playbooks/{playbook_id}/export",
    summary="The playbook as a YAML file",
    response_class=Response,
    responses={200: {"content": {"application/yaml": {}}}},
)
async def export(
    playbook_id: str, caller: PlaybookReader, tx: Tx, version: int | None = None
) -> Response:
    read = await service.get(tx, caller.tenant, playbook_id, version)
    return Response(
        read.yaml,
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{read.id}.yaml"'},
    )


@router.post(
    "/playbooks/{playbook_id}/active",
    response_model=PlaybookRead,
    summary="Turn a playbook on or off (off: it opens no new incidents)",
)
async def set_active(
    playbook_id: str, body: ActiveIn, caller: PlaybookWriter, tx: Tx, clock: Now
) -> PlaybookRead:
    read = await service.set_active(tx, caller.tenant, playbook_id, body.active, clock.now())
    await tx.commit()
    return read


@router.post(
    "/playbooks/library",
    status_code=201,
    response_model=ImportResult,
    summary="Load the five shipped playbooks (those the tenant has not got yet)",
)
async def load_library(caller: PlaybookWriter, tx: Tx, clock: Now) -> ImportResult:
    items = await service.load_library_into(tx, caller.tenant, now=clock.now())
    await tx.commit()
    return ImportResult(items=items)
