"""Fulfilment actions: confirm, ship, invoice (and cancel) an order, each with its outbox row.

Every action runs in one transaction: lock the order, fold the documents already issued into
`Fulfilment`, let the domain decide, then store the new document, mark the one it replaces, and
queue the delivery in the outbox. The state change and the promise to tell the partner commit
together or not at all; the dispatcher delivers later, however long the platform is down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from connectors.core import Clock, ConfigError, UnsupportedDocumentError
from connectors.core.push import DocumentIdentity
from gateway_api.domain import Order
from gateway_api.domain.fulfilment import (
    ConfirmCommand,
    CreditCommand,
    Fulfilment,
    FulfilmentConflictError,
    InvoiceCommand,
    Issue,
    IssuedDocument,
    ShipCommand,
)
from gateway_api.domain.line_figures import line_figures
from gateway_api.services.ingest import PartnerNumbers
from gateway_api.services.partners import PartnerDirectory
from gateway_api.store.ports import UnitOfWork, UnitOfWorkFactory
from gateway_api.store.records import (
    FulfilmentRecord,
    FulfilmentStatus,
    OutboxRecord,
)
from schemas import DOCUMENT_ADAPTER, ConfirmationOperation, Invoice, OrderConfirmation, ShipNotice

logger = logging.getLogger(__name__)


class OrderNotFoundError(LookupError):
    """No order has this id."""


@dataclass(frozen=True)
class IssuedResult:
    """What an action stored: the document and the outbox row that will deliver it."""

    document: FulfilmentRecord
    outbox: OutboxRecord


@dataclass(frozen=True)
class FulfilmentView:
    """An order's fulfilment: the domain state and the delivery state of each document."""

    fulfilment: Fulfilment
    documents: list[FulfilmentRecord]
    deliveries: list[OutboxRecord]


Action = Callable[[Fulfilment, datetime], Issue]


class FulfilmentService:
    """The supplier's actions on orders."""

    def __init__(
        self, uow: UnitOfWorkFactory, directory: PartnerDirectory, *, clock: Clock
    ) -> None:
        self._uow = uow
        self._directory = directory
        self._clock = clock

    def backfill_line_figures(self, *, limit: int = 500) -> int:
        """Fold the per-line figures of up to `limit` orders whose documents were issued before
        the figures were kept (migration 0006); returns how many. Reconciliation runs it first,
        so an upgraded database is not read as "nothing shipped"; afterwards it finds none."""
        with self._uow() as uow:
            missing = uow.reconciliation.orders_without_figures(limit=limit)
        for order_uuid in missing:
            with self._uow() as uow:
                order = uow.orders.lock(order_uuid)
                if order is None:
                    continue
                fulfilment = _as_stored(order, uow.fulfilment.for_order(order_uuid))
                uow.reconciliation.save_line_figures(
                    order_uuid, line_figures(fulfilment), at=self._clock()
                )
                uow.commit()
        return len(missing)

    def confirm(self, order_uuid: UUID, command: ConfirmCommand) -> IssuedResult:
        """Accept, reject or detail the order."""
        return self._issue(order_uuid, lambda f, at: f.confirm(command, at=at))

    def ship(self, order_uuid: UUID, command: ShipCommand) -> IssuedResult:
        """Record a shipment."""
        return self._issue(order_uuid, lambda f, at: f.ship(command, at=at))

    def cancel_shipment(self, order_uuid: UUID, shipment_id: str) -> IssuedResult:
        """Withdraw a ship notice."""
        return self._issue(order_uuid, lambda f, at: f.cancel_shipment(shipment_id, at=at))

    def invoice(self, order_uuid: UUID, command: InvoiceCommand) -> IssuedResult:
        """Invoice shipped quantities."""
        return self._issue(order_uuid, lambda f, at: f.invoice(command, at=at))

    def credit(self, order_uuid: UUID, command: CreditCommand) -> IssuedResult:
        """Issue a credit memo."""
        return self._issue(order_uuid, lambda f, at: f.credit(command, at=at))

    def cancel_invoice(self, order_uuid: UUID, invoice_id: str) -> IssuedResult:
        """Cancel an invoice or memo."""
        return self._issue(order_uuid, lambda f, at: f.cancel_invoice(invoice_id, at=at))

    def view(self, order_uuid: UUID) -> FulfilmentView:
        """The order's fulfilment state with the delivery state of every document."""
        with self._uow() as uow:
            found = uow.orders.get(order_uuid)
            if found is None:
                raise OrderNotFoundError(str(order_uuid))
            records = uow.fulfilment.for_order(order_uuid)
            deliveries = uow.outbox.query(order_uuid=order_uuid, limit=10_000)
        return FulfilmentView(Fulfilment(found[0], _issued(records)), records, deliveries)

    def _issue(self, order_uuid: UUID, action: Action) -> IssuedResult:
        now = self._clock()
        with self._uow() as uow:
            order = uow.orders.lock(order_uuid)
            if order is None:
                raise OrderNotFoundError(str(order_uuid))
            records = uow.fulfilment.for_order(order.id)
            issue = action(Fulfilment(order, _issued(records)), now)
            kind = self._outbound_kind(order, issue)
            if not _business_id_is_shared(issue) and uow.fulfilment.business_id_taken(
                order.partner_key,
                issue.document.document_type,
                issue.business_id,
                except_order=order.id,
            ):
                msg = (
                    f"{issue.document.document_type.replace('_', ' ')} id {issue.business_id!r} "
                    f"is already used by another order of partner {order.partner_key!r}"
                )
                raise FulfilmentConflictError(msg)
            identity = self._identity(uow, order.partner_key, kind, now)
            payload_id = identity.payload_id
            document_json = issue.document.model_dump(mode="json")
            record = FulfilmentRecord(
                id=uuid4(),
                order_uuid=order.id,
                partner_key=order.partner_key,
                document_type=issue.document.document_type,
                business_id=issue.business_id,
                operation=issue.operation,
                status=FulfilmentStatus.ACTIVE,
                payload_id=payload_id,
                document=document_json,
                created_at=now,
                updated_at=now,
            )
            uow.fulfilment.add(record)
            if issue.replaces is not None:
                uow.fulfilment.set_status(issue.replaces.id, _replaced_status(issue), at=now)
            outbox = OutboxRecord.queued(
                partner_key=order.partner_key,
                kind=kind,
                document_type=issue.document.document_type,
                payload_id=payload_id,
                document=document_json,
                now=now,
                order_uuid=order.id,
                source_id=record.id,
                correlation_id=order.order_id,
                ack_key=identity.ack_key,
            )
            uow.outbox.add(outbox)
            uow.reconciliation.save_line_figures(
                order.id, line_figures(_after(order, records, record, issue)), at=now
            )
            uow.commit()
        logger.info(
            "%s %s %s for order %s queued as %s",
            order.partner_key,
            issue.document.document_type,
            issue.business_id,
            order.order_id,
            outbox.id,
        )
        return IssuedResult(record, outbox)

    def _identity(
        self, uow: UnitOfWork, partner_key: str, kind: str, now: datetime
    ) -> DocumentIdentity:
        """The id the partner will see, fixed now so every retry sends the same document.

        The connector mints it (a cXML payloadID; X12 ISA13/GS06/ST02 from the partner's
        persisted counters, allocated in this transaction: a rollback gives them back).
        """
        partner = self._directory.get(partner_key)
        assert partner is not None  # checked by _outbound_kind
        assert partner.push is not None
        return partner.push.identify(kind, numbers=PartnerNumbers(uow, partner_key, now), now=now)

    def _outbound_kind(self, order: Order, issue: Issue) -> str:
        """The partner's kind for the document; refused when the partner does not take it."""
        partner = self._directory.get(order.partner_key)
        if partner is None or partner.push is None:
            msg = f"partner {order.partner_key!r} is not configured or not enabled"
            raise FulfilmentConflictError(msg)
        try:
            kind = partner.push.outbound_kind(issue.document.document_type)
            partner.push.destination(kind)
        except (UnsupportedDocumentError, ConfigError) as error:
            msg = f"partner {partner.key!r} cannot receive it: {error}"
            raise FulfilmentConflictError(msg) from error
        if kind not in partner.profile.documents.outbound:
            msg = (
                f"partner {partner.key!r} does not have {kind} enabled (profile documents.outbound)"
            )
            raise FulfilmentConflictError(msg)
        return kind


