"""A fulfilment body the CLI cannot use is one sentence on stderr with exit 2 (issue 9, item 13).

The bodies below are valid JSON that pass the request model's own fields but are refused when
the domain command is built from them (a package marked `is_sscc` whose id is no SSCC-18). That
was a pydantic traceback, because the command was built outside the CLI's error handling. Each
is refused before the database is opened, so these tests need none.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from gateway_api.cli import app

runner = CliRunner()

SHIPMENT = {
    "delivery_date": "2026-12-01T12:00:00Z",
    "carrier": {"scac": "UPSN"},
    "tracking_numbers": ["1Z999AA10123456784"],
}


def _refused(command: str, body: object) -> str:
    """Run `orders <command>` with `body`; the one line it printed on stderr (exit 2)."""
    result = runner.invoke(app, ["orders", command, "coupa-demo", "PO-1", json.dumps(body)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert "pydantic" not in result.output
    assert "input_value" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    ("package_id", "expected"),
    [("12345", "18 digits"), ("000123450000000017", "check digit")],
)
def test_ship_with_a_package_that_is_no_sscc_is_one_sentence(
    package_id: str, expected: str
) -> None:
    line = _refused("ship", {**SHIPMENT, "packages": [{"package_id": package_id, "is_sscc": True}]})
    assert line.startswith(f"invalid body: package_id {package_id!r} is marked is_sscc"), line
    assert expected in line
    assert "set is_sscc to false" in line


@pytest.mark.parametrize(
    ("command", "body", "field"),
    [
        ("confirm", {"type": "maybe"}, "type"),
        ("ship", {**SHIPMENT, "carrier": {}}, "carrier"),
        ("invoice", {"tax_rate": "101"}, "tax_rate"),
        ("credit", {"amount": "1e26", "reason": "x"}, "amount"),
    ],
)
def test_every_order_action_refuses_a_body_its_model_refuses_in_one_sentence(
    command: str, body: dict[str, object], field: str
) -> None:
    line = _refused(command, body)
    assert line.startswith(f"invalid body: {field}"), line
