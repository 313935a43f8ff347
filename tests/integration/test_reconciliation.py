"""Reconciliation on both databases, over data made by the real services.

The X12 demo retailer sends its 850s over HTTP; our 855/856/810 go to its file drop (so no
acknowledgement comes with the delivery) and its 997s come back over HTTP, as a retailer's
asynchronous acknowledgements do. Each rule opens a finding, a second run changes nothing, the
fix closes it; a closed finding that comes back is reopened, not duplicated.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import SecretStr

from connectors.formats.x12 import (
    ControlNumbers,
    GroupEnd,
    InterchangeEnd,
    TransactionSet,
    build_997,
    read_x12,
)
from connectors.testing.fake_retailer import BASE_URL, FakeRetailer
from gateway_api.demo.platforms import point_profile_at
from gateway_api.domain.fulfilment import ConfirmCommand, InvoiceCommand
from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.services.jobs import dispatch_outbox
from gateway_api.services.reconciliation import ReconciliationReport, list_findings, reconcile
from gateway_api.settings import Settings
from gateway_api.store import tables as t
from gateway_api.store.reconciliation_records import FindingRecord, Rule, RuleOutcome
from tests.support.clock import FakeClock
from tests.support.x12_documents import EDI_DEMO_TOKEN, NOW, order_850, retailer_interchange

PARTNER = "edi-demo"
LINES = [("AC-1001", 10, "4.50"), ("AC-1002", 4, "1.25")]


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    return tmp_path / "acme-drop"


@pytest.fixture
def runtime(
    settings: Settings, clock: FakeClock, mappings_dir: Path, drop: Path
) -> Iterator[Runtime]:
    path = mappings_dir / "partners" / PARTNER / "profile.yaml"
    profile = yaml.safe_load(path.read_text())
    profile["connector_config"]["file_drop"] = str(drop)
    profile["connector_config"]["endpoints"] = dict.fromkeys(("855", "856", "810"), "file_drop")
    path.write_text(yaml.safe_dump(profile))
    built = build_runtime(settings, clock=clock)
    built.sync_partners()
    yield built
    built.close()


@pytest.fixture
def api(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime)) as client:
        yield client


class Retailer:
    """Plays the retailer: sends 850s and 997s over HTTP, reads our files from its drop."""

    def __init__(self, api: TestClient, drop: Path) -> None:
        self.api = api
        self.drop = drop
        self.sent = 100

    def post(self, body: bytes) -> None:
        answer = self.api.post(
            f"/edi/x12/{PARTNER}",
            content=body,
            headers={"Authorization": f"Bearer {EDI_DEMO_TOKEN}"},
        )
        assert answer.status_code in {200, 202}, answer.text  # 202: a 997 gets no answer

    def order(
        self, order_id: str, parts: list[tuple[str, int, str]] = LINES, purpose: str = "00"
    ) -> UUID:
        self.sent += 1
        self.post(
            retailer_interchange(
                order_850(order_id, parts, purpose=purpose), control=f"{self.sent:09d}"
            )
        )
        listed = self.api.get("/orders", params={"partner": PARTNER, "order_id": order_id})
        (order,) = listed.json()
        return UUID(order["id"])

    def ours(self, kind: str) -> bytes:
        """The newest file of ours of `kind` (855, 856, 810) in the drop."""
        files = sorted(
            (self.drop / "outbound").glob(f"{kind}_*.edi"), key=lambda p: p.stat().st_mtime_ns
        )
        assert files, kind
        return files[-1].read_bytes()

    def acknowledge(self, ours: bytes, *, reject: bool = False) -> None:
        """Send the 997 for an interchange of ours, accepting or rejecting its sets."""
        acks, results = [], []
        for event in read_x12(ours):
            if isinstance(event, TransactionSet):
                results.append(event.ack.rejected("5") if reject else event.ack)
            elif isinstance(event, GroupEnd):
                acks.append(event.acknowledge(results))
            elif isinstance(event, InterchangeEnd):
                self.sent += 1
                numbers = ControlNumbers(self.sent, self.sent, self.sent)
                self.post(build_997(event.header, acks, numbers=numbers, now=NOW).data)
                return
        raise AssertionError("no interchange")


@pytest.fixture
def retailer(api: TestClient, drop: Path) -> Retailer:
    return Retailer(api, drop)


def _findings(runtime: Runtime, rule: Rule, status: str | None = "open") -> list[FindingRecord]:
    return list_findings(runtime.uow, status=status, rule=rule.value, limit=1000)


def _run(runtime: Runtime) -> ReconciliationReport:
    report = reconcile(runtime)
    assert report.problems == []
    return report


def _ship(api: TestClient, order: UUID, *lines: tuple[int, int]) -> None:
    """Ship some lines (line number, quantity) or everything left, through the API."""
    body = {
        "delivery_date": "2026-12-01T12:00:00+00:00",
        "carrier": {"scac": "UPSN"},
        "tracking_numbers": ["1Z999AA10123456784"],
        "lines": [{"line_number": n, "quantity": str(q)} for n, q in lines],
    }
    response = api.post(f"/orders/{order}/shipments", json=body)
    assert response.status_code == 201, response.text


def _confirm(runtime: Runtime, order: UUID) -> None:
    runtime.fulfilment.confirm(order, ConfirmCommand(type="accept"))


def test_an_unconfirmed_order_is_found_once_and_closes_when_confirmed(
    runtime: Runtime, retailer: Retailer, clock: FakeClock
) -> None:
    order = retailer.order("RC-1")
    assert _run(runtime).rules[Rule.CONFIRMATION_OVERDUE] == RuleOutcome(0, 0, 0, 0)
    clock.advance(hours=25)
    first = _run(runtime)
    assert first.rules[Rule.CONFIRMATION_OVERDUE] == RuleOutcome(1, 1, 0, 0)
    assert first.failed == 1
    assert first.as_dict()["open"] == 1
    (finding,) = _findings(runtime, Rule.CONFIRMATION_OVERDUE)
    assert (finding.order_uuid, finding.partner_key, finding.status) == (order, PARTNER, "open")
    assert finding.facts["order_id"] == "RC-1"
    assert float(finding.facts["deadline_hours"]) == 24
    assert "RC-1" in finding.detail
    assert "no confirmation" in finding.detail

    second = _run(runtime)
    assert second.rules[Rule.CONFIRMATION_OVERDUE] == RuleOutcome(1, 0, 1, 0)
    (again,) = _findings(runtime, Rule.CONFIRMATION_OVERDUE, status=None)
    assert again.id == finding.id
    assert again.first_seen_at == finding.first_seen_at
    assert again.last_seen_at > finding.last_seen_at

    _confirm(runtime, order)
    fixed = _run(runtime)
    assert fixed.rules[Rule.CONFIRMATION_OVERDUE] == RuleOutcome(0, 0, 0, 1)
    assert fixed.failed == 0
    (closed,) = _findings(runtime, Rule.CONFIRMATION_OVERDUE, status="closed")
    assert closed.id == finding.id
    assert closed.closed_at is not None
    assert _findings(runtime, Rule.CONFIRMATION_OVERDUE, status="open") == []


def test_unshipped_lines_then_quantities_that_no_longer_match_the_order(
    api: TestClient, runtime: Runtime, retailer: Retailer, clock: FakeClock
) -> None:
    order = retailer.order("RS-1")
    _confirm(runtime, order)
    dispatch_outbox(runtime)
    retailer.acknowledge(retailer.ours("855"))
    clock.advance(days=15)  # past the default 14 days for lines without a delivery date

    opened = _run(runtime)
    assert opened.rules[Rule.SHIP_NOTICE_OVERDUE] == RuleOutcome(1, 1, 0, 0)
    (late,) = _findings(runtime, Rule.SHIP_NOTICE_OVERDUE)
    assert late.order_uuid == order
    assert int(late.facts["open_lines"]) == 2

    _ship(api, order, (1, 10))
    partly = _run(runtime)
    assert partly.rules[Rule.SHIP_NOTICE_OVERDUE] == RuleOutcome(1, 0, 1, 0)
    (still,) = _findings(runtime, Rule.SHIP_NOTICE_OVERDUE)
    assert int(still.facts["open_lines"]) == 1

    _ship(api, order)
    runtime.fulfilment.invoice(order, InvoiceCommand(tax_rate=Decimal("8.25")))
    shipped = _run(runtime)
    assert shipped.rules[Rule.SHIP_NOTICE_OVERDUE] == RuleOutcome(0, 0, 0, 1)
    # Shipped and invoiced exactly as ordered: no line is out of line.
    assert shipped.rules[Rule.LINE_MISMATCH] == RuleOutcome(0, 0, 0, 0)

    # The buyer cuts line 1 from 10 to 6 after 10 were shipped and invoiced.
    retailer.order("RS-1", [("AC-1001", 6, "4.50"), ("AC-1002", 4, "1.25")], purpose="05")
    cut = _run(runtime)
    assert cut.rules[Rule.LINE_MISMATCH] == RuleOutcome(1, 1, 0, 0)
    (mismatch,) = _findings(runtime, Rule.LINE_MISMATCH)
    assert mismatch.order_uuid == order
    assert mismatch.subject.endswith(":1")
    assert (mismatch.facts["ordered"], mismatch.facts["shipped"]) == ("6", "10")
    assert Decimal(mismatch.facts["invoiced_amount"]) == Decimal("45.00")
    assert "line 1: ordered 6" in mismatch.detail
    assert _run(runtime).rules[Rule.LINE_MISMATCH] == RuleOutcome(1, 0, 1, 0)

    retailer.order("RS-1", LINES, purpose="05")  # restored: the finding closes itself
    assert _run(runtime).rules[Rule.LINE_MISMATCH] == RuleOutcome(0, 0, 0, 1)

    retailer.order("RS-1", [("AC-1001", 6, "4.50"), ("AC-1002", 4, "1.25")], purpose="05")
    back = _run(runtime)
    assert back.rules[Rule.LINE_MISMATCH] == RuleOutcome(1, 1, 0, 0)  # reopened
    (reopened,) = _findings(runtime, Rule.LINE_MISMATCH, status=None)
    assert reopened.id == mismatch.id
    assert (reopened.status, reopened.closed_at) == ("open", None)
    assert reopened.first_seen_at > mismatch.first_seen_at


def test_acknowledgements_overdue_and_rejected(
    api: TestClient, runtime: Runtime, retailer: Retailer, clock: FakeClock
) -> None:
    order = retailer.order("RA-1")
    _confirm(runtime, order)
    assert dispatch_outbox(runtime).delivered == 1
    (confirmation,) = runtime.queries.outbox(limit=10)
    clock.advance(hours=25)

    overdue = _run(runtime)
    assert overdue.rules[Rule.ACKNOWLEDGEMENT_OVERDUE] == RuleOutcome(1, 1, 0, 0)
    (late,) = _findings(runtime, Rule.ACKNOWLEDGEMENT_OVERDUE)
    assert (late.outbox_id, late.order_uuid) == (confirmation.id, order)
    assert late.facts["kind"] == "855"
    assert "not acknowledged" in late.detail

    retailer.acknowledge(retailer.ours("855"))
    assert _run(runtime).rules[Rule.ACKNOWLEDGEMENT_OVERDUE] == RuleOutcome(0, 0, 0, 1)

    _ship(api, order)
    dispatch_outbox(runtime)
    retailer.acknowledge(retailer.ours("856"), reject=True)
    rejected = _run(runtime)
    assert rejected.rules[Rule.ACKNOWLEDGEMENT_REJECTED] == RuleOutcome(1, 1, 0, 0)
    (refused,) = _findings(runtime, Rule.ACKNOWLEDGEMENT_REJECTED)
    notice = next(r for r in runtime.queries.outbox(limit=10) if r.kind == "856")
    assert (refused.outbox_id, notice.status.value, notice.acknowledgment) == (
        notice.id,
        "dead",
        "rejected",
    )
    assert _run(runtime).rules[Rule.ACKNOWLEDGEMENT_REJECTED] == RuleOutcome(1, 0, 1, 0)

    (letter,) = runtime.dead_letters.list(status="open", limit=10)
    assert runtime.dead_letters.replay(letter.id).succeeded
    resent = _run(runtime)
    assert resent.rules[Rule.ACKNOWLEDGEMENT_REJECTED] == RuleOutcome(0, 0, 0, 1)
    # The copy sent again waits for a new verdict like any other delivery.
    clock.advance(hours=25)
    waiting = _run(runtime)
    assert waiting.rules[Rule.ACKNOWLEDGEMENT_OVERDUE] == RuleOutcome(1, 1, 0, 0)
    (again,) = _findings(runtime, Rule.ACKNOWLEDGEMENT_OVERDUE)
    assert again.outbox_id == notice.id


def test_a_document_stuck_in_the_outbox(
    runtime: Runtime, retailer: Retailer, clock: FakeClock
) -> None:
    order = retailer.order("RO-1")
    _confirm(runtime, order)
    clock.advance(minutes=59)
    assert _run(runtime).rules[Rule.OUTBOX_STUCK].found == 0
    clock.advance(minutes=2)
    assert _run(runtime).rules[Rule.OUTBOX_STUCK] == RuleOutcome(1, 1, 0, 0)
    (stuck,) = _findings(runtime, Rule.OUTBOX_STUCK)
    assert stuck.order_uuid == order
    assert stuck.facts["attempts"] == 0
    # A run for another partner leaves this partner's findings alone.
    other = reconcile(runtime, partner_key="coupa-demo")
    assert other.rules[Rule.OUTBOX_STUCK] == RuleOutcome(0, 0, 0, 0)
    assert other.failed == 0
    assert len(_findings(runtime, Rule.OUTBOX_STUCK, status="open")) == 1

    dispatch_outbox(runtime)
    assert _run(runtime).rules[Rule.OUTBOX_STUCK] == RuleOutcome(0, 0, 0, 1)


def test_deadlines_come_from_the_partner_profile(
    settings: Settings, clock: FakeClock, mappings_dir: Path, drop: Path
) -> None:
    path = mappings_dir / "partners" / PARTNER / "profile.yaml"
    profile = yaml.safe_load(path.read_text())
    profile["deadlines"] = {"confirmation_hours": 2, "outbox_stuck_minutes": None}
    path.write_text(yaml.safe_dump(profile))
    built = build_runtime(settings, clock=clock)
    built.sync_partners()
    try:
        with TestClient(create_app(runtime=built)) as api:
            order = Retailer(api, drop).order("RD-1")
            clock.advance(hours=3)
            report = reconcile(built)
            assert report.rules[Rule.CONFIRMATION_OVERDUE].found == 1
            (finding,) = _findings(built, Rule.CONFIRMATION_OVERDUE)
            assert float(finding.facts["deadline_hours"]) == 2
            _confirm(built, order)
            clock.advance(days=1)
            assert reconcile(built).rules[Rule.OUTBOX_STUCK].found == 0  # switched off
    finally:
        built.close()


def test_get_reconciliation_lists_findings_with_filters(
    api: TestClient, runtime: Runtime, retailer: Retailer, clock: FakeClock, settings: Settings
) -> None:
    first = retailer.order("RG-1")
    second = retailer.order("RG-2")
    _confirm(runtime, second)
    clock.advance(hours=25)
    _run(runtime)

    listed = api.get("/reconciliation")
    assert listed.status_code == 200
    body = listed.json()
    assert {(f["rule"], f["order_uuid"]) for f in body} == {
        (Rule.CONFIRMATION_OVERDUE.value, str(first)),
        (Rule.OUTBOX_STUCK.value, str(second)),
    }
    assert all(f["status"] == "open" and f["partner"] == PARTNER for f in body)
    only = api.get("/reconciliation", params={"rule": "outbox_stuck"}).json()
    assert [f["order_uuid"] for f in only] == [str(second)]
    assert only[0]["facts"]["kind"] == "855"
    assert api.get("/reconciliation", params={"status": "closed"}).json() == []
    assert api.get("/reconciliation", params={"partner": "coupa-demo"}).json() == []
    page = api.get("/reconciliation", params={"status": "all", "limit": 1, "offset": 1}).json()
    assert len(page) == 1
    assert page[0]["id"] != api.get("/reconciliation", params={"limit": 1}).json()[0]["id"]
    assert api.get("/reconciliation", params={"rule": "bogus"}).status_code == 422

    dispatch_outbox(runtime)
    _run(runtime)
    closed = api.get("/reconciliation", params={"status": "closed"}).json()
    assert [f["rule"] for f in closed] == [Rule.OUTBOX_STUCK.value]
    assert closed[0]["closed_at"] is not None

    locked = settings.model_copy(update={"admin_token": SecretStr("operator-token-0123456789")})
    locked_runtime = build_runtime(locked, clock=clock)
    try:
        with TestClient(create_app(runtime=locked_runtime)) as client:
            assert client.get("/reconciliation").status_code == 401
            token = {"Authorization": "Bearer operator-token-0123456789"}
            assert client.get("/reconciliation", headers=token).status_code == 200
    finally:
        locked_runtime.close()


def test_a_window_leaves_older_orders_out(
    runtime: Runtime, retailer: Retailer, clock: FakeClock
) -> None:
    retailer.order("RW-1")
    clock.advance(days=91)
    assert _run(runtime).rules[Rule.CONFIRMATION_OVERDUE].found == 0
    assert timedelta(days=runtime.settings.reconciliation_window_days) == timedelta(days=90)


def test_an_acknowledgement_in_the_delivery_answer_counts(
    settings: Settings, clock: FakeClock, mappings_dir: Path
) -> None:
    """A retailer that answers our POST with its 997: the verdict is recorded at delivery, so
    nothing is overdue a day later."""
    point_profile_at(
        mappings_dir, PARTNER, dict.fromkeys(("855", "856", "810"), f"{BASE_URL}/edi/inbound")
    )
    fake = FakeRetailer()
    built = build_runtime(settings, clock=clock, http=httpx.Client(transport=fake.transport()))
    built.sync_partners()
    try:
        with TestClient(create_app(runtime=built)) as api:
            order = Retailer(api, Path("unused")).order("RH-1")
            _confirm(built, order)
            assert dispatch_outbox(built).delivered == 1
            (row,) = built.queries.outbox(limit=10)
            assert row.acknowledgment == "accepted"
            clock.advance(hours=25)
            assert reconcile(built).rules[Rule.ACKNOWLEDGEMENT_OVERDUE].found == 0
    finally:
        built.close()


def test_figures_of_orders_fulfilled_before_they_were_kept_are_folded_first(
    api: TestClient, runtime: Runtime, retailer: Retailer, clock: FakeClock
) -> None:
    """An upgraded database: the order was shipped before migration 0006 kept per-line figures.
    Reconciliation folds them from the stored documents first instead of reading the order as
    nothing shipped."""
    order = retailer.order("RB-1")
    _confirm(runtime, order)
    _ship(api, order)
    with runtime.engine.begin() as connection:
        connection.execute(t.order_line_fulfilment.delete())
    clock.advance(days=15)

    report = _run(runtime)
    assert report.backfilled == 1
    assert report.as_dict()["backfilled"] == 1
    assert _findings(runtime, Rule.SHIP_NOTICE_OVERDUE) == []
    assert _findings(runtime, Rule.LINE_MISMATCH) == []
    assert _run(runtime).backfilled == 0  # folded once
