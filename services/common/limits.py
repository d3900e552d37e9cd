"""Request body size limits (413) and per-tenant rate limits (429 with ``Retry-After``)."""

from __future__ import annotations

import math
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.problems import PayloadTooLarge, RateLimited, problem_response


class _TooLargeError(Exception):
    pass


class BodySizeLimitMiddleware:
    """Refuses bodies over ``max_bytes`` by header and by the bytes that actually arrive.

    ``streaming_paths`` (bulk imports) get ``streaming_max_bytes`` instead, since they are read in
    chunks and never held whole.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        streaming_paths: tuple[str, ...] = (),
        streaming_max_bytes: int = 8 * 1024**3,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streaming_paths = streaming_paths
        self.streaming_max_bytes = streaming_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = (
            self.streaming_max_bytes
            if any(path.startswith(p) for p in self.streaming_paths)
            else self.max_bytes
        )
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await self._reject(scope, receive, send, limit)
                    return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLargeError:
            if not response_started:
                await self._reject(scope, receive, send, limit)

    @staticmethod
    async def _reject(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        problem = PayloadTooLarge(f"The request body exceeds {limit} bytes.", limit=limit)
        response = problem_response(
            problem.status,
            slug=problem.slug,
            title=problem.title,
            detail=problem.detail,
            instance=scope.get("path"),
            limit=limit,
        )
        await response(scope, receive, send)


class TokenBucketLimiter:
    """Per-tenant token buckets, in this process (each replica limits on its own)."""

    def __init__(self, rate_per_second: float, burst: int) -> None:
        self.rate = rate_per_second
        self.burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}

    def check(self, key: str, cost: float = 1.0) -> None:
        """Take ``cost`` tokens for ``key`` or raise :class:`RateLimited`."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        tokens, stamp = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - stamp) * self.rate)
        if tokens < cost:
            self._buckets[key] = (tokens, now)
            raise RateLimited(retry_after=max(1, math.ceil((cost - tokens) / self.rate)))
        self._buckets[key] = (tokens - cost, now)
        if len(self._buckets) > 100_000:
            self._buckets.clear()
