"""Topic tagging of the worker's tenant profile (pure): queries, languages, known accounts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.sentiment.nlp.stakeholders import StakeholderType
from services.sentiment.nlp.topics import compile_query
from services.sentiment.topics.service import TenantProfile, build_profile
from services.sentiment.topics.tables import KnownAccount, Topic

pytestmark = pytest.mark.sqlite  # pure: no database, runs everywhere

NOW = datetime(2026, 11, 28, tzinfo=UTC)
QUERIES = {
    "acme": ('acme OR @acme OR "acme app"', []),
    "outage": ("storing* OR outage OR #down", ["nl", "en"]),
    "leak-nl": ("datalek -test", ["nl"]),
}
TEXTS = [
    ("Alweer een storing bij Acme", "piet", "nl"),
    ("@acme your app is down #down", None, "en"),
    ("Datalek bij de bank", "kees", "nl"),
    ("Datalek test, niets aan de hand", None, "nl"),
    ("Datalek bei der Bank", None, "de"),
    ("Niets te melden", "acme", "nl"),
    ("Café Ácme déjà vu", None, "fr"),
]


def _profile() -> TenantProfile:
    topics = [
        Topic(id=name, tenant="t", kind="brand", name=name, query=query, languages=languages,
              created_at=NOW, updated_at=NOW)
        for name, (query, languages) in QUERIES.items()
    ]  # fmt: skip
    accounts = [
        KnownAccount(id="1", tenant="t", platform="", handle="kees", stakeholder="media",
                     updated_at=NOW),
        KnownAccount(id="2", tenant="t", platform="linkedin", handle="kees",
                     stakeholder="investor", updated_at=NOW),
    ]  # fmt: skip
    return build_profile(topics, accounts)


def test_tags_match_the_query_language_one_text_at_a_time() -> None:
    profile = _profile()
    for text, handle, language in TEXTS:
        expected = [
            name
            for name, (query, languages) in sorted(QUERIES.items())
            if (not languages or language in languages)
            and compile_query(query).matches(text, handle)
        ]
        assert profile.tag(text, handle, language) == expected, text
    assert profile.tag(*TEXTS[0]) == ["acme", "outage"]
    assert profile.tag(*TEXTS[4]) == []
    assert profile.tag(*TEXTS[5]) == ["acme"]  # the author's handle


def test_platform_accounts_override_the_general_ones() -> None:
    profile = _profile()
    assert profile.accounts_for("x") == {"kees": StakeholderType.MEDIA}
    assert profile.accounts_for("linkedin") == {"kees": StakeholderType.INVESTOR}
