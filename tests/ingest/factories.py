"""Small typed factories for ingest tests."""

from __future__ import annotations

import uuid
from typing import Any


def mention(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "platform": "x",
        "external_id": uuid.uuid4().hex,
        "url": "https://x.com/someone/status/1",
        "text": "Alweer storing bij de app, niemand die reageert #storing",
        "language": None,
        "created_at": "2026-11-28T09:15:00Z",
        "author": {
            "handle": "someone",
            "name": "Some One",
            "followers": 1200,
            "verified": False,
            "bio": "Journalist bij een landelijke krant",
            "url": None,
        },
        "in_reply_to": None,
        "thread_id": None,
        "engagement": {"likes": 3, "shares": 1, "replies": 0, "views": 250},
        "raw": {},
    }
    body.update(overrides)
    return body


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
