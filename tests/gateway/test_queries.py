"""Queries through the gateway against the real services: viewer, auth, mentions, node, paging."""

from __future__ import annotations

import pytest

from gateway.ids import to_global_id
from tests.conftest import TokenFactory
from tests.gateway.conftest import GraphQLFactory, Stack
from tests.gateway.factories import ingest_and_score, mentions
from tests.gateway.support import GraphQL

MENTION_FIELDS = """
  id platform text createdAt language risk reach stakeholder intents topics crisisCategories
  sentiment { label score confidence }
  riskFactors { negativity crisis complaint reach stakeholderWeight signal exposure }
  author { handle followers name verified bio }
  engagement { likes shares views }
  externalId
"""


async def test_viewer_shows_the_tokens_tenant_and_scopes(
    gql_as: GraphQLFactory, tenant: str
) -> None:
    gql = gql_as(tenant, "mentions:read", "incidents:read")
    data = await gql("{ viewer { tenant scopes subject } }")
    assert data["viewer"] == {
        "tenant": tenant,
        "scopes": ["incidents:read", "mentions:read"],
        "subject": f"test:{tenant}",
    }


async def test_no_token_is_an_unauthenticated_error_and_a_bad_token_a_401(stack: Stack) -> None:
    anonymous = GraphQL(stack.client)
    errors = await anonymous.errors("{ viewer { tenant } }")
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"

    bad = await GraphQL(stack.client, "not-a-jwt").post("{ viewer { tenant } }")
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("application/problem+json")


async def test_mentions_page_with_enrichment_author_and_engagement(
    stack: Stack, gql: GraphQL, tenant: str, make_token: TokenFactory
) -> None:
    ids = await ingest_and_score(stack, make_token(tenant), mentions(3))
    query = f"""query($after: String) {{
      mentions(first: 2, after: $after) {{
        edges {{ cursor node {{ {MENTION_FIELDS} }} }}
        pageInfo {{ hasNextPage endCursor }}
      }}
    }}"""
    first = (await gql(query))["mentions"]
    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"] is True
    node = first["edges"][0]["node"]
    assert node["id"] == to_global_id("Mention", ids[2])  # newest first
    assert node["platform"] == "X"
    assert node["sentiment"]["label"] in ("NEGATIVE", "NEUTRAL", "POSITIVE")
    assert 0.0 <= node["risk"] <= 1.0 and node["riskFactors"]["negativity"] is not None
    assert node["author"] == {
        "handle": "someone",
        "followers": 1200,
        "name": "Some One",
        "verified": True,
        "bio": "Journalist bij een landelijke krant",
    }
    assert node["engagement"] == {"likes": 3, "shares": 1, "views": 250}

    second = (await gql(query, {"after": first["pageInfo"]["endCursor"]}))["mentions"]
    assert [e["node"]["id"] for e in second["edges"]] == [to_global_id("Mention", ids[0])]
    assert second["pageInfo"]["hasNextPage"] is False

    # A cursor from the middle of a page continues right after its edge.
    middle = (await gql(query, {"after": first["edges"][0]["cursor"]}))["mentions"]
    assert [e["node"]["id"] for e in middle["edges"]] == [
        to_global_id("Mention", ids[1]),
        to_global_id("Mention", ids[0]),
    ]


async def test_a_page_of_mentions_with_authors_costs_one_call_per_service(
    stack: Stack, gql: GraphQL, tenant: str, make_token: TokenFactory
) -> None:
    await ingest_and_score(stack, make_token(tenant), mentions(30))
    stack.reset_counts()
    data = await gql(f"{{ mentions(first: 30) {{ edges {{ node {{ {MENTION_FIELDS} }} }} }} }}")
    assert len(data["mentions"]["edges"]) == 30
    assert stack.counters["sentiment"].paths() == {"GET /v1/mentions": 1}
    assert stack.counters["ingest"].paths() == {"GET /v1/mentions": 1}


async def test_mention_filters_mirror_the_rest_filters(
    stack: Stack, gql: GraphQL, tenant: str, make_token: TokenFactory
) -> None:
    items = mentions(2) + mentions(1, platform="reddit")
    await ingest_and_score(stack, make_token(tenant), items)
    data = await gql(
        '{ mentions(filter: {platforms: [REDDIT], q: "inloggen"}) { edges { node { platform } } } }'
    )
    assert [e["node"]["platform"] for e in data["mentions"]["edges"]] == []
    data = await gql("{ mentions(filter: {platforms: [REDDIT]}) { edges { node { platform } } } }")
    assert [e["node"]["platform"] for e in data["mentions"]["edges"]] == ["REDDIT"]


async def test_node_finds_a_mention_by_global_id_and_null_for_another_tenant(
    stack: Stack, gql: GraphQL, tenant: str, make_token: TokenFactory, gql_as: GraphQLFactory
) -> None:
    [mention_id] = await ingest_and_score(stack, make_token(tenant), mentions(1))
    global_id = to_global_id("Mention", mention_id)
    query = "query($id: ID!) { node(id: $id) { id ... on Mention { text } } }"
    data = await gql(query, {"id": global_id})
    assert data["node"]["id"] == global_id and data["node"]["text"].startswith("Alweer")

    other = gql_as("tenant-other-" + tenant, "mentions:read")
    assert (await other(query, {"id": global_id}))["node"] is None

    errors = await gql.errors(query, {"id": "not base64!"})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_missing_scope_is_reported_with_the_scope(
    stack: Stack, gql_as: GraphQLFactory, tenant: str
) -> None:
    gql = gql_as(tenant, "incidents:read")
    errors = await gql.errors("{ mentions(first: 1) { edges { cursor } } }")
    assert errors[0]["extensions"]["code"] == "NOT_ALLOWED"
    assert "mentions:read" in errors[0]["message"]


@pytest.mark.parametrize("split", ["SENTIMENT", "PLATFORM"])
async def test_trends_share_of_voice_and_emerging_terms(
    stack: Stack, gql: GraphQL, tenant: str, make_token: TokenFactory, split: str
) -> None:
    await ingest_and_score(stack, make_token(tenant), mentions(3))
    data = await gql(
        f"""{{
          trends(interval: MINUTE, split: {split}) {{ split keys points {{ start total counts {{ key count }} }} }}
          shareOfVoice {{ topic mentions share sentiment {{ negative }} netSentiment }}
          emergingTerms(first: 5) {{ term score count examples {{ mentionId text }} }}
        }}"""
    )
    trend = data["trends"]
    assert trend["split"] == split
    assert sum(p["total"] for p in trend["points"]) == 3
    assert isinstance(data["shareOfVoice"], list)
    assert isinstance(data["emergingTerms"], list)
