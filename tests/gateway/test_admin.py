"""Topics and known accounts (sentiment), webhook subscriptions, social freeze and drills (playbook)."""

from __future__ import annotations

import pytest

from tests.gateway.conftest import GraphQLFactory, Stack
from tests.gateway.support import GraphQL


async def test_topics_crud_with_validation_conflict_and_not_found(gql: GraphQL) -> None:
    created = await gql(
        """mutation { createTopic(input: {name: "Storingen", query: "storing OR \\"geen bereik\\"",
            kind: KEYWORD_GROUP, languages: ["nl"]}) { __typename ... on Topic { id name query languages kind } } }"""
    )
    topic = created["createTopic"]
    assert topic["__typename"] == "Topic" and topic["languages"] == ["nl"]

    duplicate = await gql(
        """mutation { createTopic(input: {name: "Storingen", query: "storing"}) {
            __typename ... on Conflict { message } } }"""
    )
    assert duplicate["createTopic"]["__typename"] == "Conflict"

    broken = await gql(
        """mutation { createTopic(input: {name: "Kapot", query: "(storing"}) {
            __typename ... on ValidationFailed { message errors { path message } } } }"""
    )
    assert broken["createTopic"]["__typename"] == "ValidationFailed"

    updated = await gql(
        """mutation($id: ID!) { updateTopic(id: $id, input: {query: "storing"}) {
            ... on Topic { query } } }""",
        {"id": topic["id"]},
    )
    assert updated["updateTopic"]["query"] == "storing"
    listed = await gql(
        "{ topics(first: 10) { edges { node { id name } } pageInfo { hasNextPage } } }"
    )
    assert [e["node"]["id"] for e in listed["topics"]["edges"]] == [topic["id"]]
    node = await gql(
        "query($id: ID!) { node(id: $id) { ... on Topic { name } } }", {"id": topic["id"]}
    )
    assert node["node"] == {"name": "Storingen"}

    deleted = await gql(
        "mutation($id: ID!) { deleteTopic(id: $id) { __typename ... on Deleted { id } } }",
        {"id": topic["id"]},
    )
    assert deleted["deleteTopic"] == {"__typename": "Deleted", "id": topic["id"]}
    again = await gql(
        "mutation($id: ID!) { deleteTopic(id: $id) { __typename } }", {"id": topic["id"]}
    )
    assert again["deleteTopic"]["__typename"] == "NotFound"


async def test_known_accounts_upsert_list_and_delete(gql: GraphQL) -> None:
    upserted = await gql(
        """mutation { upsertKnownAccounts(accounts: [
            {handle: "@NOS", stakeholder: "media", platform: "x"},
            {handle: "kamerlid", stakeholder: "politician"}]) {
            __typename ... on KnownAccountsUpserted { upserted accounts { id handle stakeholder platform } } } }"""
    )
    result = upserted["upsertKnownAccounts"]
    assert result["upserted"] == 2
    assert {a["handle"] for a in result["accounts"]} == {"nos", "kamerlid"}
    listed = await gql("{ knownAccounts(first: 10) { edges { node { handle } } } }")
    assert len(listed["knownAccounts"]["edges"]) == 2
    bad = await gql(
        """mutation { upsertKnownAccounts(accounts: [{handle: "x", stakeholder: "alien"}]) {
            __typename ... on ValidationFailed { errors { path message } } } }"""
    )
    assert bad["upsertKnownAccounts"]["__typename"] == "ValidationFailed"
    assert "stakeholder" in bad["upsertKnownAccounts"]["errors"][0]["path"]
    gone = await gql(
        "mutation($id: ID!) { deleteKnownAccount(id: $id) { __typename } }",
        {"id": result["accounts"][0]["id"]},
    )
    assert gone["deleteKnownAccount"]["__typename"] == "Deleted"


@pytest.fixture
def needs_playbook(stack: Stack) -> None:
    if not stack.has("playbook"):
        pytest.skip("the playbook service is not in this tree yet")


