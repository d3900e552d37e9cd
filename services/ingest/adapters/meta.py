"""Meta Graph API webhooks: Facebook Page ``feed`` changes and Instagram ``comments`` /
``live_comments`` / ``mentions`` changes.

The platform follows ``object``: ``page`` is facebook, ``instagram`` is instagram. Every change is
one item; changes that are not something someone wrote (reactions, likes, removals, @mention
notices that carry only ids) are rejected items with the reason, never a failure of the payload.
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
    describe,
    engagement,
    get_list,
    get_object,
    get_str,
    iso_from_epoch,
    iso_from_text,
    mention,
    require_date,
    require_text,
)

_FACEBOOK_FIELDS = frozenset({"feed", "mention"})
_INSTAGRAM_FIELDS = frozenset({"comments", "live_comments", "mentions"})
#: Feed items that are not text someone wrote.
_NON_TEXT_ITEMS = frozenset({"reaction", "like", "share_like", "rating_like"})


def adapt_meta(payload: JsonValue) -> list[AdaptedItem]:
    body = as_object(payload)
    kind = get_str(body, "object")
    if body is None or not isinstance(body.get("entry"), list) or kind is None:
        raise PayloadNotRecognized(
            "expected a Meta webhook notification: an object with `object` "
            f"('page' or 'instagram') and an `entry` list, got {describe(payload)}"
        )
    if kind not in {"page", "instagram"}:
        raise PayloadNotRecognized(f"expected `object` to be 'page' or 'instagram', got {kind!r}")
    items: list[AdaptedItem] = []
    for entry_value in get_list(body, "entry"):
        entry = as_object(entry_value)
        if entry is None:
            items.append(
                AdaptedItem.rejected(f"expected an entry object, got {describe(entry_value)}", None)
            )
            continue
        if "changes" not in entry:
            # Messenger events (`messaging`) and other non-change entries are not mentions.
            items.append(
                AdaptedItem.rejected(
                    "an entry without `changes` (not a feed change)", get_str(entry, "id")
                )
            )
            continue
        for change in get_list(entry, "changes"):
            if kind == "page":
                items.append(_facebook(entry, change))
            else:
                items.append(_instagram(entry, change))
    return items


def _facebook(entry: JsonObject, change_value: JsonValue) -> AdaptedItem:
    change = as_object(change_value)
    value = get_object(change, "value")
    item = get_str(value, "item")
    native_id = get_str(value, "comment_id") if item == "comment" else get_str(value, "post_id")
    try:
        field = get_str(change, "field")
        if value is None or field not in _FACEBOOK_FIELDS:
            raise ItemRejected(f"field {field!r} is not a page feed change")
        verb = get_str(value, "verb")
        if verb in {"remove", "delete"}:
            raise ItemRejected(f"verb {verb!r}: the {item or 'item'} was deleted")
        if item in _NON_TEXT_ITEMS:
            raise ItemRejected(f"item {item!r} is not a post or comment")
        post_id = get_str(value, "post_id")
        if native_id is None or post_id is None:
            raise ItemRejected("no `post_id`/`comment_id`")
        sender = get_object(value, "from")
        # Feed changes carry `created_time` (Unix time; older versions an ISO string); failing
        # both, the notification's own `entry.time` is the nearest moment known.
        created = get_str(value, "created_time")
        created_at = iso_from_epoch(value.get("created_time")) or iso_from_text(created)
        return AdaptedItem.ok(
            mention(
                platform="facebook",
                external_id=native_id,
                url=_facebook_url(post_id, native_id if item == "comment" else None),
                text=require_text(get_str(value, "message"), "`message`"),
                language=None,
                created_at=require_date(
                    created_at or iso_from_epoch(entry.get("time")),
                    "created_time",
                    "Unix time or an ISO-8601 timestamp with a zone",
                ),
                author=author(name=get_str(sender, "name") or get_str(value, "sender_name")),
                in_reply_to=get_str(value, "parent_id") if item == "comment" else None,
                thread_id=post_id,
                engagement=engagement(),
                raw=value,
            ),
            native_id,
        )
    except ItemRejected as rejected:
        return AdaptedItem.rejected(rejected.reason, native_id)


def _facebook_url(post_id: str, comment_id: str | None) -> str:
    """Post ids are ``{page_id}_{post_id}``, comment ids ``{post_id}_{comment_id}``."""
    page, _, post = post_id.partition("_")
    url = (
        f"https://www.facebook.com/{page}/posts/{post}"
        if post
        else f"https://www.facebook.com/{page}"
    )
    if comment_id is not None:
        url += f"?comment_id={comment_id.rpartition('_')[2]}"
    return url


def _instagram(entry: JsonObject, change_value: JsonValue) -> AdaptedItem:
    change = as_object(change_value)
    value = get_object(change, "value")
    native_id = get_str(value, "id") or get_str(value, "comment_id")
    try:
        field = get_str(change, "field")
        if value is None or field not in _INSTAGRAM_FIELDS:
            raise ItemRejected(f"field {field!r} is not an Instagram comment or mention")
        if native_id is None:
            raise ItemRejected("no comment `id`")
        text = get_str(value, "text")
        if text is None and field == "mentions":
            raise ItemRejected(
                "an @mention notice carries only `comment_id` and `media_id`, no text: "
                "fetch the comment to ingest it"
            )
        username = get_str(get_object(value, "from"), "username")
        media = get_object(value, "media")
        return AdaptedItem.ok(
            mention(
                platform="instagram",
                external_id=native_id,
                # Instagram permalinks use a shortcode that webhooks do not carry.
                url=None,
                text=require_text(text),
                language=None,
                # Comment notifications carry no creation time; `entry.time` is when Meta sent it.
                created_at=require_date(
                    iso_from_epoch(entry.get("time")), "entry.time", "Unix time"
                ),
                author=author(handle=username, url=_instagram_profile(username)),
                in_reply_to=get_str(value, "parent_id"),
                thread_id=get_str(media, "id") or get_str(value, "media_id"),
                engagement=engagement(),
                raw=value,
            ),
            native_id,
        )
    except ItemRejected as rejected:
        return AdaptedItem.rejected(rejected.reason, native_id)


def _instagram_profile(username: str | None) -> str | None:
    return f"https://www.instagram.com/{username}/" if username else None
