"""The Order aggregate: the buyer's order as the hub holds it, and the rules for changing it.

Pure domain: no database, no protocol. The ingest service loads an `Order`, asks it to apply a
canonical `PurchaseOrder`, and persists the returned `OrderEvent` with the new state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from gateway_api.domain.errors import (
    OrderCancelledError,
    OrderExistsError,
    StaleVersionError,
    UnknownOrderError,
)
from schemas import OrderChange, PurchaseOrder


class OrderStatus(StrEnum):
    """Lifecycle of an order as the buyer drives it."""

    OPEN = "open"
    CANCELLED = "cancelled"


class OrderEventKind(StrEnum):
    """What happened to the order (past tense)."""

    RECEIVED = "received"
    CHANGED = "changed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class OrderEvent:
    """One entry of an order's history: the version and snapshot a document produced."""

    kind: OrderEventKind
    version: int
    status: OrderStatus
    payload_id: str | None
    document: PurchaseOrder
    at: datetime


@dataclass(frozen=True)
class Order:
    """A stored order: identity, current version and status, and the canonical document."""

    id: UUID
    partner_key: str
    order_id: str
    version: int
    status: OrderStatus
    current: PurchaseOrder
    current_payload_id: str | None

    @classmethod
    def place(
        cls, partner_key: str, document: PurchaseOrder, *, payload_id: str | None, at: datetime
    ) -> tuple[Order, OrderEvent]:
        """Create an order from a `new` document; updates and deletes need a stored order."""
        if document.change is not OrderChange.NEW:
            msg = (
                f"{document.change.value} for order {document.order_id!r}, which this hub has "
                "never received; it is held and can be replayed once the order arrives"
            )
            raise UnknownOrderError(msg)
        version = document.version or 1
        stored = document.model_copy(update={"version": version})
        order = cls(
            id=uuid4(),
            partner_key=partner_key,
            order_id=document.order_id,
            version=version,
            status=OrderStatus.OPEN,
            current=stored,
            current_payload_id=payload_id,
        )
        event = OrderEvent(
            OrderEventKind.RECEIVED, version, OrderStatus.OPEN, payload_id, stored, at
        )
        return order, event

    def repeats(self, document: PurchaseOrder) -> bool:
        """True when `document` is this order's current version sent again: the same change,
        version and canonical content (a resend, which changes nothing: a duplicate, not a
        conflict). A version-less document is compared as the version it would repeat."""
        if document.version is not None:
            version = document.version
        else:
            version = 1 if document.change is OrderChange.NEW else self.version
        if version != self.version or document.change is not self.current.change:
            return False
        lines = document.lines
        if document.change is OrderChange.DELETE:
            lines = lines or self.current.lines  # as `apply` stores a delete without lines
        repeated = document.model_copy(update={"version": version, "lines": lines})
        return repeated.model_dump(mode="json") == self.current.model_dump(mode="json")

    def apply(
        self, document: PurchaseOrder, *, payload_id: str | None, at: datetime
    ) -> tuple[Order, OrderEvent]:
        """Apply an update (full replacement) or a delete (cancellation) to this order.

        The version must be newer than the stored one; a document without a version becomes the
        next version. A new order for an existing order id is a conflict, never an overwrite.
        """
        if document.change is OrderChange.NEW:
            msg = (
                f"order {self.order_id!r} already exists (version {self.version}); "
                "send type=update to change it"
            )
            raise OrderExistsError(msg)
        if self.status is OrderStatus.CANCELLED:
            msg = f"order {self.order_id!r} was deleted; it takes no further changes"
            raise OrderCancelledError(msg)
        version = document.version if document.version is not None else self.version + 1
        if version <= self.version:
            msg = (
                f"orderVersion {version} of order {self.order_id!r} is not newer than the "
                f"stored version {self.version}; ignored"
            )
            raise StaleVersionError(msg)
        if document.change is OrderChange.DELETE:
            kind, status = OrderEventKind.CANCELLED, OrderStatus.CANCELLED
            # A delete may omit lines; the cancelled order keeps what was ordered.
            lines = document.lines or self.current.lines
            stored = document.model_copy(update={"version": version, "lines": lines})
        else:
            kind, status = OrderEventKind.CHANGED, OrderStatus.OPEN
            stored = document.model_copy(update={"version": version})
        changed = replace(
            self,
            version=version,
            status=status,
            current=stored,
            current_payload_id=payload_id,
        )
        return changed, OrderEvent(kind, version, status, payload_id, stored, at)
