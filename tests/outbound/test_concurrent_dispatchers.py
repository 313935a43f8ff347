"""Several dispatchers at once (SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite) never send
a document twice, and documents of one order still go out in order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from connectors.core.transport import Transports
from connectors.testing.fake_platform_server import FakePlatform
from gateway_api.runtime import Runtime
from gateway_api.services.outbox_dispatch import DispatchReport, OutboxDispatcher
from gateway_api.services.retry_policy import RetryPolicy
from schemas import Invoice, OrderConfirmation, ShipNotice
from tests.outbound.conftest import Buyer

SHIPPING = {
    "delivery_date": "2026-12-01T12:00:00+00:00",
    "carrier": {"scac": "UPSN"},
    "tracking_numbers": ["1Z1"],
}


def test_concurrent_dispatchers_send_each_document_once(
    buyer: Buyer, runtime: Runtime, platforms: dict[str, FakePlatform]
) -> None:
    orders = [buyer.order("ariba-demo", f"PO-CC-{n}") for n in range(12)]
    for order in orders:
        buyer.act(order, "confirmations", {"type": "accept"})
        buyer.act(order, "shipments", SHIPPING)

    reports = run_four_dispatchers(runtime, batch_size=3, senders=2)

    assert sum(r.claimed for r in reports) == 24
    assert sum(r.delivered for r in reports) == 24
    received = platforms["ariba-demo"].received
    assert len({r.payload_id for r in received}) == len(received) == 24
    # Per order, the confirmation reached the platform before the ship notice.
    position = {(_order_id(r.document), r.kind): i for i, r in enumerate(received)}
    for n in range(12):
        order_id = f"PO-CC-{n}"
        assert position[order_id, "ConfirmationRequest"] < position[order_id, "ShipNoticeRequest"]


def _order_id(document: OrderConfirmation | ShipNotice | Invoice) -> str | None:
    if isinstance(document, OrderConfirmation):
        return document.order.order_id
    if isinstance(document, ShipNotice):
        return document.orders[0].order.order_id
    return None


def test_set_based_claims_keep_three_documents_per_order_in_order(
    buyer: Buyer, runtime: Runtime, platforms: dict[str, FakePlatform]
) -> None:
    """Claims are one statement per batch: with four dispatchers claiming small batches at
    once, each of an order's three documents still goes out once and after the one before."""
    orders = [buyer.order("coupa-demo", f"PO-SB-{n}") for n in range(8)]
    for order in orders:
        buyer.act(order, "confirmations", {"type": "accept"})
        buyer.act(order, "shipments", SHIPPING)
        buyer.act(order, "invoices", {})

    reports = run_four_dispatchers(runtime, batch_size=5, senders=3)

    assert sum(r.claimed for r in reports) == sum(r.delivered for r in reports) == 24
    received = platforms["coupa-demo"].received
    assert len({r.payload_id for r in received}) == len(received) == 24
    position = {(_order_of(r.document), r.kind): i for i, r in enumerate(received)}
    for n in range(8):
        order_id = f"PO-SB-{n}"
        confirmed = position[order_id, "ConfirmationRequest"]
        assert confirmed < position[order_id, "ShipNoticeRequest"]
        assert position[order_id, "ShipNoticeRequest"] < position[order_id, "InvoiceDetailRequest"]


def _order_of(document: OrderConfirmation | ShipNotice | Invoice) -> str | None:
    if isinstance(document, Invoice):
        return document.orders[0].order.order_id
    return _order_id(document)


def run_four_dispatchers(
    runtime: Runtime, *, batch_size: int, senders: int
) -> list[DispatchReport]:
    """Four dispatchers on the same outbox at once, each claiming `batch_size` at a time."""
    dispatchers = [
        OutboxDispatcher(
            runtime.uow,
            runtime.directory,
            clock=runtime.clock,
            transports=Transports(runtime.http),
            policy=RetryPolicy(batch_size=batch_size),
            senders=senders,
        )
        for _ in range(4)
    ]
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda d: d.run(), dispatchers))
