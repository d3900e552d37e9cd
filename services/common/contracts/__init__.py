"""Versioned queue and event payloads: the only code two services share besides wiring."""

from services.common.contracts.events import (
    EVENT_ADAPTER,
    IncidentEventV1,
    MentionScoredEventV1,
    events_channel,
)
from services.common.contracts.mentions import (
    MAX_BATCH,
    AuthorV1,
    EngagementV1,
    MentionBatchV1,
    MentionV1,
    Platform,
)
from services.common.contracts.scored import ScoredBatchV1, ScoredMentionV1

__all__ = [
    "EVENT_ADAPTER",
    "MAX_BATCH",
    "AuthorV1",
    "EngagementV1",
    "IncidentEventV1",
    "MentionBatchV1",
    "MentionScoredEventV1",
    "MentionV1",
    "Platform",
    "ScoredBatchV1",
    "ScoredMentionV1",
    "events_channel",
]
