"""Runtime settings from `B2CONNECT_*` environment variables (pydantic-settings).

`get_settings()` builds them once per process; nothing reads the environment at import time.
"""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    """Where the hub runs. Production refuses demo secrets and demo partners."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


def _default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'var' / 'b2connect.db'}"


def _default_mappings_dir() -> Path:
    from mappings.engine import default_mappings_root  # noqa: PLC0415 - keeps import light

    return default_mappings_root()


class Settings(BaseSettings):
    """Every knob of the gateway, read from `B2CONNECT_<NAME>` variables or a `.env` file."""

    model_config = SettingsConfigDict(
        env_prefix="B2CONNECT_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Environment = Environment.DEVELOPMENT
    """`production` refuses demo secrets (`demo:` references) and demo partners."""
    database_url: str = Field(default_factory=_default_database_url)
    """SQLAlchemy URL: `sqlite:///var/b2connect.db` by default, `postgresql+psycopg://...` in
    production."""
    database_pool_size: Annotated[int, Field(ge=1)] = 10
    """Connections kept per process (PostgreSQL)."""
    ingest_threads: Annotated[int, Field(ge=1, le=64)] = 4
    """Documents processed at once per worker process. More threads than this only queue on the
    GIL and the connection pool; fewer leaves the database round trips unoverlapped."""
    mappings_dir: Path = Field(default_factory=_default_mappings_dir)
    """Root of the mappings tree: partner profiles, code lists, cross-references."""
    cxml_dtd_dir: Path | None = None
    """Directory of official schemas connectors validate against (cXML DTDs,
    `<version>/<Family>.dtd`); when set, inbound cXML is validated and the result recorded, and
    outbound documents are checked before sending."""
    profile_recheck_seconds: Annotated[float, Field(ge=0, le=3600)] = 1.0
    """How often a running worker looks at a partner's profile file again: a changed profile
    takes effect within this time, without a restart (0: on every request)."""
    max_body_bytes: Annotated[int, Field(ge=1024)] = 10 * 1024 * 1024
    """Largest request body any ingress accepts; larger ones get a 413 in the sender's protocol."""
    hostname: str = "b2connect.local"
    """Host part of the ids the hub mints (cXML payloadIDs)."""
    outbound_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 30.0
    """Read timeout of one outbound delivery (connect timeout: 10 s)."""
    outbox_max_attempts: Annotated[int, Field(ge=1, le=100)] = 12
    """Attempts before an undeliverable document becomes a dead letter (about 4 hours with
    the default backoff)."""
    outbox_senders: Annotated[int, Field(ge=1, le=64)] = 8
    """Documents a dispatcher sends at once."""
    admin_token: SecretStr | None = None
    """Bearer token for the operator endpoints (orders, documents, dead letters). Optional in
    development; required in production."""

    @field_validator("admin_token", mode="before")
    @classmethod
    def _empty_token_is_no_token(cls, value: object) -> object:
        # Compose and shells turn an unset variable into "": that must not mean "no password".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("cxml_dtd_dir")
    @classmethod
    def _dtd_dir_exists(cls, value: Path | None) -> Path | None:
        # Checked at start-up, not when the first document needs it.
        if value is not None and not value.is_dir():
            msg = f"B2CONNECT_CXML_DTD_DIR {value} is not a directory"
            raise ValueError(msg)
        return value

    @field_validator("admin_token")
    @classmethod
    def _token_is_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            msg = "B2CONNECT_ADMIN_TOKEN must be at least 16 characters"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _production_is_locked_down(self) -> Settings:
        if self.is_production and self.admin_token is None:
            msg = "B2CONNECT_ADMIN_TOKEN is required when B2CONNECT_ENVIRONMENT=production"
            raise ValueError(msg)
        return self

    @property
    def is_production(self) -> bool:
        """True when demo material must be refused."""
        return self.environment is Environment.PRODUCTION


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, built on first use."""
    return Settings()
