"""The arq consumers of the ``playbook`` queue.

* ``evaluate_batch(ScoredBatchV1)``: counts, detectors, signals, incidents (see ``service``).
* ``step_deadline({"tenant", "step_id"})``: a deferred job per step deadline; escalates the step
  if it is still open when it fires, defers itself if the service's clock says it is early.

Transient failures (database or Redis unreachable, a deadlock) are retried with a growing delay.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import redis.exceptions
import structlog
from arq import Retry
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc

from services.common.contracts import ScoredBatchV1
from services.common.db import transaction
from services.playbook.effects import DEADLINE_JOB, Effects
from services.playbook.evaluation import service
from services.playbook.evaluation.service import Evaluator
from services.playbook.incidents import repository as incident_repo
from services.playbook.incidents import steps

log = structlog.get_logger("uitkijk.playbook")

EVALUATE_JOB = "evaluate_batch"
__all__ = ["DEADLINE_JOB", "EVALUATE_JOB", "evaluate_batch", "step_deadline", "sweep_deadlines"]
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "08000", "08003", "08006", "57P01", "57P03"})


def is_transient(error: BaseException) -> bool:
    if isinstance(
        error,
        ConnectionError
        | TimeoutError
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
        code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
        return code in _TRANSIENT_SQLSTATES
    return False


def _backoff(ev: Evaluator, job_try: int) -> float:
    base = ev.settings.retry_backoff_seconds * (2 ** max(0, job_try - 1))
    return float(min(ev.settings.retry_backoff_max_seconds, base))


async def evaluate_batch(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Evaluate one ``ScoredBatchV1`` (the payload is its JSON form)."""
    ev: Evaluator = ctx["evaluator"]
    job_try = int(ctx.get("job_try", 1))
    try:
        batch = ScoredBatchV1.model_validate(payload)
    except ValidationError as exc:  # retrying cannot fix a malformed payload
        log.error("invalid scored batch", error=str(exc)[:500], job_id=ctx.get("job_id"))
        return {"status": "invalid", "error": str(exc)[:500]}
    structlog.contextvars.bind_contextvars(batch_id=batch.batch_id, trace_id=batch.trace_id)
    try:
        outcome = await service.evaluate(ev, batch)
    except Exception as exc:
        if is_transient(exc) and job_try < ev.settings.worker_max_tries:
            delay = _backoff(ev, job_try)
            log.warning(
                "transient failure; retrying", job_try=job_try, defer=delay, error=repr(exc)
            )
            raise Retry(defer=delay) from exc
        raise
    finally:
        structlog.contextvars.unbind_contextvars("batch_id", "trace_id")
    return outcome.as_dict()


async def step_deadline(ctx: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """Escalate the step if it is still open past its due time (by the service's clock)."""
    ev: Evaluator = ctx["evaluator"]
    step_id = str(payload["step_id"])
    now = ev.clock.now()
    fx = Effects()
    try:
        async with transaction(ev.sessions) as session:
            result = await steps.escalate_if_due(session, step_id, now=now, fx=fx)
            due = None
            if result == "not_due":
                step = await incident_repo.get_step(session, None, step_id)
                due = step.due_at if step is not None else None
    except Exception as exc:
        if is_transient(exc):
            raise Retry(defer=_backoff(ev, int(ctx.get("job_try", 1)))) from exc
        raise
    if result == "not_due" and due is not None:
        # Early by the service's clock (skew, or a test clock): try again at the due time.
        raise Retry(defer=max(timedelta(seconds=1), due - now))
    if ev.dispatcher is not None:
        await ev.dispatcher.dispatch(fx, now)
    return {"step_id": step_id, "result": result}


async def sweep_deadlines(ev: Evaluator) -> int:
    """Schedule the deadline of every open step due within the horizon that has no job in Redis
    (a lost Redis, a failed enqueue): deadlines live in the database, jobs are their conveyor.
    Returns how many jobs were (re)scheduled; arq refuses ids it already holds."""
    if ev.dispatcher is None:
        return 0
    now = ev.clock.now()
    async with transaction(ev.sessions) as session:
        due = await steps.due_for_sweep(
            session, now + timedelta(seconds=ev.settings.deadline_horizon_seconds)
        )
    scheduled = 0
    for deadline in due:
        try:
            if await ev.dispatcher.schedule(deadline, now):
                scheduled += 1
        except (TimeoutError, OSError, redis.exceptions.RedisError) as exc:
            log.warning("deadline sweep could not reach Redis", error=repr(exc))
            break
    if scheduled:
        log.info("deadline sweep scheduled jobs", jobs=scheduled)
    return scheduled
