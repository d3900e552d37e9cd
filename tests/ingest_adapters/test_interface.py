"""The contract the ingest router relies on: every item is a mention or an error, never both,
and every accepted mention validates as ``MentionIn``."""

from __future__ import annotations

import pytest

from services.ingest.adapters import AdaptedItem, AdapterSource, PayloadNotRecognized, adapt
from services.ingest.mentions.schemas import MentionIn
from tests.ingest_adapters.helpers import load

FIXTURES = [
    (AdapterSource.X, "x_search_recent.json", 5, 2),
    (AdapterSource.X, "x_stream_message.json", 1, 0),
    (AdapterSource.META, "meta_page_feed.json", 4, 3),
    (AdapterSource.META, "meta_instagram.json", 3, 2),
    (AdapterSource.YOUTUBE, "youtube_comment_threads.json", 4, 1),
    (AdapterSource.REDDIT, "reddit_search.json", 2, 1),
    (AdapterSource.REDDIT, "reddit_comments.json", 3, 2),
    (AdapterSource.MASTODON, "mastodon_statuses.json", 4, 1),
    (AdapterSource.BLUESKY, "bluesky_search_posts.json", 3, 1),
    (AdapterSource.BLUESKY, "bluesky_author_feed.json", 1, 1),
]


@pytest.mark.parametrize(("source", "fixture", "mentions", "errors"), FIXTURES)
def test_every_fixture_item_is_a_valid_mention_or_a_reasoned_rejection(
    source: AdapterSource, fixture: str, mentions: int, errors: int
) -> None:
    items = adapt(source, load(fixture))

    accepted = [item for item in items if item.mention is not None]
    rejected = [item for item in items if item.error is not None]
    assert (len(accepted), len(rejected)) == (mentions, errors)
    for item in accepted:
        validated = MentionIn.model_validate(item.mention)
        assert validated.created_at.utcoffset() is not None
        assert validated.external_id == item.native_id
        assert validated.raw
    assert all(item.error for item in rejected)


@pytest.mark.parametrize(("source", "fixture", "mentions", "errors"), FIXTURES)
def test_the_same_payload_maps_to_the_same_items(
    source: AdapterSource, fixture: str, mentions: int, errors: int
) -> None:
    assert adapt(source, load(fixture)) == adapt(source, load(fixture))


def test_an_item_is_a_mention_or_an_error_never_both_or_neither() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        AdaptedItem(mention=None, error=None, native_id="1")
    with pytest.raises(ValueError, match="exactly one"):
        AdaptedItem(mention={"text": "x"}, error="no", native_id="1")


def test_the_source_may_be_given_as_its_string_value() -> None:
    items = adapt(AdapterSource("reddit"), load("reddit_search.json"))

    assert items[0].native_id == "t3_1h1x2y3"


@pytest.mark.parametrize("source", list(AdapterSource))
def test_a_payload_of_another_source_is_not_recognized(source: AdapterSource) -> None:
    # A Reddit listing is nobody else's shape, and for Reddit a Bluesky response is not either.
    other = "bluesky_search_posts.json" if source is AdapterSource.REDDIT else "reddit_search.json"

    with pytest.raises(PayloadNotRecognized, match=r"expected .*, got "):
        adapt(source, load(other))
