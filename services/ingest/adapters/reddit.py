"""Reddit listing JSON: ``{"kind": "Listing", "data": {"children": [...]}}`` of ``t3`` posts and
``t1`` comments (subreddit feeds, search, user overviews), and the two-listing array of
``/comments/{id}.json`` (the post, then its comment tree, followed through ``replies``).

Ids are fullnames (``t3_…``, ``t1_…``): that is what ``parent_id`` and ``link_id`` refer to, so
``in_reply_to`` and ``thread_id`` match the parent's and the post's ``external_id``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

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
    iso_from_epoch,
    mention,
    require_date,
    require_text,
)

_GONE = frozenset({"[deleted]", "[removed]"})


def _text(data: JsonObject, key: str) -> str | None:
    """Reddit escapes ``&``, ``<`` and ``>`` in text fields unless asked for ``raw_json=1``."""
    value = get_str(data, key)
    return html.unescape(value) if value is not None else None


def adapt_reddit(payload: JsonValue) -> list[AdaptedItem]:
    listings = payload if isinstance(payload, list) else [payload]
    if not listings:
        raise PayloadNotRecognized(
            "expected a Reddit Listing or a list of Listings, got an empty list"
        )
    items: list[AdaptedItem] = []
    for listing in listings:
        if get_str(as_object(listing), "kind") != "Listing":
            raise PayloadNotRecognized(
                "expected a Reddit Listing (an object with `kind` 'Listing' and "
                f"`data.children`) or a list of them, got {describe(listing)}"
            )
        _walk(listing, items)
    return items


def _walk(listing: JsonValue, items: list[AdaptedItem]) -> None:
    """Depth first, each comment before its replies; a stack rather than recursion, since the
    nesting depth is the payload's to choose."""
    stack: list[tuple[list[JsonValue], int]] = [(_children(listing), 0)]
    while stack:
        children, index = stack.pop()
        if index >= len(children):
            continue
        stack.append((children, index + 1))
        child = as_object(children[index])
        kind = get_str(child, "kind")
        data = get_object(child, "data")
        if kind == "t3" and data is not None:
            items.append(_item(data, "t3", _post))
        elif kind == "t1" and data is not None:
            items.append(_item(data, "t1", _comment))
            replies = data.get("replies")
            if isinstance(replies, dict):
                stack.append((_children(replies), 0))
        elif kind == "more":
            missing = get_int(data, "count")
            items.append(
                AdaptedItem.rejected(
                    f"a `more` stub: {missing or 0} comments not loaded in this listing",
                    get_str(data, "name"),
                )
            )
        else:
            reason = f"kind {kind!r} is not a post (t3) or comment (t1)"
            items.append(AdaptedItem.rejected(reason, get_str(data, "name")))


def _children(listing: JsonValue) -> list[JsonValue]:
    return get_list(get_object(as_object(listing), "data"), "children")


def _item(
    data: JsonObject, kind: str, build: Callable[[JsonObject, str], JsonObject]
) -> AdaptedItem:
    native_id = _fullname(data, kind)
    try:
        if native_id is None:
            raise ItemRejected("no `name` or `id`")
        return AdaptedItem.ok(build(data, native_id), native_id)
    except ItemRejected as rejected:
        return AdaptedItem.rejected(rejected.reason, native_id)


def _fullname(data: JsonObject, kind: str) -> str | None:
    short_id = get_str(data, "id")
    return get_str(data, "name") or (f"{kind}_{short_id}" if short_id else None)


def _post(data: JsonObject, fullname: str) -> JsonObject:
    title = _text(data, "title")
    body = _text(data, "selftext")
    if body in _GONE:
        body = None
    if title is None and body is None:
        raise ItemRejected("no `title` or `selftext`")
    text = "\n\n".join(part for part in (title, body) if part)
    return _mention(
        data,
        fullname,
        text=text,
        in_reply_to=None,
        thread_id=fullname,
        replies=get_int(data, "num_comments"),
    )


def _comment(data: JsonObject, fullname: str) -> JsonObject:
    body = _text(data, "body")
    if body in _GONE:
        raise ItemRejected(f"the comment was {body.strip('[]') if body else 'deleted'}")
    return _mention(
        data,
        fullname,
        text=require_text(body, "`body`"),
        in_reply_to=get_str(data, "parent_id"),
        thread_id=get_str(data, "link_id"),
        replies=None,
    )


def _mention(
    data: JsonObject,
    fullname: str,
    *,
    text: str,
    in_reply_to: str | None,
    thread_id: str | None,
    replies: int | None,
) -> JsonObject:
    permalink = get_str(data, "permalink")
    handle = get_str(data, "author")
    if handle in _GONE:
        handle = None
    return mention(
        platform="reddit",
        external_id=fullname,
        url=f"https://www.reddit.com{permalink}" if permalink else None,
        text=text,
        language=None,
        created_at=require_date(
            iso_from_epoch(data.get("created_utc")), "created_utc", "Unix seconds"
        ),
        author=author(
            handle=handle,
            url=f"https://www.reddit.com/user/{handle}" if handle else None,
        ),
        in_reply_to=in_reply_to,
        thread_id=thread_id,
        engagement=engagement(likes=count(get_int(data, "score")), replies=count(replies)),
        # The comment tree is walked item by item; each item keeps only its own data.
        raw={key: value for key, value in data.items() if key != "replies"},
    )
