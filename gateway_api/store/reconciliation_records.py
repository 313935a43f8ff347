"""What reconciliation hands the store and gets back: rules, deadlines, outcomes, findings.

Plain values, so the service states *what* to check and the store decides *how* (one set-based
statement per rule, `reconciliation_repository.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID


class Rule(StrEnum):
    """What reconciliation checks; each finding names the rule that found it."""

    CONFIRMATION_OVERDUE = "confirmation_overdue"
    """An order without any confirmation past the partner's confirmation deadline."""
    SHIP_NOTICE_OVERDUE = "ship_notice_overdue"
    """An order with a line still to ship past its requested delivery date (or the default)."""
    LINE_MISMATCH = "line_mismatch"
    """An order line shipped beyond what is ordered, invoiced beyond what shipped, or invoiced
    at an amount other than the ordered unit price gives."""
    ACKNOWLEDGEMENT_OVERDUE = "acknowledgement_overdue"
    """A delivered document whose functional acknowledgement has not come in time."""
    ACKNOWLEDGEMENT_REJECTED = "acknowledgement_rejected"
    """A document the partner's acknowledgement rejected, not sent again since."""
    OUTBOX_STUCK = "outbox_stuck"
    """A document still waiting in the outbox past the partner's limit."""
    SHIPMENT_NOT_DELIVERED = "shipment_not_delivered"
    """A shipment the carrier picked up and has not delivered (nor returned or cancelled)
    within the carrier's delivery deadline."""
    SHIPMENT_EXCEPTION = "shipment_exception"
    """A shipment the carrier reports a problem with (tracking status `exception`)."""


class FindingStatus(StrEnum):
    """A finding is open while the rule still finds its subject."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class PartnerDeadlines:
    """One partner's service levels; None switches that check off for the partner."""

    confirmation: timedelta | None = timedelta(hours=24)
    ship_notice: timedelta | None = timedelta(days=14)
    """For lines without a requested delivery date: counted from the order's receipt."""
    ship_notice_grace: timedelta = timedelta(0)
    """After a line's requested delivery date."""
    acknowledgement: timedelta | None = timedelta(hours=24)
    outbox_stuck: timedelta | None = timedelta(hours=1)
    delivery: timedelta | None = timedelta(days=7)
    """A carrier's: from pickup to delivery. Read from the CARRIER's deadlines (the shipment's
    `carrier_key`), not the ordering partner's."""


@dataclass(frozen=True)
class ReconciliationScope:
    """What one run looks at: data created since `since`, of one partner or all, at `now`."""

    now: datetime
    since: datetime
    partner_key: str | None = None
    deadlines: Mapping[str, PartnerDeadlines] = field(default_factory=dict)
    """Per partner key; partners not named (disabled or unknown) get `default`."""
    default: PartnerDeadlines = field(default_factory=PartnerDeadlines)

    def of(self, partner_key: str) -> PartnerDeadlines:
        """The deadlines of `partner_key`."""
        return self.deadlines.get(partner_key, self.default)


@dataclass(frozen=True)
class RuleOutcome:
    """What one rule's run changed in the findings."""

    found: int
    """Subjects the rule finds now."""
    opened: int
    """New findings, and closed ones found again (reopened)."""
    still_open: int
    """Open findings found again (last_seen_at moved on)."""
    closed: int
    """Open findings the rule no longer finds: the data was fixed."""


@dataclass(frozen=True)
class FindingRecord:
    """One row of `reconciliation_findings`."""

    id: UUID
    rule: str
    subject: str
    partner_key: str | None
    order_uuid: UUID | None
    outbox_id: UUID | None
    detail: str
    facts: dict[str, Any]
    status: FindingStatus
    first_seen_at: datetime
    last_seen_at: datetime
    closed_at: datetime | None
