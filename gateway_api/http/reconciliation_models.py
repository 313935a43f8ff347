"""JSON shape of a reconciliation finding (`GET /reconciliation`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from gateway_api.store.reconciliation_records import FindingRecord


class FindingOut(BaseModel):
    """Something reconciliation found fell through; it closes itself once the data is fixed."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    id: UUID
    """Finding id (stable while the rule keeps finding the subject, also across a reopen)."""
    rule: str
    """What was checked: confirmation_overdue, ship_notice_overdue, line_mismatch,
    acknowledgement_overdue, acknowledgement_rejected, outbox_stuck, shipment_not_delivered or
    shipment_exception."""
    subject: str
    """What it is about, unique per rule (`order:<id>`, `line:<order id>:<line>`,
    `outbox:<id>`, `shipment:<id>`)."""
    partner: str | None
    """Partner key (of a shipment's order, not its carrier)."""
    order_uuid: UUID | None
    """The order concerned (GET /orders/{id}), if any."""
    outbox_id: UUID | None
    """The outbound document concerned (GET /outbox), if any."""
    detail: str
    """One sentence for people."""
    facts: dict[str, Any]
    """The figures the rule compared (decimals and times as strings)."""
    status: str
    """`open` while the rule finds it, `closed` once the data was fixed."""
    first_seen_at: datetime
    """When the rule first found it (reset when a closed finding comes back)."""
    last_seen_at: datetime
    """The last run that found it."""
    closed_at: datetime | None
    """The run that no longer found it."""

    @classmethod
    def of(cls, record: FindingRecord) -> FindingOut:
        """From a record."""
        return cls(
            id=record.id,
            rule=record.rule,
            subject=record.subject,
            partner=record.partner_key,
            order_uuid=record.order_uuid,
            outbox_id=record.outbox_id,
            detail=record.detail,
            facts=record.facts,
            status=record.status.value,
            first_seen_at=record.first_seen_at,
            last_seen_at=record.last_seen_at,
            closed_at=record.closed_at,
        )
