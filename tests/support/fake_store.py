"""An in-memory store behind the storage port, for service tests without a database.

`FakeStore` is the "database": one dict per table, rows by primary key, shared by every
`FakeUnitOfWork` made from it (`fake_unit_of_work_factory(store)`). Tests read its committed rows
(`store.orders`, `store.documents`, ...) and assert on state, not on calls.

A unit works on a snapshot taken when its block starts: its changes are visible to its own reads,
reach the store only on `commit()`, and are dropped when the block ends without one;
`savepoint()` undoes only its own changes when its block raises. Like the SQL unit, which writes
staged rows at a flush (end of a savepoint, commit), the fake checks at those points and raises
the port's errors:

- `StoreConflictError`: a unique key written twice (idempotency (partner, scope, key), orders
  (partner, order_id) and their id, events (order, version), any primary key), or a row another
  unit committed since this one read it (the concurrent twin);
- `StoreValueError`: a row of an order named by `store.refuse_order_values(order_id)` (a value
  the store cannot hold, as a PostgreSQL `DataError`);
- whatever `store.fail_next_commit(error)` queued, at the next commit.

`store.before_next_commit(action)` runs `action` (say, the same body received by another worker)
when the next commit starts, so that a twin commits first and the unit meets it as a conflict.

Not modelled: foreign keys, row locks (a concurrent writer conflicts at commit instead of
waiting), order lines (the order row keeps its document, which the SQL store reads back too).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self, TypeVar
from uuid import UUID

from gateway_api.domain import Order, OrderEvent, OrderEventKind, OrderStatus
from gateway_api.store.control_numbers import MAXIMUM
from gateway_api.store.ports import (
    ControlNumberRepository,
    CursorRepository,
    DeadLetterRepository,
    DocumentRepository,
    FulfilmentRepository,
    IdempotencyRepository,
    OrderRepository,
    OutboxRepository,
    PartnerRepository,
    StoreConflictError,
    StoreError,
    StoreValueError,
    UnitOfWork,
)
from gateway_api.store.records import (
    DeadLetterRecord,
    DeadLetterStatus,
    DocumentRecord,
    FulfilmentRecord,
    FulfilmentStatus,
    OrderSummary,
    OutboxRecord,
    OutboxStatus,
    StoredEvent,
)
from schemas import MappingReference, PurchaseOrder

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class IdempotencyKeyRow:
    """One row of `idempotency_keys` (its key is the dict key)."""

    document_id: UUID
    response_document_id: UUID | None
    created_at: datetime


@dataclass(frozen=True)
class OrderRow:
    """One row of `orders`: the header and the canonical document, as the SQL store keeps them."""

    id: UUID
    partner_key: str
    order_id: str
    status: str
    version: int
    current_payload_id: str | None
    currency: str
    total: Decimal | None
    order_date: datetime
    document: dict[str, Any]
    mapping: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime

    def order(self) -> Order:
        """The domain order, read back from the stored document like the SQL store does."""
        return Order(
            id=self.id,
            partner_key=self.partner_key,
            order_id=self.order_id,
            version=self.version,
            status=OrderStatus(self.status),
            current=PurchaseOrder.model_validate(self.document),
            current_payload_id=self.current_payload_id,
        )


@dataclass
class Tables:
    """Rows by primary key, one dict per table."""

    documents: dict[UUID, DocumentRecord] = field(default_factory=dict)
    idempotency_keys: dict[tuple[str, str, str], IdempotencyKeyRow] = field(default_factory=dict)
    orders: dict[UUID, OrderRow] = field(default_factory=dict)
    order_events: dict[tuple[UUID, int], StoredEvent] = field(default_factory=dict)
    """By (order id, version): the SQL table's unique key."""
    dead_letters: dict[UUID, DeadLetterRecord] = field(default_factory=dict)
    partners: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: dict[UUID, OutboxRecord] = field(default_factory=dict)
    fulfilment_documents: dict[UUID, FulfilmentRecord] = field(default_factory=dict)
    control_numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    """The last number issued per (partner, scope)."""
    sync_cursors: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def snapshot(self) -> Tables:
        """A copy whose tables can change without touching these (rows are immutable)."""
        return Tables(**{name: dict(table) for name, table in self._named()})

    def restore(self, saved: Tables) -> None:
        """Put every table back as it is in `saved`, in place."""
        for name, table in self._named():
            table.clear()
            table.update(getattr(saved, name))

    def changes(self, since: Tables) -> Iterator[tuple[str, Any, Any]]:
        """(table, key, row) of every row inserted or updated since `since`."""
        for name, table in self._named():
            before: dict[Any, Any] = getattr(since, name)
            for key, row in table.items():
                if before.get(key, _MISSING) != row:
                    yield name, key, row

    def _named(self) -> Iterator[tuple[str, dict[Any, Any]]]:
        for column in fields(Tables):
            yield column.name, getattr(self, column.name)


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


