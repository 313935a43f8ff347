"""Applying a mapped purchase order to the store: decide the change, then write it.

Shared by live ingest and dead-letter replay, so both follow the same rules. Deciding reads and
locks the stored order and runs the domain rules but writes nothing, so a refusal can still be
recorded in the same transaction; writing happens only once the change is known to be valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from gateway_api.domain import Order, OrderEvent
from gateway_api.store.ports import UnitOfWork
from schemas import Direction, Envelope, MappingReference, PurchaseOrder

OrderEnvelope = Envelope[PurchaseOrder]
"""Parametrised once: pydantic caches generic models weakly, so `Envelope[PurchaseOrder](...)`
on every order rebuilt the class (docstrings read through `inspect`) whenever the garbage
collector had taken the cached one, about 4% of the ingest CPU (issue 10's profile)."""


@dataclass(frozen=True)
class OrderChange:
    """A decided change: the order as it will be stored and the history entry it adds."""

    envelope: Envelope[PurchaseOrder]
    order: Order
    event: OrderEvent
    is_new: bool

    def write(self, uow: UnitOfWork) -> None:
        """Insert or update the order, its lines and its history entry in `uow`."""
        assert self.envelope.raw_document_id is not None, "orders point at their raw document"
        store = uow.orders.add if self.is_new else uow.orders.save
        store(
            self.order,
            self.event,
            document_id=self.envelope.raw_document_id,
            mapping=self.envelope.mapping,
            event_id=uuid4(),
        )


def inbound_order_envelope(
    document: PurchaseOrder,
    *,
    raw_document_id: UUID,
    connector: str,
    partner: str,
    payload_id: str,
    at: datetime,
    mapping: Sequence[MappingReference],
) -> Envelope[PurchaseOrder]:
    """The envelope of a mapped order that arrived as the stored raw document `raw_document_id`."""
    return OrderEnvelope(
        id=raw_document_id,
        connector=connector,
        partner=partner,
        direction=Direction.INBOUND,
        partner_document_id=payload_id,
        correlation_id=document.order_id,
        timestamp=at,
        mapping=tuple(mapping),
        raw_document_id=raw_document_id,
        document=document,
    )


@dataclass(frozen=True)
class OrderRepeat:
    """The stored order already is this document (a resend with a new envelope, say a whole
    X12 group sent again after one set was fixed): a duplicate, answered as accepted."""

    order: Order

    @property
    def message(self) -> str:
        """What the log and the partner may read about it."""
        order = self.order
        return (
            f"order {order.order_id!r} version {order.version} is already stored with this "
            "content; nothing changed"
        )

    def write(self, uow: UnitOfWork) -> None:
        """Nothing to write."""
        del uow


def decide_order_change(
    uow: UnitOfWork, envelope: Envelope[PurchaseOrder]
) -> OrderChange | OrderRepeat:
    """Lock the stored order (if any) and apply the domain rules; writes nothing.

    A document equal to the stored version (same change, version and canonical content) is an
    `OrderRepeat`; anything else that cannot apply raises the domain's `OrderConflictError`
    subclasses (a different order under the same id and version stays a conflict). The
    comparison only runs when the order exists, so a new order costs nothing more.
    """
    document, partner_key = envelope.document, envelope.partner
    payload_id, at = envelope.partner_document_id, envelope.timestamp
    existing = uow.orders.get_for_update(partner_key, document.order_id)
    if existing is None:
        order, event = Order.place(partner_key, document, payload_id=payload_id, at=at)
        return OrderChange(envelope, order, event, is_new=True)
    if existing.repeats(document):
        return OrderRepeat(existing)
    order, event = existing.apply(document, payload_id=payload_id, at=at)
    return OrderChange(envelope, order, event, is_new=False)
