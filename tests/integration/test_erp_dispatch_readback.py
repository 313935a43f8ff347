"""LOGO's delivery notes read back as the buyers' ship notices, once: `ErpDispatchReader` over
real HTTP against `FakeLogo`, on the in-memory store, SQLite and PostgreSQL
(tests/integration/erp_hub.py sets the hub up).

Each order is first made a LOGO sales order the way the hub does it (queue, dispatcher), then
LOGO ships it (`FakeLogo.dispatch`); the reader must put one ship notice per delivery note in
the outbox for the channel the order came from, in that channel's protocol, with the note's
quantities, carrier and tracking number, and never a second one, whether it runs again or
reads the same page again. Notes it cannot use (another sales order, nothing to ship, too
much) are counted and left, and the cursor moves past them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from connectors.testing.fake_carrier import Unavailable
from gateway_api.services.erp_dispatches import (
    KIND,
    OWN_DELIVERY,
    STREAM,
    DispatchReadReport,
)
from gateway_api.services.partners import Partner
from gateway_api.services.sales_orders import document_number
from gateway_api.store.records import OutboxRecord, OutboxStatus
from tests.integration.erp_hub import CXML, ERP, STORES, X12, ErpHub, erp_hub_for
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line

CARRIER = "Yurtici Kargo"


@pytest.fixture(params=STORES)
def hub(
    request: pytest.FixtureRequest, mappings_dir: Path, clock: FakeClock, tmp_path: Path
) -> Iterator[ErpHub]:
    """The hub with two ERP partners on each store."""
    with erp_hub_for(request, mappings_dir=mappings_dir, clock=clock, tmp_path=tmp_path) as built:
        yield built


def _in_logo(hub: ErpHub, *orders: UUID) -> None:
    """Make the orders LOGO sales orders as the hub does (the queue ran once before them)."""
    assert hub.queue.run(partner_key=ERP).queued == len(orders)
    report = hub.dispatcher.run(partner_key=ERP)
    assert report.delivered == len(orders), report.errors
    for order in orders:
        assert len(hub.logo.orders_with(document_number(order))) == 1


def _erp(hub: ErpHub) -> Partner:
    partner = hub.directory.get(ERP)
    assert partner is not None
    assert partner.erp is not None
    return partner


def _read(hub: ErpHub) -> DispatchReadReport:
    report = hub.reader.run(_erp(hub))
    assert report.problems == []
    return report


def _ship_notices(hub: ErpHub, order: UUID, channel: str) -> list[OutboxRecord]:
    return [r for r in hub.outbox_of(order, channel) if r.document_type == "ship_notice"]


def _shipped(row: OutboxRecord) -> list[tuple[int, Decimal]]:
    """(order line, quantity) of a queued ship notice."""
    [portion] = row.document["orders"]
    return [(line["line_number"], Decimal(str(line["quantity"]))) for line in portion["lines"]]


def _counts(report: DispatchReadReport) -> dict[str, Any]:
    return {k: v for k, v in report.as_dict().items() if k != "refused"}


@pytest.fixture
def started(hub: ErpHub) -> ErpHub:
    """The hub after the queue's first run (orders from now on become sales orders)."""
    assert hub.queue.run().queued == 0
    return hub


