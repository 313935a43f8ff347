"""Reconciliation of carrier shipments on both databases: not delivered in time, in exception.

Orders come in as the demo platforms send them (cXML through the ingest pipeline); shipments are
stored as the shipment service stores them (`uow.shipments.add`), their tracking moved on by
updating the row as a tracking run would. The carriers are test profiles on the Yurtici
connector, each with its own delivery deadline.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
import yaml

from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.reconciliation import ReconciliationReport, list_findings, reconcile
from gateway_api.settings import Settings
from gateway_api.store.reconciliation_records import FindingRecord, Rule, RuleOutcome
from gateway_api.store.shipment_records import ShipmentRecord, ShipmentState
from tests.support.clock import FakeClock
from tests.support.cxml_answers import receive_cxml
from tests.support.cxml_builder import order_request

FAST = "cargo-fast"
"""Delivers within 3 days of pickup."""
PLAIN = "cargo-plain"
"""No `deadlines:` section: the default 7 days."""
OFF = "cargo-off"
"""`delivery_days: null`: never late."""
CARRIERS: dict[str, dict[str, Any] | None] = {
    FAST: {"delivery_days": 3},
    PLAIN: None,
    OFF: {"delivery_days": None},
}
LATE = Rule.SHIPMENT_NOT_DELIVERED
TROUBLE = Rule.SHIPMENT_EXCEPTION


def _carrier_profile(key: str, deadlines: dict[str, Any] | None) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "key": key,
        "display_name": f"Test carrier {key}",
        "connector": "yurtici",
        "demo": True,
        "connector_config": {"base_url": "http://127.0.0.1:9/unused", "username": "YKTEST"},
        "secrets": {"password": "demo:YK"},
    }
    if deadlines is not None:
        profile["deadlines"] = deadlines
    return profile


@pytest.fixture
def runtime(settings: Settings, clock: FakeClock, mappings_dir: Path) -> Iterator[Runtime]:
    for key, deadlines in CARRIERS.items():
        folder = mappings_dir / "partners" / key
        folder.mkdir()
        (folder / "profile.yaml").write_text(yaml.safe_dump(_carrier_profile(key, deadlines)))
    built = build_runtime(settings, clock=clock)
    built.sync_partners()
    assert {key for key in CARRIERS if built.directory.get(key) is not None} == set(CARRIERS)
    yield built
    built.close()


def _order(runtime: Runtime, order_id: str, partner: str = "coupa-demo") -> UUID:
    answer = receive_cxml(runtime, partner, order_request(partner=partner, order_id=order_id))
    assert answer.code == 200, answer
    (order,) = runtime.queries.orders(partner_key=partner, order_id=order_id)
    return order.id


def _ship(
    runtime: Runtime,
    order: UUID,
    carrier: str,
    reference: str,
    *,
    status: str = "picked_up",
    picked_up: bool = True,
) -> UUID:
    """A booked shipment, stored like the shipment service stores it."""
    now = runtime.clock()
    shipment = ShipmentRecord(
        id=uuid4(),
        order_uuid=order,
        carrier_key=carrier,
        reference=reference,
        state=ShipmentState.BOOKED,
        tracking_status=status,
        request={},
        lines=[],
        created_at=now,
        updated_at=now,
        carrier_code="1" if picked_up else None,
        tracking_number=f"T{reference}",
        booked_at=now,
        picked_up_at=now if picked_up else None,
        last_event_at=now if picked_up else None,
    )
    with runtime.uow() as uow:
        uow.shipments.add(shipment)
        uow.commit()
    return shipment.id


def _track(runtime: Runtime, shipment: UUID, status: str, **values: datetime | str) -> None:
    """What a tracking run writes when the carrier reports `status`."""
    now = runtime.clock()
    with runtime.uow() as uow:
        uow.shipments.update(
            shipment, tracking_status=status, last_event_at=now, updated_at=now, **values
        )
        uow.commit()


def _run(runtime: Runtime, partner_key: str | None = None) -> ReconciliationReport:
    report = reconcile(runtime, partner_key=partner_key)
    assert report.problems == []
    return report


def _findings(runtime: Runtime, rule: Rule, status: str | None = "open") -> list[FindingRecord]:
    return list_findings(runtime.uow, status=status, rule=rule.value, limit=1000)


def _shipment_of(finding: FindingRecord) -> UUID:
    """The shipment a finding's subject names (`shipment:<id>`, the id as the backend writes
    it: hex on SQLite, dashed on PostgreSQL, like the other rules' subjects)."""
    kind, _, shipment = finding.subject.partition(":")
    assert kind == "shipment"
    return UUID(shipment)


