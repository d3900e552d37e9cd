"""Cursor pages: ``?limit=`` (default 50, max 500) and an opaque ``?cursor=``.

A cursor encodes the sort key of the last item served (keyset pagination), so pages stay stable
while new rows arrive and cost the same at any depth.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel

from services.common.problems import Problem

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class InvalidCursor(Problem):
    status = 400
    slug = "invalid-cursor"
    title = "Invalid cursor"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = orjson.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
        raise InvalidCursor("The cursor is not one this API issued.") from exc
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidCursor("The cursor is not one this API issued.")
    return key


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (max 500).")]
Cursor = Annotated[str | None, Query(description="`next_cursor` from the previous page.")]
