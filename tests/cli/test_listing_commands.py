"""The operator's lists and views on the command line: ids shown whole, filters checked, JSON
everywhere, orders and documents (with their raw bytes) readable without the API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from gateway_api.cli import app
from gateway_api.runtime import Runtime
from gateway_api.settings import get_settings
from tests.support.cxml_answers import receive_cxml
from tests.support.cxml_builder import Line, order_request

runner = CliRunner()
LONG_ORDER = "PO-2026-LONG-ORDER-NUMBER-000042"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, runtime: Runtime, mappings_dir: Path
) -> Iterator[Runtime]:
    """The CLI on the test database, with one stored order and one dead letter."""
    monkeypatch.setenv("B2CONNECT_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("B2CONNECT_MAPPINGS_DIR", str(mappings_dir))
    get_settings.cache_clear()
    stored = order_request(order_id=LONG_ORDER, payload_id="list-1@buyer", lines=[Line("1001")])
    assert receive_cxml(runtime, "coupa-demo", stored).code == 200
    held = order_request(order_id="PO-HELD", payload_id="list-2@buyer", lines=[Line("4242")])
    assert receive_cxml(runtime, "coupa-demo", held).code == 201
    yield runtime
    get_settings.cache_clear()


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _json_lines(args: list[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in _ok([*args, "--json"]).splitlines()]


def test_dead_letters_table_shows_the_whole_id_replay_needs(cli_env: Runtime) -> None:
    [dead] = _json_lines(["dead-letters", "list"])
    table = _ok(["dead-letters", "list"])
    assert str(dead["id"]) in table
    assert "CP-4242" in table


def test_outbox_table_shows_partner_kind_order_and_next_attempt_whole(cli_env: Runtime) -> None:
    _ok(["orders", "confirm", "coupa-demo", LONG_ORDER, '{"type": "accept"}'])
    [row] = _json_lines(["outbox", "list"])
    table = _ok(["outbox", "list"])
    for value in (str(row["outbox_id"]), "coupa-demo", "ConfirmationRequest", LONG_ORDER):
        assert value in table, table
    assert "next attempt" in table
    assert str(row["next_attempt_at"])[:16].replace("T", " ") in table.replace("T", " ")


@pytest.mark.parametrize(
    "args",
    [
        ["dead-letters", "list", "--status", "closed"],
        ["outbox", "list", "--status", "sent"],
        ["orders", "list", "--status", "shipped"],
        ["documents", "list", "--outcome", "lost"],
        ["documents", "list", "--direction", "sideways"],
    ],
)
def test_an_invalid_filter_value_is_refused(cli_env: Runtime, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Invalid value" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["dead-letters", "list"],
        ["outbox", "list"],
        ["orders", "list"],
        ["documents", "list"],
        ["jobs", "run", "dispatch-outbox"],
    ],
)
def test_an_unknown_partner_is_refused_not_answered_with_nothing(
    cli_env: Runtime, args: list[str]
) -> None:
    result = runner.invoke(app, [*args, "--partner", "coupa-dmeo"])
    assert result.exit_code == 2, result.output
    assert "No partner 'coupa-dmeo'" in result.stderr
    assert "coupa-demo" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["dead-letters", "list"],
        ["outbox", "list"],
        ["partners", "list"],
        ["partners", "check"],
        ["orders", "list"],
        ["documents", "list"],
    ],
)
def test_help_shows_flags_as_flags(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0
    assert "--json" in result.output
    assert "<bool>" not in result.output


def test_a_bad_body_is_explained_without_pydantic_links_or_inputs(cli_env: Runtime) -> None:
    result = runner.invoke(
        app, ["orders", "confirm", "coupa-demo", LONG_ORDER, '{"type": "maybe-later"}']
    )
    assert result.exit_code == 2
    assert "type" in result.stderr
    assert "errors.pydantic.dev" not in result.output
    assert "input_value" not in result.output
    not_json = runner.invoke(app, ["orders", "confirm", "coupa-demo", LONG_ORDER, "{type"])
    assert not_json.exit_code == 2
    assert "not JSON" in not_json.stderr


def test_partners_list_as_json(cli_env: Runtime, mappings_dir: Path) -> None:
    rows = _json_lines(["partners", "list"])
    keys = sorted(path.parent.name for path in mappings_dir.glob("partners/*/profile.yaml"))
    assert [row["key"] for row in rows] == keys
    coupa = next(row for row in rows if row["key"] == "coupa-demo")
    assert coupa["connector"] == "coupa"
    assert coupa["demo"] is True


def test_jobs_report_progress_on_stderr_and_the_report_on_stdout(cli_env: Runtime) -> None:
    _ok(["orders", "confirm", "coupa-demo", LONG_ORDER, '{"type": "accept"}'])
    result = runner.invoke(app, ["jobs", "run", "dispatch-outbox", "--partner", "coupa-demo"])
    report = json.loads(result.stdout)
    assert report["claimed"] == 1
    assert "dispatch-outbox" in result.stderr
    assert "coupa-demo: 1 claimed" in result.stderr
    every = runner.invoke(app, ["jobs", "run", "dispatch-outbox"])
    assert every.exit_code == 0, every.output
    for key in ("ariba-demo", "coupa-demo", "jaggaer-demo"):
        assert f"dispatch-outbox: {key}: " in every.stderr
    assert json.loads(every.stdout)["claimed"] == 0
    none = runner.invoke(app, ["jobs", "run", "poll-file-drops"])
    assert none.exit_code == 0, none.output
    assert "poll-file-drops: done" in none.stderr
    assert json.loads(none.stdout)["files"] == 0


def test_orders_list_and_show(cli_env: Runtime) -> None:
    [order] = _json_lines(["orders", "list", "--partner", "coupa-demo"])
    assert order["order_id"] == LONG_ORDER
    assert LONG_ORDER in _ok(["orders", "list"])
    shown = json.loads(_ok(["orders", "show", "coupa-demo", LONG_ORDER]))
    assert shown["id"] == order["id"]
    assert shown["document"]["order_id"] == LONG_ORDER
    assert [entry["kind"] for entry in shown["history"]] == ["received"]
    missing = runner.invoke(app, ["orders", "show", "coupa-demo", "PO-NONE"])
    assert missing.exit_code == 2
    assert "No order 'PO-NONE' of partner 'coupa-demo'" in missing.stderr


def test_documents_list_show_and_raw_bytes(cli_env: Runtime) -> None:
    documents = _json_lines(["documents", "list", "--partner", "coupa-demo"])
    inbound = [d for d in documents if d["direction"] == "inbound" and d["outcome"] == "processed"]
    [received] = inbound
    assert UUID_RE.search(_ok(["documents", "list"]))
    assert str(received["id"]) in _ok(["documents", "list"])
    shown = json.loads(_ok(["documents", "show", str(received["id"])]))
    assert shown["payload_id"] == "list-1@buyer"
    assert [reply["kind"] for reply in shown["replies"]] == ["Response"]
    raw = runner.invoke(app, ["documents", "show", str(received["id"]), "--raw"])
    assert raw.exit_code == 0
    found = cli_env.queries.document(UUID(str(received["id"])))
    assert found is not None
    assert raw.stdout_bytes == found[0].body
    assert raw.stdout_bytes.startswith(b"<?xml")
    missing = runner.invoke(app, ["documents", "show", "00000000-0000-4000-8000-000000000000"])
    assert missing.exit_code == 2
    assert "No document" in missing.stderr
