from __future__ import annotations

from services.common.problems import Problem


class InvalidWindow(Problem):
    status = 422
    slug = "invalid-window"
    title = "Invalid time window"
