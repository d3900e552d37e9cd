from __future__ import annotations

from services.common.problems import NotFound, Problem


class MentionNotFound(NotFound):
    slug = "mention-not-found"
    title = "Mention not found"

    def __init__(self, mention_id: str) -> None:
        super().__init__(f"No mention {mention_id!r} for this tenant.", mention_id=mention_id)


class MalformedBatch(Problem):
    status = 400
    slug = "malformed-batch"
    title = "Malformed batch"


class IdempotencyKeyReused(Problem):
    status = 422
    slug = "idempotency-key-reused"
    title = "Idempotency-Key reused with another request"

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was used before with a different request body; use a new key."
        )


class IdempotencyKeyInFlight(Problem):
    status = 409
    slug = "idempotency-key-in-flight"
    title = "A request with this Idempotency-Key is still being processed"


class InvalidTimeRange(Problem):
    status = 422
    slug = "invalid-time-range"
    title = "Invalid time range"