def test_a_delivery_note_becomes_the_buyers_ship_notice_once(started: ErpHub) -> None:
    hub = started
    cxml = hub.receive_cxml("PO-1", [Line("1001", quantity=Decimal(3)), Line("1002")])
    x12 = hub.receive_x12("RT-1", [("AC-1003", 5, "4.25")], control="000000801")
    _in_logo(hub, cxml, x12)
    assert _read(hub).dispatches == 0

    shipped_at = hub.clock.now.replace(microsecond=0)
    coupa_note = hub.logo.dispatch(document_number(cxml), carrier=CARRIER, tracking="YK-1")
    retail_note = hub.logo.dispatch(document_number(x12), carrier="MNG", tracking="MNG-9")
    first = _read(hub)
    assert _counts(first) == {
        "dispatches": 2,
        "ship_notices": 2,
        "already_sent": 0,
        "not_ours": 0,
    }
    assert first.refused == []

    [coupa] = _ship_notices(hub, cxml, CXML)
    assert (coupa.kind, coupa.status) == ("ShipNoticeRequest", OutboxStatus.PENDING)
    assert coupa.document["shipment_id"] == coupa_note
    assert _shipped(coupa) == [(1, Decimal(3)), (2, Decimal(2))]
    assert coupa.document["fulfillment"] == "complete"
    [control] = coupa.document["carriers"]
    assert control["tracking_numbers"] == ["YK-1"]
    assert CARRIER in str(control["carrier"])
    assert abs(
        hub.clock.now.fromisoformat(coupa.document["shipment_date"]) - shipped_at
    ) < timedelta(seconds=2)
    [retail] = _ship_notices(hub, x12, X12)
    assert retail.kind == "856"
    assert retail.document["shipment_id"] == retail_note
    assert _shipped(retail) == [(1, Decimal(5))]
    assert hub.outbox_of(cxml, X12) == hub.outbox_of(x12, CXML) == []
    notes = hub.documents(ERP, KIND)
    assert sorted(n.payload_id or "" for n in notes) == sorted([coupa_note, retail_note])
    assert all(n.direction == "inbound" for n in notes)
    assert hub.cursor(ERP, STREAM) == retail_note

    # Run again: nothing new. Read the same page again (a crash before the cursor was
    # saved): each note is found sent and skipped.
    assert _counts(_read(hub))["dispatches"] == 0
    with hub.uow() as uow:
        uow.cursors.save(ERP, STREAM, None, at=hub.clock())
        uow.commit()
    again = _read(hub)
    assert (again.dispatches, again.ship_notices, again.already_sent) == (2, 0, 2)
    assert len(_ship_notices(hub, cxml, CXML)) == len(_ship_notices(hub, x12, X12)) == 1


def test_a_partial_dispatch_ships_only_what_left(started: ErpHub) -> None:
    hub = started
    order = hub.receive_cxml("PO-PART", [Line("1001", quantity=Decimal(3)), Line("1002")])
    _in_logo(hub, order)
    number = document_number(order)

    hub.logo.dispatch(number, [("B2C-1001", 1)], carrier=CARRIER, tracking="YK-A")
    assert _read(hub).ship_notices == 1
    [first] = _ship_notices(hub, order, CXML)
    assert _shipped(first) == [(1, Decimal(1))]
    assert first.document["fulfillment"] == "partial"

    hub.logo.dispatch(number, [("B2C-1001", 2), ("B2C-1002", 2)], carrier=CARRIER, tracking="YK-B")
    assert _read(hub).ship_notices == 1
    second = [r for r in _ship_notices(hub, order, CXML) if r.id != first.id]
    assert [_shipped(r) for r in second] == [[(1, Decimal(2)), (2, Decimal(2))]]
    assert second[0].document["fulfillment"] == "complete"

    # LOGO ships more than was ordered: no ship notice, the note counted and left behind.
    hub.logo.dispatch(number, [("B2C-1002", 1)], carrier=CARRIER, tracking="YK-C")
    over = _read(hub)
    assert (over.dispatches, over.ship_notices) == (1, 0)
    [refusal] = over.refused
    assert "B2C-1002" in refusal
    assert len(_ship_notices(hub, order, CXML)) == 2
    assert _read(hub).dispatches == 0, "the cursor did not move past the refused note"


