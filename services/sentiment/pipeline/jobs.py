"""The arq consumer of the ``sentiment`` queue: ``score_batch(MentionBatchV1)``.

Transient failures (database or Redis unreachable, a deadlock, a concurrent write of the same
mention) are retried with a growing delay; a permanent failure, or one that outlasts the tries, is
kept in ``failed_jobs`` to replay.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis.exceptions
import structlog
from arq import Retry
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc

from services.common.contracts import MentionBatchV1
from services.sentiment.pipeline import service
from services.sentiment.pipeline.service import ConcurrentScoring, Pipeline
from services.sentiment.settings import SentimentSettings

log = structlog.get_logger("uitkijk.sentiment")

SCORE_JOB = "score_batch"
#: SQLSTATEs worth another try: serialization failure, deadlock, connection trouble, shutdown.
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "08000", "08003", "08006", "57P01", "57P03"})


def is_transient(error: BaseException) -> bool:
    if isinstance(
        error,
        ConcurrentScoring
        | ConnectionError
        | TimeoutError
        | asyncio.TimeoutError
        | OSError
        | redis.exceptions.ConnectionError
        | redis.exceptions.TimeoutError
        | sa_exc.OperationalError
        | sa_exc.InterfaceError
        | sa_exc.DisconnectionError
        | sa_exc.TimeoutError,
    ):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        orig = error.orig
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        return code in _TRANSIENT_SQLSTATES
    return False


def backoff(job_try: int, settings: SentimentSettings) -> float:
    """2 s, 4 s, 8 s ... capped."""
    base = settings.retry_backoff_seconds * (2 ** max(0, job_try - 1))
    return float(min(settings.retry_backoff_max_seconds, base))


async def score_batch(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Score one ``MentionBatchV1`` (the payload is its JSON form)."""
    settings: SentimentSettings = ctx["settings"]
    pipeline: Pipeline = ctx["pipeline"]
    job_id = str(ctx.get("job_id", ""))
    job_try = int(ctx.get("job_try", 1))
    try:
        batch = MentionBatchV1.model_validate(payload)
    except ValidationError as exc:  # retrying cannot fix a malformed payload
        await service.record_failure(
            pipeline.sessions,
            job_id=job_id,
            function=SCORE_JOB,
            payload=payload,
            error=exc,
            tries=job_try,
        )
        return {"status": "invalid", "error": str(exc)[:500]}
    structlog.contextvars.bind_contextvars(batch_id=batch.batch_id, trace_id=batch.trace_id)
    try:
        outcome = await service.process(pipeline, batch)
    except Exception as exc:
        if is_transient(exc) and job_try < settings.worker_max_tries:
            delay = backoff(job_try, settings)
            log.warning(
                "transient failure; retrying", job_try=job_try, defer=delay, error=repr(exc)
            )
            raise Retry(defer=delay) from exc
        await service.record_failure(
            pipeline.sessions,
            job_id=job_id,
            function=SCORE_JOB,
            payload=payload,
            error=exc,
            tries=job_try,
        )
        raise
    finally:
        structlog.contextvars.unbind_contextvars("batch_id", "trace_id")
    return {
        "status": "scored",
        "batch_id": outcome.batch_id,
        "mentions": outcome.mentions,
        "new": outcome.new,
        "model_version": outcome.model_version,
        "playbook_job_id": outcome.playbook_job_id,
        "sent_to_playbook": outcome.sent_to_playbook,
    }
