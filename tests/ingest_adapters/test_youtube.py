"""YouTube Data API v3: commentThreads.list responses to mentions, replies included."""

from __future__ import annotations

import pytest
from pydantic import JsonValue

from services.ingest.adapters import AdapterSource, PayloadNotRecognized, adapt
from tests.ingest_adapters.helpers import accepted, counts, load, nobody, raw_of

THREAD = "UgzDE2tasfmrYLyNkGt4AaABAg"
REPLY = f"{THREAD}.9rTfX3nJkQw9rTg0aBcDeF"


def test_the_top_level_comment_becomes_a_mention_with_the_thread_reply_count() -> None:
    payload = load("youtube_comment_threads.json")
    items = adapt(AdapterSource.YOUTUBE, payload)

    assert [item.native_id for item in items] == [
        THREAD,
        REPLY,
        f"{THREAD}.9rTfX3nJkQw9rTg9ZzYyXx",
        "UgxKREWxIgDrw8w2e_Z4AaABAg",
        "UgyQ9nRrP3uVwXyZ1AbC4AaABAg",
    ]
    assert accepted(items[0]) == {
        "platform": "youtube",
        "external_id": THREAD,
        "url": f"https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc={THREAD}",
        "text": "Sinds de update crasht de app bij het openen & support reageert niet. Jammer!",
        "language": None,
        "created_at": "2026-11-28T08:30:12+00:00",
        "author": nobody(
            handle="MarloesVisser",
            name="@MarloesVisser",
            url="https://www.youtube.com/@MarloesVisser",
        ),
        "in_reply_to": None,
        "thread_id": THREAD,
        "engagement": counts(likes=42, replies=3),
    }
    # The thread without its replies: each reply is an item with its own raw.
    expected_raw = {key: value for key, value in payload["items"][0].items() if key != "replies"}
    assert raw_of(items[0]) == expected_raw


def test_replies_become_mentions_in_reply_to_the_top_level_comment() -> None:
    payload = load("youtube_comment_threads.json")
    items = adapt(AdapterSource.YOUTUBE, payload)

    assert accepted(items[1]) == {
        "platform": "youtube",
        "external_id": REPLY,
        "url": f"https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc={REPLY}",
        "text": "Bij mij precies hetzelfde 😩",
        "language": None,
        "created_at": "2026-11-28T08:41:55+00:00",
        "author": nobody(
            handle="thijs.nl", name="@thijs.nl", url="https://www.youtube.com/@thijs.nl"
        ),
        "in_reply_to": THREAD,
        "thread_id": THREAD,
        "engagement": counts(likes=3),
    }
    assert raw_of(items[1]) == payload["items"][0]["replies"]["comments"][0]


def test_a_reply_without_text_is_rejected() -> None:
    item = adapt(AdapterSource.YOUTUBE, load("youtube_comment_threads.json"))[2]

    assert item.mention is None
    assert item.error == "no text"


def test_a_comment_with_only_html_text_and_no_channel_url_falls_back_gracefully() -> None:
    mention = accepted(adapt(AdapterSource.YOUTUBE, load("youtube_comment_threads.json"))[3])

    assert mention == {
        "platform": "youtube",
        "external_id": "UgxKREWxIgDrw8w2e_Z4AaABAg",
        "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgxKREWxIgDrw8w2e_Z4AaABAg",
        "text": "Goede uitleg, dank je!\nEindelijk snap ik het.",
        "language": None,
        "created_at": "2026-11-27T19:02:00+00:00",
        "author": nobody(
            name="Oma Truus", url="https://www.youtube.com/channel/UCa1B2c3D4e5F6g7H8i9J0kL"
        ),
        "in_reply_to": None,
        "thread_id": "UgxKREWxIgDrw8w2e_Z4AaABAg",
        "engagement": counts(),
    }


def test_non_latin_text_passes_through_unchanged() -> None:
    mention = accepted(adapt(AdapterSource.YOUTUBE, load("youtube_comment_threads.json"))[4])

    assert mention["text"] == "日本からも見ています！素晴らしい 🎉"  # noqa: RUF001 - as typed
    assert mention["engagement"] == counts(likes=7)


def test_a_single_thread_and_a_comment_list_are_accepted_too() -> None:
    payload = load("youtube_comment_threads.json")
    thread = payload["items"][0]
    comments = {"kind": "youtube#commentListResponse", "items": thread["replies"]["comments"]}

    assert [item.native_id for item in adapt(AdapterSource.YOUTUBE, thread)] == [
        THREAD,
        REPLY,
        f"{THREAD}.9rTfX3nJkQw9rTg9ZzYyXx",
    ]
    from_list = adapt(AdapterSource.YOUTUBE, comments)
    assert accepted(from_list[0])["in_reply_to"] == THREAD
    assert accepted(from_list[0])["thread_id"] == THREAD


@pytest.mark.parametrize(
    ("payload", "found"),
    [
        (
            {"kind": "youtube#videoListResponse", "items": []},
            "got `kind` 'youtube#videoListResponse'",
        ),
        ({"items": []}, "got an object with keys `items`"),
        ([], "got a list"),
    ],
)
def test_payloads_of_another_shape_are_not_recognized(payload: JsonValue, found: str) -> None:
    with pytest.raises(PayloadNotRecognized, match="youtube#commentThreadListResponse") as raised:
        adapt(AdapterSource.YOUTUBE, payload)

    assert found in str(raised.value)


def test_plain_text_display_without_text_original_keeps_its_line_breaks() -> None:
    # textOriginal is only returned to the comment's author; with textFormat=plainText the
    # textDisplay is plain text and must not be read as HTML.
    thread = load("youtube_comment_threads.json")["items"][2]
    snippet = thread["snippet"]["topLevelComment"]["snippet"]
    del snippet["textOriginal"]
    snippet["textDisplay"] = "Regel één\nRegel twee <3 & meer"

    (item,) = adapt(AdapterSource.YOUTUBE, thread)
    assert accepted(item)["text"] == "Regel één\nRegel twee <3 & meer"