class FakeStore(Tables):
    """The committed rows, shared by every unit of work made from it, and its faults."""

    def __init__(self) -> None:
        super().__init__()
        self._failures: deque[StoreError] = deque()
        self._before_commit: deque[Callable[[], object]] = deque()
        self._refused_orders: set[str] = set()
        self._lock = threading.Lock()

    def fail_next_commit(self, error: StoreError) -> None:
        """The next commit raises `error` and keeps nothing (queued: call twice for two)."""
        self._failures.append(error)

    def before_next_commit(self, action: Callable[[], object]) -> None:
        """Run `action` when the next commit starts, as a concurrent writer would (a twin)."""
        self._before_commit.append(action)

    def refuse_order_values(self, order_id: str) -> None:
        """Writing order `order_id` fails at the next flush with `StoreValueError`."""
        self._refused_orders.add(order_id)

    def _refused(self, tables: Tables, since: Tables) -> list[str]:
        return [
            row.order_id
            for table, _, row in tables.changes(since)
            if table == "orders" and row.order_id in self._refused_orders
        ]

    def _commit(self, tables: Tables, base: Tables) -> None:
        """Publish what a unit changed since `base`, or raise what a store would."""
        if self._before_commit:
            self._before_commit.popleft()()
        if self._failures:
            raise self._failures.popleft()
        with self._lock:
            changed = list(tables.changes(base))
            conflicts = [
                f"{table} {key!r}"
                for table, key, _ in changed
                if getattr(self, table).get(key, _MISSING)
                != getattr(base, table).get(key, _MISSING)
            ]
            taken = {(o.partner_key, o.order_id): o.id for o in self.orders.values()}
            conflicts += [
                f"orders ({row.partner_key!r}, {row.order_id!r})"
                for table, _, row in changed
                if table == "orders"
                and taken.get((row.partner_key, row.order_id), row.id) != row.id
            ]
            if conflicts:
                msg = "concurrently committed: " + ", ".join(conflicts)
                raise StoreConflictError(msg)
            for table, key, row in changed:
                getattr(self, table)[key] = row


