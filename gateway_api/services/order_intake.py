"""Applying a mapped purchase order to the store: place it or change it, with history.

Shared by live ingest and dead-letter replay, so both follow the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

from gateway_api.domain import Order
from gateway_api.store.unit_of_work import UnitOfWork
from schemas import MappingReference, PurchaseOrder


def apply_order(
    uow: UnitOfWork,
    partner_key: str,
    document: PurchaseOrder,
    *,
    document_id: UUID,
    payload_id: str | None,
    at: datetime,
    mapping: Sequence[MappingReference],
) -> Order:
    """Place a new order or apply a change to the stored one, inside `uow`'s transaction.

    Raises the domain's `OrderConflictError` subclasses; the caller's transaction then rolls
    back and nothing of this document is applied.
    """
    existing = uow.orders.get_for_update(partner_key, document.order_id)
    if existing is None:
        order, event = Order.place(partner_key, document, payload_id=payload_id, at=at)
        uow.orders.add(order, event, document_id=document_id, mapping=mapping, event_id=uuid4())
    else:
        order, event = existing.apply(document, payload_id=payload_id, at=at)
        uow.orders.save(order, event, document_id=document_id, mapping=mapping, event_id=uuid4())
    return order