@pytest.mark.usefixtures("needs_playbook")
async def test_webhook_subscriptions_crud_and_secret_rotation(gql: GraphQL) -> None:
    created = await gql(
        """mutation { createWebhookSubscription(input: {url: "http://127.0.0.1:9/hook",
            eventTypes: ["incident.opened"], format: SLACK, description: "war room"}) {
            __typename ... on WebhookSubscriptionCreated { secret subscription { id url format eventTypes active } } } }"""
    )
    made = created["createWebhookSubscription"]
    assert made["__typename"] == "WebhookSubscriptionCreated" and made["secret"].startswith(
        "whsec_"
    )
    hook = made["subscription"]
    assert hook["format"] == "SLACK" and hook["eventTypes"] == ["incident.opened"]

    updated = await gql(
        """mutation($id: ID!) { updateWebhookSubscription(id: $id, input: {active: false}) {
            ... on WebhookSubscription { active } } }""",
        {"id": hook["id"]},
    )
    assert updated["updateWebhookSubscription"] == {"active": False}
    rotated = await gql(
        """mutation($id: ID!) { rotateWebhookSecret(id: $id) {
            ... on WebhookSubscriptionCreated { secret } } }""",
        {"id": hook["id"]},
    )
    assert rotated["rotateWebhookSecret"]["secret"] != made["secret"]
    listed = await gql("{ webhookSubscriptions(first: 5) { edges { node { id } } } }")
    assert [e["node"]["id"] for e in listed["webhookSubscriptions"]["edges"]] == [hook["id"]]
    invalid = await gql(
        """mutation { createWebhookSubscription(input: {url: "nope"}) {
            __typename ... on ValidationFailed { errors { path } } } }"""
    )
    assert invalid["createWebhookSubscription"]["__typename"] == "ValidationFailed"
    deleted = await gql(
        "mutation($id: ID!) { deleteWebhookSubscription(id: $id) { __typename } }",
        {"id": hook["id"]},
    )
    assert deleted["deleteWebhookSubscription"]["__typename"] == "Deleted"


@pytest.mark.usefixtures("needs_playbook")
async def test_social_freeze_override_and_policy(
    gql: GraphQL, gql_as: GraphQLFactory, tenant: str
) -> None:
    before = await gql("{ socialFreeze { active override severities incidentIds } }")
    assert before["socialFreeze"]["active"] is False
    forced = await gql(
        """mutation { setSocialFreeze(mode: ON, reason: "oefening") {
            __typename ... on SocialFreeze { active override reason } } }"""
    )
    assert forced["setSocialFreeze"] == {
        "__typename": "SocialFreeze", "active": True, "override": "on", "reason": "oefening",
    }  # fmt: skip
    policy = await gql(
        """mutation { setSocialFreezePolicy(severities: ["sev1"]) { ... on SocialFreeze { severities } } }"""
    )
    assert policy["setSocialFreezePolicy"]["severities"] == ["sev1"]
    reader = gql_as(tenant, "incidents:read")
    refused = await reader("mutation { setSocialFreeze(mode: AUTO) { __typename } }")
    assert refused["setSocialFreeze"]["__typename"] == "NotAllowed"


@pytest.mark.usefixtures("needs_playbook")
async def test_drills_start_list_and_stop(gql: GraphQL) -> None:
    unknown = await gql(
        """mutation { startDrill(input: {scenario: "no_such_scenario"}) {
            __typename ... on ValidationFailed { message } } }"""
    )
    assert unknown["startDrill"]["__typename"] == "ValidationFailed"
    started = await gql(
        """mutation { startDrill(input: {scenario: "datalek_nl", speed: 600}) {
            __typename ... on Drill { id status scenario sandboxTenant speed metrics { detected } } } }"""
    )
    drill = started["startDrill"]
    assert drill["__typename"] == "Drill" and drill["status"] == "running"
    listed = await gql("{ drills(first: 5) { edges { node { id status } } } }")
    assert [e["node"]["id"] for e in listed["drills"]["edges"]] == [drill["id"]]
    stopped = await gql(
        "mutation($id: ID!) { stopDrill(id: $id) { ... on Drill { status } } }", {"id": drill["id"]}
    )
    assert stopped["stopDrill"]["status"] == "stopped"
    again = await gql(
        "mutation($id: ID!) { stopDrill(id: $id) { __typename } }", {"id": drill["id"]}
    )
    assert again["stopDrill"]["__typename"] == "Conflict"
