"""Read side for operators: orders with history, and the document log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from gateway_api.domain import Order
from gateway_api.store.ports import UnitOfWorkFactory
from gateway_api.store.records import (
    DeadLetterStatus,
    DocumentRecord,
    OrderSummary,
    OutboxRecord,
    StoredEvent,
)
from gateway_api.store.shipment_records import ShipmentRecord
from schemas import MappingReference


@dataclass(frozen=True)
class OrderDetail:
    """An order, the mapping that produced its current version, and its history."""

    order: Order
    mapping: list[MappingReference]
    history: list[StoredEvent]
    created_at: datetime
    updated_at: datetime
    shipments: list[ShipmentRecord] = field(default_factory=list)
    """Its carrier shipments, oldest first."""


@dataclass(frozen=True)
class Backlog:
    """What waits for the hub or for a person: the health and metrics numbers."""

    outbox: dict[str, int]
    """Outbox rows per status (`pending` is the delivery backlog, `dead` gave up)."""
    open_dead_letters: int
    """Dead letters waiting for a fix and a replay (exact: counted by the store, not loaded)."""


class QueryService:
    """Read-only queries; each runs in its own short transaction."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def orders(
        self,
        *,
        partner_key: str | None = None,
        status: str | None = None,
        order_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[OrderSummary]:
        """Orders, most recently changed first."""
        with self._uow() as uow:
            return uow.orders.query(
                partner_key=partner_key,
                status=status,
                order_id=order_id,
                limit=limit,
                offset=offset,
            )

    def order(self, order_uuid: UUID) -> OrderDetail | None:
        """One order with its history, or None."""
        with self._uow() as uow:
            found = uow.orders.get(order_uuid)
            if found is None:
                return None
            order, mapping = found
            history = uow.orders.history(order_uuid)
            shipments = uow.shipments.for_order(order_uuid)
        return OrderDetail(
            order=order,
            mapping=mapping,
            history=history,
            created_at=history[0].created_at,
            updated_at=history[-1].created_at,
            shipments=shipments,
        )

    def documents(
        self,
        *,
        partner_key: str | None = None,
        direction: str | None = None,
        kind: str | None = None,
        outcome: str | None = None,
        payload_id: str | None = None,
        correlation_id: str | None = None,
        before: datetime | None = None,
        limit: int = 100,
    ) -> list[DocumentRecord]:
        """The document log, newest first."""
        with self._uow() as uow:
            return uow.documents.query(
                partner_key=partner_key,
                direction=direction,
                kind=kind,
                outcome=outcome,
                payload_id=payload_id,
                correlation_id=correlation_id,
                before=before,
                limit=limit,
            )

    def document(self, document_id: UUID) -> tuple[DocumentRecord, list[DocumentRecord]] | None:
        """One document and the answers we sent to it."""
        with self._uow() as uow:
            record = uow.documents.get(document_id)
            if record is None:
                return None
            return record, uow.documents.replies_to(document_id)

    def outbox(
        self,
        *,
        status: str | None = None,
        partner_key: str | None = None,
        order_uuid: UUID | None = None,
        limit: int = 100,
    ) -> list[OutboxRecord]:
        """Outbox rows, oldest first."""
        with self._uow() as uow:
            return uow.outbox.query(
                status=status, partner_key=partner_key, order_uuid=order_uuid, limit=limit
            )

    def backlog(self) -> Backlog:
        """Outbox rows per status and open dead letters, in one short transaction."""
        with self._uow() as uow:
            outbox = uow.outbox.counts()
            open_letters = uow.dead_letters.count(status=DeadLetterStatus.OPEN.value)
        return Backlog(outbox=outbox, open_dead_letters=open_letters)
