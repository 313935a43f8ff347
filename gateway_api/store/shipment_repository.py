"""Carrier shipments and their tracking events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, bindparam, insert, nulls_first, or_, select, update

from gateway_api.store import tables as t
from gateway_api.store.insert_buffer import BufferedConnection
from gateway_api.store.shipment_records import (
    ShipmentEventRecord,
    ShipmentRecord,
    ShipmentState,
)

_S = t.shipments.c
_E = t.shipment_events.c

FINAL_TRACKING = ("delivered", "returned", "cancelled")
"""Tracking statuses after which a carrier reports nothing more (`TrackingStatus.is_final`)."""


class SqlShipmentRepository:
    """Shipments booked with carriers, the events they reported, and what is still open."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection

    def add(self, record: ShipmentRecord) -> None:
        """Store a new shipment (written now, so a unique reference clash shows at once)."""
        self._c.execute(insert(t.shipments).values(**_row(record)))

    def get(self, shipment_id: UUID, *, lock: bool = False) -> ShipmentRecord | None:
        """The shipment, locked against concurrent updates when `lock`."""
        query = select(t.shipments).where(_S.id == shipment_id)
        if lock:
            query = query.with_for_update()
        row = self._c.execute(query).first()
        return _record(row) if row is not None else None

    def by_reference(self, carrier_key: str, reference: str) -> ShipmentRecord | None:
        """The shipment booked with `carrier_key` under `reference`, if any."""
        row = self._c.execute(
            select(t.shipments).where(_S.carrier_key == carrier_key, _S.reference == reference)
        ).first()
        return _record(row) if row is not None else None

    def for_order(self, order_uuid: UUID) -> list[ShipmentRecord]:
        """The order's shipments, oldest first."""
        rows = self._c.execute(
            select(t.shipments).where(_S.order_uuid == order_uuid).order_by(_S.created_at, _S.id)
        )
        return [_record(row) for row in rows]

    def open_for_tracking(
        self, carrier_key: str, *, limit: int, polled_before: datetime
    ) -> list[ShipmentRecord]:
        """Shipments of the carrier still to follow (booked and not final, or still booking)
        and not polled since `polled_before`, least recently polled first."""
        rows = self._c.execute(
            select(t.shipments)
            .where(
                _S.carrier_key == carrier_key,
                _S.state != ShipmentState.REFUSED.value,
                _S.tracking_status.not_in(FINAL_TRACKING),
                or_(_S.polled_at.is_(None), _S.polled_at < polled_before),
            )
            .order_by(nulls_first(_S.polled_at.asc()), _S.created_at, _S.id)
            .limit(limit)
        )
        return [_record(row) for row in rows]

    def update(self, shipment_id: UUID, **values: Any) -> None:
        """Change columns of one shipment."""
        self._c.execute(update(t.shipments).where(_S.id == shipment_id).values(**values))

    def update_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Change the same columns of many shipments: each row has `id` and the new values
        (one executemany: a tracking batch is one statement)."""
        if not rows:
            return
        columns = [name for name in rows[0] if name != "id"]
        statement = (
            update(t.shipments)
            .where(_S.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in columns})
        )
        self._c.execute(
            statement, [{f"b_{name}": value for name, value in row.items()} for row in rows]
        )

    def touch(self, shipment_ids: Sequence[UUID], *, polled_at: datetime) -> None:
        """Record that the carrier was asked about these shipments and said nothing new."""
        if shipment_ids:
            self._c.execute(
                update(t.shipments).where(_S.id.in_(list(shipment_ids))).values(polled_at=polled_at)
            )

    def events(self, shipment_ids: Iterable[UUID]) -> dict[UUID, list[ShipmentEventRecord]]:
        """The stored events of each shipment, in order of arrival."""
        ids = list(shipment_ids)
        found: dict[UUID, list[ShipmentEventRecord]] = {i: [] for i in ids}
        if not ids:
            return found
        rows = self._c.execute(
            select(t.shipment_events)
            .where(_E.shipment_id.in_(ids))
            .order_by(_E.shipment_id, _E.seq)
        )
        for row in rows:
            record = ShipmentEventRecord(**row._mapping)
            found[record.shipment_id].append(record)
        return found

    def add_events(self, events: Sequence[ShipmentEventRecord]) -> None:
        """Store new events (staged; written at commit, in one statement)."""
        if events:
            self._c.stage(t.shipment_events, [dict(e.__dict__) for e in events])


def _row(record: ShipmentRecord) -> dict[str, Any]:
    row = dict(record.__dict__)
    row["state"] = record.state.value
    return row


def _record(row: Row[Any]) -> ShipmentRecord:
    values = dict(row._mapping)
    values["state"] = ShipmentState(values["state"])
    return ShipmentRecord(**values)
