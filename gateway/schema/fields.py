"""Typed forms of strawberry's field decorators.

``strawberry.field(description=...)`` is typed as returning ``Any``, which ``mypy --strict`` reports
as an untyped decorator on every resolver; these wrappers keep the resolver's own type for mypy
(at runtime the class attribute is strawberry's field object, as with the bare decorators).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

F = TypeVar("F", bound=Callable[..., Any])


def field(description: str) -> Callable[[F], F]:
    def decorate(resolver: F) -> F:
        return cast(F, strawberry.field(description=description)(resolver))

    return decorate


def mutation(description: str) -> Callable[[F], F]:
    def decorate(resolver: F) -> F:
        return cast(F, strawberry.mutation(description=description)(resolver))

    return decorate


def subscription(description: str) -> Callable[[F], F]:
    def decorate(resolver: F) -> F:
        return cast(F, strawberry.subscription(description=description)(resolver))

    return decorate
