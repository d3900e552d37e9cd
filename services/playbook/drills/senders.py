"""How a drill's mentions enter the real pipeline: through ingest's REST API (the front door)
or, where configured, straight onto the sentiment queue with the shared contract."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

import httpx
import orjson

from services.common.auth import mint_token
from services.common.contracts import MentionBatchV1
from services.common.queue import SENTIMENT_QUEUE, LazyQueue
from services.common.settings import TokenSettings
from services.playbook.drills.settings import DrillSettings

#: The sentiment worker's job (ingest enqueues the same name).
SCORE_JOB = "score_batch"
_NAMESPACE = uuid.UUID("6f1e2d4c-8f0b-4c1e-9a57-2b8d7c1d0e11")


class SendFailed(RuntimeError):  # noqa: N818 - reads as what happened
    """The batch did not reach the pipeline; the runner tries it again on its next tick."""


class MentionSender(Protocol):
    async def send(
        self, sandbox_tenant: str, batch_key: str, mentions: Sequence[dict[str, object]]
    ) -> None:
        """Hand ``mentions`` (the ingest shape, ``created_at`` rebased) to the pipeline, once:
        a repeated ``batch_key`` must change nothing."""

    async def aclose(self) -> None: ...


def rebase(mention: dict[str, object], started_at: datetime) -> dict[str, object]:
    """The ingest shape of a scenario mention, dated on the drill's scenario clock."""
    offset = mention["offset_seconds"]
    assert isinstance(offset, int | float)
    out = {k: v for k, v in mention.items() if k != "offset_seconds"}
    out["created_at"] = (started_at + timedelta(seconds=float(offset))).isoformat()
    return out


class IngestSender:
    """POSTs batches to ``{ingest_url}/v1/mentions`` with a token minted for the sandbox tenant."""

    def __init__(
        self,
        settings: DrillSettings,
        tokens: TokenSettings,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._settings = settings
        self._tokens = tokens
        self._client = client or httpx.AsyncClient(
            base_url=settings.ingest_url.rstrip("/"),
            timeout=httpx.Timeout(settings.timeout_seconds),
            follow_redirects=False,
        )
        self._owns_client = client is None
        self._cache: dict[str, str] = {}

    def _token(self, sandbox_tenant: str) -> str:
        token = self._cache.get(sandbox_tenant)
        if token is None:
            token = mint_token(
                self._tokens,
                tenant=sandbox_tenant,
                scopes=["mentions:write"],
                subject=f"drill:{sandbox_tenant}",
                ttl_seconds=self._settings.token_ttl_seconds,
            )
            self._cache[sandbox_tenant] = token
        return token

    async def send(
        self, sandbox_tenant: str, batch_key: str, mentions: Sequence[dict[str, object]]
    ) -> None:
        try:
            response = await self._client.post(
                "/v1/mentions",
                content=orjson.dumps({"mentions": list(mentions)}),
                headers={
                    "Authorization": f"Bearer {self._token(sandbox_tenant)}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": batch_key,
                },
            )
        except httpx.HTTPError as exc:
            raise SendFailed(f"ingest unreachable: {exc!r}") from exc
        if response.status_code != 202:
            raise SendFailed(f"ingest answered {response.status_code}: {response.text[:300]}")

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()


def queue_batch(
    sandbox_tenant: str, batch_key: str, mentions: Sequence[dict[str, object]], now: datetime
) -> MentionBatchV1:
    """The ``ingest → sentiment`` contract for a drill batch; mention ids are derived from the
    sandbox tenant and the external id, so a resend carries the same ids."""
    wire = []
    for m in mentions:
        key = f"{sandbox_tenant}|{m['platform']}|{m['external_id']}"
        wire.append({**m, "id": str(uuid.uuid5(_NAMESPACE, key)), "ingested_at": now.isoformat()})
    return MentionBatchV1.model_validate(
        {"batch_id": batch_key, "tenant": sandbox_tenant, "mentions": wire, "sent_at": now}
    )


class QueueSender:
    """Enqueues ``MentionBatchV1`` jobs on the sentiment queue; the batch key is the arq job id."""

    def __init__(self, queue: LazyQueue) -> None:
        self._queue = queue

    @classmethod
    def connect(cls, redis_url: str, queue_prefix: str, timeout: float = 2.0) -> QueueSender:
        return cls(LazyQueue(redis_url, queue_prefix, SENTIMENT_QUEUE, timeout))

    async def send(
        self, sandbox_tenant: str, batch_key: str, mentions: Sequence[dict[str, object]]
    ) -> None:
        batch = queue_batch(sandbox_tenant, batch_key, mentions, datetime.now(UTC))
        try:
            await self._queue.enqueue(SCORE_JOB, batch.model_dump(mode="json"), job_id=batch_key)
        except Exception as exc:
            raise SendFailed(f"sentiment queue unavailable: {exc!r}") from exc

    async def aclose(self) -> None:
        await self._queue.close()


def create_sender(
    settings: DrillSettings, *, tokens: TokenSettings, redis_url: str, queue_prefix: str
) -> MentionSender:
    """The sender ``settings.delivery`` asks for; made in the app's lifespan, closed with it."""
    if settings.delivery == "queue":
        return QueueSender.connect(redis_url, queue_prefix, settings.timeout_seconds)
    return IngestSender(settings, tokens)
