"""Mastodon Status entities to mentions, HTML content as plain text."""

from __future__ import annotations

import pytest
from pydantic import JsonValue

from services.ingest.adapters import AdapterSource, PayloadNotRecognized, adapt
from tests.ingest_adapters.helpers import accepted, counts, load, nobody, raw_of


def test_a_status_becomes_a_mention_with_its_html_as_plain_text() -> None:
    payload = load("mastodon_statuses.json")
    items = adapt(AdapterSource.MASTODON, payload)

    assert [item.native_id for item in items] == [
        "113555000000000001",
        "113555000000000002",
        "113554999999999999",
        "113555000000000004",
        "113555000000000005",
    ]
    assert accepted(items[0]) == {
        "platform": "mastodon",
        "external_id": "113555000000000001",
        "url": "https://mastodon.nl/@annemiek/113555000000000001",
        "text": (
            "Storing bij @banknl & niemand die iets zegt.\n"
            "Status: https://status.example.nl/incidenten/2026-11-28-inloggen\n\n"
            '#storing "weer" <3x> deze maand'
        ),
        "language": "nl",
        "created_at": "2026-11-28T09:15:00+00:00",
        "author": nobody(
            handle="annemiek@mastodon.nl",
            name="Annemiek ✨",
            followers=2310,
            bio="Schrijft over geld & consumentenzaken.\nZij/haar",
            url="https://mastodon.nl/@annemiek",
        ),
        "in_reply_to": None,
        "thread_id": None,
        # shares are boosts plus quotes
        "engagement": counts(likes=14, shares=6, replies=2),
    }
    assert raw_of(items[0]) == payload[0]


def test_a_reply_from_a_remote_account_keeps_the_full_acct() -> None:
    mention = accepted(adapt(AdapterSource.MASTODON, load("mastodon_statuses.json"))[1])

    assert mention == {
        "platform": "mastodon",
        "external_id": "113555000000000002",
        "url": "https://mastodon.social/@banknl/113555000099999999",
        "text": "@annemiek Sorry! We werken eraan, excuses voor het ongemak.",
        "language": "nl",
        "created_at": "2026-11-28T09:20:30+00:00",
        "author": nobody(
            handle="banknl@mastodon.social",
            name="BankNL",
            followers=880,
            url="https://mastodon.social/@banknl",
        ),
        "in_reply_to": "113555000000000001",
        "thread_id": None,
        "engagement": counts(likes=3),
    }


def test_a_boost_is_the_boosted_status_with_its_content_warning_leading() -> None:
    payload = load("mastodon_statuses.json")
    item = adapt(AdapterSource.MASTODON, payload)[2]

    assert accepted(item) == {
        "platform": "mastodon",
        "external_id": "113554999999999999",
        "url": "https://tooting.example/@ruud/113554999999999999",
        "text": "Klacht, lang\n\nDrie weken wachten op een nieuwe pas…\n\n- geen mail\n- geen brief",
        "language": "nl",
        "created_at": "2026-11-28T08:59:00+00:00",
        "author": nobody(
            handle="ruud@tooting.example",
            name="Ruud",
            followers=51,
            url="https://tooting.example/@ruud",
        ),
        "in_reply_to": None,
        "thread_id": None,
        "engagement": counts(likes=20, shares=7, replies=1),
    }
    assert raw_of(item) == payload[2]["reblog"]


def test_a_status_with_only_required_fields_falls_back_to_uri_and_username() -> None:
    # Without `account.url` the server of a local `acct` is unknown: the handle stays as given.
    mention = accepted(adapt(AdapterSource.MASTODON, load("mastodon_statuses.json"))[3])

    assert mention == {
        "platform": "mastodon",
        "external_id": "113555000000000004",
        "url": "https://mastodon.nl/users/piet/statuses/113555000000000004",
        "text": "kan iemand inloggen?",
        "language": None,
        "created_at": "2026-11-28T09:45:00+00:00",
        "author": nobody(handle="piet", name="piet"),
        "in_reply_to": None,
        "thread_id": None,
        "engagement": counts(),
    }


def test_a_media_only_status_is_rejected() -> None:
    item = adapt(AdapterSource.MASTODON, load("mastodon_statuses.json"))[4]

    assert item.mention is None
    assert item.error == "no text (no `content` or `spoiler_text`)"


def test_one_status_and_a_search_result_are_accepted_too() -> None:
    statuses = load("mastodon_statuses.json")
    search: JsonValue = {"accounts": [], "statuses": statuses[:2], "hashtags": []}

    assert [item.native_id for item in adapt(AdapterSource.MASTODON, statuses[1])] == [
        "113555000000000002"
    ]
    assert [item.native_id for item in adapt(AdapterSource.MASTODON, search)] == [
        "113555000000000001",
        "113555000000000002",
    ]


@pytest.mark.parametrize(
    ("payload", "found"),
    [
        ({"data": []}, "got an object with keys `data`"),
        ("<p>hoi</p>", "got a string"),
        (None, "got null"),
    ],
)
def test_payloads_of_another_shape_are_not_recognized(payload: JsonValue, found: str) -> None:
    with pytest.raises(PayloadNotRecognized, match="expected a Mastodon Status") as raised:
        adapt(AdapterSource.MASTODON, payload)

    assert found in str(raised.value)