class FakeUnitOfWork(UnitOfWork):
    """One transaction on a `FakeStore`: `with uow: ...; uow.commit()`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self._base: Tables | None = None
        self._tables: Tables | None = None
        self._violations: list[str] = []
        self._documents = FakeDocumentRepository(self)
        self._idempotency = FakeIdempotencyRepository(self)
        self._orders = FakeOrderRepository(self)
        self._dead_letters = FakeDeadLetterRepository(self)
        self._partners = FakePartnerRepository(self)
        self._outbox = FakeOutboxRepository(self)
        self._fulfilment = FakeFulfilmentRepository(self)
        self._control_numbers = FakeControlNumberRepository(self)
        self._cursors = FakeCursorRepository(self)

    @property
    def tables(self) -> Tables:
        """The rows as this unit sees them (the snapshot plus its own changes)."""
        assert self._tables is not None, "use the unit of work inside its `with` block"
        return self._tables

    @property
    def documents(self) -> FakeDocumentRepository:
        return self._documents

    @property
    def idempotency(self) -> FakeIdempotencyRepository:
        return self._idempotency

    @property
    def orders(self) -> FakeOrderRepository:
        return self._orders

    @property
    def dead_letters(self) -> FakeDeadLetterRepository:
        return self._dead_letters

    @property
    def partners(self) -> FakePartnerRepository:
        return self._partners

    @property
    def outbox(self) -> FakeOutboxRepository:
        return self._outbox

    @property
    def fulfilment(self) -> FakeFulfilmentRepository:
        return self._fulfilment

    @property
    def control_numbers(self) -> FakeControlNumberRepository:
        return self._control_numbers

    @property
    def cursors(self) -> FakeCursorRepository:
        return self._cursors

    def __enter__(self) -> Self:
        self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._base = self._tables = None

    def commit(self) -> None:
        """Publish this unit's changes to the store (or raise and publish nothing)."""
        assert self._base is not None, "use the unit of work inside its `with` block"
        self._flush(since=self._base, violations=0)
        self._store._commit(self.tables, self._base)
        self._begin()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Changes of the block, undone (and only they) when it raises, flush errors included."""
        saved, violations = self.tables.snapshot(), len(self._violations)
        try:
            yield
            self._flush(since=saved, violations=violations)
        except BaseException:
            self.tables.restore(saved)
            del self._violations[violations:]
            raise

    def violate(self, message: str) -> None:
        """A unique key was written twice: the next flush raises `StoreConflictError`."""
        self._violations.append(message)

    def insert(self, table: dict[K, V], key: K, row: V) -> None:
        """Insert `row` under `key`; a key already there is a violation (the row is kept)."""
        if key in table:
            self.violate(f"duplicate key {key!r}")
            return
        table[key] = row

    def _begin(self) -> None:
        with self._store._lock:
            self._base = self._store.snapshot()
        self._tables = self._base.snapshot()
        self._violations = []

    def _flush(self, *, since: Tables, violations: int) -> None:
        if self._violations[violations:]:
            raise StoreConflictError("; ".join(self._violations[violations:]))
        refused = self._store._refused(self.tables, since)
        if refused:
            msg = f"value out of range in order {refused[0]!r}"
            raise StoreValueError(msg)


def fake_unit_of_work_factory(store: FakeStore) -> Callable[[], FakeUnitOfWork]:
    """The `UnitOfWorkFactory` of `store`."""

    def factory() -> FakeUnitOfWork:
        return FakeUnitOfWork(store)

    return factory


# -- repositories ----------------------------------------------------------------------------


def _newest_first(
    rows: list[V], created: Callable[[V], datetime], ident: Callable[[V], UUID]
) -> list[V]:
    return sorted(sorted(rows, key=ident), key=created, reverse=True)


class FakeDocumentRepository(DocumentRepository):
    """The document log."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def add(self, *records: DocumentRecord) -> None:
        for record in records:
            self._uow.insert(self._uow.tables.documents, record.id, record)

    def get(self, document_id: UUID) -> DocumentRecord | None:
        return self._uow.tables.documents.get(document_id)

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
        """Newest first, without bodies."""
        wanted = {
            "partner_key": partner_key,
            "direction": direction,
            "kind": kind,
            "outcome": outcome,
            "payload_id": payload_id,
            "correlation_id": correlation_id,
        }
        rows = [
            replace(r, body=b"")
            for r in self._uow.tables.documents.values()
            if _matches(r, wanted) and (before is None or r.created_at < before)
        ]
        return _newest_first(rows, lambda r: r.created_at, lambda r: r.id)[:limit]

    def replies_to(self, document_id: UUID) -> list[DocumentRecord]:
        rows = [r for r in self._uow.tables.documents.values() if r.in_reply_to == document_id]
        return sorted(rows, key=lambda r: (r.created_at, r.id))


