"""Settings refuse what would only fail later, on the first document, in sentences that never
repeat a secret (the admin token, the database password)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from gateway_api.settings import Settings, SettingsError, load_settings

TOKEN = "correct-horse-battery-staple-42"
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - what the tests refuse or allow
PASSWORD = "s3cret@t4il:w0rdy"  # `@` and `:` unencoded: the URL cannot be parsed


def test_a_dtd_directory_that_does_not_exist_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="is not a directory"):
        Settings(cxml_dtd_dir=tmp_path / "missing")
    assert Settings(cxml_dtd_dir=tmp_path).cxml_dtd_dir == tmp_path


def _refusal(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(f"B2CONNECT_{name}", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert "input_value" not in message
    assert "errors.pydantic.dev" not in message
    return message


def test_a_short_admin_token_is_refused_without_repeating_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = _refusal(monkeypatch, ADMIN_TOKEN="hunter2-short")
    assert "hunter2" not in message
    assert "B2CONNECT_ADMIN_TOKEN" in message
    assert "at least 16 characters" in message


def test_production_without_a_token_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, ENVIRONMENT="production")
    assert "B2CONNECT_ADMIN_TOKEN is required when B2CONNECT_ENVIRONMENT=production" in message


def test_an_unknown_environment_names_the_accepted_values(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, ENVIRONMENT="prod")
    assert "B2CONNECT_ENVIRONMENT" in message
    assert "development" in message
    assert "production" in message


def test_demo_partners_asked_for_in_production_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = _refusal(
        monkeypatch, ENVIRONMENT="production", ADMIN_TOKEN=TOKEN, DEMO_PARTNERS="true"
    )
    assert "B2CONNECT_DEMO_PARTNERS" in message
    assert TOKEN not in message


def test_demo_partners_default_to_on_in_development_and_off_in_production() -> None:
    assert Settings().serves_demo_partners
    assert not Settings(demo_partners=False).serves_demo_partners
    assert not Settings(environment="production", admin_token=TOKEN).serves_demo_partners


def test_a_database_url_that_cannot_be_parsed_never_shows_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"postgresql+psycopg://b2connect:{PASSWORD}@db.internal:5432/b2connect"
    message = _refusal(monkeypatch, DATABASE_URL=url)
    assert "B2CONNECT_DATABASE_URL" in message
    assert "percent-encode" in message
    for fragment in ("s3cret", "t4il", "w0rdy"):
        assert fragment not in message


def test_an_unsupported_database_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _refusal(monkeypatch, DATABASE_URL="mysql://u:pw-secret@h/db")
    assert "sqlite" in message
    assert "postgresql" in message
    assert "pw-secret" not in message


def test_settings_never_show_the_token_or_the_database_password() -> None:
    settings = Settings(
        admin_token=TOKEN,
        database_url="postgresql+psycopg://b2connect:pw-secret-1@db.internal/b2connect",
    )
    for text in (repr(settings), str(settings), settings.database_display):
        assert TOKEN not in text
        assert "pw-secret-1" not in text
    assert "db.internal" in settings.database_display


def test_a_validation_error_of_settings_does_not_repeat_the_token() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(admin_token="tiny-token")
    assert "tiny-token" not in str(caught.value)
    assert "tiny-token" not in repr(caught.value)


@pytest.mark.parametrize("host", [EVERY_INTERFACE, "::", "192.0.2.10", "gateway.example.com"])
def test_serving_beyond_this_machine_needs_a_token(host: str) -> None:
    with pytest.raises(SettingsError, match="B2CONNECT_ADMIN_TOKEN"):
        Settings().check_bind(host)
    Settings(admin_token=TOKEN).check_bind(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"])
def test_serving_on_loopback_needs_no_token(host: str) -> None:
    Settings().check_bind(host)
