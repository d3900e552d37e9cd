"""X API v2: search/lookup responses and filtered-stream messages to mentions."""

from __future__ import annotations

import pytest
from pydantic import JsonValue

from services.ingest.adapters import AdapterSource, PayloadNotRecognized, adapt
from tests.ingest_adapters.helpers import accepted, counts, load, nobody, raw_of

JAN = nobody(
    handle="jdevries",
    name="Jan de Vries",
    followers=18250,
    verified=True,
    bio="Journalist bij een landelijke krant. Tips: jan@example.nl",
    url="https://x.com/jdevries",
)
BANKNL = nobody(
    handle="BankNL",
    name="BankNL",
    followers=120400,
    verified=True,
    bio="Het officiële account van BankNL. Wij helpen je ma–vr 8–20 uur.",  # noqa: RUF001 - as typed
    url="https://x.com/BankNL",
)


def test_search_response_maps_every_tweet_in_order_with_its_author_from_includes() -> None:
    payload = load("x_search_recent.json")
    items = adapt(AdapterSource.X, payload)

    assert [item.native_id for item in items] == [
        "1862451937123456789",
        "1862453318871234561",
        "1862460001112223334",
        "1862470000000000001",
        "1862471234567890123",
        "1862465550000000001",
        "1862450000000000000",
    ]
    assert accepted(items[0]) == {
        "platform": "x",
        "external_id": "1862451937123456789",
        "url": "https://x.com/jdevries/status/1862451937123456789",
        "text": "Alweer een storing bij @BankNL, al 3 uur kan ik niet inloggen 😡 #storing",
        "language": "nl",
        "created_at": "2026-11-28T09:15:00+00:00",
        "author": JAN,
        "in_reply_to": None,
        "thread_id": "1862451937123456789",
        # shares are retweets plus quotes; views are impressions
        "engagement": counts(likes=87, shares=15, replies=4, views=5120),
    }
    assert raw_of(items[0]) == payload["data"][0]


def test_a_reply_points_at_the_replied_to_tweet_and_keeps_the_conversation() -> None:
    items = adapt(AdapterSource.X, load("x_search_recent.json"))

    assert accepted(items[1]) == {
        "platform": "x",
        "external_id": "1862453318871234561",
        "url": "https://x.com/emilie_tulp/status/1862453318871234561",
        "text": "@jdevries Hier ook. Zelfs de klantenservice neemt niet op… 🙄",
        "language": "nl",
        "created_at": "2026-11-28T09:21:41+00:00",
        "author": nobody(
            handle="emilie_tulp", name="Émilie 🌷", followers=142, url="https://x.com/emilie_tulp"
        ),
        "in_reply_to": "1862451937123456789",
        "thread_id": "1862451937123456789",
        "engagement": counts(likes=5, views=311),
    }


def test_a_long_post_takes_its_full_text_from_note_tweet() -> None:
    payload = load("x_search_recent.json")
    mention = accepted(adapt(AdapterSource.X, payload)[2])

    assert mention["text"] == payload["data"][2]["note_tweet"]["text"]
    assert isinstance(mention["text"], str) and mention["text"].endswith("niets opnieuw te doen.")
    assert mention["author"] == BANKNL
    assert mention["engagement"] == counts(likes=230, shares=50, replies=56, views=48211)


def test_a_tweet_with_only_default_fields_still_becomes_a_mention() -> None:
    mention = accepted(adapt(AdapterSource.X, load("x_search_recent.json"))[3])

    assert mention == {
        "platform": "x",
        "external_id": "1862470000000000001",
        "url": "https://x.com/i/web/status/1862470000000000001",
        "text": "storing???",
        "language": None,
        "created_at": "2026-11-28T10:40:00+00:00",
        "author": nobody(),
        "in_reply_to": None,
        "thread_id": None,
        "engagement": counts(),
    }


def test_a_tweet_without_created_at_and_a_missing_tweet_are_rejected_items() -> None:
    items = adapt(AdapterSource.X, load("x_search_recent.json"))

    assert items[4].mention is None
    assert items[4].error == "no valid `created_at` (an ISO-8601 timestamp with a zone)"
    # The suspended user in `errors` concerns an expansion, not an item: it is left out.
    assert len(items) == 7
    assert items[6].mention is None
    assert items[6].error == (
        "X reported Not Found Error: Could not find tweet with ids: [1862450000000000000]."
    )