class FakeIdempotencyRepository(IdempotencyRepository):
    """Keys of inbound units already answered."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def prefetch(self, partner_key: str, keys: Sequence[tuple[str, str]]) -> None:
        """Nothing to read ahead in memory: `find` reads the tables as they are."""
        del partner_key, keys

    def find(self, partner_key: str, scope: str, key: str) -> tuple[UUID, UUID | None] | None:
        row = self._uow.tables.idempotency_keys.get((partner_key, scope, key))
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
        row = IdempotencyKeyRow(document_id, response_document_id, at)
        self._uow.insert(self._uow.tables.idempotency_keys, (partner_key, scope, key), row)


class FakeOrderRepository(OrderRepository):
    """Orders and their history."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def prefetch_for_update(self, partner_key: str, order_ids: Sequence[str]) -> None:
        """Nothing to read ahead in memory: `get_for_update` reads the tables as they are."""
        del partner_key, order_ids

    def get_for_update(self, partner_key: str, order_id: str) -> Order | None:
        row = self._find(partner_key, order_id)
        return None if row is None else row.order()

    def lock(self, order_uuid: UUID) -> Order | None:
        row = self._uow.tables.orders.get(order_uuid)
        return None if row is None else row.order()

    def get(self, order_uuid: UUID) -> tuple[Order, list[MappingReference]] | None:
        row = self._uow.tables.orders.get(order_uuid)
        if row is None:
            return None
        return row.order(), [MappingReference.model_validate(m) for m in row.mapping]

    def add(
        self,
        order: Order,
        event: OrderEvent,
        *,
        document_id: UUID,
        mapping: Sequence[MappingReference],
        event_id: UUID,
    ) -> None:
        if self._find(order.partner_key, order.order_id) is not None:
            self._uow.violate(f"order {order.order_id!r} of {order.partner_key!r} exists")
            return
        row = _order_row(order, mapping, event.at, created_at=event.at)
        self._uow.insert(self._uow.tables.orders, order.id, row)
        self._add_event(row, event, document_id)

    def save(
        self,
        order: Order,
        event: OrderEvent,
        *,
        document_id: UUID,
        mapping: Sequence[MappingReference],
        event_id: UUID,
    ) -> None:
        stored = self._uow.tables.orders.get(order.id)
        if stored is None:  # the SQL store's event row would break its foreign key
            self._uow.violate(f"no order {order.id} to save")
            return
        row = _order_row(order, mapping, event.at, created_at=stored.created_at)
        self._uow.tables.orders[order.id] = row
        self._add_event(row, event, document_id)

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
        wanted = {"partner_key": partner_key, "status": status, "order_id": order_id}
        rows = [r for r in self._uow.tables.orders.values() if _matches(r, wanted)]
        page = _newest_first(rows, lambda r: r.updated_at, lambda r: r.id)[offset : offset + limit]
        return [
            OrderSummary(
                id=r.id,
                partner_key=r.partner_key,
                order_id=r.order_id,
                status=r.status,
                version=r.version,
                currency=r.currency,
                total=r.total,
                order_date=r.order_date,
                created_at=r.created_at,
                updated_at=r.updated_at,
            )
            for r in page
        ]

    def history(self, order_uuid: UUID) -> list[StoredEvent]:
        events = self._uow.tables.order_events
        return [events[key] for key in sorted(k for k in events if k[0] == order_uuid)]

    def awaiting_delivery(
        self, partner_key: str, document_type: str, *, since: datetime, limit: int
    ) -> list[Order]:
        queued = {
            r.order_uuid
            for r in self._uow.tables.outbox.values()
            if r.partner_key == partner_key and r.document_type == document_type
        }
        rows = sorted(
            (
                r
                for r in self._uow.tables.orders.values()
                if r.created_at >= since
                and r.status == OrderStatus.OPEN.value
                and r.id not in queued
            ),
            key=lambda r: (r.created_at, r.id),
        )
        return [r.order() for r in rows[:limit]]

    def changed_since(self, partner_key: str, order_id: str, moment: datetime) -> bool:
        row = self._find(partner_key, order_id)
        return row is not None and any(
            e.created_at > moment and e.kind != OrderEventKind.RECEIVED.value
            for e in self.history(row.id)
        )

    def _find(self, partner_key: str, order_id: str) -> OrderRow | None:
        return next(
            (
                r
                for r in self._uow.tables.orders.values()
                if r.partner_key == partner_key and r.order_id == order_id
            ),
            None,
        )

    def _add_event(self, row: OrderRow, event: OrderEvent, document_id: UUID) -> None:
        stored = StoredEvent(
            version=event.version,
            kind=event.kind.value,
            status=event.status.value,
            document_id=document_id,
            payload_id=event.payload_id,
            document=row.document,
            created_at=event.at,
        )
        self._uow.insert(self._uow.tables.order_events, (row.id, event.version), stored)


