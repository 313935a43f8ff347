"""`b2connect db upgrade`, `partners list` and `dead-letters list|replay` on a real database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway_api.cli import app
from gateway_api.runtime import Runtime
from gateway_api.settings import get_settings
from gateway_api.store.migrate import head_revision
from tests.support.cxml_answers import receive_cxml
from tests.support.cxml_builder import Line, order_request

runner = CliRunner()


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, mappings_dir: Path
) -> Iterator[None]:
    monkeypatch.setenv("B2CONNECT_DATABASE_URL", database_url)
    monkeypatch.setenv("B2CONNECT_MAPPINGS_DIR", str(mappings_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_db_upgrade_on_a_fresh_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("B2CONNECT_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        head = head_revision()
        assert f"at revision {head}" in result.output
        again = runner.invoke(app, ["db", "current"])
        assert again.output.strip() == head
    finally:
        get_settings.cache_clear()


def test_serve_refuses_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("B2CONNECT_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["serve", "--port", "1"])
        assert result.exit_code == 2
        assert "b2connect db upgrade" in result.output
    finally:
        get_settings.cache_clear()


@pytest.mark.usefixtures("cli_env")
def test_partners_list() -> None:
    result = runner.invoke(app, ["partners", "list"])
    assert result.exit_code == 0, result.output
    for key in ("coupa-demo", "ariba-demo", "jaggaer-demo"):
        assert key in result.output


@pytest.mark.usefixtures("cli_env")
def test_dead_letters_list_and_replay(runtime: Runtime, mappings_dir: Path) -> None:
    body = order_request(order_id="PO-CLI", payload_id="cli@x", lines=[Line("4242")])
    assert receive_cxml(runtime, "coupa-demo", body).code == 201

    listed = runner.invoke(app, ["dead-letters", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    [dead] = [json.loads(line) for line in listed.output.splitlines()]
    assert "CP-4242" in dead["error"]
    table = runner.invoke(app, ["dead-letters", "list"])
    assert dead["id"][:8] in table.output

    failed = runner.invoke(app, ["dead-letters", "replay", dead["id"]])
    assert failed.exit_code == 1
    assert "CP-4242" in failed.output

    xref = mappings_dir / "partners" / "coupa-demo" / "part_xref.csv"
    xref.write_text(xref.read_text() + "CP-4242,B2C-4242,Fixed\n")
    replayed = runner.invoke(app, ["dead-letters", "replay", dead["id"]])
    assert replayed.exit_code == 0, replayed.output
    assert "version 1" in replayed.output
    assert runner.invoke(app, ["dead-letters", "list", "--json"]).output == ""
    [order] = runtime.queries.orders()
    assert order.order_id == "PO-CLI"

    again = runner.invoke(app, ["dead-letters", "replay", dead["id"]])
    assert again.exit_code == 1
    assert "already replayed" in again.output
