"""The storage port: what services need from a store, as protocols, and the errors it raises.

Services depend on `UnitOfWork` (one transaction, every repository on it) and receive a
`UnitOfWorkFactory`; they never build an engine or catch a driver's exceptions. The SQL
implementation (`SqlUnitOfWork` and the `Sql*Repository` classes, over SQLAlchemy Core) is one
adapter; tests can hand a service a fake that keeps rows in memory (cosmicpython's lesson: fakes
hold state, so tests assert on state, not on calls).

A store translates its failures into three errors, so that callers know what to do:

    StoreError                  base
    ├── StoreUnavailableError   the store cannot be reached or failed: answer "retry later"
    ├── StoreConflictError      a concurrent writer committed the same key first: retry once
    └── StoreValueError         a value the store cannot hold (out of range): the input's fault
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self
from uuid import UUID

from gateway_api.domain import Order, OrderEvent
from gateway_api.domain.line_figures import LineFigures
from gateway_api.store.api_key_records import ApiKeyRecord, IntegrationCallRecord
from gateway_api.store.catalog_records import CatalogChange, ItemPrices, PriceKey, StockRecord
from gateway_api.store.reconciliation_records import (
    FindingRecord,
    ReconciliationScope,
    Rule,
    RuleOutcome,
)
from gateway_api.store.records import (
    DeadLetterRecord,
    DocumentRecord,
    FulfilmentRecord,
    FulfilmentStatus,
    JobRunTag,
    OrderSummary,
    OutboxRecord,
    StoredEvent,
)
from gateway_api.store.shipment_records import ShipmentEventRecord, ShipmentRecord
from schemas import MappingReference
from schemas.catalog import Customer, Price, Product


class StoreError(Exception):
    """Base of the store's errors."""


class StoreUnavailableError(StoreError):
    """The store could not be reached or failed; the work can be retried later."""


class StoreConflictError(StoreError):
    """A concurrent writer committed the same unique key first (a twin request)."""


class StoreValueError(StoreError):
    """The store refused a value (out of range, invalid for its column type)."""


class DocumentRepository(Protocol):
    """The document log: append-only rows of raw bytes and what was done with them."""

    def add(self, *records: DocumentRecord) -> None: ...
    def get(self, document_id: UUID) -> DocumentRecord | None: ...
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
    ) -> list[DocumentRecord]: ...
    def replies_to(self, document_id: UUID) -> list[DocumentRecord]: ...
    def purge_bodies(self, *, created_before: datetime, at: datetime, limit: int) -> int: ...
    def tag(self, tag: JobRunTag, document_ids: Sequence[UUID], *, at: datetime) -> None: ...


class IdempotencyRepository(Protocol):
    """Keys of inbound units already answered, pointing at the answer we gave."""

    def find(self, partner_key: str, scope: str, key: str) -> tuple[UUID, UUID | None] | None: ...
    def prefetch(self, partner_key: str, keys: Sequence[tuple[str, str]]) -> None:
        """Read these (scope, key)s at once; the next `find` of each is answered from it.

        A group of bodies stored in one transaction reads its keys in one statement; `add`
        or a second `find` of a key goes back to the store, so nothing stale is answered.
        """
        ...

    def add(
        self,
        partner_key: str,
        scope: str,
        key: str,
        *,
        document_id: UUID,
        response_document_id: UUID | None,
        at: datetime,
    ) -> None: ...