class FakeDeadLetterRepository(DeadLetterRepository):
    """Documents kept but not applied."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def add(self, record: DeadLetterRecord) -> None:
        self._uow.insert(self._uow.tables.dead_letters, record.id, record)

    def get(self, dead_letter_id: UUID, *, for_update: bool = False) -> DeadLetterRecord | None:
        return self._uow.tables.dead_letters.get(dead_letter_id)

    def query(
        self, *, status: str | None = None, partner_key: str | None = None, limit: int = 100
    ) -> list[DeadLetterRecord]:
        """Oldest first."""
        wanted = {"status": status, "partner_key": partner_key}
        rows = [r for r in self._uow.tables.dead_letters.values() if _matches(r, wanted)]
        return sorted(rows, key=lambda r: (r.created_at, r.id))[:limit]

    def count(self, *, status: str | None = None) -> int:
        """How many dead letters (in `status`)."""
        wanted = {"status": status}
        return sum(1 for r in self._uow.tables.dead_letters.values() if _matches(r, wanted))

    def mark_replayed(self, dead_letter_id: UUID, *, at: datetime) -> None:
        _update(
            self._uow.tables.dead_letters,
            dead_letter_id,
            lambda r: replace(
                r,
                status=DeadLetterStatus.REPLAYED,
                attempts=r.attempts + 1,
                updated_at=at,
                resolved_at=at,
            ),
        )

    def record_failed_replay(self, dead_letter_id: UUID, *, error: str, at: datetime) -> None:
        letter = self._uow.tables.dead_letters.get(dead_letter_id)
        if letter is not None and letter.status is DeadLetterStatus.OPEN:
            self._uow.tables.dead_letters[dead_letter_id] = replace(
                letter, error=error, attempts=letter.attempts + 1, updated_at=at
            )


class FakePartnerRepository(PartnerRepository):
    """The partners table."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def sync(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert or update by key."""
        for row in rows:
            self._uow.tables.partners[row["key"]] = dict(row)


