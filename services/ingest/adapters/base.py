"""The shared vocabulary of the adapters: the item type, the two failure modes, JSON narrowing.

Two kinds of failure, kept apart on purpose: a payload that is not of the source's shape at all
raises ``PayloadNotRecognized`` (the caller answers 422), while one item that cannot become a
mention (deleted, no text, a reaction) is an ``AdaptedItem`` with ``error`` set, so one bad item
never costs the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import JsonValue

JsonObject = dict[str, JsonValue]


class PayloadNotRecognized(Exception):  # noqa: N818 - the interface names the case
    """The whole payload is not of the source's shape; the message says expected versus found."""


class ItemRejected(Exception):  # noqa: N818 - house style names the case (IncidentNotFound)
    """Raised inside one item's mapping; becomes ``AdaptedItem(error=reason)``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AdaptedItem:
    """One native item: either a mention dict in the ``MentionIn`` shape or the reason it is not.

    ``native_id`` is the platform's id of the item when it could be read, also for rejected items.
    """

    mention: dict[str, JsonValue] | None
    error: str | None
    native_id: str | None

    def __post_init__(self) -> None:
        if (self.mention is None) == (self.error is None):
            raise ValueError("exactly one of mention and error must be set")

    @classmethod
    def ok(cls, mention: JsonObject, native_id: str | None) -> AdaptedItem:
        return cls(mention=mention, error=None, native_id=native_id)

    @classmethod
    def rejected(cls, reason: str, native_id: str | None) -> AdaptedItem:
        return cls(mention=None, error=reason, native_id=native_id)


# -- describing and narrowing JSON values -------------------------------------------------------


def describe(value: JsonValue) -> str:
    """How a JSON value reads in an error message: 'a list', 'null', 'an object without `data`'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    keys = ", ".join(f"`{key}`" for key in list(value)[:6])
    return f"an object with keys {keys}" if keys else "an empty object"


def as_object(value: JsonValue) -> JsonObject | None:
    return value if isinstance(value, dict) else None


def get_object(parent: JsonObject | None, key: str) -> JsonObject | None:
    if parent is None:
        return None
    value = parent.get(key)
    return value if isinstance(value, dict) else None


def get_list(parent: JsonObject | None, key: str) -> list[JsonValue]:
    if parent is None:
        return []
    value = parent.get(key)
    return value if isinstance(value, list) else []


def get_str(parent: JsonObject | None, key: str) -> str | None:
    """A non-empty string, or None; numeric ids (Meta sends some as numbers) become strings."""
    if parent is None:
        return None
    value = parent.get(key)
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def get_int(parent: JsonObject | None, key: str) -> int | None:
    """A count; negative counts (Reddit scores) are clamped to 0, as engagement is never negative."""
    if parent is None:
        return None
    value = parent.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(0, int(value))


def get_bool(parent: JsonObject | None, key: str) -> bool:
    return parent is not None and parent.get(key) is True


def count(*values: int | None) -> int:
    return sum(value or 0 for value in values)


# -- dates --------------------------------------------------------------------------------------

_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")
#: Meta sends seconds in most webhooks and milliseconds in some (Messenger, group_feed).
_MILLISECONDS_FROM = 100_000_000_000


def iso_from_text(value: str | None) -> str | None:
    """An ISO-8601 timestamp with its zone, normalized to UTC; None if absent, naive or invalid."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(_LONG_FRACTION.sub(r"\1", value.strip()))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC).isoformat()


def iso_from_epoch(value: JsonValue) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = value / 1000 if value >= _MILLISECONDS_FROM else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).isoformat()
    except (OverflowError, OSError, ValueError):  # out of datetime's range, or NaN
        return None


def require_text(text: str | None, what: str = "text") -> str:
    if text is None or not text.strip():
        raise ItemRejected(f"no {what}")
    return text


def require_date(
    value: str | None, field: str, expected: str = "an ISO-8601 timestamp with a zone"
) -> str:
    if value is None:
        raise ItemRejected(f"no valid `{field}` ({expected})")
    return value


# -- the mention shape --------------------------------------------------------------------------


def author(
    *,
    handle: str | None = None,
    name: str | None = None,
    followers: int | None = None,
    verified: bool = False,
    bio: str | None = None,
    url: str | None = None,
) -> JsonObject:
    return {
        "handle": handle,
        "name": name,
        "followers": followers,
        "verified": verified,
        "bio": bio,
        "url": url,
    }


def engagement(*, likes: int = 0, shares: int = 0, replies: int = 0, views: int = 0) -> JsonObject:
    return {"likes": likes, "shares": shares, "replies": replies, "views": views}


def mention(
    *,
    platform: str,
    external_id: str,
    url: str | None,
    text: str,
    language: str | None,
    created_at: str,
    author: JsonObject,
    in_reply_to: str | None,
    thread_id: str | None,
    engagement: JsonObject,
    raw: JsonObject,
) -> JsonObject:
    """A dict in the ``MentionIn`` shape (``services/ingest/mentions/schemas.py``)."""
    return {
        "platform": platform,
        "external_id": external_id,
        "url": url,
        "text": text.strip(),
        "language": language,
        "created_at": created_at,
        "author": author,
        "in_reply_to": in_reply_to,
        "thread_id": thread_id,
        "engagement": engagement,
        "raw": raw,
    }


def language_tag(value: str | None) -> str | None:
    """A BCP-47 tag as the platform gave it; 'und' and other non-languages become None."""
    if value is None or value.lower() in {"und", "zxx", "qme", "qht", "qam", "qct", "qst"}:
        return None
    return value if 2 <= len(value) <= 16 else None
