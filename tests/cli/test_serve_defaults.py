"""`b2connect serve` refuses to open the operator endpoints to the network without a token, and
offers demo material only where demo partners are served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from gateway_api.cli import app
from gateway_api.settings import get_settings
from tests.support.database import sqlite_copy

runner = CliRunner()
TOKEN = "correct-horse-battery-staple-42"
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 - what the tests refuse or allow


@pytest.fixture
def served(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_template: Path
) -> Iterator[list[dict[str, Any]]]:
    """What `uvicorn.run` was called with (it is not started)."""
    monkeypatch.chdir(tmp_path)
    for name in ("ENVIRONMENT", "ADMIN_TOKEN", "DEMO_PARTNERS", "MAPPINGS_DIR"):
        monkeypatch.delenv(f"B2CONNECT_{name}", raising=False)
    monkeypatch.setenv("B2CONNECT_DATABASE_URL", sqlite_copy(sqlite_template, tmp_path))
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *_a, **kw: calls.append(kw))
    get_settings.cache_clear()
    yield calls
    get_settings.cache_clear()


@pytest.mark.parametrize("host", [EVERY_INTERFACE, "::", "192.0.2.7"])
def test_a_network_bind_without_a_token_is_refused(served: list[dict[str, Any]], host: str) -> None:
    result = runner.invoke(app, ["serve", "--host", host])
    assert result.exit_code == 2, result.output
    assert "B2CONNECT_ADMIN_TOKEN" in result.stderr
    assert "Traceback" not in result.output
    assert served == []


def test_a_network_bind_with_a_token_serves(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("B2CONNECT_ADMIN_TOKEN", TOKEN)
    result = runner.invoke(app, ["serve", "--host", EVERY_INTERFACE])
    assert result.exit_code == 0, result.output
    assert [call["host"] for call in served] == [EVERY_INTERFACE]
    assert TOKEN not in result.output
    assert "Authorization: Bearer $B2CONNECT_ADMIN_TOKEN" in result.output


def test_loopback_without_a_token_serves_and_shows_the_demo(served: list[dict[str, Any]]) -> None:
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert [call["host"] for call in served] == ["127.0.0.1"]
    assert "--data-binary @" in result.output


def test_production_prints_no_demo_curl(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("B2CONNECT_ENVIRONMENT", "production")
    monkeypatch.setenv("B2CONNECT_ADMIN_TOKEN", TOKEN)
    result = runner.invoke(app, ["serve", "--host", EVERY_INTERFACE])
    assert result.exit_code == 0, result.output
    assert "demo" not in result.output.lower()
    assert "--data-binary" not in result.output


def test_without_demo_partners_there_is_no_demo_curl(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("B2CONNECT_DEMO_PARTNERS", "false")
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert "--data-binary" not in result.output