class FakeOutboxRepository(OutboxRepository):
    """Documents to deliver."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def add(self, record: OutboxRecord) -> None:
        self._uow.insert(self._uow.tables.outbox, record.id, record)

    def get(self, outbox_id: UUID, *, for_update: bool = False) -> OutboxRecord | None:
        return self._uow.tables.outbox.get(outbox_id)

    def claim_due(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
        partner_key: str | None = None,
        outbox_id: UUID | None = None,
    ) -> list[OutboxRecord]:
        """Due rows, first in line for their order, leased and counted (see the SQL store)."""
        rows = self._uow.tables.outbox
        pending = [r for r in rows.values() if r.status is OutboxStatus.PENDING]

        def waits(row: OutboxRecord) -> bool:
            return row.order_uuid is not None and any(
                e.order_uuid == row.order_uuid
                and e.partner_key == row.partner_key
                and (e.created_at, e.id) < (row.created_at, row.id)
                for e in pending
            )

        due = [
            r
            for r in pending
            if r.next_attempt_at <= now
            and (r.claimed_until is None or r.claimed_until <= now)
            and partner_key in {None, r.partner_key}
            and outbox_id in {None, r.id}
            and not waits(r)
        ]
        claimed = []
        for row in sorted(due, key=lambda r: (r.next_attempt_at, r.id))[:limit]:
            rows[row.id] = replace(
                row, claimed_until=lease_until, attempts=row.attempts + 1, updated_at=now
            )
            claimed.append(rows[row.id])
        return claimed

    def release(self, outbox_ids: Sequence[UUID], *, lease_until: datetime, at: datetime) -> None:
        rows = self._uow.tables.outbox
        for outbox_id in outbox_ids:
            row = rows.get(outbox_id)
            if row is not None and row.claimed_until == lease_until:
                rows[outbox_id] = replace(
                    row, claimed_until=None, attempts=row.attempts - 1, updated_at=at
                )

    def record_sent_documents(self, sent: Sequence[tuple[UUID, UUID]]) -> None:
        rows = self._uow.tables.outbox
        for outbox_id, document_id in sent:
            if outbox_id in rows:
                rows[outbox_id] = replace(rows[outbox_id], last_document_id=document_id)

    def mark_delivered(self, outbox_ids: Sequence[UUID], *, at: datetime) -> None:
        for outbox_id in outbox_ids:
            _update(
                self._uow.tables.outbox,
                outbox_id,
                lambda r: replace(
                    r,
                    status=OutboxStatus.DELIVERED,
                    delivered_at=at,
                    claimed_until=None,
                    last_error=None,
                    updated_at=at,
                ),
            )

    def reschedule(
        self, outbox_id: UUID, *, at: datetime, next_attempt_at: datetime, error: str
    ) -> None:
        _update(
            self._uow.tables.outbox,
            outbox_id,
            lambda r: replace(
                r,
                next_attempt_at=next_attempt_at,
                claimed_until=None,
                last_error=error,
                updated_at=at,
            ),
        )

    def mark_dead(self, outbox_id: UUID, *, at: datetime, error: str) -> None:
        _update(
            self._uow.tables.outbox,
            outbox_id,
            lambda r: replace(
                r, status=OutboxStatus.DEAD, claimed_until=None, last_error=error, updated_at=at
            ),
        )

    def requeue(self, outbox_id: UUID, *, at: datetime) -> None:
        _update(
            self._uow.tables.outbox,
            outbox_id,
            lambda r: replace(
                r,
                status=OutboxStatus.PENDING,
                attempts=0,
                next_attempt_at=at,
                claimed_until=None,
                updated_at=at,
            ),
        )

    def find_by_ack_key(self, partner_key: str, ack_key: str) -> OutboxRecord | None:
        found = [
            r
            for r in self._uow.tables.outbox.values()
            if r.partner_key == partner_key and r.ack_key == ack_key
        ]
        return found[0] if len(found) == 1 else None

    def find_by_payload_id(self, partner_key: str, payload_id: str) -> OutboxRecord | None:
        found = sorted(
            (
                r
                for r in self._uow.tables.outbox.values()
                if r.partner_key == partner_key and r.payload_id == payload_id
            ),
            key=lambda r: (r.created_at, r.id),
        )
        return found[0] if found else None

    def record_acknowledgment(self, outbox_id: UUID, acknowledgment: str, *, at: datetime) -> None:
        _update(
            self._uow.tables.outbox,
            outbox_id,
            lambda r: replace(r, acknowledgment=acknowledgment, updated_at=at),
        )

    def query(
        self,
        *,
        status: str | None = None,
        partner_key: str | None = None,
        order_uuid: UUID | None = None,
        limit: int = 100,
    ) -> list[OutboxRecord]:
        """Oldest first."""
        wanted = {"status": status, "partner_key": partner_key, "order_uuid": order_uuid}
        rows = [r for r in self._uow.tables.outbox.values() if _matches(r, wanted)]
        return sorted(rows, key=lambda r: (r.created_at, r.id))[:limit]

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for row in self._uow.tables.outbox.values():
            counted[row.status.value] = counted.get(row.status.value, 0) + 1
        return counted


class FakeFulfilmentRepository(FulfilmentRepository):
    """Confirmations, ship notices and invoices."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def add(self, record: FulfilmentRecord) -> None:
        self._uow.insert(self._uow.tables.fulfilment_documents, record.id, record)

    def for_order(self, order_uuid: UUID) -> list[FulfilmentRecord]:
        rows = self._uow.tables.fulfilment_documents.values()
        return sorted(
            (r for r in rows if r.order_uuid == order_uuid), key=lambda r: (r.created_at, r.id)
        )

    def business_id_taken(
        self, partner_key: str, document_type: str, business_id: str, *, except_order: UUID
    ) -> bool:
        return any(
            (r.partner_key, r.document_type, r.business_id)
            == (partner_key, document_type, business_id)
            and r.order_uuid != except_order
            for r in self._uow.tables.fulfilment_documents.values()
        )

    def has_business_id(self, order_uuid: UUID, document_type: str, business_id: str) -> bool:
        return any(
            (r.order_uuid, r.document_type, r.business_id)
            == (order_uuid, document_type, business_id)
            for r in self._uow.tables.fulfilment_documents.values()
        )

    def set_status(self, record_id: UUID, status: FulfilmentStatus, *, at: datetime) -> None:
        _update(
            self._uow.tables.fulfilment_documents,
            record_id,
            lambda r: replace(r, status=status, updated_at=at),
        )


