"""``POST /v1/score``: scores texts on demand (no storage)."""

from __future__ import annotations

import asyncio

import orjson
from fastapi import APIRouter, Request

from services.common.problems import PROBLEM_RESPONSES, BatchTooLarge, ValidationFailed
from services.common.responses import JSONBytes
from services.sentiment.deps import AnalyticsReader, EnricherDep, Settings
from services.sentiment.scoring import service
from services.sentiment.scoring.schemas import ScoreOut

router = APIRouter(prefix="/v1", tags=["scoring"], responses=PROBLEM_RESPONSES)

#: Batches up to this size are scored on the event loop; larger ones in a thread.
_INLINE = 64


def _parse(raw: bytes, limit: int) -> tuple[list[str], str | None]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed(
            "The body is not valid JSON.", [{"loc": "body", "msg": f"invalid JSON: {exc}"}]
        ) from exc
    if not isinstance(body, dict):
        raise ValidationFailed(
            "The body must be an object.", [{"loc": "body", "msg": "expected an object"}]
        )
    texts = body.get("texts")
    if not isinstance(texts, list):
        raise ValidationFailed(
            'The body needs a "texts" list.', [{"loc": "body.texts", "msg": "expected a list"}]
        )
    if len(texts) > limit:
        raise BatchTooLarge(limit=limit, got=len(texts))
    errors = [
        {"loc": f"body.texts[{i}]", "msg": f"expected a string, got {type(t).__name__}"}
        for i, t in enumerate(texts)
        if not isinstance(t, str)
    ]
    if not texts:
        errors.append({"loc": "body.texts", "msg": "at least one text is needed"})
    language = body.get("language")
    if language is not None and (not isinstance(language, str) or not 2 <= len(language) <= 16):
        errors.append({"loc": "body.language", "msg": "a language code (2 to 16 characters)"})
    if errors:
        raise ValidationFailed(f"{len(errors)} validation error(s) in the request.", errors[:100])
    return texts, language


@router.post(
    "/score",
    response_model=ScoreOut,
    summary="Score texts on demand (up to 1,000)",
    description=(
        "One result per text, in the same order: language, sentiment (label, score in [-1, 1], "
        "confidence), intents and risk (no author, so no reach or stakeholder). An empty list or "
        "a non-string item is answered 422 with the location of each problem; more than 1,000 "
        "texts 413 `batch-too-large`. Texts longer than 10,000 characters are scored on their "
        "first 10,000 characters (`max_score_chars`); the whole body may be at most 16 MiB."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreIn"}}},
        }
    },
)
async def score(
    request: Request, caller: AnalyticsReader, enricher: EnricherDep, settings: Settings
) -> JSONBytes:
    texts, language = _parse(await request.body(), settings.max_score_texts)
    if len(texts) <= _INLINE:
        results = service.score(enricher, texts, language, settings.max_score_chars)
    else:
        results = await asyncio.to_thread(
            service.score, enricher, texts, language, settings.max_score_chars
        )
    return JSONBytes({"results": results})
