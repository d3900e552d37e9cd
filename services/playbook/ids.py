"""Time-ordered ids that are also strictly increasing within this process.

Timeline events and steps are ordered by id; two made in the same millisecond must still sort in
the order they were made, so the millisecond is bumped past the last one handed out.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from services.common.db import new_id

_lock = threading.Lock()
_last_ms = 0


def ordered_id(now: datetime) -> str:
    global _last_ms
    ms = int(now.timestamp() * 1000)
    with _lock:
        if _last_ms - 1000 < ms <= _last_ms:
            ms = _last_ms + 1
        # a clock set back by more than a second (a test clock) starts a new sequence
        _last_ms = ms
    return new_id(datetime.fromtimestamp(0, UTC) + timedelta(milliseconds=ms))
