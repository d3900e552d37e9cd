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
        if ms <= _last_ms and _last_ms - ms < 1000:
            ms = _last_ms + 1
        _last_ms = max(_last_ms, ms)
    return new_id(datetime.fromtimestamp(0, UTC) + timedelta(milliseconds=ms))
