from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator

T = TypeVar("T")


class Rest(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Page(Rest, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class Items(Rest, Generic[T]):
    """A batch read answer: ``{"items": [...]}`` (a cursor, if any, is ignored)."""

    items: list[T]


class Listing(Rest, Generic[T]):
    """A list answer in any of the usual envelopes: a bare list, ``items``, ``points``..."""

    items: list[T]

    @model_validator(mode="before")
    @classmethod
    def _envelope(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {"items": value}
        if isinstance(value, dict) and "items" not in value:
            for key in ("points", "buckets", "results", "terms", "topics", "series", "data"):
                if isinstance(value.get(key), list):
                    return {"items": value[key]}
        return value


def items_of(kind: type[T]) -> type[Items[T]]:
    """``Items[kind]`` for a ``kind`` known only at run time."""
    return Items[kind]  # type: ignore[valid-type]


def page_of(kind: type[T]) -> type[Page[T]]:
    """``Page[kind]`` for a ``kind`` known only at run time."""
    return Page[kind]  # type: ignore[valid-type]
