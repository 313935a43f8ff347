"""Orders of every channel become LOGO sales orders, once: queued by `SalesOrderQueue`, created
by the outbox dispatcher through the LOGO connector, over real HTTP against `FakeLogo`, on the
in-memory store, SQLite and PostgreSQL (tests/integration/erp_hub.py sets the hub up).

What must hold: one sales-order row per order and ERP partner however often the queue runs,
none for orders older than the first run; the sales order in LOGO carries our document number,
the order's lines and the channel's customer card; the body sent is logged and LOGO's reference
recorded; a lost answer or a crash between sending and recording never makes a second sales
order; LOGO's validation errors are dead letters in LOGO's words, outages are retried.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

import gateway_api.services.sales_orders as sales_orders_module
from connectors.core.inbound import InboundRequest
from connectors.cxml_platform import CXML_INGRESS
from connectors.testing.fake_carrier import LateAnswer, Unavailable
from gateway_api.domain.fulfilment import ConfirmCommand
from gateway_api.services.dead_letters import DeadLetterService
from gateway_api.services.outbox_dispatch import DispatchReport
from gateway_api.services.sales_orders import (
    DOCUMENT_TYPE,
    SALES_ORDER_KIND,
    WATERMARK_STREAM,
    document_number,
)
from gateway_api.store.records import DeadLetterStatus, OutboxRecord, OutboxStatus
from tests.integration.erp_hub import (
    COUPA_CUSTOMER,
    CXML,
    ERP,
    OTHER_ERP,
    SQL_STORES,
    STORES,
    X12_CUSTOMER,
    ErpHub,
    erp_hub_for,
    quantity,
)
from tests.support.clock import FakeClock
from tests.support.cxml_builder import Line, order_request


@pytest.fixture(params=STORES)
def hub(
    request: pytest.FixtureRequest, mappings_dir: Path, clock: FakeClock, tmp_path: Path
) -> Iterator[ErpHub]:
    """The hub with two ERP partners on each store."""
    with erp_hub_for(request, mappings_dir=mappings_dir, clock=clock, tmp_path=tmp_path) as built:
        yield built


def _started(hub: ErpHub) -> None:
    """The queue's first run: it only sets the watermarks (from now on)."""
    report = hub.queue.run()
    assert report.queued == 0
    assert sorted(report.erp_partners) == [ERP, OTHER_ERP]


def _dispatch(hub: ErpHub) -> DispatchReport:
    """Deliver what is due to the ERP under test."""
    return hub.dispatcher.run(partner_key=ERP)


def _retry_due(hub: ErpHub, row: OutboxRecord) -> None:
    """Move the clock to the row's next attempt."""
    hub.clock.now = max(hub.clock.now, hub.row(row.id).next_attempt_at)


# -- queueing ----------------------------------------------------------------------------------


def test_orders_of_every_channel_are_queued_once_per_erp_partner(hub: ErpHub) -> None:
    early = hub.receive_cxml("PO-EARLY")
    _started(hub)
    assert hub.cursor(ERP, WATERMARK_STREAM) is not None
    assert hub.queue.run().queued == 0, "an order from before the first run was queued"

    cxml = hub.receive_cxml("PO-1", [Line("1001", quantity=Decimal(3)), Line("1002")])
    x12 = hub.receive_x12("RT-1", [("AC-1003", 5, "4.25")], control="000000701")
    first = hub.queue.run()
    assert first.queued == 4  # two orders, two ERP partners
    for erp in (ERP, OTHER_ERP):
        rows = {r.order_uuid: r for r in hub.sales_order_rows(erp)}
        assert len(rows) == len(hub.sales_order_rows(erp)) == 2
        for order_uuid, order_id in ((cxml, "PO-1"), (x12, "RT-1")):
            row = rows[order_uuid]
            assert row.order_uuid is not None
            assert (row.kind, row.document_type, row.status) == (
                SALES_ORDER_KIND,
                DOCUMENT_TYPE,
                OutboxStatus.PENDING,
            )
            assert row.payload_id == document_number(row.order_uuid)
            assert row.correlation_id == order_id
            assert row.document["order_id"] == order_id
    [coupa_row] = hub.outbox_of(cxml, ERP)
    assert [line["sku"] for line in coupa_row.document["lines"]] == ["B2C-1001", "B2C-1002"]
    assert hub.outbox_of(early, ERP) == []

    again = hub.queue.run()
    assert again.queued == 0
    assert len(hub.sales_order_rows()) == len(hub.sales_order_rows(OTHER_ERP)) == 2

    hub.clock.advance(hours=6)  # the watermark moves up to `SETTLE` behind the run
    later = hub.receive_x12("RT-2", [("AC-1001", 1, "3.10")], control="000000702")
    assert hub.queue.run(partner_key=OTHER_ERP).queued == 1
    assert hub.queue.run().queued == 1  # only ERP still lacked it
    assert hub.queue.run().queued == 0
    for erp in (ERP, OTHER_ERP):
        queued = hub.sales_order_rows(erp)
        assert sorted(str(r.order_uuid) for r in queued) == sorted(map(str, (cxml, x12, later)))


