"""Small typed helpers for the adapter specifications."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import JsonValue

from services.ingest.adapters import AdaptedItem
from services.ingest.mentions.schemas import MentionIn

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    """A fixture as parsed JSON (``Any`` so tests can index into it without narrowing)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def accepted(item: AdaptedItem) -> dict[str, JsonValue]:
    """The mention of an accepted item, validated as the REST path validates it, without ``raw``."""
    assert item.error is None, item.error
    assert item.mention is not None
    MentionIn.model_validate(item.mention)
    return {key: value for key, value in item.mention.items() if key != "raw"}


def raw_of(item: AdaptedItem) -> JsonValue:
    assert item.mention is not None
    return item.mention["raw"]


def nobody(**fields: JsonValue) -> dict[str, JsonValue]:
    """An author with only ``fields`` known."""
    author: dict[str, JsonValue] = {
        "handle": None,
        "name": None,
        "followers": None,
        "verified": False,
        "bio": None,
        "url": None,
    }
    author.update(fields)
    return author


def counts(
    likes: int = 0, shares: int = 0, replies: int = 0, views: int = 0
) -> dict[str, JsonValue]:
    return {"likes": likes, "shares": shares, "replies": replies, "views": views}