def test_a_retweet_is_the_retweeted_tweet_from_includes() -> None:
    payload = load("x_search_recent.json")
    item = adapt(AdapterSource.X, payload)[5]

    assert accepted(item) == {
        "platform": "x",
        "external_id": "1862465550000000001",
        "url": "https://x.com/BankNL/status/1862465550000000001",
        "text": (
            "De storing is verholpen. Alle diensten werken weer normaal. Dank voor jullie geduld, "
            "en nogmaals excuses voor de overlast die dit heeft veroorzaakt bij het pinnen en "
            "inloggen."
        ),
        "language": "nl",
        "created_at": "2026-11-28T10:45:00+00:00",
        "author": BANKNL,
        "in_reply_to": None,
        "thread_id": "1862465550000000001",
        "engagement": counts(likes=140, shares=37, replies=12, views=20310),
    }
    assert raw_of(item) == payload["includes"]["tweets"][0]


def test_a_retweet_whose_original_is_not_included_stays_the_retweet() -> None:
    payload = load("x_search_recent.json")
    del payload["includes"]["tweets"]

    mention = accepted(adapt(AdapterSource.X, payload)[5])
    assert mention["external_id"] == "1862476543210987654"
    assert isinstance(mention["text"], str) and mention["text"].startswith("RT @BankNL: ")


def test_a_filtered_stream_message_carries_one_tweet_in_data() -> None:
    (item,) = adapt(AdapterSource.X, load("x_stream_message.json"))

    assert accepted(item) == {
        "platform": "x",
        "external_id": "1862480000000000042",
        "url": "https://x.com/jdevries/status/1862480000000000042",
        "text": "Eindelijk weer online. Bedankt @BankNL 👍",
        "language": "nl",
        "created_at": "2026-11-28T11:05:09+00:00",
        "author": nobody(
            handle="jdevries",
            name="Jan de Vries",
            followers=18251,
            verified=True,
            url="https://x.com/jdevries",
        ),
        "in_reply_to": None,
        "thread_id": "1862480000000000042",
        "engagement": counts(likes=9, shares=1, views=702),
    }


def test_undetermined_language_is_no_language() -> None:
    payload: JsonValue = {
        "data": {"id": "1", "text": "😂😂", "created_at": "2026-11-28T09:00:00Z", "lang": "und"}
    }

    assert accepted(adapt(AdapterSource.X, payload)[0])["language"] is None


def test_an_empty_search_result_is_no_items() -> None:
    assert adapt(AdapterSource.X, {"meta": {"result_count": 0}}) == []


@pytest.mark.parametrize(
    ("payload", "found"),
    [
        ([{"id": "1", "text": "hoi"}], "got a list"),
        ({"id": "1", "text": "hoi"}, "got an object with keys `id`, `text`"),
        ("hoi", "got a string"),
        (
            {"data": "hoi"},
            "expected `data` to be a tweet (an object with `id`) or a list, got a string",
        ),
        ({"kind": "Listing", "data": {"children": []}}, "got an object with keys `children`"),
    ],
)
def test_payloads_of_another_shape_are_not_recognized(payload: JsonValue, found: str) -> None:
    with pytest.raises(PayloadNotRecognized, match="expected") as raised:
        adapt(AdapterSource.X, payload)

    assert found in str(raised.value)


def test_errors_about_expanded_objects_are_not_items_but_stream_problems_are() -> None:
    payload: JsonValue = {
        "data": [{"id": "5", "text": "@a klopt", "created_at": "2026-11-28T09:00:00.000Z"}],
        "errors": [
            {
                "value": "4",
                "detail": "Could not find tweet with referenced_tweets.id: [4].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "referenced_tweets.id",
                "resource_id": "4",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            },
            {
                "title": "operational-disconnect",
                "disconnect_type": "UpstreamOperationalDisconnect",
                "detail": "This stream has been disconnected upstream for operational reasons.",
                "type": "https://api.twitter.com/2/problems/operational-disconnect",
            },
        ],
    }

    items = adapt(AdapterSource.X, payload)
    assert [(item.native_id, item.error) for item in items] == [
        ("5", None),
        (
            None,
            "X reported operational-disconnect: "
            "This stream has been disconnected upstream for operational reasons.",
        ),
    ]