@pytest.mark.parametrize("hub", SQL_STORES, indirect=True)
def test_two_queue_runs_at_once_take_turns_and_queue_each_order_once(
    hub: ErpHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DAG and a `b2connect jobs run queue-sales-orders` at the same moment: the second
    waits on the watermark's row and its anti-join sees what the first queued (SQL stores
    only: the in-memory one runs one unit of work at a time)."""
    _started(hub)
    hub.receive_cxml("PO-RACE-1")
    hub.receive_cxml("PO-RACE-2")
    first_inside = threading.Event()
    real_row = sales_orders_module.sales_order_row

    def slow_first(*args: Any, **kwargs: Any) -> OutboxRecord:
        """The first run holds its transaction (and the watermark's lock) a while."""
        if not first_inside.is_set():
            first_inside.set()
            time.sleep(0.5)
        return real_row(*args, **kwargs)

    monkeypatch.setattr(sales_orders_module, "sales_order_row", slow_first)
    queued: list[int] = []
    first = threading.Thread(target=lambda: queued.append(hub.queue.run(partner_key=ERP).queued))
    first.start()
    assert first_inside.wait(timeout=10)
    second = threading.Thread(target=lambda: queued.append(hub.queue.run(partner_key=ERP).queued))
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert sorted(queued) == [0, 2]
    assert len(hub.sales_order_rows(ERP)) == 2


def test_a_sweep_larger_than_its_batch_queues_everything_once(hub: ErpHub) -> None:
    _started(hub)
    orders = [hub.receive_cxml(f"PO-B{n}") for n in range(5)]
    small = type(hub.queue)(hub.uow, hub.directory, clock=hub.clock, batch_size=2)
    assert small.run(partner_key=ERP).queued == 5
    assert small.run(partner_key=ERP).queued == 0
    queued = sorted(str(r.order_uuid) for r in hub.sales_order_rows())
    assert queued == sorted(map(str, orders))


def test_a_cancelled_order_is_not_queued(hub: ErpHub) -> None:
    _started(hub)
    kept = hub.receive_cxml("PO-KEEP")
    hub.receive_cxml("PO-GONE")
    body = order_request(partner=CXML, order_id="PO-GONE", change="delete", payload_id="gone-2")
    result = hub.ingest.receive(
        CXML, InboundRequest(body=body, content_type="text/xml"), ingress=CXML_INGRESS
    )
    assert result.reply.status == 200, result.reply.body[:400]
    assert hub.queue.run(partner_key=ERP).queued == 1
    assert [r.order_uuid for r in hub.sales_order_rows()] == [kept]


# -- dispatch ----------------------------------------------------------------------------------


def test_the_dispatcher_creates_each_sales_order_in_logo_and_records_it(hub: ErpHub) -> None:
    _started(hub)
    cxml = hub.receive_cxml(
        "PO-1", [Line("1001", quantity=Decimal(3), price=Decimal("4.50")), Line("1002")]
    )
    x12 = hub.receive_x12("RT-1", [("AC-1003", 5, "4.25")], control="000000711")
    assert hub.queue.run(partner_key=ERP).queued == 2

    report = _dispatch(hub)
    assert (report.claimed, report.delivered, report.errors) == (2, 2, [])

    coupa_number, x12_number = document_number(cxml), document_number(x12)
    [coupa] = hub.logo.orders_with(coupa_number)
    [retail] = hub.logo.orders_with(x12_number)
    assert hub.logo.order_posts == 2
    assert (coupa["ARP_CODE"], retail["ARP_CODE"]) == (COUPA_CUSTOMER, X12_CUSTOMER)
    assert coupa["NOTES1"] == f"{CXML} PO PO-1"
    assert [
        (line["MASTER_CODE"], quantity(line["QUANTITY"]), line["UNIT_CODE"], line.get("PRICE"))
        for line in coupa["TRANSACTIONS"]["items"]
    ] == [("B2C-1001", Decimal(3), "ADET", 4.5), ("B2C-1002", Decimal(2), "ADET", 10.5)]
    [line] = retail["TRANSACTIONS"]["items"]
    assert (line["MASTER_CODE"], quantity(line["QUANTITY"])) == ("B2C-1003", Decimal(5))
    # The customer cards were made from the buyers, under the channels' codes.
    coupa_card, retail_card = hub.logo.customer(COUPA_CUSTOMER), hub.logo.customer(X12_CUSTOMER)
    assert coupa_card is not None
    assert retail_card is not None
    assert retail_card["TITLE"] == "ACME RETAIL"

    posts = [
        r.body
        for r in hub.logo.business_requests()
        if (r.method, r.path) == ("POST", "/api/v1/salesOrders")
    ]
    for order_uuid, number, created in ((cxml, coupa_number, coupa), (x12, x12_number, retail)):
        [row] = hub.outbox_of(order_uuid, ERP)
        assert row.status is OutboxStatus.DELIVERED
        assert row.delivered_at is not None
        assert row.attempts == 1
        sent = hub.document(row.last_document_id)
        assert (sent.direction, sent.kind, sent.payload_id) == (
            "outbound",
            SALES_ORDER_KIND,
            number,
        )
        assert sent.body in posts, "the log holds other bytes than those LOGO received"
        assert json.loads(sent.body)["DOC_NUMBER"] == number
        [answer] = hub.replies_to(sent.id)
        assert json.loads(answer.body) == {
            "document_number": number,
            "erp_reference": str(created["INTERNAL_REFERENCE"]),
            "created": True,
        }
        assert str(created["INTERNAL_REFERENCE"]) in (answer.detail or "")
    assert _dispatch(hub).claimed == 0
    assert hub.logo.order_posts == 2


def test_an_order_queued_twice_is_still_one_sales_order(hub: ErpHub) -> None:
    """Two queue runs racing (no unique key stops them) queue the order twice; the outbox
    sends one row of an order to a partner at a time, so the second finds the first's."""
    _started(hub)
    order = hub.receive_cxml("PO-TWICE")
    hub.queue.run(partner_key=ERP)
    [first] = hub.outbox_of(order, ERP)
    twin = replace(first, id=uuid4(), created_at=first.created_at + timedelta(milliseconds=1))
    with hub.uow() as uow:
        uow.outbox.add(twin)
        uow.commit()

    report = _dispatch(hub)
    assert (report.claimed, report.delivered, report.errors) == (2, 2, [])
    assert len(hub.logo.orders_with(document_number(order))) == 1
    assert hub.logo.order_posts == 1
    answers = [
        json.loads(hub.replies_to(hub.document(r.last_document_id).id)[0].body)["created"]
        for r in hub.outbox_of(order, ERP)
    ]
    assert sorted(answers) == [False, True]


@pytest.mark.parametrize("late_seconds", [None, 2.0], ids=["connection-closed", "timeout"])
def test_a_lost_answer_is_found_next_time_not_created_twice(
    hub: ErpHub, late_seconds: float | None
) -> None:
    _started(hub)
    order = hub.receive_cxml("PO-LOST")
    hub.queue.run(partner_key=ERP)
    hub.logo.add_customer(COUPA_CUSTOMER, "ACME")  # so that the one POST is the sales order
    hub.logo.drop_answer_next(late_seconds=late_seconds)

    first = _dispatch(hub)
    assert (first.delivered, first.retried, first.dead_lettered) == (0, 1, 0)
    [row] = hub.outbox_of(order, ERP)
    assert row.status is OutboxStatus.PENDING
    assert row.last_error
    assert row.next_attempt_at > hub.clock.now
    number = document_number(order)
    assert len(hub.logo.orders_with(number)) == 1, "LOGO did the work; only the answer was lost"

    _retry_due(hub, row)
    second = _dispatch(hub)
    assert (second.delivered, second.retried) == (1, 0)
    [made] = hub.logo.orders_with(number)
    assert hub.logo.order_posts == 1
    row = hub.row(row.id)
    assert (row.status, row.attempts) == (OutboxStatus.DELIVERED, 2)
    [answer] = hub.replies_to(hub.document(row.last_document_id).id)
    assert json.loads(answer.body) == {
        "document_number": number,
        "erp_reference": str(made["INTERNAL_REFERENCE"]),
        "created": False,
    }


def test_a_crash_between_sending_and_recording_creates_one_sales_order(
    hub: ErpHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    _started(hub)
    order = hub.receive_x12("RT-CRASH", [("AC-1002", 7, "0.80")], control="000000721")
    hub.queue.run(partner_key=ERP)

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # the process dies after LOGO answered, before recording

    monkeypatch.setattr(hub.dispatcher, "_record", crash)
    with pytest.raises(KeyboardInterrupt):
        _dispatch(hub)
    monkeypatch.undo()
    number = document_number(order)
    assert len(hub.logo.orders_with(number)) == 1
    [row] = hub.outbox_of(order, ERP)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)

    assert _dispatch(hub).claimed == 0, "a live lease was claimed again"
    hub.clock.advance(seconds=hub.dispatcher.policy.lease_seconds + 1)
    again = _dispatch(hub)
    assert (again.claimed, again.delivered) == (1, 1)
    [made] = hub.logo.orders_with(number)
    assert hub.logo.order_posts == 1
    row = hub.row(row.id)
    assert row.status is OutboxStatus.DELIVERED
    [answer] = hub.replies_to(hub.document(row.last_document_id).id)
    assert json.loads(answer.body)["created"] is False
    assert json.loads(answer.body)["erp_reference"] == str(made["INTERNAL_REFERENCE"])


def test_logos_validation_error_is_a_dead_letter_in_logos_words(hub: ErpHub) -> None:
    _started(hub)
    order = hub.receive_cxml("PO-BAD", [Line("1002"), Line("1004")])  # LOGO has no B2C-1004
    hub.queue.run(partner_key=ERP)

    report = _dispatch(hub)
    assert (report.delivered, report.retried, report.dead_lettered) == (0, 0, 1)
    [row] = hub.outbox_of(order, ERP)
    assert row.status is OutboxStatus.DEAD
    logo_text = "2. satir: malzeme kodu bulunamadi: B2C-1004"
    assert row.last_error is not None
    assert logo_text in row.last_error
    [dead] = hub.dead_letters(ERP)
    assert dead.status is DeadLetterStatus.OPEN
    assert dead.outbox_id == row.id
    assert logo_text in dead.error
    assert hub.document(dead.document_id).payload_id == document_number(order)
    assert hub.logo.orders_with(document_number(order)) == []
    assert hub.logo.order_posts == 0

    # The item is added in LOGO; the dead letter is replayed: one sales order, row delivered.
    hub.logo.add_item("B2C-1004", "Nitrile gloves")
    replays = DeadLetterService(
        hub.uow, hub.directory, hub.ingest, clock=hub.clock, dispatcher=hub.dispatcher
    )
    assert replays.replay(dead.id).succeeded
    assert len(hub.logo.orders_with(document_number(order))) == 1
    assert hub.row(row.id).status is OutboxStatus.DELIVERED
    [replayed] = hub.dead_letters(ERP)
    assert replayed.status is DeadLetterStatus.REPLAYED


@pytest.mark.parametrize("fault", [Unavailable(), LateAnswer(2.0)], ids=["http-503", "timeout"])
def test_an_outage_is_retried_later(hub: ErpHub, fault: Unavailable | LateAnswer) -> None:
    _started(hub)
    order = hub.receive_cxml("PO-DOWN")
    hub.queue.run(partner_key=ERP)
    hub.logo.fail_next(fault)

    first = _dispatch(hub)
    assert (first.delivered, first.retried, first.dead_lettered) == (0, 1, 0)
    [row] = hub.outbox_of(order, ERP)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.next_attempt_at > hub.clock.now
    assert row.last_error
    assert hub.dead_letters(ERP) == []
    assert hub.logo.order_posts == 0

    assert _dispatch(hub).claimed == 0, "retried before its time"
    _retry_due(hub, row)
    assert _dispatch(hub).delivered == 1
    assert len(hub.logo.orders_with(document_number(order))) == 1


def test_the_erp_row_does_not_hold_up_the_buyers_documents(hub: ErpHub) -> None:
    """claim_due serialises per (order, partner): the sales order waiting for a retry does not
    keep the order's confirmation to the buyer from being claimed, nor the other way round."""
    _started(hub)
    order = hub.receive_cxml("PO-LINE")
    hub.queue.run(partner_key=ERP)
    hub.logo.fail_next(Unavailable())
    assert _dispatch(hub).retried == 1
    hub.fulfilment.confirm(order, ConfirmCommand(type="accept"))
    [confirmation] = hub.outbox_of(order, CXML)
    with hub.uow() as uow:
        claimed = uow.outbox.claim_due(
            now=hub.clock(), lease_until=hub.clock.now + timedelta(minutes=5), limit=10
        )
        uow.commit()
    assert [r.id for r in claimed] == [confirmation.id]
