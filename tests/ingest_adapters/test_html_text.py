"""HTML to plain text, as Mastodon (and YouTube's textDisplay) need it."""

from __future__ import annotations

import pytest

from services.ingest.adapters.html_text import html_to_text


def test_a_truncated_mastodon_link_reads_as_the_full_url() -> None:
    html = (
        '<p>Zie <a href="https://www.example.nl/nieuws/2026/storing-banknl-opgelost" '
        'rel="nofollow noopener noreferrer" target="_blank"><span class="invisible">https://www.'
        '</span><span class="ellipsis">example.nl/nieuws/2026/storin</span><span class="invisible">'
        "g-banknl-opgelost</span></a></p>"
    )

    assert html_to_text(html) == "Zie https://www.example.nl/nieuws/2026/storing-banknl-opgelost"


def test_link_text_is_kept_and_the_href_is_not_added() -> None:
    assert html_to_text('<p>Lees <a href="https://example.nl/a">dit artikel</a>.</p>') == (
        "Lees dit artikel."
    )


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("regel één<br>regel twee<br/>regel drie<br />", "regel één\nregel twee\nregel drie"),
        ("<p>eerste alinea</p><p>tweede alinea</p>", "eerste alinea\n\ntweede alinea"),
        ("<p>a<br><br>b</p>", "a\n\nb"),
        ("<p>  veel \n   witruimte\t hier </p>", "veel witruimte hier"),
    ],
)
def test_line_and_paragraph_breaks(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_named_and_numeric_entities_are_decoded() -> None:
    html = "<p>Koffie &amp; thee &lt;3 &quot;lekker&quot; &#39;s ochtends &euro;2 &#x1F600; caf&eacute;</p>"

    assert html_to_text(html) == 'Koffie & thee <3 "lekker" \'s ochtends €2 😀 café'


def test_mentions_and_hashtags_keep_their_sigils() -> None:
    html = (
        '<p><span class="h-card"><a href="https://mastodon.nl/@jan" class="u-url mention">@'
        '<span>jan</span></a></span> kijk <a href="https://mastodon.nl/tags/Storing" '
        'class="mention hashtag" rel="tag">#<span>Storing</span></a></p>'
    )

    assert html_to_text(html) == "@jan kijk #Storing"


def test_scripts_and_styles_are_dropped_and_lists_become_lines() -> None:
    html = "<style>p{}</style><p>Punten:</p><ul><li>een</li><li>twee</li></ul><script>x()</script>"

    assert html_to_text(html) == "Punten:\n\n- een\n- twee"


def test_empty_and_tag_only_html_is_empty_text() -> None:
    assert html_to_text("") == ""
    assert html_to_text("<p></p><br>") == ""
