"""X API v2: tweet lookup (``GET /2/tweets``, ``/2/tweets/:id``), recent/full-archive search and
filtered-stream messages.

``data`` is one tweet or a list; authors come from ``includes.users`` (``expansions=author_id``).
Long posts carry their full text in ``note_tweet.text``; ``text`` then holds a truncated preview.
Partial errors about requested tweets (a deleted or protected tweet in a lookup) arrive in
``errors`` and become rejected items, so the caller can report them per id; errors about expanded
objects (a suspended author, a deleted parent tweet) are not items and are left out.

A retweet's own ``text`` is a truncated "RT @user: …"; when the retweeted tweet is in
``includes.tweets`` (``expansions=referenced_tweets.id``) the item is that tweet, as a Mastodon
boost is the boosted status: what was written, deduplicated by its own id.
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
    get_bool,
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

_KEYS = ("data", "errors", "meta")


def adapt_x(payload: JsonValue) -> list[AdaptedItem]:
    body = as_object(payload)
    if body is None or not any(key in body for key in _KEYS):
        raise PayloadNotRecognized(
            f"expected an X API v2 response: an object with `data` (a tweet or a list of tweets), "
            f"`errors` or `meta`, got {describe(payload)}"
        )
    data = body.get("data")
    tweets: list[JsonValue]
    if data is None:
        tweets = []
    elif isinstance(data, list):
        tweets = data
    elif isinstance(data, dict) and "id" in data:
        tweets = [data]
    else:
        raise PayloadNotRecognized(
            f"expected `data` to be a tweet (an object with `id`) or a list, got {describe(data)}"
        )

    users: dict[str, JsonObject] = {}
    for user in get_list(get_object(body, "includes"), "users"):
        user_obj = as_object(user)
        user_id = get_str(user_obj, "id")
        if user_obj is not None and user_id is not None:
            users[user_id] = user_obj

    included: dict[str, JsonObject] = {}
    for tweet in get_list(get_object(body, "includes"), "tweets"):
        tweet_obj = as_object(tweet)
        tweet_id = get_str(tweet_obj, "id")
        if tweet_obj is not None and tweet_id is not None:
            included[tweet_id] = tweet_obj

    items = [_item(_retweeted(tweet, included), users) for tweet in tweets]
    for error in get_list(body, "errors"):
        if _about_a_requested_tweet(as_object(error)):
            items.append(_error_item(error))
    return items


def _about_a_requested_tweet(error: JsonObject | None) -> bool:
    """A tweet asked for by id (or a stream-level problem), not an expanded object such as a
    suspended author (`resource_type` user) or a deleted parent (`referenced_tweets.id`)."""
    resource = get_str(error, "resource_type")
    parameter = get_str(error, "parameter")
    return resource in {None, "tweet"} and parameter in {None, "id", "ids"}


def _retweeted(tweet: JsonValue, included: dict[str, JsonObject]) -> JsonValue:
    for reference in get_list(as_object(tweet), "referenced_tweets"):
        ref = as_object(reference)
        original = included.get(get_str(ref, "id") or "")
        if get_str(ref, "type") == "retweeted" and original is not None:
            return original
    return tweet


def _item(tweet: JsonValue, users: dict[str, JsonObject]) -> AdaptedItem:
    native = as_object(tweet)
    tweet_id = get_str(native, "id")
    try:
        if native is None or tweet_id is None:
            raise ItemRejected(f"expected a tweet object with `id`, got {describe(tweet)}")
        return AdaptedItem.ok(_mention(native, tweet_id, users), tweet_id)
    except ItemRejected as rejected:
        return AdaptedItem.rejected(rejected.reason, tweet_id)


def _mention(tweet: JsonObject, tweet_id: str, users: dict[str, JsonObject]) -> JsonObject:
    text = get_str(get_object(tweet, "note_tweet"), "text") or get_str(tweet, "text")
    author_id = get_str(tweet, "author_id")
    user = users.get(author_id) if author_id else None
    username = get_str(user, "username")
    metrics = get_object(tweet, "public_metrics")
    replied_to = None
    for reference in get_list(tweet, "referenced_tweets"):
        ref = as_object(reference)
        if get_str(ref, "type") == "replied_to":
            replied_to = get_str(ref, "id")
    return mention(
        platform="x",
        external_id=tweet_id,
        url=(
            f"https://x.com/{username}/status/{tweet_id}"
            if username
            else f"https://x.com/i/web/status/{tweet_id}"
        ),
        text=require_text(text),
        language=language_tag(get_str(tweet, "lang")),
        created_at=require_date(iso_from_text(get_str(tweet, "created_at")), "created_at"),
        author=author(
            handle=username,
            name=get_str(user, "name"),
            followers=get_int(get_object(user, "public_metrics"), "followers_count"),
            verified=get_bool(user, "verified"),
            bio=get_str(user, "description"),
            url=f"https://x.com/{username}" if username else None,
        ),
        in_reply_to=replied_to,
        thread_id=get_str(tweet, "conversation_id"),
        engagement=engagement(
            likes=count(get_int(metrics, "like_count")),
            shares=count(get_int(metrics, "retweet_count"), get_int(metrics, "quote_count")),
            replies=count(get_int(metrics, "reply_count")),
            views=count(get_int(metrics, "impression_count")),
        ),
        raw=tweet,
    )


def _error_item(error: JsonValue) -> AdaptedItem:
    problem = as_object(error)
    title = get_str(problem, "title") or "error"
    detail = get_str(problem, "detail")
    reason = f"X reported {title}: {detail}" if detail else f"X reported {title}"
    return AdaptedItem.rejected(
        reason, get_str(problem, "resource_id") or get_str(problem, "value")
    )
