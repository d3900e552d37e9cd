"""Global ids (``base64("Type:id")``) and connection cursors over the services' keyset cursors."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import orjson

from gateway.errors import BadInput


def to_global_id(type_name: str, raw_id: str) -> str:
    return base64.b64encode(f"{type_name}:{raw_id}".encode()).decode()


def from_global_id(global_id: str) -> tuple[str, str]:
    """``(type name, service id)``; raises :class:`BadInput` for anything not issued here."""
    try:
        text = base64.b64decode(global_id.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadInput(f"{global_id!r} is not a global id.") from exc
    type_name, sep, raw_id = text.partition(":")
    if not sep or not type_name or not raw_id:
        raise BadInput(f"{global_id!r} is not a global id.")
    return type_name, raw_id


def expect_id(global_id: str, *type_names: str) -> str:
    """The service id inside ``global_id``, which must name one of ``type_names``."""
    type_name, raw_id = from_global_id(global_id)
    if type_name not in type_names:
        raise BadInput(f"{global_id!r} is a {type_name} id; expected {' or '.join(type_names)}.")
    return raw_id


@dataclass(frozen=True, slots=True)
class PagePosition:
    """Where a page starts: the service's cursor of a page, and how many of its items to skip.

    The service hands out one cursor per page (after its last item); an edge in the middle of a
    page is ``(cursor of its page, its offset + 1)``, so paging from any edge is exact.
    """

    rest_cursor: str | None = None
    skip: int = 0

    def encode(self) -> str:
        raw = orjson.dumps([self.rest_cursor, self.skip])
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str | None) -> PagePosition:
        if not cursor:
            return cls()
        try:
            value = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
            raise BadInput("`after` is not a cursor this API issued.") from exc
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not (value[0] is None or isinstance(value[0], str))
            or not isinstance(value[1], int)
            or value[1] < 0
            or value[1] > 10_000
        ):
            raise BadInput("`after` is not a cursor this API issued.")
        return cls(value[0], value[1])
