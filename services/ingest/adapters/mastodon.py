"""Mastodon ``Status`` entities: one status, a list (timelines, ``/api/v1/accounts/:id/statuses``)
or a ``/api/v2/search`` result (its ``statuses``).

``content`` and ``account.note`` are HTML and become plain text. A content warning
(``spoiler_text``) is part of what the author wrote and leads the text. A boost (``reblog`` set)
is the boosted status: that is what was written, and its own id deduplicates it.

The author's handle is the full ``user@server`` address: ``acct`` omits the server for accounts of
the queried server, which is then taken from the account's ``url``.

``external_id`` is the status ``id`` as the queried server knows it, because ``in_reply_to_id``
uses those ids too; the fediverse-wide ``uri`` stays in ``raw``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import JsonValue

from services.ingest.adapters.base import (
    AdaptedItem,
    ItemRejected,
    JsonObject,
    PayloadNotRecognized,
    as_object,
    author,
    count,
    describe,
    engagement,
    get_int,
    get_list,
    get_object,
    get_str,
    iso_from_text,
    language_tag,
    mention,
    require_date,
    require_text,
)
from services.ingest.adapters.html_text import html_to_text


def _is_status(value: JsonValue) -> bool:
    status = as_object(value)
    return status is not None and "id" in status and "account" in status


def adapt_mastodon(payload: JsonValue) -> list[AdaptedItem]:
    statuses: list[JsonValue]
    body = as_object(payload)
    if isinstance(payload, list):
        statuses = payload
    elif body is not None and isinstance(body.get("statuses"), list) and not _is_status(body):
        statuses = get_list(body, "statuses")
    elif _is_status(payload):
        statuses = [payload]
    else:
        raise PayloadNotRecognized(
            "expected a Mastodon Status (an object with `id`, `content` and `account`), a list of "
            f"them or a search result with `statuses`, got {describe(payload)}"
        )
    return [_item(status) for status in statuses]


def _item(value: JsonValue) -> AdaptedItem:
    status = as_object(value)
    boosted = get_object(status, "reblog")
    if boosted is not None:
        status = boosted
    status_id = get_str(status, "id")
    try:
        if status is None or status_id is None or not _is_status(status):
            raise ItemRejected(f"expected a Status with `id` and `account`, got {describe(value)}")
        return AdaptedItem.ok(_mention(status, status_id), status_id)
    except ItemRejected as rejected:
        return AdaptedItem.rejected(rejected.reason, status_id)


def _mention(status: JsonObject, status_id: str) -> JsonObject:
    account = get_object(status, "account")
    content = get_str(status, "content")
    body = html_to_text(content) if content else ""
    warning = (get_str(status, "spoiler_text") or "").strip()
    text = f"{warning}\n\n{body}" if warning and body else warning or body
    note = get_str(account, "note")
    return mention(
        platform="mastodon",
        external_id=status_id,
        url=get_str(status, "url") or get_str(status, "uri"),
        text=require_text(text, "text (no `content` or `spoiler_text`)"),
        language=language_tag(get_str(status, "language")),
        created_at=require_date(iso_from_text(get_str(status, "created_at")), "created_at"),
        author=author(
            handle=_full_handle(account),
            name=get_str(account, "display_name") or get_str(account, "username"),
            followers=get_int(account, "followers_count"),
            bio=html_to_text(note) or None if note else None,
            url=get_str(account, "url"),
        ),
        in_reply_to=get_str(status, "in_reply_to_id"),
        thread_id=None,
        engagement=engagement(
            likes=count(get_int(status, "favourites_count")),
            shares=count(get_int(status, "reblogs_count"), get_int(status, "quotes_count")),
            replies=count(get_int(status, "replies_count")),
        ),
        raw=status,
    )


def _full_handle(account: JsonObject | None) -> str | None:
    acct = get_str(account, "acct")
    if acct is None or "@" in acct:
        return acct
    server = urlsplit(get_str(account, "url") or "").hostname
    return f"{acct}@{server}" if server else acct
