"""JSON shapes of the operator API (kept apart from tables and domain objects)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from gateway_api.http.shipment_models import ShipmentOut
from gateway_api.services.dead_letters import ReplayResult
from gateway_api.services.queries import OrderDetail
from gateway_api.store.records import DeadLetterRecord, DocumentRecord, OrderSummary
from schemas import Amount, MappingReference, PurchaseOrder


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)


class OrderSummaryOut(_Out):
    """An order in a list."""

    id: UUID
    """Our id of the order."""
    partner: str
    """Partner key."""
    order_id: str
    """The buyer's order number."""
    status: str
    """`open` or `cancelled`."""
    version: int
    """Current version."""
    currency: str
    """ISO 4217 currency."""
    total: Amount | None
    """Order total as the buyer stated it."""
    order_date: datetime
    """When the buyer issued it."""
    created_at: datetime
    """When the hub first stored it."""
    updated_at: datetime
    """When the hub last changed it."""

    @classmethod
    def of(cls, summary: OrderSummary) -> OrderSummaryOut:
        """From a repository summary."""
        total = None if summary.total is None else Decimal(summary.total).normalize()
        return cls(
            id=summary.id,
            partner=summary.partner_key,
            order_id=summary.order_id,
            status=summary.status,
            version=summary.version,
            currency=summary.currency,
            total=total,
            order_date=summary.order_date,
            created_at=summary.created_at,
            updated_at=summary.updated_at,
        )


class HistoryEntryOut(_Out):
    """One version or status change of an order."""

    version: int
    """Order version this entry produced."""
    kind: str
    """`received`, `changed` or `cancelled`."""
    status: str
    """Order status after the entry."""
    payload_id: str | None
    """The document that caused it."""
    document_id: UUID | None
    """Its id in the document log."""
    at: datetime
    """When it was applied."""
    document: dict[str, Any]
    """Canonical order as it stood after this entry."""


class OrderOut(_Out):
    """An order with its canonical document, status, mapping provenance and history."""

    id: UUID
    """Our id of the order."""
    partner: str
    """Partner key."""
    order_id: str
    """The buyer's order number."""
    status: str
    """`open` or `cancelled`."""
    version: int
    """Current version."""
    current_payload_id: str | None
    """payloadID of the document that produced the current version."""
    document: PurchaseOrder
    """The canonical purchase order, current version."""
    mapping: list[MappingReference]
    """Mapping files (and hashes) that produced the current version."""
    history: list[HistoryEntryOut]
    """Every version and status change, oldest first."""
    created_at: datetime
    """When the hub first stored it."""
    updated_at: datetime
    """When the hub last changed it."""
    shipments: list[ShipmentOut]
    """Its carrier shipments with their tracking status, oldest first."""

    @classmethod
    def of(cls, detail: OrderDetail) -> OrderOut:
        """From the query service's detail."""
        order = detail.order
        return cls(
            id=order.id,
            partner=order.partner_key,
            order_id=order.order_id,
            status=order.status.value,
            version=order.version,
            current_payload_id=order.current_payload_id,
            document=order.current,
            mapping=detail.mapping,
            history=[
                HistoryEntryOut(
                    version=e.version,
                    kind=e.kind,
                    status=e.status,
                    payload_id=e.payload_id,
                    document_id=e.document_id,
                    at=e.created_at,
                    document=e.document,
                )
                for e in detail.history
            ],
            created_at=detail.created_at,
            updated_at=detail.updated_at,
            shipments=[ShipmentOut.of(record) for record in detail.shipments],
        )


