"""Typed settings, read once by the CLI or the app factory (never at import time)."""

from __future__ import annotations

import getpass

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from demine.store.engine import backend_of


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEMINE_", extra="ignore")

    database_url: str = Field(default="demine.db", description="A file path (SQLite) or postgresql://...")
    user: str = Field(default_factory=_default_user, description="Who the audit log names for CLI writes.")
    host: str = "127.0.0.1"
    port: int = 8000
    # Signs session and CSRF cookies. Required when serving beyond loopback; on loopback a missing key is replaced by
    # one generated per process (sessions then end when the server restarts), see demine.api.security.
    secret_key: SecretStr | None = Field(default=None, description="DEMINE_SECRET_KEY, at least 32 characters.")
    # The risk map the web map shows: `demine risk predict --publish` writes it, GET /api/risk/cells reads it.
    risk_layer: str = Field(default="demine-risk.gpkg", description="DEMINE_RISK_LAYER: GeoPackage of the latest "
                            "published risk prediction.")

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        backend_of(value)  # raises ConfigurationError listing the accepted forms
        return value

    @field_validator("host")
    @classmethod
    def _loopback_unless_asked(cls, value: str) -> str:
        if not value:
            raise ValueError("host must not be empty")
        return value
