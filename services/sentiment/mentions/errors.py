from __future__ import annotations

from services.common.problems import NotFound, Problem


class MentionNotFound(NotFound):
    slug = "mention-not-found"
    title = "Mention not found"

    def __init__(self, mention_id: str) -> None:
        super().__init__(
            f"No scored mention {mention_id!r} for this tenant.", mention_id=mention_id
        )


class TooManyIds(Problem):
    status = 422
    slug = "too-many-ids"
    title = "Too many ids in one batch read"

    def __init__(self, *, limit: int, got: int) -> None:
        super().__init__(
            f"A batch read takes at most {limit} ids; this one has {got}.", limit=limit, got=got
        )


class InvalidTimeRange(Problem):
    status = 422
    slug = "invalid-time-range"
    title = "Invalid time range"
