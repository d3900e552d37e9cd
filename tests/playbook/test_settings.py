"""Deployment settings reach the packages the playbook service embeds."""

from __future__ import annotations

import pytest

from services.playbook.settings import PlaybookSettings


def test_service_urls_and_incident_link_reach_drills_and_notifications(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("INGEST_URL", "http://ingest-api:8001")
    monkeypatch.setenv("SENTIMENT_URL", "http://sentiment-api:8002")
    monkeypatch.setenv("INCIDENT_URL_TEMPLATE", "https://warroom.example/{incident_id}")
    monkeypatch.setenv("ALLOW_PRIVATE_WEBHOOK_TARGETS", "true")
    settings = PlaybookSettings()
    assert settings.drills.ingest_url == "http://ingest-api:8001"
    assert settings.drills.sentiment_url == "http://sentiment-api:8002"
    assert settings.notifications.incident_url_template == "https://warroom.example/{incident_id}"
    assert settings.notifications.allow_private_targets is True


def test_an_explicit_drill_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_URL", "http://ingest-api:8001")
    settings = PlaybookSettings(drills={"ingest_url": "http://elsewhere:9000"})  # type: ignore[arg-type]
    assert settings.drills.ingest_url == "http://elsewhere:9000"
