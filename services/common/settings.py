"""Settings objects shared by every service.

Tests and the launcher construct these directly (``IngestSettings(database_url=...)``); environment
variables and mounted secret files are for deployments only.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_JWT_SECRET = "uitkijk-development-secret-change-me-in-production"


class TokenSettings(BaseSettings):
    """How bearer tokens are verified (and, for development, minted)."""

    model_config = SettingsConfigDict(env_prefix="JWT_", extra="ignore", secrets_dir=None)

    secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    #: ``RS256``, ``RS256,ES256`` or a JSON list.
    algorithms: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["HS256"])
    jwks_url: str | None = None
    issuer: str | None = None
    audience: str | None = None
    leeway_seconds: int = 30

    @field_validator("algorithms", mode="before")
    @classmethod
    def _split_algorithms(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return orjson.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value


class ServiceSettings(BaseSettings):
    """What every service needs: where its data lives, where the queue is, who may call it."""

    model_config = SettingsConfigDict(extra="ignore", env_nested_delimiter="__")

    service_name: str = "uitkijk"
    database_url: str = "sqlite+aiosqlite:///./data/uitkijk.db"
    #: PostgreSQL schema of this service; ignored on SQLite, where each service has its own file.
    database_schema: str | None = None
    redis_url: str = "redis://127.0.0.1:6379/0"
    #: Prefix of every Redis key this deployment uses (queues, health keys, pub/sub channels).
    queue_prefix: str = "uitkijk"
    redis_timeout_seconds: float = 2.0
    tokens: TokenSettings = Field(default_factory=TokenSettings)
    max_body_bytes: int = 16 * 1024 * 1024
    #: Requests per second and burst allowed per tenant; 0 turns rate limiting off.
    rate_limit_per_second: float = 200.0
    rate_limit_burst: int = 400
    log_level: str = "INFO"
    log_json: bool = True
    db_pool_size: int = 10
