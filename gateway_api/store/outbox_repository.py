"""The outbox: documents to deliver, claimed by dispatchers under a lease.

A row is claimed by setting `claimed_until` (a lease) and counting the attempt, in a short
transaction of its own; the send happens outside any transaction, and the result is recorded in
another. A dispatcher that dies mid-send leaves the lease to expire, and the row is sent again,
with the same payloadID and idempotency key, so the partner can tell it is the same document.

On PostgreSQL concurrent claimers skip each other's rows (`FOR UPDATE SKIP LOCKED`); on SQLite
the claim runs under `BEGIN IMMEDIATE` (see engine.py), which serialises writers, so the select
and the update of one claim cannot interleave with another's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, and_, bindparam, exists, func, or_, select, update

from gateway_api.store import tables as t
from gateway_api.store.insert_buffer import BufferedConnection
from gateway_api.store.records import OutboxRecord, OutboxStatus

_C = t.outbox.c
_SET_LAST_DOCUMENT = (
    update(t.outbox)
    .where(_C.id == bindparam("row_id"))
    .values(last_document_id=bindparam("document_id"))
)


class SqlOutboxRepository:
    """Outbox rows: add with the state change, claim when due, record each outcome."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection

    def add(self, record: OutboxRecord) -> None:
        """Queue a document (staged; written when the unit of work commits)."""
        row = dict(record.__dict__)
        row["status"] = record.status.value
        self._c.stage(t.outbox, [row])

    def get(self, outbox_id: UUID, *, for_update: bool = False) -> OutboxRecord | None:
        """One row (row-locked on PostgreSQL when asked)."""
        query = select(t.outbox).where(_C.id == outbox_id)
        if for_update and self._c.dialect_name == "postgresql":
            query = query.with_for_update()
        row = self._c.execute(query).one_or_none()
        return None if row is None else _record(row)

    def claim_due(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
        partner_key: str | None = None,
        outbox_id: UUID | None = None,
    ) -> list[OutboxRecord]:
        """Claim up to `limit` due rows: lease them until `lease_until` and count the attempt.

        Due means pending, `next_attempt_at <= now`, not leased by a live claim, and first in
        line for its order and partner: documents of one order go out to a partner in the
        order they were issued (a ship notice never overtakes its confirmation, a cancellation
        never its invoice), so a later one waits while an earlier one is pending. A dead one no
        longer holds the line. The line is per partner: the ERP's sales order being retried
        does not hold up the buyer's confirmation of the same order, nor the other way round.
        """
        due = t.outbox.alias("due")
        earlier = t.outbox.alias("earlier")
        filters: list[Any] = [
            due.c.status == OutboxStatus.PENDING.value,
            due.c.next_attempt_at <= now,
            or_(due.c.claimed_until.is_(None), due.c.claimed_until <= now),
            ~exists().where(
                earlier.c.order_uuid == due.c.order_uuid,
                earlier.c.partner_key == due.c.partner_key,
                earlier.c.status == OutboxStatus.PENDING.value,
                or_(
                    earlier.c.created_at < due.c.created_at,
                    and_(earlier.c.created_at == due.c.created_at, earlier.c.id < due.c.id),
                ),
            ),
        ]
        if partner_key is not None:
            filters.append(due.c.partner_key == partner_key)
        if outbox_id is not None:
            filters.append(due.c.id == outbox_id)
        chosen = (
            select(due.c.id)
            .where(and_(*filters))
            .order_by(due.c.next_attempt_at, due.c.id)
            .limit(limit)
        )
        if self._c.dialect_name == "postgresql":
            chosen = chosen.with_for_update(skip_locked=True, of=due)
        # One statement: choose, lease and read back (the rows come back in no set order).
        rows = self._c.execute(
            update(t.outbox)
            .where(_C.id.in_(chosen.scalar_subquery()))
            .values(claimed_until=lease_until, attempts=_C.attempts + 1, updated_at=now)
            .returning(*t.outbox.c)
        )
        records = [_record(row) for row in rows]
        records.sort(key=lambda record: (record.next_attempt_at, record.id))
        return records

    def release(self, outbox_ids: Sequence[UUID], *, lease_until: datetime, at: datetime) -> None:
        """Undo a claim that sent nothing: the lease lifted and the attempt uncounted.

        Only rows still under this claim's lease (`lease_until`) are touched, in one statement.
        """
        if not outbox_ids:
            return
        self._c.execute(
            update(t.outbox)
            .where(_C.id.in_(list(outbox_ids)), _C.claimed_until == lease_until)
            .values(claimed_until=None, attempts=_C.attempts - 1, updated_at=at)
        )

    def record_sent_documents(self, sent: Sequence[tuple[UUID, UUID]]) -> None:
        """Point each row `(outbox id, document id)` at the log entry of its latest attempt.

        One executemany for the batch (psycopg pipelines it), not a statement per document.
        """
        if sent:
            self._c.execute(
                _SET_LAST_DOCUMENT, [{"row_id": row, "document_id": doc} for row, doc in sent]
            )

    def mark_delivered(self, outbox_ids: Sequence[UUID], *, at: datetime) -> None:
        """The partner accepted these documents (one statement for the batch)."""
        if not outbox_ids:
            return
        self._c.execute(
            update(t.outbox)
            .where(_C.id.in_(list(outbox_ids)))
            .values(
                status=OutboxStatus.DELIVERED.value,
                delivered_at=at,
                claimed_until=None,
                last_error=None,
                updated_at=at,
            )
        )

    def reschedule(
        self, outbox_id: UUID, *, at: datetime, next_attempt_at: datetime, error: str
    ) -> None:
        """A transient failure: try again at `next_attempt_at`."""
        self._c.execute(
            update(t.outbox)
            .where(_C.id == outbox_id)
            .values(
                next_attempt_at=next_attempt_at, claimed_until=None, last_error=error, updated_at=at
            )
        )

    def mark_dead(self, outbox_id: UUID, *, at: datetime, error: str) -> None:
        """Refused for good or out of attempts; a dead letter now points at the row."""
        self._c.execute(
            update(t.outbox)
            .where(_C.id == outbox_id)
            .values(
                status=OutboxStatus.DEAD.value, claimed_until=None, last_error=error, updated_at=at
            )
        )

    def requeue(self, outbox_id: UUID, *, at: datetime) -> None:
        """Back to pending, due now, with a fresh attempt budget (replay of a dead letter)."""
        self._c.execute(
            update(t.outbox)
            .where(_C.id == outbox_id)
            .values(
                status=OutboxStatus.PENDING.value,
                attempts=0,
                next_attempt_at=at,
                claimed_until=None,
                updated_at=at,
            )
        )

    def find_by_ack_key(self, partner_key: str, ack_key: str) -> OutboxRecord | None:
        """The row a partner's acknowledgement names by `ack_key` (None when not exactly one)."""
        rows = self._c.execute(
            select(t.outbox).where(_C.partner_key == partner_key, _C.ack_key == ack_key).limit(2)
        )
        found = [_record(row) for row in rows]
        return found[0] if len(found) == 1 else None

    def find_by_payload_id(self, partner_key: str, payload_id: str) -> OutboxRecord | None:
        """The row we sent `partner_key` as `payload_id` (the first, should it have been
        queued twice): how the ERP's delivery note finds the order its sales order was for."""
        rows = self._c.execute(
            select(t.outbox)
            .where(_C.partner_key == partner_key, _C.payload_id == payload_id)
            .order_by(_C.created_at, _C.id)
            .limit(1)
        )
        found = [_record(row) for row in rows]
        return found[0] if found else None

    def record_acknowledgment(self, outbox_id: UUID, acknowledgment: str, *, at: datetime) -> None:
        """Store what the partner's functional acknowledgement said about the document."""
        self._c.execute(
            update(t.outbox)
            .where(_C.id == outbox_id)
            .values(acknowledgment=acknowledgment, updated_at=at)
        )

    def query(
        self,
        *,
        status: str | None = None,
        partner_key: str | None = None,
        order_uuid: UUID | None = None,
        limit: int = 100,
    ) -> list[OutboxRecord]:
        """Rows filtered, oldest first."""
        filters: list[Any] = []
        for column, value in (
            (_C.status, status),
            (_C.partner_key, partner_key),
            (_C.order_uuid, order_uuid),
        ):
            if value is not None:
                filters.append(column == value)
        rows = self._c.execute(
            select(t.outbox).where(and_(True, *filters)).order_by(_C.created_at, _C.id).limit(limit)
        )
        return [_record(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Rows per status."""
        counted = func.count().label("n")
        rows = self._c.execute(select(_C.status, counted).group_by(_C.status))
        return {row.status: row.n for row in rows}


def _record(row: Row[Any]) -> OutboxRecord:
    values = dict(row._mapping)
    values["status"] = OutboxStatus(values["status"])
    return OutboxRecord(**values)
