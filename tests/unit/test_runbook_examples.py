"""docs/runbook.md's examples use the demo data, and its mapping fix leaves the fixtures alone.

The examples were run by hand against `make run`; this keeps them honest when the demo data or
the runbook change: every `b2connect orders ...` names an order of the partner's demo case, a
detailed confirmation adds up per line, a shipment ships no more than was ordered, and nothing
appends to the repository's `mappings/` (the demo partners are the test suite's fixtures).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "docs" / "runbook.md"
ORDERS = re.compile(
    r"b2connect orders (confirm|ship|invoice) (\S+) (\S+) \\?\s*'(\{.*?\})'", re.DOTALL
)


def _shell() -> str:
    text = RUNBOOK.read_text(encoding="utf-8")
    return "\n".join(re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL))


def _demo_order(partner: str) -> dict[str, object]:
    path = ROOT / "mappings" / "partners" / partner / "cases" / "order_new.expected.json"
    [entry] = json.loads(path.read_text(encoding="utf-8"))
    document: dict[str, object] = entry.get("document", entry)
    return document


def _commands() -> list[tuple[str, str, str, dict[str, object]]]:
    found = [(a, p, o, json.loads(body)) for a, p, o, body in ORDERS.findall(_shell())]
    assert found, "the runbook shows no `b2connect orders` command"
    return found


@pytest.mark.parametrize(("action", "partner", "order_id", "body"), _commands())
def test_order_commands_fit_the_demo_order(
    action: str, partner: str, order_id: str, body: dict[str, object]
) -> None:
    order = _demo_order(partner)
    assert order["order_id"] == order_id, f"{order_id} is not {partner}'s demo order"
    ordered = {
        line["line_number"]: Decimal(line["quantity"])
        for line in order["lines"]  # type: ignore[attr-defined]
    }
    for line in body.get("lines", []):  # type: ignore[attr-defined]
        number = line["line_number"]
        assert number in ordered, f"{action}: line {number} is not in {order_id}"
        if action == "confirm":
            split = sum(Decimal(line.get(k, "0")) for k in ("accepted", "backordered", "rejected"))
            assert split == ordered[number], f"line {number}: {split} != {ordered[number]}"
        if action == "ship":
            assert Decimal(line["quantity"]) <= ordered[number]


def test_the_payload_id_example_is_the_demo_orders() -> None:
    case = ROOT / "mappings" / "partners" / "coupa-demo" / "cases" / "order_new.xml"
    payload_id = re.search(r'payloadID="([^"]+)"', case.read_text(encoding="utf-8"))
    assert payload_id is not None
    assert f"payload_id={payload_id.group(1)}" in _shell()


def test_no_example_edits_the_repository_mappings() -> None:
    for target in re.findall(r">>\s*(\S+)", _shell()):
        assert not target.startswith(("mappings/", "./mappings/")), target
    assert "sed -i" not in _shell()
