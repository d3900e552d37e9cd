"""The launcher's choices: which Redis, which databases, which secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common.embedded_redis import redis_answers
from uitkijk import launcher


def test_redis_url_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://redis.internal:6379/2")
    url, embedded = launcher.choose_redis(tmp_path)
    assert (url, embedded) == ("redis://redis.internal:6379/2", None)


def test_an_embedded_redis_starts_when_none_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    # Pretend nothing answers on the default port; if something really does (as on CI), the
    # embedded server falls back to a free port.
    monkeypatch.setattr(launcher, "redis_answers", lambda **_: False)
    url, embedded = launcher.choose_redis(tmp_path)
    assert embedded is not None
    try:
        assert url == f"redis://127.0.0.1:{embedded.port}/0"
        assert redis_answers(port=embedded.port)
        assert embedded.process.poll() is None
        assert (tmp_path / "redis").is_dir()
    finally:
        embedded.stop()
    assert embedded.process.poll() is not None


def test_sqlite_files_per_service_unless_database_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    urls = launcher.database_urls(tmp_path)
    assert set(urls) == {"ingest", "sentiment", "playbook"}
    assert urls["ingest"].endswith(str((tmp_path / "ingest.db").resolve()))
    assert len(set(urls.values())) == 3
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@db/uitkijk")
    assert set(launcher.database_urls(tmp_path).values()) == {"postgresql+asyncpg://u@db/uitkijk"}


def test_the_development_secret_is_made_once_and_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    first = launcher.jwt_secret(tmp_path)
    assert len(first) >= 32
    assert launcher.jwt_secret(tmp_path) == first
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o077 == 0
