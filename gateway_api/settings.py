"""Runtime settings from `B2CONNECT_*` environment variables (pydantic-settings).

`get_settings()` builds them once per process; nothing reads the environment at import time.
Settings that cannot be used raise `SettingsError`: one sentence per problem, naming the
variable and what to do, never repeating a value (the admin token and the database password
are secrets; pydantic's own messages quote the input).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway_api.store.engine import display_url, parse_database_url

ENV_PREFIX = "B2CONNECT_"
MIN_TOKEN_LENGTH = 16


class SettingsError(Exception):
    """The settings cannot be used. Its text is one line of sentences, safe to print: it names
    variables, never their values."""


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
        env_prefix=ENV_PREFIX,
        env_file=".env",
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
    )

    environment: Environment = Environment.DEVELOPMENT
    """`production` refuses demo secrets (`demo:` references) and demo partners."""
    database_url: str = Field(default_factory=_default_database_url, repr=False)
    """SQLAlchemy URL: `sqlite:///var/b2connect.db` by default, `postgresql+psycopg://...` in
    production. Not in the repr (it may hold the password): see `database_display`."""
    database_pool_size: Annotated[int, Field(ge=1)] = 10
    """Connections kept per process (PostgreSQL)."""
    ingest_threads: Annotated[int, Field(ge=1, le=64)] = 2
    """Ingest writer threads per worker process (gateway_api/http/group_commit.py): each stores
    every body waiting in one transaction. Two let one group's commit overlap the next group's
    reading; more only queue on the GIL and the connection pool."""
    ingest_group_max: Annotated[int, Field(ge=1, le=1000)] = 64
    """Most bodies one ingest transaction stores (group commit); 1 turns grouping off."""
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
    pull_attempts: Annotated[int, Field(ge=1, le=20)] = 5
    """Tries of one pull request (with backoff, or the partner's Retry-After) before the pull of
    that partner stops for this run and the scheduler retries the run."""
    dead_letter_replays: Annotated[int, Field(ge=0, le=100)] = 6
    """Scheduled replays of a dead letter (5 min, 10 min, 20 min... apart) before it is
    parked for a person; 0 parks it on the first scheduled run. Manual replays always work."""
    retention_days: Annotated[int, Field(ge=1)] = 400
    """Raw bodies older than this are emptied by the retention job (metadata, size and sha256
    stay; bodies an open dead letter needs are kept). 400 days covers a year's audit."""
    reconciliation_window_days: Annotated[int, Field(ge=1)] = 90
    """Reconciliation looks at orders and outbox documents created in this many days before the
    run; findings about older data close (see docs/reconciliation.md)."""
    admin_token: SecretStr | None = None
    """Bearer token for the operator endpoints (orders, documents, dead letters). Optional in
    development when serving on loopback only; required in production and for any other bind."""
    demo_partners: bool | None = None
    """Serve the demo partners (`demo: true` profiles with published secrets). Default: on in
    development, off in production, where `true` is refused."""

    @field_validator("environment", mode="before")
    @classmethod
    def _known_environment(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() not in set(Environment):
            msg = (
                f"{ENV_PREFIX}ENVIRONMENT must be development or production "
                f"(got {value.strip()[:20]!r})"
            )
            raise ValueError(msg)
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _database_url_parses(cls, value: str) -> str:
        parse_database_url(value)  # DatabaseUrlError (a ValueError) says what is wrong
        return value

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
        if value is not None and len(value.get_secret_value()) < MIN_TOKEN_LENGTH:
            msg = (
                f"{ENV_PREFIX}ADMIN_TOKEN must be at least {MIN_TOKEN_LENGTH} characters "
                f"({_HOW_TO_MAKE_ONE})"
            )
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _production_is_locked_down(self) -> Settings:
        if self.is_production and self.admin_token is None:
            msg = (
                f"{ENV_PREFIX}ADMIN_TOKEN is required when {ENV_PREFIX}ENVIRONMENT=production "
                f"({_HOW_TO_MAKE_ONE})"
            )
            raise ValueError(msg)
        if self.is_production and self.demo_partners:
            msg = (
                f"{ENV_PREFIX}DEMO_PARTNERS=true is refused in production: their secrets are "
                f"published; unset it, or try the demo with {ENV_PREFIX}ENVIRONMENT=development"
            )
            raise ValueError(msg)
        return self

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # The URL may carry the password: show it masked (the token is a SecretStr already).
        yield from super().__repr_args__()
        yield "database_url", self.database_display

    @property
    def is_production(self) -> bool:
        """True when demo material must be refused."""
        return self.environment is Environment.PRODUCTION

    @property
    def serves_demo_partners(self) -> bool:
        """Whether `demo: true` profiles are served (see `demo_partners`)."""
        return not self.is_production if self.demo_partners is None else self.demo_partners

    @property
    def database_display(self) -> str:
        """The database URL with its password masked, for messages and logs."""
        return display_url(self.database_url)

    def check_bind(self, host: str) -> None:
        """Refuse to serve beyond this machine without an admin token: the operator endpoints
        (orders, documents with their raw bytes, replays) would be open to the network."""
        if self.admin_token is not None or is_loopback(host):
            return
        msg = (
            f"Refusing to serve on {host} without {ENV_PREFIX}ADMIN_TOKEN: anyone who can reach "
            f"it could read every order and replay dead letters. Set {ENV_PREFIX}ADMIN_TOKEN "
            f"({_HOW_TO_MAKE_ONE}) or serve on 127.0.0.1."
        )
        raise SettingsError(msg)


_HOW_TO_MAKE_ONE = "make one: python -c 'import secrets; print(secrets.token_urlsafe(32))'"


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (`127.0.0.0/8`, `::1`)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


def describe(error: ValidationError) -> str:
    """The errors of a `Settings` validation as sentences naming the variables, without the
    values pydantic would quote or its documentation URL."""
    sentences = []
    for problem in error.errors(include_url=False, include_input=False, include_context=False):
        message = str(problem["msg"]).removeprefix("Value error, ")
        location = [str(part) for part in problem["loc"]]
        variable = ENV_PREFIX + "_".join(location).upper() if location else ""
        if variable and variable not in message:
            message = f"{variable} is invalid: {message[:1].lower()}{message[1:]}"
        sentences.append(message.rstrip(".") + ".")
    return " ".join(sentences)


def load_settings() -> Settings:
    """Settings from the environment; `SettingsError` (safe to print) when they cannot be used."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(describe(error)) from None


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, built on first use; `SettingsError` when they cannot be used."""
    return load_settings()
