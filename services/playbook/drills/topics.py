"""Copy a tenant's tracked topics and known accounts into a drill's sandbox, over the sentiment
service's REST API (services never read each other's tables).

Without them the sandbox's mentions would carry no topics and no known stakeholders, and a drill
would measure a different detection than the tenant's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import orjson

from services.common.auth import mint_token
from services.common.settings import TokenSettings

_PAGE = 500


class TopicCopyFailed(RuntimeError):  # noqa: N818 - reads as what happened
    pass


def _bearer(tokens: TokenSettings, tenant: str, scope: str, ttl: int) -> dict[str, str]:
    token = mint_token(tokens, tenant=tenant, scopes=[scope], subject="drill:seed", ttl_seconds=ttl)
    return {"Authorization": f"Bearer {token}"}


async def _pages(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> AsyncIterator[list[dict[str, object]]]:
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": _PAGE}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(path, params=params, headers=headers)
        if response.status_code != 200:
            raise TopicCopyFailed(f"GET {path} answered {response.status_code}")
        page = response.json()
        yield list(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return


async def copy_topics(
    client: httpx.AsyncClient,
    tokens: TokenSettings,
    tenant: str,
    sandbox_tenant: str,
    *,
    ttl_seconds: int = 600,
) -> tuple[int, int]:
    """Copy topics and known accounts from ``tenant`` to ``sandbox_tenant``; returns how many of
    each. Idempotent: a topic the sandbox already has (409) is left as it is."""
    read = _bearer(tokens, tenant, "analytics:read", ttl_seconds)
    write = _bearer(tokens, sandbox_tenant, "topics:write", ttl_seconds)
    topics = 0
    try:
        async for items in _pages(client, "/v1/topics", read):
            for topic in items:
                body = {k: topic[k] for k in ("kind", "name", "query", "languages")}
                response = await client.post("/v1/topics", json=body, headers=write)
                if response.status_code not in (201, 409):
                    raise TopicCopyFailed(f"POST /v1/topics answered {response.status_code}")
                topics += response.status_code == 201
        accounts = 0
        async for items in _pages(client, "/v1/known-accounts", read):
            if not items:
                continue
            body = {
                "accounts": [
                    {k: a[k] for k in ("handle", "platform", "stakeholder", "note")} for a in items
                ]
            }
            response = await client.put(
                "/v1/known-accounts",
                content=orjson.dumps(body),
                headers={**write, "Content-Type": "application/json"},
            )
            if response.status_code != 200:
                raise TopicCopyFailed(f"PUT /v1/known-accounts answered {response.status_code}")
            accounts += len(items)
    except httpx.HTTPError as exc:
        raise TopicCopyFailed(f"sentiment unreachable: {exc!r}") from exc
    return topics, accounts
