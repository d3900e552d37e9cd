"""Depth, token, alias, page-size and cost limits; introspection and GraphiQL switches; masking."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import TokenFactory
from tests.gateway.conftest import Stack
from tests.gateway.support import BrokenTransport, GraphQL, gateway_client

INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_page_size_over_the_maximum_is_refused_with_the_limit(gql: GraphQL) -> None:
    errors = await gql.errors("{ mentions(first: 101) { edges { cursor } } }")
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert errors[0]["extensions"]["maximum"] == 100


async def test_deep_queries_are_refused(gql: GraphQL) -> None:
    nested = "steps { incident { " * 4 + "title" + " } }" * 4
    deep = "{ incidents { edges { node { " + nested + " } } } }"
    errors = await gql.errors(deep)
    assert "exceeds maximum operation depth" in errors[0]["message"]


async def test_too_many_aliases_are_refused(gql: GraphQL) -> None:
    query = "{ " + " ".join(f"a{i}: viewer {{ tenant }}" for i in range(16)) + " }"
    errors = await gql.errors(query)
    assert "aliases" in errors[0]["message"].lower()


async def test_too_many_tokens_are_refused(gql: GraphQL) -> None:
    query = "{ viewer { " + " ".join(["tenant"] * 2100) + " } }"
    errors = await gql.errors(query)
    assert "token" in errors[0]["message"].lower()


async def test_the_cost_estimate_refuses_expensive_queries_before_any_call(
    stack: Stack, gql: GraphQL
) -> None:
    # 100 incidents x 50 timeline events x ... : over the budget of 50,000.
    query = """{ incidents(first: 100) { edges { node {
        timeline(last: 50) { kind summary actor at id }
        evidence(first: 50) { id text risk author { name bio } topics }
    } } } }"""
    stack.reset_counts()
    errors = await gql.errors(query)
    assert errors[0]["extensions"]["code"] == "QUERY_TOO_EXPENSIVE"
    assert errors[0]["extensions"]["cost"] > errors[0]["extensions"]["budget"] == 50_000
    assert sum(stack.calls().values()) == 0


async def test_variables_count_in_the_cost(stack: Stack, gql: GraphQL) -> None:
    query = """query($n: Int) { incidents(first: $n) { edges { node {
        timeline(last: 50) { kind summary actor at id }
        evidence(first: 50) { id text risk author { name bio } topics }
    } } } }"""
    errors = await gql.errors(query, {"n": 100})
    assert errors[0]["extensions"]["code"] == "QUERY_TOO_EXPENSIVE"
    # The same shape with a small page is within the budget (and reaches the service).
    response = await gql.post(query, {"n": 2})
    assert all(
        e.get("extensions", {}).get("code") != "QUERY_TOO_EXPENSIVE"
        for e in response.json().get("errors") or []
    )


@pytest.fixture
async def production(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    settings = stack.settings.model_copy(update={"environment": "production"})
    async with gateway_client(settings, stack.counters) as (_, client):
        yield client


async def test_introspection_and_graphiql_are_on_in_development(stack: Stack, gql: GraphQL) -> None:
    assert (await gql(INTROSPECTION))["__schema"]["queryType"]["name"] == "Query"
    page = await stack.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


async def test_introspection_and_graphiql_are_off_in_production(
    production: httpx.AsyncClient, tenant: str, make_token: TokenFactory
) -> None:
    gql = GraphQL(production, make_token(tenant))
    errors = await gql.errors(INTROSPECTION)
    assert "introspection" in errors[0]["message"].lower()
    page = await production.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert (await gql("{ viewer { tenant } }"))["viewer"]["tenant"] == tenant


async def test_unexpected_failures_are_masked_and_expected_ones_are_not(
    stack: Stack, tenant: str, make_token: TokenFactory
) -> None:
    transports = {**stack.counters, "sentiment": BrokenTransport()}
    async with gateway_client(stack.settings, transports) as (_, client):
        gql = GraphQL(client, make_token(tenant))
        errors = await gql.errors("{ mentions(first: 1) { edges { cursor } } }")
        assert errors[0]["message"] == "Unexpected error."
        assert "secret" not in str(errors)
        # Validation errors stay readable.
        errors = await gql.errors("{ mentions(first: 1) { nope } }")
        assert "nope" in errors[0]["message"]
        # And the readiness check names the service that fails.
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and "sentiment" in ready.json()["checks"]


async def test_health_readiness_and_metrics(stack: Stack) -> None:
    assert (await stack.client.get("/healthz")).json() == {"status": "ok"}
    metrics = await stack.client.get("/metrics")
    assert "uitkijk_gateway_upstream_requests_total" in metrics.text


async def test_a_body_that_is_not_json_is_a_400(stack: Stack) -> None:
    response = await stack.client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
