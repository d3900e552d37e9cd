"""The fast executor (compiled plans and the interpreted fast path) answers exactly what
graphql-core answers, errors and nulls included."""

from __future__ import annotations

import asyncio
import datetime
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.extensions import ParserCache
from strawberry.schema.config import StrawberryConfig

from gateway.execution import FastExecutionContext
from tests.gateway.conftest import Stack
from tests.gateway.factories import ingest_and_score, mentions
from tests.gateway.support import GraphQL

SEEN: list[FastExecutionContext] = []


class Recording(FastExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        SEEN.append(self)


@strawberry.enum
class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Leaf:
    name: str
    colour: Colour
    tags: list[str]
    maybe: int | None


@strawberry.type
class Branch:
    title: str
    leaves: list[Leaf]
    first: Leaf | None
    must: Leaf

    @strawberry.field
    async def slow(self) -> str:
        await asyncio.sleep(0)
        return self.title.upper()

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("broken on purpose")

    @strawberry.field
    def broken_nullable(self) -> str | None:
        raise ValueError("nullable broken")


def _leaf(i: int, maybe: int | None = None) -> Leaf:
    return Leaf(
        name=f"leaf{i}",
        colour=Colour.RED if i % 2 else Colour.BLUE,
        tags=["a", f"t{i}"],
        maybe=maybe,
    )


@strawberry.type
class Numbers:
    at: datetime.datetime | None
    on: datetime.date
    ratio: float
    count: int
    maybe_ratio: float | None
    labels: list[str | None]
    colours: list[Colour]


AT = datetime.datetime(2026, 11, 29, 7, 30, tzinfo=datetime.UTC)


@strawberry.type
class Query:
    @strawberry.field
    def numbers(self) -> list[Numbers]:
        return [
            Numbers(
                at=AT,
                on=AT.date(),
                ratio=1.5,
                count=3,
                maybe_ratio=None,
                labels=["a", None],
                colours=[Colour.RED],
            ),
            Numbers(
                at=AT,
                on=AT.date(),
                ratio=2,
                count=True,
                maybe_ratio=0.5,
                labels=[],
                colours=["blue"],
            ),  # type: ignore[arg-type, list-item]
        ]

    @strawberry.field
    def nan(self) -> Numbers:
        return Numbers(
            at=AT,
            on=AT.date(),
            ratio=float("nan"),
            count=1,
            maybe_ratio=None,
            labels=[],
            colours=[],
        )

    @strawberry.field
    def huge(self) -> Numbers | None:
        return Numbers(
            at=AT, on=AT.date(), ratio=1.0, count=2**40, maybe_ratio=None, labels=[], colours=[]
        )

    @strawberry.field
    def bad_enum(self) -> list[Numbers]:
        return [
            Numbers(
                at=AT,
                on=AT.date(),
                ratio=1.0,
                count=1,
                maybe_ratio=None,
                labels=[],
                colours=["green"],
            )
        ]  # type: ignore[list-item]

    @strawberry.field
    def branches(self) -> list[Branch]:
        return [
            Branch(title=f"b{j}", leaves=[_leaf(i, i if i % 3 else None) for i in range(4)],
                   first=_leaf(9) if j else None, must=_leaf(7))
            for j in range(3)
        ]  # fmt: skip

    @strawberry.field
    def bad(self) -> Branch:
        return Branch(title="bad", leaves=[], first=None, must=None)  # type: ignore[arg-type]

    @strawberry.field
    def nulls(self) -> list[Leaf | None]:
        return [_leaf(1), None]

    @strawberry.field
    def not_a_list(self) -> Branch | None:
        return Branch(title="x", leaves=None, first=None, must=_leaf(1))  # type: ignore[arg-type]


def _schema(fast: bool) -> strawberry.Schema:
    # The parser cache hands the fast executor the same document again, as in the gateway:
    # plans are compiled on the second sight of a document.
    return strawberry.Schema(
        Query,
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=Recording if fast else None,
        extensions=[lambda: ParserCache(maxsize=64)] if fast else [],
    )


QUERIES = [
    "{ branches { title leaves { name colour tags maybe __typename } first { name } must { colour } } }",
    "{ branches { t: title ...F leaves { ... on Leaf { n: name } } } } fragment F on Branch { must { name } }",
    "{ branches { title leaves @skip(if: true) { name } must @include(if: false) { name } } }",
    "{ branches { title slow leaves { name } } }",
    "{ branches { title brokenNullable leaves { tags } } }",
    "{ branches { title broken } }",
    "{ bad { title must { name } } }",
    "{ nulls { name } }",
    "{ notAList { title leaves { name } } }",
    "{ branches { title } nulls { colour } }",
    "{ numbers { at on ratio count maybeRatio labels colours } }",
    "{ numbers { __typename c: count ...N } } fragment N on Numbers { ratio colours }",
    "{ nan { ratio count } }",
    "{ huge { ratio count } }",
    "{ badEnum { count colours } }",
    "query Q($yes: Boolean!) { numbers { count ratio @include(if: $yes) } }",
]


@pytest.mark.parametrize("query", QUERIES)
async def test_fast_and_default_executors_agree(query: str) -> None:
    SEEN.clear()
    fast_schema = _schema(True)
    default = await _schema(False).execute(query, variable_values={"yes": False})
    # The first run is interpreted, the second compiles the plan, the third reuses it.
    for _ in range(3):
        fast = await fast_schema.execute(query, variable_values={"yes": False})
        assert fast.data == default.data
        assert [(e.message, e.path) for e in fast.errors or []] == [
            (e.message, e.path) for e in default.errors or []
        ]


async def _twice(query: str) -> FastExecutionContext:
    """The second run's context (the first sight of a document is not compiled)."""
    schema = _schema(True)
    for _ in range(2):
        SEEN.clear()
        result = await schema.execute(query)
        assert result.errors is None
    return SEEN[0]


async def test_plain_objects_take_a_compiled_plan() -> None:
    ctx = await _twice(QUERIES[0] + " ")  # a text of its own: a document of its own
    # The three branches: each is one compiled call that builds its leaves, first and must too.
    assert (ctx.compiled_objects, ctx.fast_objects) == (3, 0)


async def test_a_document_seen_once_is_not_compiled() -> None:
    SEEN.clear()
    result = await _schema(True).execute(QUERIES[0] + "  ")
    assert result.errors is None
    assert (SEEN[0].compiled_objects, SEEN[0].fast_objects) == (0, 3 + 3 * 4 + 2 + 3)


async def test_objects_beside_a_resolver_take_the_interpreted_fast_path() -> None:
    ctx = await _twice("{ branches { title slow leaves { name } must { name } } }")
    # A branch has a resolver (slow): graphql-core runs it; its leaves and must are compiled.
    assert ctx.compiled_objects == 3 * 4 + 3


async def test_directives_turn_compiling_off() -> None:
    ctx = await _twice(QUERIES[2])
    # 3 branches, their leaves skipped and their must not included: interpreted, not compiled.
    assert (ctx.compiled_objects, ctx.fast_objects) == (0, 3)


async def test_a_plan_is_reused_for_the_same_document() -> None:
    from gateway import execution

    execution._COMPILED.clear()
    schema = _schema(True)
    compiled = []
    for _ in range(4):
        SEEN.clear()
        result = await schema.execute(QUERIES[0])
        assert result.errors is None
        compiled.append(SEEN[0].compiled_objects)
    # One selection (the branch's), compiled on its second sight and reused after that.
    assert sum(callable(plan) for *_, plan in execution._COMPILED.values()) == 1
    assert compiled == [0, 3, 3, 3]


async def test_a_page_of_mentions_is_the_same_on_both_executors(
    stack: Stack, gql: GraphQL, tenant: str, make_token: Any
) -> None:
    from gateway.app import create_app

    await ingest_and_score(stack, make_token(tenant), mentions(5))
    query = """{ mentions(first: 5) { edges { cursor node {
        id platform text createdAt language risk reach stakeholder intents topics crisisCategories
        sentiment { label score confidence } riskFactors { negativity exposure }
        author { handle name followers verified bio } engagement { likes } externalId
    } } pageInfo { hasNextPage endCursor } } }"""
    fast = await gql(query)
    settings = stack.settings.model_copy(update={"fast_execution": False})
    app = create_app(settings, transports=stack.counters)
    import httpx

    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        slow = await GraphQL(client, gql.token)(query)
    assert fast == slow