class FakeControlNumberRepository(ControlNumberRepository):
    """Counters per partner and scope, wrapping after `MAXIMUM` like the SQL store."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def allocate(self, partner_key: str, scope: str, *, at: datetime, count: int = 1) -> list[int]:
        if count < 1:
            msg = "allocate at least one control number"
            raise ValueError(msg)
        counters = self._uow.tables.control_numbers
        last = counters.get((partner_key, scope), 0) + count
        counters[partner_key, scope] = last
        return [(n - 1) % MAXIMUM + 1 for n in range(last - count + 1, last + 1)]


class FakeCursorRepository(CursorRepository):
    """Pull cursors."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def get(self, partner_key: str, stream: str) -> str | None:
        return self._uow.tables.sync_cursors.get((partner_key, stream))

    def claim(self, partner_key: str, stream: str, *, at: datetime) -> str | None:
        # One fake unit of work runs at a time: nothing to lock.
        return self._uow.tables.sync_cursors.setdefault((partner_key, stream), None)

    def save(self, partner_key: str, stream: str, cursor: str | None, *, at: datetime) -> None:
        self._uow.tables.sync_cursors[partner_key, stream] = cursor


# -- helpers ---------------------------------------------------------------------------------


def _matches(row: object, wanted: Mapping[str, object]) -> bool:
    """True when every wanted value that is not None equals the row's (enums by value)."""
    return all(value is None or getattr(row, name) == value for name, value in wanted.items())


def _update(table: dict[K, V], key: K, change: Callable[[V], V]) -> None:
    """An UPDATE by primary key: no row, no change."""
    if key in table:
        table[key] = change(table[key])


def _order_row(
    order: Order, mapping: Sequence[MappingReference], at: datetime, *, created_at: datetime
) -> OrderRow:
    current = order.current
    return OrderRow(
        id=order.id,
        partner_key=order.partner_key,
        order_id=order.order_id,
        status=order.status.value,
        version=order.version,
        current_payload_id=order.current_payload_id,
        currency=current.currency,
        total=current.total,
        order_date=current.order_date,
        document=current.model_dump(mode="json"),
        mapping=[m.model_dump(mode="json") for m in mapping],
        created_at=created_at,
        updated_at=at,
    )
