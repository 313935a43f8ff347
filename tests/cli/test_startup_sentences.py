"""A new user's mistakes are answered with one sentence on stderr and exit status 2, never a
traceback, and never with a secret in it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway_api.cli import app
from gateway_api.settings import get_settings

runner = CliRunner()
TOKEN = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)  # no stray .env, and var/ lands in the test's directory
    for name in ("ENVIRONMENT", "ADMIN_TOKEN", "DEMO_PARTNERS", "DATABASE_URL"):
        monkeypatch.delenv(f"B2CONNECT_{name}", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _refused(args: list[str], *secrets: str) -> str:
    result = runner.invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert message, result.output
    assert "\n" not in message, message
    for text in ("input_value", "errors.pydantic.dev", "[SQL:", *secrets):
        assert text not in result.output, result.output
    return message


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ENVIRONMENT": "production"}, "B2CONNECT_ADMIN_TOKEN is required"),
        ({"ADMIN_TOKEN": "hunter2-short"}, "at least 16 characters"),
        ({"ENVIRONMENT": "prod"}, "must be development or production"),
        (
            {"ENVIRONMENT": "production", "ADMIN_TOKEN": TOKEN, "DEMO_PARTNERS": "true"},
            "B2CONNECT_DEMO_PARTNERS=true is refused in production",
        ),
        (
            {"DATABASE_URL": "postgresql+psycopg://b2c:s3cret@t4il:w0rdy@db:5432/b2c"},
            "percent-encode",
        ),
    ],
)
def test_settings_that_cannot_be_used(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(f"B2CONNECT_{name}", value)
    for args in (["partners", "list"], ["db", "upgrade"], ["serve"]):
        message = _refused(args, "hunter2", TOKEN, "s3cret", "t4il", "w0rdy")
        assert expected in message


@pytest.mark.parametrize(
    "args",
    [
        ["partners", "list"],
        ["dead-letters", "list"],
        ["dead-letters", "replay", "00000000-0000-4000-8000-000000000000"],
        ["outbox", "list"],
        ["jobs", "run", "dispatch-outbox"],
        ["orders", "confirm", "coupa-demo", "PO-1", '{"type": "accept"}'],
        ["orders", "list"],
        ["orders", "show", "coupa-demo", "PO-1"],
        ["documents", "list"],
        ["documents", "show", "00000000-0000-4000-8000-000000000000"],
        ["serve"],
    ],
)
def test_every_command_on_an_unmigrated_database_says_to_migrate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str]
) -> None:
    monkeypatch.setenv("B2CONNECT_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    message = _refused(args, "no such table")
    assert "b2connect db upgrade" in message


def test_an_unreachable_database_is_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "B2CONNECT_DATABASE_URL", "postgresql+psycopg://b2c:pw-secret-9@127.0.0.1:1/b2c"
    )
    for args in (["partners", "list"], ["db", "current"], ["db", "upgrade"]):
        message = _refused(args, "pw-secret-9")
        assert "B2CONNECT_DATABASE_URL" in message


def test_demo_into_a_path_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    message = _refused(["demo", "--out", str(blocker / "demo")])
    assert str(blocker / "demo") in message


def test_demo_in_production_says_how_to_run_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("B2CONNECT_ENVIRONMENT", "production")
    monkeypatch.setenv("B2CONNECT_ADMIN_TOKEN", TOKEN)
    message = _refused(["demo", "--out", str(tmp_path / "demo")], TOKEN)
    assert "B2CONNECT_ENVIRONMENT=development" in message


def test_no_secret_reaches_the_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("B2CONNECT_ADMIN_TOKEN", TOKEN)
    monkeypatch.setenv(
        "B2CONNECT_DATABASE_URL", "postgresql+psycopg://b2c:pw-secret-9@127.0.0.1:1/b2c"
    )
    _refused(["partners", "list"], TOKEN, "pw-secret-9")
    monkeypatch.setenv("B2CONNECT_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    _refused(["dead-letters", "list"], TOKEN)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["partners", "check"]).exit_code == 0
    assert TOKEN not in caplog.text
    assert "pw-secret-9" not in caplog.text


def test_the_demo_runs_its_own_partners_whatever_the_server_settings_say(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The demo has its own scratch database and partners: a server set up without demo
    partners (or with an admin token) does not stop it."""
    monkeypatch.setenv("B2CONNECT_DEMO_PARTNERS", "false")
    monkeypatch.setenv("B2CONNECT_ADMIN_TOKEN", "a-server-token-of-32-characters-xx")
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "demo" / "summary.json").read_text())
    assert summary["orders"]
