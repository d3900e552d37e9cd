"""Bluesky ``app.bsky.feed.defs#postView`` objects: ``{"posts": [...]}`` from
``app.bsky.feed.getPosts`` / ``searchPosts``, ``{"feed": [{"post": ...}]}`` from ``getAuthorFeed``,
``getTimeline`` and feed generators, or one postView.

``external_id`` is the post's ``at://`` uri (globally unique, and what ``reply.parent.uri``
refers to); the web url is ``https://bsky.app/profile/{handle}/post/{rkey}``.
"""

from __future__ import annotations

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

_POST_RECORD = "app.bsky.feed.post"


def adapt_bluesky(payload: JsonValue) -> list[AdaptedItem]:
    body = as_object(payload)
    if body is not None and isinstance(body.get("posts"), list):
        return [_item(post) for post in get_list(body, "posts")]
    if body is not None and isinstance(body.get("feed"), list):
        items: list[AdaptedItem] = []
        for entry in get_list(body, "feed"):
            entry_obj = as_object(entry)
            post = entry_obj.get("post") if entry_obj is not None else None
            if post is None:
                items.append(
                    AdaptedItem.rejected(
                        f"a feed entry without `post`, got {describe(entry)}", None
                    )
                )
            else:
                items.append(_item(post))
        return items
    if body is not None and "uri" in body and "record" in body:
        return [_item(payload)]
    raise PayloadNotRecognized(
        "expected a Bluesky response with `posts` (getPosts, searchPosts) or `feed` "
        f"(getAuthorFeed, getTimeline), or one postView, got {describe(payload)}"
    )


def _item(value: JsonValue) -> AdaptedItem:
    post = as_object(value)
    uri = get_str(post, "uri")
    try:
        if post is None or uri is None:
            raise ItemRejected(f"expected a postView with `uri`, got {describe(value)}")
        return AdaptedItem.ok(_mention(post, uri), uri)
    except ItemRejected as rejected:
        return AdaptedItem.rejected(rejected.reason, uri)


def _mention(post: JsonObject, uri: str) -> JsonObject:
    record = get_object(post, "record")
    record_type = get_str(record, "$type")
    if record is None or record_type != _POST_RECORD:
        raise ItemRejected(f"record `$type` {record_type!r} is not {_POST_RECORD}")
    creator = get_object(post, "author")
    did = get_str(creator, "did")
    handle = get_str(creator, "handle")
    if handle == "handle.invalid":
        handle = None
    profile = handle or did
    rkey = uri.rstrip("/").rpartition("/")[2]
    reply = get_object(record, "reply")
    langs = get_list(record, "langs")
    first_lang = langs[0] if langs and isinstance(langs[0], str) else None
    verification = get_object(creator, "verification")
    return mention(
        platform="bluesky",
        external_id=uri,
        url=f"https://bsky.app/profile/{profile}/post/{rkey}" if profile else None,
        text=require_text(get_str(record, "text")),
        language=language_tag(first_lang),
        created_at=require_date(
            iso_from_text(get_str(record, "createdAt"))
            or iso_from_text(get_str(post, "indexedAt")),
            "record.createdAt",
        ),
        author=author(
            handle=handle,
            name=get_str(creator, "displayName"),
            verified=get_str(verification, "verifiedStatus") == "valid",
            url=f"https://bsky.app/profile/{profile}" if profile else None,
        ),
        in_reply_to=get_str(get_object(reply, "parent"), "uri"),
        thread_id=get_str(get_object(reply, "root"), "uri") or uri,
        engagement=engagement(
            likes=count(get_int(post, "likeCount")),
            shares=count(get_int(post, "repostCount"), get_int(post, "quoteCount")),
            replies=count(get_int(post, "replyCount")),
        ),
        raw=post,
    )
