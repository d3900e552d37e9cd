"""Sending the outbox: signed POSTs, a delivery log, retries on the schedule stored with each row.

``deliver_due`` is one round (claim what is due, send it, record what happened, commit);
``delivery_loop`` repeats it in the background of the playbook app.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
import structlog
from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import new_id, transaction
from services.playbook.notifications import repository as repo
from services.playbook.notifications.events import DeliveryStatus
from services.playbook.notifications.formats import render
from services.playbook.notifications.settings import NotificationSettings
from services.playbook.notifications.signing import signature_headers
from services.playbook.notifications.tables import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from services.playbook.notifications.targets import (
    IPAddress,
    TargetRefusedError,
    check_addresses,
    literal_address,
    parse_target,
    resolve,
)

log = structlog.get_logger("uitkijk.playbook.notifications")

USER_AGENT = "Uitkijk-Webhooks/1.0"

ATTEMPTS = Counter(
    "uitkijk_webhook_attempts_total", "Webhook delivery attempts by outcome", ["outcome"]
)
ATTEMPT_SECONDS = Histogram(
    "uitkijk_webhook_attempt_seconds",
    "Duration of webhook delivery attempts",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
GAVE_UP = Counter(
    "uitkijk_webhook_deliveries_failed_total", "Deliveries that failed after their whole schedule"
)


def create_http_client(settings: NotificationSettings) -> httpx.AsyncClient:
    """The client deliveries go through: bounded timeouts, no redirects, no proxies from the
    environment (a proxy would connect to the name again, past the address check)."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.timeout_seconds),
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=settings.batch_size, max_keepalive_connections=0),
        headers={"User-Agent": USER_AGENT},
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    latency_ms: int | None = None
    error: str | None = None
    snippet: str | None = None


def _pinned_url(url: str, address: IPAddress, port: int) -> str:
    parts = urlsplit(url)
    host = f"[{address}]" if address.version == 6 else str(address)
    return urlunsplit((parts.scheme, f"{host}:{port}", parts.path or "/", parts.query, ""))


def _host_header(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1]


async def send_once(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_private: bool,
    timeout_seconds: float,
    snippet_chars: int,
) -> Outcome:
    """One POST to ``url``, connected to an address checked just now.

    The name is resolved here and the request goes to that very address (``Host`` and TLS SNI keep
    the name), so a DNS answer that changes between check and connect cannot reach an internal host.
    """
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        scheme, host, port = parse_target(url)
        addresses = await resolve(host, port)
        if not allow_private:
            check_addresses(url, addresses)
    except TargetRefusedError as exc:
        return Outcome(ok=False, latency_ms=elapsed(), error=f"target refused: {exc.reason}")
    target = _pinned_url(url, addresses[0], port)
    extensions: dict[str, object] = {}
    if scheme == "https" and literal_address(host) is None:
        extensions["sni_hostname"] = host
    request_headers = {**headers, "Host": _host_header(url)}
    try:
        async with asyncio.timeout(timeout_seconds):
            async with client.stream(
                "POST", target, content=body, headers=request_headers, extensions=extensions
            ) as response:
                snippet = b""
                if snippet_chars:
                    async for chunk in response.aiter_bytes():
                        snippet += chunk
                        if len(snippet) >= snippet_chars * 4:
                            break
                text = snippet.decode("utf-8", "replace")[:snippet_chars] or None
                status = response.status_code
    except (TimeoutError, httpx.TimeoutException):
        return Outcome(ok=False, latency_ms=elapsed(), error="timed out")
    except httpx.HTTPError as exc:
        return Outcome(ok=False, latency_ms=elapsed(), error=f"{type(exc).__name__}: {exc}"[:500])
    except OSError as exc:
        return Outcome(ok=False, latency_ms=elapsed(), error=f"connection failed: {exc}"[:500])
    if 200 <= status < 300:
        return Outcome(ok=True, status_code=status, latency_ms=elapsed(), snippet=text)
    error = f"HTTP {status}"
    if 300 <= status < 400:
        error += " (redirects are not followed)"
    return Outcome(ok=False, status_code=status, latency_ms=elapsed(), error=error, snippet=text)


def next_attempt_at(delivery: WebhookDelivery, now: datetime) -> datetime | None:
    """When to try again after a failed attempt, or ``None`` when the schedule is spent."""
    index = delivery.attempts - delivery.schedule_start - 1
    if index < len(delivery.retry_schedule):
        return now + timedelta(seconds=delivery.retry_schedule[index])
    return None


async def _attempt(
    delivery: WebhookDelivery,
    subscription: WebhookSubscription,
    settings: NotificationSettings,
    client: httpx.AsyncClient,
    now: datetime,
) -> Outcome:
    try:
        return await _post(delivery, subscription, settings, client, now)
    except Exception as exc:  # one bad row must not hold up the outbox: log it as an attempt
        log.exception("webhook attempt crashed", delivery_id=delivery.id)
        return Outcome(ok=False, error=f"could not send: {exc!r}"[:500])


async def _post(
    delivery: WebhookDelivery,
    subscription: WebhookSubscription,
    settings: NotificationSettings,
    client: httpx.AsyncClient,
    now: datetime,
) -> Outcome:
    body = render(
        subscription.format,
        delivery.event_type,
        delivery.payload,  # type: ignore[arg-type]  # stored JSON
        now,
        settings.incident_url_template,
    )
    headers = signature_headers(subscription.secret, delivery.id, now, body)
    headers["Content-Type"] = "application/json"
    return await send_once(
        client,
        subscription.url,
        body,
        headers,
        allow_private=settings.allow_private_targets,
        timeout_seconds=settings.timeout_seconds,
        snippet_chars=settings.response_snippet_chars,
    )


