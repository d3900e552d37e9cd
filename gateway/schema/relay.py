"""Relay building blocks: the ``Node`` interface, ``PageInfo``, edges and connections.

A connection's ``first`` maps onto the service's ``limit`` and ``after`` onto its ``cursor``
(see :class:`gateway.ids.PagePosition`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from gateway.errors import BadInput
from gateway.ids import PagePosition
from gateway.schema import fields

N = TypeVar("N")
R = TypeVar("R")


@strawberry.interface(description="An object with a global id (Relay).")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id: base64 of `Type:id`.")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    node: N
    cursor: str


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo

    @fields.field("The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


@dataclass(frozen=True, slots=True)
class RestPage(Generic[R]):
    items: Sequence[R]
    next_cursor: str | None


def page_size(first: int | None, default: int, maximum: int) -> int:
    size = default if first is None else first
    if size < 0:
        raise BadInput("`first` must not be negative.", argument="first")
    if size > maximum:
        raise BadInput(
            f"`first` is at most {maximum}; ask for the next page with `after`.",
            argument="first",
            maximum=maximum,
        )
    return size


async def paginate(
    first: int,
    after: str | None,
    fetch: Callable[[int, str | None], Awaitable[RestPage[R]]],
    wrap: Callable[[R], N],
) -> Connection[N]:
    """One REST page (``limit = skip + first``) as a connection."""
    start = PagePosition.decode(after)
    if first == 0:
        return Connection(
            edges=[],
            page_info=PageInfo(
                has_next_page=True, has_previous_page=after is not None,
                start_cursor=None, end_cursor=after,
            ),
        )  # fmt: skip
    page = await fetch(start.skip + first, start.rest_cursor)
    items = list(page.items)[start.skip : start.skip + first]
    more_in_page = len(page.items) > start.skip + first
    edges: list[Edge[N]] = []
    for index, item in enumerate(items):
        is_last = index == len(items) - 1
        if is_last and page.next_cursor and not more_in_page:
            position = PagePosition(page.next_cursor, 0)
        else:
            position = PagePosition(start.rest_cursor, start.skip + index + 1)
        edges.append(Edge(node=wrap(item), cursor=position.encode()))
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.next_cursor is not None or more_in_page,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else after,
        ),
    )
