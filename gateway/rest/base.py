from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Rest(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Page(Rest, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class Items(Rest, Generic[T]):
    """A batch read answer: ``{"items": [...]}`` (a cursor, if any, is ignored)."""

    items: list[T]


_MADE: dict[tuple[type, type], type] = {}


def items_of(kind: type[T]) -> type[Items[T]]:
    """``Items[kind]`` for a ``kind`` known only at run time (made once per kind)."""
    made = _MADE.get((Items, kind))
    if made is None:
        made = _MADE[(Items, kind)] = Items[kind]  # type: ignore[valid-type]
    return made


def page_of(kind: type[T]) -> type[Page[T]]:
    """``Page[kind]`` for a ``kind`` known only at run time (made once per kind)."""
    made = _MADE.get((Page, kind))
    if made is None:
        made = _MADE[(Page, kind)] = Page[kind]  # type: ignore[valid-type]
    return made
