"""Reddit listings (search, feeds) and comment pages to mentions."""

from __future__ import annotations

import pytest
from pydantic import JsonValue

from services.ingest.adapters import AdapterSource, PayloadNotRecognized, adapt
from tests.ingest_adapters.helpers import accepted, counts, load, nobody, raw_of

PERMALINK = (
    "https://www.reddit.com/r/thenetherlands/comments/1h2post/banknl_bevestigt_storing_in_de_app/"
)


def test_a_self_post_is_title_and_body_dated_from_created_utc() -> None:
    payload = load("reddit_search.json")
    items = adapt(AdapterSource.REDDIT, payload)

    assert accepted(items[0]) == {
        "platform": "reddit",
        "external_id": "t3_1h1x2y3",
        "url": "https://www.reddit.com/r/thenetherlands/comments/1h1x2y3/storing_bij_banknl/",
        "text": (
            "Storing bij BankNL?\n\nSinds vanochtend kan ik niet meer inloggen bij BankNL. "
            "Iemand anders ook?\n\nEdit: het ligt dus aan hun kant."
        ),
        "language": None,
        "created_at": "2026-11-28T09:15:00+00:00",
        "author": nobody(handle="kaaskop_2000", url="https://www.reddit.com/user/kaaskop_2000"),
        "in_reply_to": None,
        "thread_id": "t3_1h1x2y3",
        "engagement": counts(likes=128, replies=57),
    }
    assert raw_of(items[0]) == payload["data"]["children"][0]["data"]


def test_a_removed_body_and_deleted_author_keep_the_title_and_clamp_a_negative_score() -> None:
    mention = accepted(adapt(AdapterSource.REDDIT, load("reddit_search.json"))[1])

    assert mention == {
        "platform": "reddit",
        "external_id": "t3_1h1zz99",
        "url": (
            "https://www.reddit.com/r/Netherlands/comments/1h1zz99/"
            "banknl_down_again_3rd_time_this_month/"
        ),
        "text": "BankNL down again — 3rd time this month 🤦",
        "language": None,
        "created_at": "2026-11-28T09:30:00.500000+00:00",
        "author": nobody(),
        "in_reply_to": None,
        "thread_id": "t3_1h1zz99",
        "engagement": counts(),
    }


def test_a_post_without_title_or_body_is_rejected() -> None:
    item = adapt(AdapterSource.REDDIT, load("reddit_search.json"))[2]

    assert (item.native_id, item.error, item.mention) == (
        "t3_1h1empt",
        "no `title` or `selftext`",
        None,
    )


def test_a_comment_page_yields_the_post_and_its_comment_tree_depth_first() -> None:
    payload = load("reddit_comments.json")
    items = adapt(AdapterSource.REDDIT, payload)

    assert [item.native_id for item in items] == [
        "t3_1h2post",
        "t1_m1aaaaa",
        "t1_m1bbbbb",
        "t1_m1ccccc",
        "t1_m1ddddd",
    ]
    assert accepted(items[0])["text"] == "BankNL bevestigt storing in de app"
    assert accepted(items[0])["engagement"] == counts(likes=311, replies=4)
    assert accepted(items[1]) == {
        "platform": "reddit",
        "external_id": "t1_m1aaaaa",
        "url": f"{PERMALINK}m1aaaaa/",
        "text": "Eindelijk geven ze het toe. Ik heb er twee uur in de wacht gestaan.",
        "language": None,
        "created_at": "2026-11-28T10:05:00+00:00",
        "author": nobody(handle="fietser_010", url="https://www.reddit.com/user/fietser_010"),
        "in_reply_to": "t3_1h2post",
        "thread_id": "t3_1h2post",
        "engagement": counts(likes=95),
    }
    # Each comment keeps only its own data: the nested replies are items of their own.
    comment_data = payload[1]["data"]["children"][0]["data"]
    assert raw_of(items[1]) == {k: v for k, v in comment_data.items() if k != "replies"}


def test_a_nested_reply_points_at_its_parent_comment_and_has_reddit_escapes_undone() -> None:
    mention = accepted(adapt(AdapterSource.REDDIT, load("reddit_comments.json"))[2])

    assert mention == {
        "platform": "reddit",
        "external_id": "t1_m1bbbbb",
        "url": f"{PERMALINK}m1bbbbb/",
        "text": "Twee uur? Ik drie 😅 & toen viel de verbinding weg.",
        "language": None,
        "created_at": "2026-11-28T10:07:00+00:00",
        "author": nobody(handle="Zoe_uit_Gent", url="https://www.reddit.com/user/Zoe_uit_Gent"),
        "in_reply_to": "t1_m1aaaaa",
        "thread_id": "t3_1h2post",
        "engagement": counts(likes=12),
    }


def test_deleted_comments_and_more_stubs_are_skipped_with_a_reason() -> None:
    items = adapt(AdapterSource.REDDIT, load("reddit_comments.json"))

    assert [item.error for item in items[3:]] == [
        "the comment was deleted",
        "a `more` stub: 2 comments not loaded in this listing",
    ]


@pytest.mark.parametrize(
    ("payload", "found"),
    [
        ({"data": {"children": []}}, "got an object with keys `data`"),
        ([], "got an empty list"),
        ([{"kind": "Listing", "data": {"children": []}}, "x"], "got a string"),
        ({"kind": "t3", "data": {}}, "got an object with keys `kind`, `data`"),
    ],
)
def test_payloads_of_another_shape_are_not_recognized(payload: JsonValue, found: str) -> None:
    with pytest.raises(PayloadNotRecognized, match="expected a Reddit Listing") as raised:
        adapt(AdapterSource.REDDIT, payload)

    assert found in str(raised.value)


def _comment(number: int, replies: JsonValue, created_utc: float | None = None) -> JsonValue:
    return {
        "kind": "t1",
        "data": {
            "name": f"t1_c{number}",
            "body": f"reactie {number}",
            "link_id": "t3_deep",
            "parent_id": f"t1_c{number - 1}" if number else "t3_deep",
            "created_utc": 1795860000 + number if created_utc is None else created_utc,
            "replies": replies,
        },
    }


def test_a_reply_chain_deeper_than_the_recursion_limit_is_walked_in_order() -> None:
    depth = 3000
    node: JsonValue = ""
    for number in reversed(range(depth)):
        node = _comment(number, {"kind": "Listing", "data": {"children": [node] if node else []}})
    payload: JsonValue = {"kind": "Listing", "data": {"children": [node]}}

    items = adapt(AdapterSource.REDDIT, payload)

    assert [item.native_id for item in items] == [f"t1_c{number}" for number in range(depth)]
    assert accepted(items[-1])["in_reply_to"] == f"t1_c{depth - 2}"


def test_a_created_utc_outside_the_calendar_rejects_the_item() -> None:
    comment = _comment(1, "", created_utc=1e300)
    payload: JsonValue = {"kind": "Listing", "data": {"children": [comment]}}

    (item,) = adapt(AdapterSource.REDDIT, payload)
    assert item.error == "no valid `created_utc` (Unix seconds)"
