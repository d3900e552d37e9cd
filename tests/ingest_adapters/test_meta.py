"""Meta webhooks: Facebook Page feed changes and Instagram comments to mentions."""

from __future__ import annotations

import pytest
from pydantic import JsonValue

from services.ingest.adapters import AdapterSource, PayloadNotRecognized, adapt
from tests.ingest_adapters.helpers import accepted, counts, load, nobody, raw_of

POST_ID = "104522335567890_987654321012345"
POST_URL = "https://www.facebook.com/104522335567890/posts/987654321012345"


def test_a_page_post_becomes_a_facebook_mention() -> None:
    payload = load("meta_page_feed.json")
    items = adapt(AdapterSource.META, payload)

    assert accepted(items[0]) == {
        "platform": "facebook",
        "external_id": POST_ID,
        "url": POST_URL,
        "text": "Waarom kan ik al de hele ochtend niet pinnen? Dit is de derde keer deze maand!",
        "language": None,
        "created_at": "2026-11-28T09:14:50+00:00",
        "author": nobody(name="Sanne Bakker"),
        "in_reply_to": None,
        "thread_id": POST_ID,
        "engagement": counts(),
    }
    assert raw_of(items[0]) == payload["entry"][0]["changes"][0]["value"]


def test_comments_reply_to_their_parent_post_or_comment_within_the_post_thread() -> None:
    items = adapt(AdapterSource.META, load("meta_page_feed.json"))

    assert accepted(items[1]) == {
        "platform": "facebook",
        "external_id": "987654321012345_1122334455667788",
        "url": f"{POST_URL}?comment_id=1122334455667788",
        "text": "Zelfde hier 😤 ook in Utrecht",
        "language": None,
        "created_at": "2026-11-28T09:18:00+00:00",
        "author": nobody(name="Jörg Müller"),
        "in_reply_to": POST_ID,
        "thread_id": POST_ID,
        "engagement": counts(),
    }
    reply = accepted(items[2])
    assert reply["external_id"] == "987654321012345_2233445566778899"
    assert reply["in_reply_to"] == "987654321012345_1122334455667788"
    assert reply["thread_id"] == POST_ID
    assert reply["created_at"] == "2026-11-28T09:21:30+00:00"


def test_an_edited_post_is_the_same_mention_with_the_new_text() -> None:
    edited = accepted(adapt(AdapterSource.META, load("meta_page_feed.json"))[3])

    assert edited["external_id"] == POST_ID
    assert edited["text"] == (
        "Waarom kan ik al de hele ochtend niet pinnen? Dit is de derde keer deze maand! "
        "(update: werkt weer)"
    )


def test_reactions_removals_and_comments_without_text_are_skipped_with_a_reason() -> None:
    items = adapt(AdapterSource.META, load("meta_page_feed.json"))

    assert len(items) == 7
    assert [(item.native_id, item.error) for item in items[4:]] == [
        (POST_ID, "item 'reaction' is not a post or comment"),
        ("987654321012345_1122334455667788", "verb 'remove': the comment was deleted"),
        ("987654321012345_3344556677889900", "no `message`"),
    ]
    assert all(item.mention is None for item in items[4:])


def test_instagram_comments_become_instagram_mentions_dated_by_the_notification() -> None:
    payload = load("meta_instagram.json")
    items = adapt(AdapterSource.META, payload)

    assert accepted(items[0]) == {
        "platform": "instagram",
        "external_id": "17865799348089039",
        "url": None,
        "text": "Al twee dagen geen bezorging, en niemand reageert op mijn DM’s 😞",  # noqa: RUF001 - as typed
        "language": None,
        "created_at": "2026-11-28T09:20:00+00:00",
        "author": nobody(handle="lisa.jansen", url="https://www.instagram.com/lisa.jansen/"),
        "in_reply_to": None,
        "thread_id": "18023345678901234",
        "engagement": counts(),
    }
    assert raw_of(items[0]) == payload["entry"][0]["changes"][0]["value"]
    reply = accepted(items[1])
    assert reply["in_reply_to"] == "17865799348089039"
    assert reply["author"] == nobody(handle="banknl", url="https://www.instagram.com/banknl/")
    live = accepted(items[2])
    assert (live["external_id"], live["thread_id"], live["created_at"]) == (
        "17865799348089111",
        "18030000000000001",
        "2026-11-28T09:30:00+00:00",
    )


def test_instagram_mention_notices_and_blank_comments_are_skipped_with_a_reason() -> None:
    items = adapt(AdapterSource.META, load("meta_instagram.json"))

    assert [(item.native_id, item.error) for item in items[3:]] == [
        (
            "17865799348089222",
            "an @mention notice carries only `comment_id` and `media_id`, no text: "
            "fetch the comment to ingest it",
        ),
        ("17865799348089333", "no text"),
    ]


def test_millisecond_entry_times_are_read_as_milliseconds() -> None:
    payload: JsonValue = {
        "object": "instagram",
        "entry": [
            {
                "id": "1",
                "time": 1795857600123,
                "changes": [{"field": "comments", "value": {"id": "9", "text": "Top service!"}}],
            }
        ],
    }

    assert accepted(adapt(AdapterSource.META, payload)[0])["created_at"] == (
        "2026-11-28T09:20:00.123000+00:00"
    )


def test_messenger_entries_are_skipped_not_failed() -> None:
    payload: JsonValue = {
        "object": "page",
        "entry": [{"id": "104522335567890", "time": 1795857600, "messaging": [{"message": {}}]}],
    }

    (item,) = adapt(AdapterSource.META, payload)
    assert item.error == "an entry without `changes` (not a feed change)"
    assert item.native_id == "104522335567890"


@pytest.mark.parametrize(
    ("payload", "found"),
    [
        ([], "got a list"),
        ({"entry": []}, "got an object with keys `entry`"),
        (
            {"object": "user", "entry": []},
            "expected `object` to be 'page' or 'instagram', got 'user'",
        ),
        ({"object": "page", "entry": {}}, "got an object with keys `object`, `entry`"),
    ],
)
def test_payloads_of_another_shape_are_not_recognized(payload: JsonValue, found: str) -> None:
    with pytest.raises(PayloadNotRecognized) as raised:
        adapt(AdapterSource.META, payload)

    assert found in str(raised.value)


def test_a_graph_api_date_string_is_read_with_its_offset() -> None:
    payload: JsonValue = {
        "object": "page",
        "entry": [
            {
                "id": "1",
                "time": 1795857600,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "item": "post",
                            "verb": "add",
                            "post_id": "1_2",
                            "message": "Hallo",
                            "created_time": "2026-11-28T10:18:00+0100",
                        },
                    }
                ],
            }
        ],
    }

    mention = accepted(adapt(AdapterSource.META, payload)[0])
    assert mention["created_at"] == "2026-11-28T09:18:00+00:00"
    assert mention["url"] == "https://www.facebook.com/1/posts/2"