class OrderRepository(Protocol):
    """Orders, their lines and their history."""

    def get_for_update(self, partner_key: str, order_id: str) -> Order | None: ...
    def prefetch_for_update(self, partner_key: str, order_ids: Sequence[str]) -> None:
        """Lock these orders at once (in order_id order); the next `get_for_update` of each is
        answered from what was read, until the order is written."""
        ...

    def lock(self, order_uuid: UUID) -> Order | None: ...
    def get(self, order_uuid: UUID) -> tuple[Order, list[MappingReference]] | None: ...
    def add(
        self,
        order: Order,
        event: OrderEvent,
        *,
        document_id: UUID,
        mapping: Sequence[MappingReference],
        event_id: UUID,
    ) -> None: ...
    def save(
        self,
        order: Order,
        event: OrderEvent,
        *,
        document_id: UUID,
        mapping: Sequence[MappingReference],
        event_id: UUID,
    ) -> None: ...
    def query(
        self,
        *,
        partner_key: str | None = None,
        status: str | None = None,
        order_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[OrderSummary]: ...
    def history(self, order_uuid: UUID) -> list[StoredEvent]: ...
    def awaiting_delivery(
        self, partner_key: str, document_type: str, *, since: datetime, limit: int
    ) -> list[Order]: ...
    def changed_since(self, partner_key: str, order_id: str, moment: datetime) -> bool: ...


class DeadLetterRepository(Protocol):
    """Documents kept but not applied (or not delivered), and their replay state."""

    def add(self, record: DeadLetterRecord) -> None: ...
    def get(self, dead_letter_id: UUID, *, for_update: bool = False) -> DeadLetterRecord | None: ...
    def query(
        self, *, status: str | None = None, partner_key: str | None = None, limit: int = 100
    ) -> list[DeadLetterRecord]: ...
    def count(self, *, status: str | None = None) -> int: ...
    def mark_replayed(self, dead_letter_id: UUID, *, at: datetime) -> None: ...
    def record_failed_replay(self, dead_letter_id: UUID, *, error: str, at: datetime) -> None: ...
    def due(
        self, *, now: datetime, limit: int, partner_key: str | None = None
    ) -> list[DeadLetterRecord]: ...
    def schedule(self, dead_letter_id: UUID, *, next_attempt_at: datetime) -> None: ...
    def park(self, dead_letter_id: UUID, *, at: datetime) -> None: ...


class PartnerRepository(Protocol):
    """The partners table, mirrored from the partner profiles."""

    def sync(self, rows: Sequence[Mapping[str, Any]]) -> None: ...


class OutboxRepository(Protocol):
    """Documents to deliver, claimed under a lease, with each outcome."""

    def add(self, record: OutboxRecord) -> None: ...
    def get(self, outbox_id: UUID, *, for_update: bool = False) -> OutboxRecord | None: ...
    def claim_due(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
        partner_key: str | None = None,
        outbox_id: UUID | None = None,
    ) -> list[OutboxRecord]: ...
    def release(
        self, outbox_ids: Sequence[UUID], *, lease_until: datetime, at: datetime
    ) -> None: ...
    def record_sent_documents(self, sent: Sequence[tuple[UUID, UUID]]) -> None: ...
    def mark_delivered(self, outbox_ids: Sequence[UUID], *, at: datetime) -> None: ...
    def reschedule(
        self, outbox_id: UUID, *, at: datetime, next_attempt_at: datetime, error: str
    ) -> None: ...
    def mark_dead(self, outbox_id: UUID, *, at: datetime, error: str) -> None: ...
    def requeue(self, outbox_id: UUID, *, at: datetime) -> None: ...
    def find_by_ack_key(self, partner_key: str, ack_key: str) -> OutboxRecord | None: ...
    def find_by_payload_id(self, partner_key: str, payload_id: str) -> OutboxRecord | None: ...
    def record_acknowledgment(
        self, outbox_id: UUID, acknowledgment: str, *, at: datetime
    ) -> None: ...
    def query(
        self,
        *,
        status: str | None = None,
        partner_key: str | None = None,
        order_uuid: UUID | None = None,
        limit: int = 100,
    ) -> list[OutboxRecord]: ...
    def counts(self) -> dict[str, int]: ...


class FulfilmentRepository(Protocol):
    """Confirmations, ship notices and invoices the supplier issued."""

    def add(self, record: FulfilmentRecord) -> None: ...
    def for_order(self, order_uuid: UUID) -> list[FulfilmentRecord]: ...
    def business_id_taken(
        self, partner_key: str, document_type: str, business_id: str, *, except_order: UUID
    ) -> bool: ...
    def has_business_id(self, order_uuid: UUID, document_type: str, business_id: str) -> bool: ...
    def set_status(self, record_id: UUID, status: FulfilmentStatus, *, at: datetime) -> None: ...


class ControlNumberRepository(Protocol):
    """Persisted counters per partner and scope (X12 ISA13/GS06/ST02, EDIFACT references)."""

    def allocate(
        self, partner_key: str, scope: str, *, at: datetime, count: int = 1
    ) -> list[int]: ...


class CursorRepository(Protocol):
    """Where each pull of each partner stopped."""

    def get(self, partner_key: str, stream: str) -> str | None: ...
    def claim(self, partner_key: str, stream: str, *, at: datetime) -> str | None:
        """The cursor, its row locked until the transaction ends (made empty first when
        missing): two runs of one stream take turns, the second reads what the first saved."""
        ...

    def save(self, partner_key: str, stream: str, cursor: str | None, *, at: datetime) -> None: ...


class ReconciliationRepository(Protocol):
    """Reconciliation: the per-line figures it compares, its checks and its findings."""

    def save_line_figures(
        self, order_uuid: UUID, figures: Sequence[LineFigures], *, at: datetime
    ) -> None: ...
    def orders_without_figures(self, *, limit: int) -> list[UUID]: ...
    def reconcile(self, rule: Rule, scope: ReconciliationScope) -> RuleOutcome: ...
    def findings(
        self,
        *,
        status: str | None = None,
        rule: str | None = None,
        partner_key: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[FindingRecord]: ...
    def open_counts(self, *, partner_key: str | None = None) -> dict[str, int]: ...


class ShipmentRepository(Protocol):
    """Shipments booked with carriers and the events they reported."""

    def add(self, record: ShipmentRecord) -> None: ...
    def get(self, shipment_id: UUID, *, lock: bool = False) -> ShipmentRecord | None: ...
    def by_reference(self, carrier_key: str, reference: str) -> ShipmentRecord | None: ...
    def for_order(self, order_uuid: UUID) -> list[ShipmentRecord]: ...
    def open_for_tracking(
        self, carrier_key: str, *, limit: int, polled_before: datetime
    ) -> list[ShipmentRecord]: ...
    def update(self, shipment_id: UUID, **values: Any) -> None: ...
    def update_many(self, rows: Sequence[dict[str, Any]]) -> None: ...
    def touch(self, shipment_ids: Sequence[UUID], *, polled_at: datetime) -> None: ...
    def events(self, shipment_ids: Iterable[UUID]) -> dict[UUID, list[ShipmentEventRecord]]: ...
    def add_events(self, events: Sequence[ShipmentEventRecord]) -> None: ...


class CatalogRepository(Protocol):
    """The ERP's master data by natural key, written in bulk, and the change log feeds read.

    Feeds keep a cursor per partner (`sync_cursors`, streams `feed:*`): read
    `upto = last_change_seq()`, send `changed_stock(cursor, upto)` or
    `changed_prices(cursor, upto)`, save `upto`. Change rows become visible in seq order, so a
    cursor never skips a change committed later.
    """

    def products(self, skus: Collection[str]) -> dict[str, Product]: ...
    def stock_levels(
        self, keys: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], StockRecord]: ...
    def prices(self, skus: Collection[str]) -> dict[PriceKey, Price]: ...
    def customers(self, codes: Collection[str]) -> dict[str, Customer]: ...
    def save_products(self, products: Sequence[Product], *, at: datetime) -> None: ...
    def save_stock(self, levels: Sequence[StockRecord]) -> None: ...
    def save_prices(self, prices: Sequence[Price], *, at: datetime) -> None: ...
    def save_customers(self, customers: Sequence[Customer], *, at: datetime) -> None: ...
    def append_changes(
        self, changes: Sequence[CatalogChange], *, source: str, at: datetime
    ) -> None: ...
    def last_change_seq(self) -> int: ...
    def changed_stock(self, after: int, upto: int) -> list[StockRecord]: ...
    def changed_prices(self, after: int, upto: int) -> list[ItemPrices]: ...


class ApiKeyRepository(Protocol):
    """Keys of the systems that call the integration API (hashes only)."""

    def add(self, record: ApiKeyRecord) -> None: ...
    def by_prefix(self, prefix: str) -> ApiKeyRecord | None: ...
    def all(self) -> list[ApiKeyRecord]: ...
    def revoke(self, prefix: str, *, at: datetime) -> bool: ...
    def touch(self, key_id: UUID, *, at: datetime) -> None: ...


class IntegrationCallRepository(Protocol):
    """Integration API calls made with an Idempotency-Key, and the answer each got."""

    def get(self, api_key_id: UUID, idempotency_key: str) -> IntegrationCallRecord | None: ...
    def add(self, record: IntegrationCallRecord) -> None: ...


class UnitOfWork(Protocol):
    """One transaction with every repository on it: `with factory() as uow: ...; uow.commit()`.

    Anything not committed is rolled back when the block ends. The store's failures leave the
    block as `StoreError` subclasses.
    """

    @property
    def documents(self) -> DocumentRepository: ...
    @property
    def idempotency(self) -> IdempotencyRepository: ...
    @property
    def orders(self) -> OrderRepository: ...
    @property
    def dead_letters(self) -> DeadLetterRepository: ...
    @property
    def partners(self) -> PartnerRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def fulfilment(self) -> FulfilmentRepository: ...
    @property
    def control_numbers(self) -> ControlNumberRepository: ...
    @property
    def cursors(self) -> CursorRepository: ...
    @property
    def reconciliation(self) -> ReconciliationRepository: ...
    @property
    def shipments(self) -> ShipmentRepository: ...
    @property
    def catalog(self) -> CatalogRepository: ...
    @property
    def api_keys(self) -> ApiKeyRepository: ...
    @property
    def integration_calls(self) -> IntegrationCallRepository: ...

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None:
        """Make everything done in this unit durable."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """A nested transaction: leaving the block with an exception undoes only its writes."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""How services get a fresh unit of work."""