def _issued(records: list[FulfilmentRecord]) -> list[IssuedDocument]:
    return [
        IssuedDocument(
            id=r.id,
            payload_id=r.payload_id,
            document=_fulfilment_document(r.document),
            active=r.status is FulfilmentStatus.ACTIVE,
        )
        for r in records
    ]


def _as_stored(
    order: Order, records: list[FulfilmentRecord], *, retired: UUID | None = None
) -> Fulfilment:
    """The order's fulfilment from its stored documents (`retired` counted as no longer active)."""
    documents = [
        IssuedDocument(
            id=r.id,
            payload_id=r.payload_id,
            document=_fulfilment_document(r.document),
            active=r.status is FulfilmentStatus.ACTIVE and r.id != retired,
        )
        for r in records
    ]
    return Fulfilment(order, documents)


def _after(
    order: Order, records: list[FulfilmentRecord], issued: FulfilmentRecord, issue: Issue
) -> Fulfilment:
    """The order's fulfilment once `issued` is stored and the document it replaces retired."""
    replaced = issue.replaces.id if issue.replaces is not None else None
    documents = list(_as_stored(order, records, retired=replaced).issued)
    documents.append(
        IssuedDocument(
            id=issued.id, payload_id=issued.payload_id, document=issue.document, active=True
        )
    )
    return Fulfilment(order, documents)


def _fulfilment_document(data: dict[str, object]) -> OrderConfirmation | ShipNotice | Invoice:
    document = DOCUMENT_ADAPTER.validate_python(data)
    assert isinstance(document, OrderConfirmation | ShipNotice | Invoice)
    return document


def _replaced_status(issue: Issue) -> FulfilmentStatus:
    document = issue.document
    if isinstance(document, OrderConfirmation) and (
        document.operation is ConfirmationOperation.UPDATE
    ):
        return FulfilmentStatus.SUPERSEDED
    return FulfilmentStatus.CANCELLED


def _business_id_is_shared(issue: Issue) -> bool:
    """Confirmation ids are per order; shipment and invoice ids must be unique per partner."""
    return isinstance(issue.document, OrderConfirmation) or issue.replaces is not None