def _apply(delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> WebhookAttempt:
    delivery.attempts += 1
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    delivery.updated_at = now
    if outcome.ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    else:
        retry_at = next_attempt_at(delivery, now)
        delivery.next_attempt_at = retry_at
        if retry_at is None:
            delivery.status = DeliveryStatus.FAILED
    return WebhookAttempt(
        id=new_id(now),
        tenant=delivery.tenant,
        delivery_id=delivery.id,
        subscription_id=delivery.subscription_id,
        attempt=delivery.attempts,
        attempted_at=now,
        ok=outcome.ok,
        status_code=outcome.status_code,
        latency_ms=outcome.latency_ms,
        error=outcome.error,
        response_snippet=outcome.snippet,
    )


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession],
    settings: NotificationSettings,
    http_client: httpx.AsyncClient,
    now: datetime | None = None,
    *,
    tenants: Sequence[str] | None = None,
) -> int:
    """Send every delivery due by ``now`` (up to ``settings.batch_size``); return how many were tried.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` and stay locked until their results are
    committed, so concurrent loops never send the same attempt twice. A crash in between rolls the
    claim back and the attempt is made again (at least once; receivers dedupe on ``webhook-id``).
    ``now`` controls the clock in tests: it is the time signed, logged and scheduled from;
    ``tenants`` limits a round to some tenants (tests sharing a database).
    """
    async with transaction(sessions) as session:
        clock = now or datetime.now(UTC)
        due = await repo.claim_due(session, clock, settings.batch_size, tenants=tenants)
        if not due:
            return 0
        subscriptions = await repo.subscriptions_by_ids(session, [d.subscription_id for d in due])
        sendable: list[tuple[WebhookDelivery, WebhookSubscription]] = []
        for delivery in due:
            subscription = subscriptions.get(delivery.subscription_id)
            if subscription is None or not subscription.active:
                # Kept, not dropped: once the subscription is active again it can be replayed.
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
                delivery.last_error = "the subscription is inactive"
                delivery.updated_at = clock
                continue
            if not delivery.retry_schedule:
                delivery.retry_schedule = list(settings.retry_schedule_seconds)
            sendable.append((delivery, subscription))
        outcomes = await asyncio.gather(
            *(_attempt(d, s, settings, http_client, now or datetime.now(UTC)) for d, s in sendable)
        )
        attempts = [
            _apply(delivery, outcome, now or datetime.now(UTC))
            for (delivery, _), outcome in zip(sendable, outcomes, strict=True)
        ]
        await repo.add_attempts(session, attempts)
        for (delivery, _), attempt in zip(sendable, attempts, strict=True):
            outcome = "ok" if attempt.ok else "refused" if attempt.status_code is None else "failed"
            ATTEMPTS.labels(outcome).inc()
            if attempt.latency_ms is not None:
                ATTEMPT_SECONDS.observe(attempt.latency_ms / 1000)
            if delivery.status == DeliveryStatus.FAILED:
                GAVE_UP.inc()
            if not attempt.ok:
                log.info(
                    "webhook attempt failed",
                    delivery_id=attempt.delivery_id,
                    attempt=attempt.attempt,
                    status_code=attempt.status_code,
                    error=attempt.error,
                )
    return len(due)


async def prune(
    sessions: async_sessionmaker[AsyncSession],
    settings: NotificationSettings,
    now: datetime | None = None,
) -> int:
    """Delete finished deliveries older than ``settings.retention_days``; returns how many."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=settings.retention_days)
    total = 0
    while True:
        async with transaction(sessions) as session:
            removed = await repo.prune_finished(session, cutoff)
        total += removed
        if removed == 0:
            return total


async def delivery_loop(
    sessions: async_sessionmaker[AsyncSession],
    settings: NotificationSettings,
    http_client: httpx.AsyncClient,
) -> None:
    """Deliver forever (run it as a task in the app's lifespan and cancel it on shutdown), and
    prune the delivery log past its retention once an hour."""
    pruned_at = 0.0
    while True:
        if time.monotonic() - pruned_at > 3600:
            pruned_at = time.monotonic()
            try:
                await prune(sessions, settings)
            except Exception as exc:  # pruning is housekeeping: try again in an hour
                log.warning("webhook log pruning failed", error=repr(exc))
        try:
            sent = await deliver_due(sessions, settings, http_client)
        except Exception as exc:  # keep delivering; the next round retries
            log.warning("webhook delivery round failed", error=repr(exc))
            sent = 0
        if sent < settings.batch_size:
            await asyncio.sleep(settings.poll_interval_seconds)


@contextlib.asynccontextmanager
async def delivering(
    sessions: async_sessionmaker[AsyncSession], settings: NotificationSettings
) -> AsyncIterator[httpx.AsyncClient]:
    """For an app's lifespan: the delivery loop runs in the background until the block ends.

    ``async with delivering(app.state.sessions, settings.notifications): yield``
    """
    async with create_http_client(settings) as client:
        task = asyncio.create_task(delivery_loop(sessions, settings, client), name="webhooks")
        try:
            yield client
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