def test_a_shipment_not_delivered_by_the_carriers_deadline(
    runtime: Runtime, clock: FakeClock
) -> None:
    order = _order(runtime, "SH-1")
    shipment = _ship(runtime, order, FAST, "R1")
    picked_up = clock.now
    clock.advance(days=2, hours=23)
    assert _run(runtime).rules[LATE] == RuleOutcome(0, 0, 0, 0)

    clock.advance(hours=2)  # past the carrier's 3 days
    first = _run(runtime)
    assert first.rules[LATE] == RuleOutcome(1, 1, 0, 0)
    assert first.open_by_rule[LATE.value] == 1
    (finding,) = _findings(runtime, LATE)
    assert _shipment_of(finding) == shipment
    assert (finding.partner_key, finding.order_uuid, finding.outbox_id) == (
        "coupa-demo",
        order,
        None,
    )
    picked_up_iso = picked_up.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert finding.detail == (
        f"shipment R1 with {FAST} (tracking TR1) picked up {picked_up_iso}"
        " is not delivered after 3 days"
    )
    assert {k: finding.facts[k] for k in ("carrier", "reference", "tracking_number")} == {
        "carrier": FAST,
        "reference": "R1",
        "tracking_number": "TR1",
    }
    assert finding.facts["picked_up_at"] == picked_up_iso
    assert (finding.facts["tracking_status"], finding.facts["carrier_code"]) == ("picked_up", "1")
    assert float(finding.facts["deadline_days"]) == 3
    assert finding.facts["order_id"] == "SH-1"

    _track(runtime, shipment, "in_transit")
    second = _run(runtime)
    assert second.rules[LATE] == RuleOutcome(1, 0, 1, 0)
    (again,) = _findings(runtime, LATE, status=None)
    assert (again.id, again.first_seen_at) == (finding.id, finding.first_seen_at)
    assert again.facts["tracking_status"] == "in_transit"

    _track(runtime, shipment, "delivered", delivered_at=clock.now)
    delivered = _run(runtime)
    assert delivered.rules[LATE] == RuleOutcome(0, 0, 0, 1)
    assert LATE.value not in delivered.open_by_rule
    (closed,) = _findings(runtime, LATE, status="closed")
    assert closed.id == finding.id
    assert closed.closed_at is not None


def test_deadlines_are_the_carriers_and_only_picked_up_shipments_count(
    runtime: Runtime, clock: FakeClock
) -> None:
    order = _order(runtime, "SH-2")
    waiting = _ship(runtime, order, FAST, "R2", status="created", picked_up=False)
    default = _ship(runtime, order, PLAIN, "R3")
    _ship(runtime, order, OFF, "R4")
    returned = _ship(runtime, order, FAST, "R5")
    _track(runtime, returned, "returned")

    clock.advance(days=6, hours=23)
    assert _run(runtime).rules[LATE].found == 0  # R3: 7 days by default; R5 came back
    clock.advance(hours=2)
    assert _run(runtime).rules[LATE] == RuleOutcome(1, 1, 0, 0)
    (finding,) = _findings(runtime, LATE)
    assert _shipment_of(finding) == default
    assert finding.detail.endswith("is not delivered after 7 days")

    clock.advance(days=60)  # R4's carrier switched the check off; R2 was never picked up
    assert _run(runtime).rules[LATE] == RuleOutcome(1, 0, 1, 0)
    assert waiting not in {_shipment_of(f) for f in _findings(runtime, LATE)}


