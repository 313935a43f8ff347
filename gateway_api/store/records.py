"""Plain records the repositories read and write (no ORM identity map, no lazy loading)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4


class DocumentOutcome(StrEnum):
    """What the hub did with a document when it was logged (immutable, like the bytes)."""

    PROCESSED = "processed"
    """Understood and applied; the business state changed."""
    HELD = "held"
    """Accepted and stored, but parked as a dead letter (mapping or sequencing problem)."""
    REJECTED = "rejected"
    """Refused with an error answer in the sender's protocol; nothing changed."""
    DUPLICATE = "duplicate"
    """A retransmission of a document already answered; the original answer was repeated."""
    SENT = "sent"
    """A document we sent (a synchronous answer or an outbound message)."""
    TEST = "test"
    """Test data the partner sent into a live partnership: answered, applied to nothing."""
    UNMATCHED = "unmatched"
    """A partner's acknowledgement that names no document of ours (kept for a person)."""


@dataclass(frozen=True)
class DocumentRecord:
    """One row of the document log."""

    id: UUID
    partner_key: str | None
    direction: str
    protocol: str
    kind: str
    payload_id: str | None
    correlation_id: str | None
    in_reply_to: UUID | None
    outcome: DocumentOutcome
    status_code: int | None
    detail: str | None
    content_type: str | None
    size: int
    sha256: str
    body: bytes
    body_truncated: bool
    remote_addr: str | None
    created_at: datetime
    body_purged_at: datetime | None = None
    """When the retention policy emptied `body` (size and sha256 still describe the original)."""


class DeadLetterStatus(StrEnum):
    """Lifecycle of a dead letter."""

    OPEN = "open"
    """Waiting for a fix and a replay."""
    REPLAYED = "replayed"
    """Replayed successfully; the business state now reflects the document."""
    PARKED = "parked"
    """The scheduled replay gave up after its attempts; waits for a person (a manual replay
    still works)."""


@dataclass(frozen=True)
class DeadLetterRecord:
    """A document the hub kept but could not apply, with why and how often it was retried."""

    id: UUID
    document_id: UUID
    partner_key: str
    stage: str
    error: str
    status: DeadLetterStatus
    attempts: int
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    outbox_id: UUID | None = None
    """Set when the dead letter is an outbound document that could not be delivered."""
    position: dict[str, str] | None = None
    """Where the held document sits in the stored body, as its connector described it (an X12
    set's ISA13, GS06 and ST02); replay hands it back to the connector to read it again."""
    next_attempt_at: datetime | None = None
    """When the scheduled replay tries it next; None means as soon as it runs."""
    scheduled_replays: int = 0
    """Replays the schedule made (manual replays are not counted): it parks after its limit."""


class OutboxStatus(StrEnum):
    """Delivery state of an outbox row."""

    PENDING = "pending"
    """Waiting for its next attempt (or being attempted, while `claimed_until` is ahead)."""
    DELIVERED = "delivered"
    """The partner accepted it (2xx)."""
    DEAD = "dead"
    """Refused for good or out of attempts; a dead letter points at it."""


@dataclass(frozen=True)
class OutboxRecord:
    """One document to deliver, with its delivery state."""

    id: UUID
    partner_key: str
    kind: str
    document_type: str
    order_uuid: UUID | None
    source_id: UUID | None
    correlation_id: str | None
    payload_id: str
    document: dict[str, Any]
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    claimed_until: datetime | None
    last_error: str | None
    last_document_id: UUID | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None
    acknowledgment: str | None = None
    """The partner's functional acknowledgement, when its protocol has one (X12 997/999)."""
    ack_key: str | None = None
    """What that acknowledgement names the document by (the connector decides: X12 GS06/ST02)."""

    @classmethod
    def queued(
        cls,
        *,
        partner_key: str,
        kind: str,
        document_type: str,
        payload_id: str,
        document: dict[str, Any],
        now: datetime,
        order_uuid: UUID | None = None,
        source_id: UUID | None = None,
        correlation_id: str | None = None,
        ack_key: str | None = None,
    ) -> OutboxRecord:
        """A new row, pending and due `now`: what fulfilment, feeds and the ERP's sales-order
        queue add, each with the identity its connector fixed when it was queued."""
        return cls(
            id=uuid4(),
            partner_key=partner_key,
            kind=kind,
            document_type=document_type,
            order_uuid=order_uuid,
            source_id=source_id,
            correlation_id=correlation_id,
            payload_id=payload_id,
            document=document,
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            claimed_until=None,
            last_error=None,
            last_document_id=None,
            created_at=now,
            updated_at=now,
            delivered_at=None,
            ack_key=ack_key,
        )


class FulfilmentStatus(StrEnum):
    """Whether a confirmation, ship notice or invoice still counts."""

    ACTIVE = "active"
    SUPERSEDED = "superseded"
    """Replaced by an update (confirmations)."""
    CANCELLED = "cancelled"
    """Withdrawn by a delete (ship notices) or cancelled (invoices)."""


@dataclass(frozen=True)
class FulfilmentRecord:
    """A confirmation, ship notice or invoice the supplier issued for an order."""

    id: UUID
    order_uuid: UUID
    partner_key: str
    document_type: str
    business_id: str
    operation: str
    status: FulfilmentStatus
    payload_id: str
    document: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class OrderSummary:
    """An order as the operator list shows it."""

    id: UUID
    partner_key: str
    order_id: str
    status: str
    version: int
    currency: str
    total: Any
    order_date: datetime
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StoredEvent:
    """One history entry as stored."""

    version: int
    kind: str
    status: str
    document_id: UUID | None
    payload_id: str | None
    document: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class JobRunTag:
    """The scheduled run (an Airflow task instance) doing the current work: every document it
    logs, reads or sends is tagged with it, so the Airflow UI links a task to its documents."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1
