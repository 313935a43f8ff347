"""Applying a mapped purchase order to the store: place it or change it, with history.

Shared by live ingest and dead-letter replay, so both follow the same rules. The input is the
canonical `Envelope`: the order plus who sent it, its payloadID, the stored raw document and the
mapping files that produced it.
"""

from __future__ import annotations

from uuid import uuid4

from gateway_api.domain import Order
from gateway_api.store.unit_of_work import UnitOfWork
from schemas import Envelope, PurchaseOrder


def apply_order(uow: UnitOfWork, envelope: Envelope[PurchaseOrder]) -> Order:
    """Place a new order or apply a change to the stored one, inside `uow`'s transaction.

    Raises the domain's `OrderConflictError` subclasses; the caller's transaction then rolls
    back and nothing of this document is applied.
    """
    document, partner_key = envelope.document, envelope.partner
    payload_id, at = envelope.partner_document_id, envelope.timestamp
    assert envelope.raw_document_id is not None, "orders always point at their raw document"
    existing = uow.orders.get_for_update(partner_key, document.order_id)
    if existing is None:
        order, event = Order.place(partner_key, document, payload_id=payload_id, at=at)
        store = uow.orders.add
    else:
        order, event = existing.apply(document, payload_id=payload_id, at=at)
        store = uow.orders.save
    store(
        order,
        event,
        document_id=envelope.raw_document_id,
        mapping=envelope.mapping,
        event_id=uuid4(),
    )
    return order
