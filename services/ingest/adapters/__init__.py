"""Adapters: the native payloads integrators receive from each platform, mapped to the
normalized mention shape of ``POST /v1/mentions`` (``MentionIn``).

Pure functions, no I/O: ``adapt(source, payload)`` returns one ``AdaptedItem`` per native item,
in payload order. The mentions are plain dicts that the caller validates with
``MentionIn.model_validate``, exactly as on the REST path.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from pydantic import JsonValue

from services.ingest.adapters.base import AdaptedItem, PayloadNotRecognized
from services.ingest.adapters.bluesky import adapt_bluesky
from services.ingest.adapters.mastodon import adapt_mastodon
from services.ingest.adapters.meta import adapt_meta
from services.ingest.adapters.reddit import adapt_reddit
from services.ingest.adapters.x import adapt_x
from services.ingest.adapters.youtube import adapt_youtube

__all__ = ["AdaptedItem", "AdapterSource", "PayloadNotRecognized", "adapt"]


class AdapterSource(StrEnum):
    X = "x"
    META = "meta"
    YOUTUBE = "youtube"
    REDDIT = "reddit"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"


_ADAPTERS: dict[AdapterSource, Callable[[JsonValue], list[AdaptedItem]]] = {
    AdapterSource.X: adapt_x,
    AdapterSource.META: adapt_meta,
    AdapterSource.YOUTUBE: adapt_youtube,
    AdapterSource.REDDIT: adapt_reddit,
    AdapterSource.MASTODON: adapt_mastodon,
    AdapterSource.BLUESKY: adapt_bluesky,
}


def adapt(source: AdapterSource, payload: JsonValue) -> list[AdaptedItem]:
    """Map a native payload to mentions, one item per native item, in order.

    Raises ``PayloadNotRecognized`` when the payload as a whole is not of ``source``'s shape;
    an item that cannot become a mention is an item with ``error`` set instead.
    """
    return _ADAPTERS[AdapterSource(source)](payload)