def test_a_shipment_in_exception_is_found_until_its_status_moves_on(
    runtime: Runtime, clock: FakeClock
) -> None:
    order = _order(runtime, "SH-3")
    shipment = _ship(runtime, order, OFF, "R6")
    clock.advance(hours=5)
    _track(runtime, shipment, "exception", carrier_code="ADRES_BULUNAMADI")

    found = _run(runtime)
    assert found.rules[TROUBLE] == RuleOutcome(1, 1, 0, 0)
    assert found.rules[LATE].found == 0
    (finding,) = _findings(runtime, TROUBLE)
    assert (_shipment_of(finding), finding.partner_key, finding.order_uuid) == (
        shipment,
        "coupa-demo",
        order,
    )
    assert finding.detail == (
        f"shipment R6 with {OFF} (tracking TR6) reports a problem (carrier status ADRES_BULUNAMADI)"
    )
    assert finding.facts["tracking_status"] == "exception"
    assert finding.facts["carrier_code"] == "ADRES_BULUNAMADI"
    assert finding.facts["last_event_at"] is not None
    assert _run(runtime).rules[TROUBLE] == RuleOutcome(1, 0, 1, 0)

    _track(runtime, shipment, "in_transit", carrier_code="3")
    assert _run(runtime).rules[TROUBLE] == RuleOutcome(0, 0, 0, 1)
    _track(runtime, shipment, "exception", carrier_code="HASARLI")
    back = _run(runtime)
    assert back.rules[TROUBLE] == RuleOutcome(1, 1, 0, 0)  # reopened, not duplicated
    (reopened,) = _findings(runtime, TROUBLE, status=None)
    assert (reopened.id, reopened.status) == (finding.id, "open")


def test_a_run_for_one_partner_looks_at_that_partners_orders(
    runtime: Runtime, clock: FakeClock
) -> None:
    coupa = _order(runtime, "SH-4")
    ariba = _order(runtime, "SH-5", partner="ariba-demo")
    _ship(runtime, coupa, FAST, "R7")
    _ship(runtime, ariba, FAST, "R8", status="exception")
    clock.advance(days=4)

    only_coupa = _run(runtime, partner_key="coupa-demo")
    assert only_coupa.rules[LATE] == RuleOutcome(1, 1, 0, 0)
    assert only_coupa.rules[TROUBLE] == RuleOutcome(0, 0, 0, 0)
    # The carrier is not the partner of a finding: a run for it finds nothing, closes nothing.
    carrier = _run(runtime, partner_key=FAST)
    assert (carrier.rules[LATE], carrier.rules[TROUBLE]) == (RuleOutcome(0, 0, 0, 0),) * 2
    assert carrier.open_by_rule == {}

    everyone = _run(runtime)
    assert everyone.rules[LATE] == RuleOutcome(2, 1, 1, 0)
    assert everyone.rules[TROUBLE] == RuleOutcome(1, 1, 0, 0)
    assert {(f.partner_key, f.order_uuid) for f in _findings(runtime, LATE)} == {
        ("coupa-demo", coupa),
        ("ariba-demo", ariba),
    }
    ariba_only = _run(runtime, partner_key="ariba-demo").open_by_rule
    assert (ariba_only[LATE.value], ariba_only[TROUBLE.value]) == (1, 1)


def test_shipments_booked_before_the_window_are_left_out(
    runtime: Runtime, clock: FakeClock
) -> None:
    order = _order(runtime, "SH-6")
    _ship(runtime, order, FAST, "R9", status="exception")
    clock.advance(days=runtime.settings.reconciliation_window_days + 1)
    report = _run(runtime)
    assert (report.rules[LATE].found, report.rules[TROUBLE].found) == (0, 0)