def test_a_note_of_a_sales_order_the_hub_did_not_send_is_counted_and_left(
    started: ErpHub,
) -> None:
    hub = started
    order = hub.receive_cxml("PO-MINE")
    _in_logo(hub, order)
    # A sales order typed in LOGO by hand, with a number the hub never used.
    hub.logo.sales_orders.append(
        {
            "INTERNAL_REFERENCE": 900001,
            "DOC_NUMBER": "WALK-IN-1",
            "ARP_CODE": "CUST-COUPA",
            "TRANSACTIONS": {
                "items": [
                    {
                        "INTERNAL_REFERENCE": 900002,
                        "TYPE": 0,
                        "MASTER_CODE": "B2C-1002",
                        "QUANTITY": 1,
                        "UNIT_CODE": "ADET",
                    }
                ]
            },
        }
    )
    walk_in = hub.logo.dispatch("WALK-IN-1", carrier=CARRIER, tracking="YK-W")
    report = _read(hub)
    assert _counts(report) == {
        "dispatches": 1,
        "ship_notices": 0,
        "already_sent": 0,
        "not_ours": 1,
    }
    assert _ship_notices(hub, order, CXML) == []
    [logged] = hub.documents(ERP, KIND)
    assert logged.payload_id == walk_in
    assert b'"ORDER_REFERENCE": 900002' in hub.document(logged.id).body  # LOGO's JSON
    assert "WALK-IN-1" in (logged.detail or "")
    assert hub.cursor(ERP, STREAM) == walk_in

    hub.logo.dispatch(document_number(order), carrier=CARRIER, tracking="YK-M")
    assert _read(hub).ship_notices == 1
    assert len(_ship_notices(hub, order, CXML)) == 1


def test_a_note_that_ships_nothing_does_not_ship_the_whole_order(started: ErpHub) -> None:
    hub = started
    order = hub.receive_cxml("PO-ZERO", [Line("1001", quantity=Decimal(3)), Line("1002")])
    _in_logo(hub, order)
    hub.logo.dispatch(document_number(order), [("B2C-1001", 0)], carrier=CARRIER, tracking="Z")
    report = _read(hub)
    assert (report.dispatches, report.ship_notices, len(report.refused)) == (1, 0, 1)
    assert _ship_notices(hub, order, CXML) == []


def test_two_note_lines_of_one_sku_fill_the_orders_lines_of_it_in_turn(started: ErpHub) -> None:
    hub = started
    order = hub.receive_cxml(
        "PO-TWICE", [Line("1001", quantity=Decimal(3)), Line("1001", quantity=Decimal(3))]
    )
    _in_logo(hub, order)
    number = document_number(order)
    hub.logo.dispatch(number, [("B2C-1001", 2), ("B2C-1001", 2)], carrier=CARRIER, tracking="T1")
    report = _read(hub)
    assert (report.ship_notices, report.refused) == (1, [])
    [notice] = _ship_notices(hub, order, CXML)
    assert _shipped(notice) == [(1, Decimal(3)), (2, Decimal(1))]


def test_a_note_without_carrier_or_tracking_is_the_suppliers_own_delivery(started: ErpHub) -> None:
    """Every ship notice names a carrier and a tracking number (the domain's rule); a LOGO note
    without them (own vehicle, the buyer collecting) still becomes the buyer's ship notice, with
    the waybill's number as its reference, rather than a note that is never sent."""
    hub = started
    order = hub.receive_cxml("PO-NOTRACK")
    _in_logo(hub, order)
    hub.logo.dispatch(document_number(order))
    report = _read(hub)
    assert (report.dispatches, report.ship_notices, report.refused) == (1, 1, [])
    [notice] = _ship_notices(hub, order, CXML)
    [control] = notice.document["carriers"]
    assert OWN_DELIVERY in str(control["carrier"])
    [waybill] = [note["NUMBER"] for note in hub.logo.dispatches]
    assert control["tracking_numbers"] == [waybill]


def test_logo_down_keeps_the_cursor(started: ErpHub) -> None:
    hub = started
    order = hub.receive_cxml("PO-DOWN")
    _in_logo(hub, order)
    hub.logo.dispatch(document_number(order), carrier=CARRIER, tracking="YK-D")
    hub.logo.fail_next(Unavailable())
    down = hub.reader.run(_erp(hub))
    assert (down.dispatches, len(down.problems)) == (0, 1)
    assert hub.cursor(ERP, STREAM) is None
    assert _read(hub).ship_notices == 1
    assert len(_ship_notices(hub, order, CXML)) == 1
