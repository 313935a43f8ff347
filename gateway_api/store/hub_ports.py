"""The read model behind the hub's pages: what an operator looks at, as plain records, and the
port (`HubReader`) that reads it.

The repositories of `ports.py` serve the write path and the JSON API one aggregate at a time;
the pages need cross-table views (a message log searched by order reference, every document
about an order, a board per partner, the documents of one Airflow task instance). Keeping them
behind their own small port leaves the write-side repositories as they are and keeps SQL out
of the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from gateway_api.store.records import FulfilmentRecord, JobRunTag, OutboxRecord, StoredEvent


@dataclass(frozen=True)
class MessageSearch:
    """What the message log is searched by; every field left None matches everything."""

    partner_key: str | None = None
    kind: str | None = None
    outcome: str | None = None
    direction: str | None = None
    since: datetime | None = None
    """Logged at or after this instant."""
    until: datetime | None = None
    """Logged before this instant."""
    reference: str | None = None
    """A payloadID, a correlation id, or an order id: the documents that carry it, and the
    documents that created or changed an order with that id."""
    limit: int = 200


@dataclass(frozen=True)
class MessageRow:
    """One line of the message log (no body: bodies can be megabytes)."""

    id: UUID
    created_at: datetime
    partner_key: str | None
    direction: str
    kind: str
    outcome: str
    payload_id: str | None
    correlation_id: str | None
    status_code: int | None
    size: int
    in_reply_to: UUID | None


@dataclass(frozen=True)
class OrderRef:
    """An order, as named on a page."""

    id: UUID
    partner_key: str
    order_id: str
    status: str
    version: int


@dataclass(frozen=True)
class OrderRelations:
    """Everything the hub holds about one order: its history, the documents it queued for the
    partner, what the supplier said about it, and every logged document in and out."""

    order: OrderRef
    events: list[StoredEvent]
    outbox: list[OutboxRecord]
    fulfilment: list[FulfilmentRecord]
    documents: list[MessageRow]


@dataclass(frozen=True)
class PartnerStatus:
    """One row of the partner board."""

    partner_key: str
    display_name: str
    enabled: bool
    last_message_at: datetime | None
    errors: int
    """Documents rejected or held since the board's window began."""
    open_dead_letters: int
    backlog: int
    """Outbox rows still to deliver."""
    dead_deliveries: int
    """Outbox rows that gave up."""
    overdue_acknowledgements: int
    """Delivered documents whose acknowledgement is expected but has not come in time."""
    open_findings: int


@dataclass(frozen=True)
class FindingRow:
    """A reconciliation finding, as the reconciliation job recorded it."""

    id: UUID
    rule: str
    subject: str
    partner_key: str | None
    order_uuid: UUID | None
    outbox_id: UUID | None
    detail: str
    facts: dict[str, Any] = field(default_factory=dict)
    status: str = "open"
    first_seen_at: datetime | None = None
    last_seen_at: datetime | None = None
    closed_at: datetime | None = None


class HubReader(Protocol):
    """Read-only queries for the pages; each call is its own short transaction."""

    def messages(self, search: MessageSearch) -> list[MessageRow]:
        """The message log, newest first."""
        ...

    def canonical(self, document_id: UUID) -> dict[str, Any] | None:
        """The canonical form the hub made of (or sent as) this document, if any."""
        ...

    def order_of(self, document_id: UUID) -> UUID | None:
        """The order this document created, changed, or was sent about, if any."""
        ...

    def order_relations(self, order_uuid: UUID) -> OrderRelations | None:
        """An order and everything related to it, or None."""
        ...

    def partner_board(
        self, *, errors_since: datetime, acknowledgement_due_before: datetime
    ) -> list[PartnerStatus]:
        """One row per known partner."""
        ...

    def findings(self, *, status: str | None, limit: int) -> list[FindingRow]:
        """Reconciliation findings, most recently seen first."""
        ...

    def task_instance_documents(self, key: JobRunTag) -> list[MessageRow]:
        """Exactly the documents the task instance read or sent, oldest first."""
        ...