class DocumentOut(_Out):
    """One entry of the document log (the raw bytes are at `/documents/{id}/raw`)."""

    id: UUID
    """Our id of the document."""
    partner: str | None
    """Partner key (as claimed, for refused documents)."""
    direction: str
    """`inbound` or `outbound`."""
    protocol: str
    """`cxml`, `x12`, ..."""
    kind: str
    """Protocol document kind (`OrderRequest`, `Response`...)."""
    payload_id: str | None
    """The document's own id (cXML payloadID)."""
    correlation_id: str | None
    """Business key (order id)."""
    in_reply_to: UUID | None
    """For our answers: the document answered."""
    outcome: str
    """processed, held, rejected, duplicate, sent, test (a partner's test data, applied to
    nothing) or unmatched (an acknowledgement naming nothing of ours)."""
    status_code: int | None
    """Status we answered with (inbound) or carried (outbound)."""
    detail: str | None
    """Why it was refused or held."""
    content_type: str | None
    """Content type as received or sent."""
    size: int
    """Size in bytes as received."""
    sha256: str
    """SHA-256 of the bytes as received."""
    body_truncated: bool
    """True when only the first bytes were kept (unauthenticated or oversized input)."""
    remote_addr: str | None
    """Client address."""
    created_at: datetime
    """When it was logged."""

    @classmethod
    def of(cls, record: DocumentRecord) -> DocumentOut:
        """From a log record (without the body)."""
        return cls(
            id=record.id,
            partner=record.partner_key,
            direction=record.direction,
            protocol=record.protocol,
            kind=record.kind,
            payload_id=record.payload_id,
            correlation_id=record.correlation_id,
            in_reply_to=record.in_reply_to,
            outcome=record.outcome.value,
            status_code=record.status_code,
            detail=record.detail,
            content_type=record.content_type,
            size=record.size,
            sha256=record.sha256,
            body_truncated=record.body_truncated,
            remote_addr=record.remote_addr,
            created_at=record.created_at,
        )


class DocumentDetailOut(DocumentOut):
    """A document with the answers we sent to it."""

    replies: list[DocumentOut]
    """Our synchronous answers to this document."""


class DeadLetterOut(_Out):
    """A document the hub kept but could not apply."""

    id: UUID
    """Dead letter id (replay with POST /dead-letters/{id}/replay)."""
    document_id: UUID
    """The held document in the log."""
    partner: str
    """Partner key."""
    stage: str
    """Where it failed: `mapping` or `sequence` (inbound), `delivery` (outbound)."""
    error: str
    """The newest error."""
    status: str
    """`open`, `replayed`, or `parked` (the scheduled replay gave up; a manual replay works)."""
    attempts: int
    """Replays attempted (inbound); delivery attempts and replays (outbound)."""
    outbox_id: UUID | None
    """For an undeliverable outbound document: its outbox row (see GET /outbox)."""
    created_at: datetime
    """When it was held."""
    updated_at: datetime
    """Last change."""
    resolved_at: datetime | None
    """When a replay succeeded."""
    next_attempt_at: datetime | None = None
    """When the scheduled replay (DAG `dead_letter_replay`) tries it next; null: on its next run
    (open) or never (parked, replayed)."""
    scheduled_replays: int = 0
    """Replays the schedule made; it parks the dead letter after `DEAD_LETTER_REPLAYS`."""

    @classmethod
    def of(cls, record: DeadLetterRecord) -> DeadLetterOut:
        """From a record."""
        return cls(
            id=record.id,
            document_id=record.document_id,
            partner=record.partner_key,
            stage=record.stage,
            error=record.error,
            status=record.status.value,
            attempts=record.attempts,
            outbox_id=record.outbox_id,
            created_at=record.created_at,
            updated_at=record.updated_at,
            resolved_at=record.resolved_at,
            next_attempt_at=record.next_attempt_at,
            scheduled_replays=record.scheduled_replays,
        )


class ReplayOut(_Out):
    """Outcome of a successful replay."""

    dead_letter_id: UUID
    """The dead letter replayed."""
    order: UUID | None
    """Our id of the order it produced or changed."""
    order_version: int | None
    """The order version after the replay."""

    @classmethod
    def of(cls, result: ReplayResult) -> ReplayOut:
        """From the service result."""
        return cls(
            dead_letter_id=result.dead_letter_id,
            order=result.order_uuid,
            order_version=result.order_version,
        )
