"""YouTube Data API v3 comments: ``commentThreads.list`` responses (and a single
``youtube#commentThread``, and ``comments.list`` responses for replies fetched separately).

The top-level comment of a thread is a mention; so is every reply in ``replies.comments``, with
``in_reply_to`` set to its ``parentId``. ``thread_id`` is the thread's id (the top-level comment's).
"""

from __future__ import annotations

import re

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
    mention,
    require_date,
    require_text,
)
from services.ingest.adapters.html_text import html_to_text

#: ``textDisplay`` is HTML unless the request asked for ``textFormat=plainText``.
_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_THREAD_LIST = "youtube#commentThreadListResponse"
_THREAD = "youtube#commentThread"
_COMMENT_LIST = "youtube#commentListResponse"


def adapt_youtube(payload: JsonValue) -> list[AdaptedItem]:
    body = as_object(payload)
    kind = get_str(body, "kind")
    if kind == _THREAD_LIST:
        items: list[AdaptedItem] = []
        for thread in get_list(body, "items"):
            items.extend(_thread(thread))
        return items
    if kind == _THREAD:
        return _thread(payload)
    if kind == _COMMENT_LIST:
        return [_comment(comment, None, None, None) for comment in get_list(body, "items")]
    found = f"`kind` {kind!r}" if kind else describe(payload)
    raise PayloadNotRecognized(
        f"expected a YouTube `{_THREAD_LIST}` (or `{_THREAD}`, `{_COMMENT_LIST}`), got {found}"
    )


def _thread(thread_value: JsonValue) -> list[AdaptedItem]:
    thread = as_object(thread_value)
    thread_id = get_str(thread, "id")
    snippet = get_object(thread, "snippet")
    top = get_object(snippet, "topLevelComment")
    if thread is None or top is None:
        reason = f"expected a comment thread with `snippet.topLevelComment`, got {describe(thread_value)}"
        return [AdaptedItem.rejected(reason, thread_id)]
    video_id = get_str(snippet, "videoId")
    # The thread minus its replies: each reply is an item of its own, with its own raw.
    trimmed = {key: value for key, value in thread.items() if key != "replies"}
    items = [
        _comment(top, video_id, thread_id, trimmed, reply_count=get_int(snippet, "totalReplyCount"))
    ]
    for reply in get_list(get_object(thread, "replies"), "comments"):
        items.append(_comment(reply, video_id, thread_id, None))
    return items


def _comment(
    comment_value: JsonValue,
    video_id: str | None,
    thread_id: str | None,
    raw: JsonObject | None,
    *,
    reply_count: int | None = None,
) -> AdaptedItem:
    comment = as_object(comment_value)
    comment_id = get_str(comment, "id")
    try:
        snippet = get_object(comment, "snippet")
        if comment is None or comment_id is None or snippet is None:
            raise ItemRejected(
                f"expected a comment with `id` and `snippet`, got {describe(comment_value)}"
            )
        display = get_str(snippet, "textDisplay")
        text = get_str(snippet, "textOriginal") or _display_text(display)
        parent_id = get_str(snippet, "parentId")
        video = get_str(snippet, "videoId") or video_id
        display_name = get_str(snippet, "authorDisplayName")
        handle = display_name[1:] if display_name and display_name.startswith("@") else None
        return AdaptedItem.ok(
            mention(
                platform="youtube",
                external_id=comment_id,
                url=f"https://www.youtube.com/watch?v={video}&lc={comment_id}" if video else None,
                text=require_text(text),
                language=None,
                created_at=require_date(
                    iso_from_text(get_str(snippet, "publishedAt")), "publishedAt"
                ),
                author=author(
                    handle=handle,
                    name=display_name,
                    url=_https(get_str(snippet, "authorChannelUrl")) or _channel_url(snippet),
                ),
                in_reply_to=parent_id,
                thread_id=thread_id or parent_id or comment_id,
                engagement=engagement(
                    likes=count(get_int(snippet, "likeCount")), replies=count(reply_count)
                ),
                raw=raw if raw is not None else comment,
            ),
            comment_id,
        )
    except ItemRejected as rejected:
        return AdaptedItem.rejected(rejected.reason, comment_id)


def _channel_url(snippet: JsonObject) -> str | None:
    channel_id = get_str(get_object(snippet, "authorChannelId"), "value")
    return f"https://www.youtube.com/channel/{channel_id}" if channel_id else None


def _https(url: str | None) -> str | None:
    """The API still hands out ``http://www.youtube.com/@handle``; the canonical form is https."""
    if url is not None and url.startswith("http://"):
        return "https://" + url.removeprefix("http://")
    return url


def _display_text(display: str | None) -> str | None:
    """``textOriginal`` is only returned to the comment's author; ``textDisplay`` is for everyone."""
    if display is None:
        return None
    return html_to_text(display) if _MARKUP.search(display) else display
