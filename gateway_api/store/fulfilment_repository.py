"""Confirmations, ship notices and invoices the supplier issued, per order."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, exists, select, update

from gateway_api.store import tables as t
from gateway_api.store.insert_buffer import BufferedConnection
from gateway_api.store.records import FulfilmentRecord, FulfilmentStatus

_C = t.fulfilment_documents.c


class SqlFulfilmentRepository:
    """The supplier's side of each order, as documents."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection

    def add(self, record: FulfilmentRecord) -> None:
        """Store an issued document (staged; written at commit)."""
        row = dict(record.__dict__)
        row["status"] = record.status.value
        self._c.stage(t.fulfilment_documents, [row])

    def for_order(self, order_uuid: UUID) -> list[FulfilmentRecord]:
        """Every document issued for the order, oldest first."""
        rows = self._c.execute(
            select(t.fulfilment_documents)
            .where(_C.order_uuid == order_uuid)
            .order_by(_C.created_at, _C.id)
        )
        return [_record(row) for row in rows]

    def business_id_taken(
        self, partner_key: str, document_type: str, business_id: str, *, except_order: UUID
    ) -> bool:
        """True when another order of the partner already used this shipment or invoice id."""
        query = select(
            exists().where(
                _C.partner_key == partner_key,
                _C.document_type == document_type,
                _C.business_id == business_id,
                _C.order_uuid != except_order,
            )
        )
        return bool(self._c.execute(query).scalar_one())

    def has_business_id(self, order_uuid: UUID, document_type: str, business_id: str) -> bool:
        """True when the order already has a document of this type and business id (a ship
        notice issued for a carrier shipment before a crash)."""
        query = select(
            exists().where(
                _C.order_uuid == order_uuid,
                _C.document_type == document_type,
                _C.business_id == business_id,
            )
        )
        return bool(self._c.execute(query).scalar_one())

    def set_status(self, record_id: UUID, status: FulfilmentStatus, *, at: datetime) -> None:
        """Mark a document superseded or cancelled."""
        self._c.execute(
            update(t.fulfilment_documents)
            .where(_C.id == record_id)
            .values(status=status.value, updated_at=at)
        )


def _record(row: Row[Any]) -> FulfilmentRecord:
    values = dict(row._mapping)
    values["status"] = FulfilmentStatus(values["status"])
    return FulfilmentRecord(**values)
