"""Bluesky postView objects (getPosts, searchPosts, getAuthorFeed, getTimeline) to mentions."""

from __future__ import annotations

import pytest
from pydantic import JsonValue

from services.ingest.adapters import AdapterSource, PayloadNotRecognized, adapt
from tests.ingest_adapters.helpers import accepted, counts, load, nobody, raw_of

ROOT = "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbvxq2k7ts2a"


def test_a_post_is_keyed_by_its_at_uri_and_linked_on_bsky_app() -> None:
    payload = load("bluesky_search_posts.json")
    items = adapt(AdapterSource.BLUESKY, payload)

    assert accepted(items[0]) == {
        "platform": "bluesky",
        "external_id": ROOT,
        "url": "https://bsky.app/profile/fleur.bsky.social/post/3lbvxq2k7ts2a",
        "text": "Al de hele ochtend geen internet van @provider.nl 😤 #storing",
        "language": "nl",
        "created_at": "2026-11-28T09:15:00.123000+00:00",
        "author": nobody(
            handle="fleur.bsky.social",
            name="Fleur 🌻",
            url="https://bsky.app/profile/fleur.bsky.social",
        ),
        "in_reply_to": None,
        "thread_id": ROOT,
        # shares are reposts plus quotes
        "engagement": counts(likes=31, shares=5, replies=2),
    }
    assert raw_of(items[0]) == payload["posts"][0]


def test_a_reply_points_at_its_parent_and_root_and_a_verified_author_is_verified() -> None:
    mention = accepted(adapt(AdapterSource.BLUESKY, load("bluesky_search_posts.json"))[1])

    assert mention == {
        "platform": "bluesky",
        "external_id": "at://did:plc:providernl000000000000/app.bsky.feed.post/3lbvxt5abcd2b",
        "url": "https://bsky.app/profile/provider.nl/post/3lbvxt5abcd2b",
        "text": "Excuses! Een monteur is onderweg; we verwachten herstel rond 12:00.",
        "language": "nl",
        "created_at": "2026-11-28T09:32:10+00:00",
        "author": nobody(
            handle="provider.nl",
            name="Provider NL",
            verified=True,
            url="https://bsky.app/profile/provider.nl",
        ),
        "in_reply_to": ROOT,
        "thread_id": ROOT,
        "engagement": counts(likes=6),
    }


def test_an_invalid_handle_falls_back_to_the_did_and_missing_counts_are_zero() -> None:
    mention = accepted(adapt(AdapterSource.BLUESKY, load("bluesky_search_posts.json"))[2])
    did = "did:plc:minimal00000000000000000"

    assert mention == {
        "platform": "bluesky",
        "external_id": f"at://{did}/app.bsky.feed.post/3lbvy00000002",
        "url": f"https://bsky.app/profile/{did}/post/3lbvy00000002",
        "text": "storing?",
        "language": None,
        "created_at": "2026-11-28T10:00:00+00:00",
        "author": nobody(url=f"https://bsky.app/profile/{did}"),
        "in_reply_to": None,
        "thread_id": f"at://{did}/app.bsky.feed.post/3lbvy00000002",
        "engagement": counts(),
    }


def test_an_image_only_post_is_rejected() -> None:
    item = adapt(AdapterSource.BLUESKY, load("bluesky_search_posts.json"))[3]

    assert (item.native_id, item.error, item.mention) == (
        "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbvy11111113",
        "no text",
        None,
    )


def test_an_author_feed_reads_the_post_of_each_entry_and_dates_in_utc() -> None:
    payload = load("bluesky_author_feed.json")
    items = adapt(AdapterSource.BLUESKY, payload)

    repost = accepted(items[0])
    assert repost["external_id"] == (
        "at://did:plc:providernl000000000000/app.bsky.feed.post/3lbvw9999999a"
    )
    assert repost["created_at"] == "2026-11-28T07:05:00+00:00"
    assert repost["language"] == "nl"
    assert repost["engagement"] == counts(likes=25, shares=12, replies=3)
    assert raw_of(items[0]) == payload["feed"][0]["post"]
    assert items[1].error == "a feed entry without `post`, got an object with keys `reply`"


def test_a_record_that_is_not_a_post_is_rejected() -> None:
    post = load("bluesky_search_posts.json")["posts"][0]
    post["record"]["$type"] = "app.bsky.feed.repost"

    (item,) = adapt(AdapterSource.BLUESKY, post)
    assert item.error == "record `$type` 'app.bsky.feed.repost' is not app.bsky.feed.post"


@pytest.mark.parametrize(
    ("payload", "found"),
    [
        ({"thread": {}}, "got an object with keys `thread`"),
        ([], "got a list"),
        ({"posts": "x"}, "got an object with keys `posts`"),
    ],
)
def test_payloads_of_another_shape_are_not_recognized(payload: JsonValue, found: str) -> None:
    with pytest.raises(PayloadNotRecognized, match="expected a Bluesky response") as raised:
        adapt(AdapterSource.BLUESKY, payload)

    assert found in str(raised.value)
