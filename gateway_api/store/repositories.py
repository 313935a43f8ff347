"""Repositories over one SQLAlchemy connection; the unit of work owns the transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, Row, and_, bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gateway_api.domain import Order, OrderEvent, OrderEventKind, OrderStatus
from gateway_api.store import tables as t
from gateway_api.store.insert_buffer import BufferedConnection
from gateway_api.store.job_tags import current_job_run
from gateway_api.store.json_text import JsonText
from gateway_api.store.records import (
    DeadLetterRecord,
    DeadLetterStatus,
    DocumentOutcome,
    DocumentRecord,
    JobRunTag,
    OrderSummary,
    StoredEvent,
)
from schemas import MappingReference, PurchaseOrder

# Reads and updates on the ingest hot path are built once: executing a prebuilt, parameterised
# statement skips SQLAlchemy's per-call construction and cache-key work. Inserts are staged in the
# unit of work's buffer (see insert_buffer.py) and written in one round trip.
_FIND_IDEMPOTENCY_KEY = select(
    t.idempotency_keys.c.document_id, t.idempotency_keys.c.response_document_id
).where(
    t.idempotency_keys.c.partner_key == bindparam("partner_key"),
    t.idempotency_keys.c.scope == bindparam("scope"),
    t.idempotency_keys.c.key == bindparam("key"),
)
_GET_DOCUMENT = select(t.documents).where(t.documents.c.id == bindparam("id"))
_FIND_ORDER = select(t.orders).where(
    t.orders.c.partner_key == bindparam("partner_key"),
    t.orders.c.order_id == bindparam("order_id"),
)
_FIND_ORDER_FOR_UPDATE = _FIND_ORDER.with_for_update()
# Prefetch for a group of bodies (group commit). SQLite: an IN list, which its planner turns into
# one primary-key probe per value. PostgreSQL: one primary-key probe per value forced by a
# LATERAL join over the array of keys. A plain `key IN (...)` became an index condition on the
# whole key only once the table had been analysed: on a fresh or fast-growing table the planner
# kept `key = ANY(...)` as a filter and read every key of the partner for each group (bench.ingest
# showed PostgreSQL CPU per order rising with the table; docs/benchmarks.md, issue 10). A
# row-value list `(scope, key) IN ((...), ...)` is worse still: an OR checked on every row.
# `LIMIT 1` (a key is unique) and `FOR UPDATE` keep the planner from flattening the LATERAL
# subquery back into one scan of the partner's rows.
_PREFETCH_IDEMPOTENCY_KEYS = select(
    t.idempotency_keys.c.key,
    t.idempotency_keys.c.document_id,
    t.idempotency_keys.c.response_document_id,
).where(
    t.idempotency_keys.c.partner_key == bindparam("partner_key"),
    t.idempotency_keys.c.scope == bindparam("scope"),
    t.idempotency_keys.c.key.in_(bindparam("keys", expanding=True)),
)
_PREFETCH_IDEMPOTENCY_KEYS_POSTGRES = text(
    "SELECT i.key, i.document_id, i.response_document_id"
    " FROM unnest(CAST(:keys AS varchar[])) AS wanted(key)"
    " CROSS JOIN LATERAL (SELECT key, document_id, response_document_id FROM idempotency_keys"
    " WHERE partner_key = :partner_key AND scope = :scope AND key = wanted.key LIMIT 1) AS i"
).columns(
    t.idempotency_keys.c.key,
    t.idempotency_keys.c.document_id,
    t.idempotency_keys.c.response_document_id,
)
_PREFETCH_ORDERS = select(t.orders).where(
    t.orders.c.partner_key == bindparam("partner_key"),
    t.orders.c.order_id.in_(bindparam("order_ids", expanding=True)),
)
_PREFETCH_ORDERS_FOR_UPDATE_POSTGRES = text(
    "SELECT o.* FROM unnest(CAST(:order_ids AS varchar[])) WITH ORDINALITY AS wanted(order_id, n)"
    " CROSS JOIN LATERAL (SELECT * FROM orders WHERE partner_key = :partner_key"
    " AND order_id = wanted.order_id FOR UPDATE) AS o ORDER BY wanted.n"
).columns(*t.orders.c)
_UNREAD = object()
"""Not prefetched: `find` and `get_for_update` ask the store."""
_UPDATE_ORDER = (
    update(t.orders)
    .where(t.orders.c.id == bindparam("order_uuid"))
    .values(
        {
            name: bindparam(name)
            for name in (
                "status",
                "version",
                "current_payload_id",
                "currency",
                "total",
                "order_date",
                "document",
                "mapping",
                "updated_at",
            )
        }
    )
)
_DELETE_LINES = delete(t.order_lines).where(t.order_lines.c.order_uuid == bindparam("order_uuid"))


class SqlDocumentRepository:
    """The document log: append-only rows of raw bytes and what was done with them."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection

    def add(self, *records: DocumentRecord) -> None:
        """Append documents (one statement for all of them); tagged with the job run doing the
        work, when one is (`job_tags`)."""
        self._c.stage(t.documents, [_document_row(r) for r in records])
        tag = current_job_run()
        if tag is not None and records:
            self.tag(tag, [r.id for r in records], at=records[0].created_at)

    def tag(self, tag: JobRunTag, document_ids: Sequence[UUID], *, at: datetime) -> None:
        """Record that the run `tag` read or sent these (already logged) documents."""
        self._c.stage(
            t.job_run_documents,
            [
                {
                    "dag_id": tag.dag_id,
                    "run_id": tag.run_id,
                    "task_id": tag.task_id,
                    "map_index": tag.map_index,
                    "document_id": document_id,
                    "created_at": at,
                }
                for document_id in dict.fromkeys(document_ids)
            ],
        )

    def purge_bodies(self, *, created_before: datetime, at: datetime, limit: int) -> int:
        """Empty the bodies of at most `limit` documents logged before `created_before`, except
        those an open or parked dead letter still needs to replay; returns how many. Metadata,
        size and sha256 stay, so the log still proves what arrived and when."""
        c = t.documents.c
        held = select(t.dead_letters.c.document_id).where(
            t.dead_letters.c.status != DeadLetterStatus.REPLAYED.value
        )
        chosen = (
            select(c.id)
            .where(c.created_at < created_before, c.body_purged_at.is_(None), c.id.not_in(held))
            .order_by(c.created_at)
            .limit(limit)
        )
        result = self._c.execute(
            update(t.documents)
            .where(c.id.in_(chosen.scalar_subquery()))
            .values(body=b"", body_purged_at=at)
        )
        return int(cast("CursorResult[Any]", result).rowcount)

    def get(self, document_id: UUID) -> DocumentRecord | None:
        """One document with its body."""
        row = self._c.execute(_GET_DOCUMENT, {"id": document_id}).one_or_none()
        return None if row is None else _document_record(row)

    def query(
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
        """Newest first, filtered; without bodies (`body` is empty), which can be megabytes."""
        c = t.documents.c
        filters: list[Any] = []
        for column, value in (
            (c.partner_key, partner_key),
            (c.direction, direction),
            (c.kind, kind),
            (c.outcome, outcome),
            (c.payload_id, payload_id),
            (c.correlation_id, correlation_id),
        ):
            if value is not None:
                filters.append(column == value)
        if before is not None:
            filters.append(c.created_at < before)
        columns = [column for column in t.documents.c if column.name != "body"]
        query = select(*columns).where(and_(True, *filters))
        rows = self._c.execute(query.order_by(c.created_at.desc(), c.id).limit(limit))
        return [_document_record(row, body=b"") for row in rows]

    def replies_to(self, document_id: UUID) -> list[DocumentRecord]:
        """Documents we sent in answer to `document_id`, oldest first."""
        c = t.documents.c
        rows = self._c.execute(
            select(t.documents).where(c.in_reply_to == document_id).order_by(c.created_at)
        )
        return [_document_record(row) for row in rows]


class SqlIdempotencyRepository:
    """Keys of documents already answered, pointing at the answer we gave."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection
        self._read: dict[tuple[str, str, str], tuple[UUID, UUID | None] | None] = {}

    def prefetch(self, partner_key: str, keys: Sequence[tuple[str, str]]) -> None:
        """Read these (scope, key)s in one statement per scope; each answers the next `find`
        once."""
        by_scope: dict[str, list[str]] = {}
        for scope, key in dict.fromkeys(keys):
            by_scope.setdefault(scope, []).append(key)
        postgres = self._c.dialect_name == "postgresql"
        query = _PREFETCH_IDEMPOTENCY_KEYS_POSTGRES if postgres else _PREFETCH_IDEMPOTENCY_KEYS
        for scope, wanted in sorted(by_scope.items()):
            rows = self._c.execute(
                query, {"partner_key": partner_key, "scope": scope, "keys": wanted}
            )
            for key in wanted:
                self._read[(partner_key, scope, key)] = None
            for row in rows:
                self._read[(partner_key, scope, row.key)] = (
                    row.document_id,
                    row.response_document_id,
                )

    def forget(self) -> None:
        """Drop what `prefetch` read (its savepoint was rolled back)."""
        self._read.clear()

    def find(self, partner_key: str, scope: str, key: str) -> tuple[UUID, UUID | None] | None:
        """(document id, response document id) of the first document with this key."""
        read = self._read.pop((partner_key, scope, key), _UNREAD)
        if read is not _UNREAD:
            return read  # type: ignore[return-value]
        row = self._c.execute(
            _FIND_IDEMPOTENCY_KEY, {"partner_key": partner_key, "scope": scope, "key": key}
        ).one_or_none()
        return None if row is None else (row.document_id, row.response_document_id)

    def add(
        self,
        partner_key: str,
        scope: str,
        key: str,
        *,
        document_id: UUID,
        response_document_id: UUID | None,
        at: datetime,
    ) -> None:
        """Record a key; a concurrent duplicate fails with IntegrityError at commit or flush."""
        self._read.pop((partner_key, scope, key), None)
        self._c.stage(
            t.idempotency_keys,
            [
                {
                    "partner_key": partner_key,
                    "scope": scope,
                    "key": key,
                    "document_id": document_id,
                    "response_document_id": response_document_id,
                    "created_at": at,
                }
            ],
        )


class SqlOrderRepository:
    """Orders, their lines and their history."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection
        self._read: dict[tuple[str, str], Order | None] = {}

    def prefetch_for_update(self, partner_key: str, order_ids: Sequence[str]) -> None:
        """Lock these orders in one statement, in order_id order (two groups locking the same
        orders take them in the same order); each answers the next `get_for_update` once."""
        wanted = sorted(set(order_ids))
        if not wanted:
            return
        postgres = self._c.dialect_name == "postgresql"
        # The array is sorted and the LATERAL probes run in its order: two groups locking the
        # same orders lock them in the same order.
        query = _PREFETCH_ORDERS_FOR_UPDATE_POSTGRES if postgres else _PREFETCH_ORDERS
        for order_id in wanted:
            self._read[(partner_key, order_id)] = None
        rows = self._c.execute(query, {"partner_key": partner_key, "order_ids": wanted})
        for row in rows:
            self._read[(partner_key, row.order_id)] = _order(row)

    def forget(self) -> None:
        """Drop what `prefetch_for_update` read (its savepoint was rolled back)."""
        self._read.clear()

    def get_for_update(self, partner_key: str, order_id: str) -> Order | None:
        """The order, row-locked until the transaction ends (PostgreSQL; SQLite locks the db)."""
        read = self._read.pop((partner_key, order_id), _UNREAD)
        if read is not _UNREAD:
            return read  # type: ignore[return-value]
        query = _FIND_ORDER_FOR_UPDATE if self._c.dialect_name == "postgresql" else _FIND_ORDER
        row = self._c.execute(
            query, {"partner_key": partner_key, "order_id": order_id}
        ).one_or_none()
        return None if row is None else _order(row)

    def lock(self, order_uuid: UUID) -> Order | None:
        """The order by our id, row-locked until the transaction ends (PostgreSQL)."""
        query = select(t.orders).where(t.orders.c.id == order_uuid)
        if self._c.dialect_name == "postgresql":
            query = query.with_for_update()
        row = self._c.execute(query).one_or_none()
        return None if row is None else _order(row)

    def get(self, order_uuid: UUID) -> tuple[Order, list[MappingReference]] | None:
        """The order and the mapping references of its current version."""
        row = self._c.execute(select(t.orders).where(t.orders.c.id == order_uuid)).one_or_none()
        if row is None:
            return None
        return _order(row), [MappingReference.model_validate(m) for m in row.mapping]

    def add(
        self,
        order: Order,
        event: OrderEvent,
        *,
        document_id: UUID,
        mapping: Sequence[MappingReference],
        event_id: UUID,
    ) -> None:
        """Insert a new order with its lines and first event."""
        self._read.pop((order.partner_key, order.order_id), None)
        values = _order_values(order, mapping, event.at)
        self._c.stage(
            t.orders,
            [
                {
                    "id": order.id,
                    "partner_key": order.partner_key,
                    "order_id": order.order_id,
                    "created_at": event.at,
                    **values,
                }
            ],
        )
        self._write_lines(order)
        self._add_event(order.id, event, values["document"], document_id, event_id)

    def save(
        self,
        order: Order,
        event: OrderEvent,
        *,
        document_id: UUID,
        mapping: Sequence[MappingReference],
        event_id: UUID,
    ) -> None:
        """Store a changed order: header, replaced lines, and the new history entry."""
        self._read.pop((order.partner_key, order.order_id), None)
        values = _order_values(order, mapping, event.at)
        self._c.execute(_UPDATE_ORDER, {"order_uuid": order.id, **values})
        self._c.execute(_DELETE_LINES, {"order_uuid": order.id})
        self._write_lines(order)
        self._add_event(order.id, event, values["document"], document_id, event_id)

    def query(
        self,
        *,
        partner_key: str | None = None,
        status: str | None = None,
        order_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[OrderSummary]:
        """Most recently changed first."""
        c = t.orders.c
        filters: list[Any] = []
        if partner_key is not None:
            filters.append(c.partner_key == partner_key)
        if status is not None:
            filters.append(c.status == status)
        if order_id is not None:
            filters.append(c.order_id == order_id)
        query = (
            select(
                c.id,
                c.partner_key,
                c.order_id,
                c.status,
                c.version,
                c.currency,
                c.total,
                c.order_date,
                c.created_at,
                c.updated_at,
            )
            .where(and_(True, *filters))
            .order_by(c.updated_at.desc(), c.id)
            .limit(limit)
            .offset(offset)
        )
        return [OrderSummary(**row._mapping) for row in self._c.execute(query)]

    def history(self, order_uuid: UUID) -> list[StoredEvent]:
        """Every event of the order, oldest first."""
        c = t.order_events.c
        rows = self._c.execute(
            select(t.order_events).where(c.order_uuid == order_uuid).order_by(c.version)
        )
        return [
            StoredEvent(
                version=row.version,
                kind=row.kind,
                status=row.status,
                document_id=row.document_id,
                payload_id=row.payload_id,
                document=row.document,
                created_at=row.created_at,
            )
            for row in rows
        ]

    def awaiting_delivery(
        self, partner_key: str, document_type: str, *, since: datetime, limit: int
    ) -> list[Order]:
        """Open orders received at or after `since` with no outbox row of `document_type` for
        `partner_key` yet (the ERP's sales orders), oldest first.

        An anti-join rather than a flag on the order: the outbox row itself is the record of
        having queued it, so the two cannot disagree, and orders of every channel qualify
        without the ingest path knowing the ERP exists.
        """
        o, x = t.orders.c, t.outbox.c
        queued = (
            select(x.id)
            .where(
                x.order_uuid == o.id,
                x.partner_key == partner_key,
                x.document_type == document_type,
            )
            .exists()
        )
        query = (
            select(t.orders)
            .where(
                o.updated_at >= since,  # indexed; an order is updated no earlier than received
                o.created_at >= since,
                o.status == OrderStatus.OPEN.value,
                ~queued,
            )
            .order_by(o.created_at, o.id)
            .limit(limit)
        )
        return [_order(row) for row in self._c.execute(query)]

    def changed_since(self, partner_key: str, order_id: str, moment: datetime) -> bool:
        """True when the order was changed or cancelled after `moment` (its arrival aside)."""
        o, e = t.orders.c, t.order_events.c
        query = (
            select(func.count())
            .select_from(t.order_events.join(t.orders, e.order_uuid == o.id))
            .where(
                o.partner_key == partner_key,
                o.order_id == order_id,
                e.created_at > moment,
                e.kind != OrderEventKind.RECEIVED.value,
            )
        )
        return bool(self._c.execute(query).scalar_one())

    def _write_lines(self, order: Order) -> None:
        lines = order.current.lines
        if not lines:
            return
        self._c.stage(
            t.order_lines,
            [
                {
                    "order_uuid": order.id,
                    "line_number": line.line_number,
                    "sku": line.sku,
                    "supplier_part_id": line.supplier_part_id,
                    "buyer_part_id": line.buyer_part_id,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_of_measure": line.unit_of_measure,
                    "unit_price": line.unit_price,
                    "requested_delivery_date": line.requested_delivery_date,
                }
                for line in lines
            ],
        )

    def _add_event(
        self,
        order_uuid: UUID,
        event: OrderEvent,
        document_json: JsonText,
        document_id: UUID,
        event_id: UUID,
    ) -> None:
        # The snapshot of an event is the order's current document: serialised once, by the
        # caller, for both rows.
        self._c.stage(
            t.order_events,
            [
                {
                    "id": event_id,
                    "order_uuid": order_uuid,
                    "version": event.version,
                    "kind": event.kind.value,
                    "status": event.status.value,
                    "document_id": document_id,
                    "payload_id": event.payload_id,
                    "document": document_json,
                    "created_at": event.at,
                }
            ],
        )


class SqlDeadLetterRepository:
    """Documents kept but not applied, waiting for a fix and a replay."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection

    def add(self, record: DeadLetterRecord) -> None:
        """Park a document."""
        row = dict(record.__dict__)
        row["status"] = record.status.value
        self._c.stage(t.dead_letters, [row])

    def get(self, dead_letter_id: UUID, *, for_update: bool = False) -> DeadLetterRecord | None:
        """One dead letter (row-locked on PostgreSQL when asked)."""
        query = select(t.dead_letters).where(t.dead_letters.c.id == dead_letter_id)
        if for_update and self._c.dialect_name == "postgresql":
            query = query.with_for_update()
        row = self._c.execute(query).one_or_none()
        return None if row is None else _dead_letter(row)

    def query(
        self,
        *,
        status: str | None = None,
        partner_key: str | None = None,
        limit: int = 100,
    ) -> list[DeadLetterRecord]:
        """Oldest first, so the queue reads in arrival order."""
        c = t.dead_letters.c
        filters: list[Any] = []
        if status is not None:
            filters.append(c.status == status)
        if partner_key is not None:
            filters.append(c.partner_key == partner_key)
        rows = self._c.execute(
            select(t.dead_letters)
            .where(and_(True, *filters))
            .order_by(c.created_at, c.id)
            .limit(limit)
        )
        return [_dead_letter(row) for row in rows]

    def count(self, *, status: str | None = None) -> int:
        """How many dead letters (in `status`), counted by the database: no row is loaded."""
        c = t.dead_letters.c
        query = select(func.count()).select_from(t.dead_letters)
        if status is not None:
            query = query.where(c.status == status)
        return int(self._c.execute(query).scalar_one())

    def mark_replayed(self, dead_letter_id: UUID, *, at: datetime) -> None:
        """The replay succeeded."""
        c = t.dead_letters.c
        self._c.execute(
            update(t.dead_letters)
            .where(c.id == dead_letter_id)
            .values(
                status=DeadLetterStatus.REPLAYED.value,
                attempts=c.attempts + 1,
                updated_at=at,
                resolved_at=at,
            )
        )

    def record_failed_replay(self, dead_letter_id: UUID, *, error: str, at: datetime) -> None:
        """The replay failed again; keep the newest error (unless a concurrent replay won)."""
        c = t.dead_letters.c
        self._c.execute(
            update(t.dead_letters)
            .where(c.id == dead_letter_id, c.status != DeadLetterStatus.REPLAYED.value)
            .values(error=error, attempts=c.attempts + 1, updated_at=at)
        )

    def due(
        self, *, now: datetime, limit: int, partner_key: str | None = None
    ) -> list[DeadLetterRecord]:
        """Open dead letters whose scheduled replay is due (of one partner), oldest first."""
        c = t.dead_letters.c
        filters = [
            c.status == DeadLetterStatus.OPEN.value,
            (c.next_attempt_at.is_(None)) | (c.next_attempt_at <= now),
        ]
        if partner_key is not None:
            filters.append(c.partner_key == partner_key)
        rows = self._c.execute(
            select(t.dead_letters).where(*filters).order_by(c.created_at, c.id).limit(limit)
        )
        return [_dead_letter(row) for row in rows]

    def schedule(self, dead_letter_id: UUID, *, next_attempt_at: datetime) -> None:
        """A scheduled replay failed: count it and say when the next one is due."""
        c = t.dead_letters.c
        self._c.execute(
            update(t.dead_letters)
            .where(c.id == dead_letter_id, c.status == DeadLetterStatus.OPEN.value)
            .values(next_attempt_at=next_attempt_at, scheduled_replays=c.scheduled_replays + 1)
        )

    def park(self, dead_letter_id: UUID, *, at: datetime) -> None:
        """The scheduled replay gives up: a person looks at it (a manual replay still works)."""
        c = t.dead_letters.c
        self._c.execute(
            update(t.dead_letters)
            .where(c.id == dead_letter_id, c.status == DeadLetterStatus.OPEN.value)
            .values(
                status=DeadLetterStatus.PARKED.value,
                next_attempt_at=None,
                scheduled_replays=c.scheduled_replays + 1,
                updated_at=at,
            )
        )


class SqlPartnerRepository:
    """The partners table, mirrored from mapping profiles at start-up."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection

    def sync(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert or update partners by key, atomically (several workers start at once)."""
        if not rows:
            return
        dialect_insert = pg_insert if self._c.dialect_name == "postgresql" else sqlite_insert
        statement = dialect_insert(t.partners)
        updated = {name: statement.excluded[name] for name in rows[0] if name != "key"}
        self._c.execute(
            statement.on_conflict_do_update(index_elements=["key"], set_=updated), list(rows)
        )


class SqlCursorRepository:
    """Pull cursors per partner and stream."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection

    def get(self, partner_key: str, stream: str) -> str | None:
        """The stored cursor, or None before the first page."""
        c = t.sync_cursors.c
        row = self._c.execute(
            select(c.cursor).where(c.partner_key == partner_key, c.stream == stream)
        ).one_or_none()
        return None if row is None else row.cursor

    def claim(self, partner_key: str, stream: str, *, at: datetime) -> str | None:
        """The cursor with its row locked until the transaction ends.

        The row is made first when missing (an empty cursor), since there is nothing to lock
        before a stream's first run; on PostgreSQL a concurrent insert of the same key waits for
        the first transaction, then `FOR UPDATE` waits for its lock and reads what it saved.
        SQLite transactions here take the write lock when they begin, so they take turns anyway.
        """
        c = t.sync_cursors.c
        dialect_insert = pg_insert if self._c.dialect_name == "postgresql" else sqlite_insert
        self._c.execute(
            dialect_insert(t.sync_cursors)
            .values(partner_key=partner_key, stream=stream, cursor=None, updated_at=at)
            .on_conflict_do_nothing(index_elements=["partner_key", "stream"])
        )
        query = select(c.cursor).where(c.partner_key == partner_key, c.stream == stream)
        if self._c.dialect_name == "postgresql":
            query = query.with_for_update()
        row = self._c.execute(query).one_or_none()
        return None if row is None else row.cursor

    def save(self, partner_key: str, stream: str, cursor: str | None, *, at: datetime) -> None:
        """Insert or replace the cursor."""
        dialect_insert = pg_insert if self._c.dialect_name == "postgresql" else sqlite_insert
        statement = dialect_insert(t.sync_cursors).values(
            partner_key=partner_key, stream=stream, cursor=cursor, updated_at=at
        )
        self._c.execute(
            statement.on_conflict_do_update(
                index_elements=["partner_key", "stream"],
                set_={"cursor": cursor, "updated_at": at},
            )
        )


def _document_row(record: DocumentRecord) -> dict[str, Any]:
    row = dict(record.__dict__)
    row["outcome"] = record.outcome.value
    return row


def _document_record(row: Row[Any], body: bytes | None = None) -> DocumentRecord:
    values = dict(row._mapping)
    values["outcome"] = DocumentOutcome(values["outcome"])
    values["body"] = bytes(values["body"]) if body is None else body
    return DocumentRecord(**values)


def _order_values(
    order: Order, mapping: Sequence[MappingReference], at: datetime
) -> dict[str, Any]:
    current = order.current
    return {
        "status": order.status.value,
        "version": order.version,
        "current_payload_id": order.current_payload_id,
        "currency": current.currency,
        "total": current.total,
        "order_date": current.order_date,
        "document": JsonText(current.model_dump_json()),
        "mapping": [m.model_dump(mode="json") for m in mapping],
        "updated_at": at,
    }


def _order(row: Row[Any]) -> Order:
    return Order(
        id=row.id,
        partner_key=row.partner_key,
        order_id=row.order_id,
        version=row.version,
        status=OrderStatus(row.status),
        current=PurchaseOrder.model_validate(row.document),
        current_payload_id=row.current_payload_id,
    )


def _dead_letter(row: Row[Any]) -> DeadLetterRecord:
    values = dict(row._mapping)
    values["status"] = DeadLetterStatus(values["status"])
    return DeadLetterRecord(**values)
