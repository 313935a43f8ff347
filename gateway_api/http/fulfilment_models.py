"""JSON shapes of the fulfilment actions (confirm, ship, invoice) and their answers.

Quantities and amounts are decimal strings (or integers), never JSON floats, as everywhere in the
canonical model: a float would silently turn 0.1 into 0.1000000000000000055.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway_api.domain.fulfilment import (
    ConfirmCommand,
    CreditCommand,
    InvoiceCommand,
    LineProgress,
    LineQuantity,
    LineSplit,
    ShipCommand,
)
from gateway_api.http.fields import BoundedQuantity, IsoDatetime, MultiLine, SingleLine
from gateway_api.services.fulfilment import FulfilmentView, IssuedResult
from gateway_api.store.records import OutboxRecord
from schemas import Identifier, Package, Quantity

BusinessId = Annotated[SingleLine, Field(min_length=1, max_length=255)]
Comments = Annotated[MultiLine, Field(max_length=4000)]
NonNegative = Annotated[BoundedQuantity, Field(ge=0)]
Positive = Annotated[BoundedQuantity, Field(gt=0)]


class _In(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)


class LineSplitIn(_In):
    """How one line is confirmed; the parts add up to the ordered quantity."""

    line_number: Annotated[int, Field(ge=1)]
    """The order line."""
    accepted: NonNegative = Decimal(0)
    """Quantity accepted."""
    backordered: NonNegative = Decimal(0)
    """Quantity accepted but backordered."""
    rejected: NonNegative = Decimal(0)
    """Quantity refused."""
    shipment_date: IsoDatetime | None = None
    """When the accepted quantity ships."""
    delivery_date: IsoDatetime | None = None
    """When it arrives."""
    comments: Comments | None = None
    """Why a quantity is rejected."""


class ConfirmIn(_In):
    """Confirm an order: accept or reject it whole, or detail per line."""

    type: Literal["accept", "reject", "detail"]
    """`accept` the whole order, `reject` it, or `detail` the listed lines."""
    lines: list[LineSplitIn] = Field(default_factory=list)
    """For `detail`: the lines and how each splits."""
    shipment_date: IsoDatetime | None = None
    """For `accept`: when the order ships."""
    delivery_date: IsoDatetime | None = None
    """For `accept`: when it arrives."""
    comments: Comments | None = None
    """Free text for the buyer (the reason for a rejection)."""
    confirmation_id: BusinessId | None = None
    """Our confirmation number (default `<order id>-C`; an update keeps the first one)."""

    def command(self) -> ConfirmCommand:
        """The domain command."""
        return ConfirmCommand(
            type=self.type,
            lines=tuple(LineSplit(**line.model_dump()) for line in self.lines),
            shipment_date=self.shipment_date,
            delivery_date=self.delivery_date,
            comments=self.comments,
            confirmation_id=self.confirmation_id,
        )


class LineQuantityIn(_In):
    """A quantity of one order line."""

    line_number: Annotated[int, Field(ge=1)]
    """The order line."""
    quantity: Positive
    """How much."""


class InvoiceLineIn(LineQuantityIn):
    """A quantity of one order line to bill, and its price when the order cannot give it."""

    unit_price: NonNegative | None = None
    """The price per unit in the order currency, for a line the order prices in another
    currency (or not at all); the hub never converts. Leave it out for every other line: they
    are billed at the order's price."""


class CarrierIn(_In):
    """The carrier: its SCAC code, its name, or both."""

    @model_validator(mode="after")
    def _named(self) -> CarrierIn:
        if not self.scac and not self.name:
            msg = "name the carrier by scac, name or both"
            raise ValueError(msg)
        return self

    scac: Annotated[str, Field(min_length=2, max_length=4, pattern=r"^[A-Z0-9]+$")] | None = None
    """Standard Carrier Alpha Code (`UPSN`, `FDEG`)."""
    name: Annotated[SingleLine, Field(min_length=1, max_length=200)] | None = None
    """Carrier name as printed (`Yurtici Kargo`)."""

    def identifiers(self) -> tuple[Identifier, ...]:
        """The carrier as canonical identifiers."""
        ids = []
        if self.scac:
            ids.append(Identifier(scheme="SCAC", value=self.scac))
        if self.name:
            ids.append(Identifier(scheme="companyName", value=self.name))
        return tuple(ids)


class PackageIn(_In):
    """One package of the shipment."""

    package_id: Annotated[SingleLine, Field(min_length=1, max_length=64)]
    """Label id (an SSCC-18 when `is_sscc`)."""
    is_sscc: bool = False
    """True when the id is a GS1 SSCC-18."""
    gross_weight: Positive | None = None
    """Weight with content."""
    weight_unit: Annotated[SingleLine, Field(min_length=1, max_length=35)] | None = None
    """UN/ECE Rec 20 unit (`KGM`)."""


class ShipIn(_In):
    """Record a shipment of some lines (default: everything that may still ship)."""

    delivery_date: IsoDatetime
    """Expected delivery."""
    lines: list[LineQuantityIn] = Field(default_factory=list)
    """Lines and quantities shipped; empty ships every remaining quantity."""
    shipment_id: BusinessId | None = None
    """Our shipment number (default `<order id>-S<n>`); unique per partner."""
    shipment_date: IsoDatetime | None = None
    """When the goods left (default: now)."""
    carrier: CarrierIn
    """The carrier (SCAC, name or both)."""
    tracking_numbers: Annotated[
        list[Annotated[SingleLine, Field(min_length=1, max_length=100)]], Field(min_length=1)
    ]
    """The carrier's tracking numbers (at least one)."""
    packages: list[PackageIn] = Field(default_factory=list)
    """Packages of the shipment."""
    comments: Comments | None = None
    """Free text for the buyer."""

    def command(self) -> ShipCommand:
        """The domain command."""
        return ShipCommand(
            delivery_date=self.delivery_date,
            lines=tuple(LineQuantity(line.line_number, line.quantity) for line in self.lines),
            shipment_id=self.shipment_id,
            shipment_date=self.shipment_date,
            carrier=self.carrier.identifiers(),
            tracking_numbers=tuple(self.tracking_numbers),
            packages=tuple(Package(**p.model_dump()) for p in self.packages),
            comments=self.comments,
        )


class InvoiceIn(_In):
    """Invoice shipped quantities (default: everything shipped and not yet invoiced)."""

    lines: list[InvoiceLineIn] = Field(default_factory=list)
    """Lines and quantities billed; empty bills everything shipped and not yet invoiced."""
    invoice_id: BusinessId | None = None
    """Our invoice number (default `<order id>-I<n>`); unique per partner."""
    tax_rate: Annotated[BoundedQuantity, Field(ge=0, le=100)] | None = None
    """Tax in percent, applied per line (e.g. `"8.25"`)."""
    tax_category: Annotated[SingleLine, Field(min_length=1, max_length=35)] = "sales"
    """Kind of tax (`sales`, `vat`, `gst`)."""
    shipping: NonNegative | None = None
    """Shipping charged on the invoice."""
    payment_terms_days: Annotated[int, Field(ge=0, le=365)] | None = None
    """Net payment term in days."""
    comments: Comments | None = None
    """Free text for the buyer."""

    def command(self) -> InvoiceCommand:
        """The domain command."""
        return InvoiceCommand(
            lines=tuple(
                LineQuantity(line.line_number, line.quantity, line.unit_price)
                for line in self.lines
            ),
            invoice_id=self.invoice_id,
            tax_rate=self.tax_rate,
            tax_category=self.tax_category,
            shipping=self.shipping,
            payment_terms_days=self.payment_terms_days,
            comments=self.comments,
        )


class CreditIn(_In):
    """Credit an amount against the order (a credit memo)."""

    amount: Positive
    """Amount credited, positive (sent negative, as cXML requires)."""
    reason: Annotated[MultiLine, Field(min_length=1, max_length=4000)]
    """Why (shown to the buyer)."""
    invoice_id: BusinessId | None = None
    """Number of the credit memo (default `<order id>-CM<n>`)."""

    def command(self) -> CreditCommand:
        """The domain command."""
        return CreditCommand(amount=self.amount, reason=self.reason, invoice_id=self.invoice_id)


class DeliveryOut(_Out):
    """Delivery state of one outbound document."""

    outbox_id: UUID
    """Outbox id; also the idempotency key sent with every attempt."""
    kind: str
    """Protocol document kind."""
    status: str
    """`pending`, `delivered` or `dead` (see dead letters)."""
    attempts: int
    """Attempts so far."""
    next_attempt_at: datetime
    """When the next attempt is due (pending)."""
    delivered_at: datetime | None
    """When the partner accepted it."""
    last_error: str | None
    """Why the last attempt failed."""
    acknowledgment: str | None = None
    """The partner's functional acknowledgement (X12 997/999): accepted,
    accepted_with_errors or rejected; `null` until one arrives or for protocols without one."""

    @classmethod
    def of(cls, record: OutboxRecord) -> DeliveryOut:
        """From an outbox row."""
        return cls(
            outbox_id=record.id,
            kind=record.kind,
            status=record.status.value,
            attempts=record.attempts,
            next_attempt_at=record.next_attempt_at,
            delivered_at=record.delivered_at,
            last_error=record.last_error,
            acknowledgment=record.acknowledgment,
        )


class OutboxOut(DeliveryOut):
    """An outbox row in the operator list."""

    partner: str
    """Partner key."""
    document_type: str
    """Canonical document type."""
    correlation_id: str | None
    """The order id."""
    payload_id: str
    """Our document id as sent."""
    order: UUID | None
    """Our order id."""

    @classmethod
    def of(cls, record: OutboxRecord) -> OutboxOut:
        """From an outbox row."""
        return cls(
            **DeliveryOut.of(record).model_dump(),
            partner=record.partner_key,
            document_type=record.document_type,
            correlation_id=record.correlation_id,
            payload_id=record.payload_id,
            order=record.order_uuid,
        )


class IssuedOut(_Out):
    """A document issued by an action and queued for delivery."""

    id: UUID
    """Our id of the document."""
    document_type: str
    """`order_confirmation`, `ship_notice` or `invoice`."""
    business_id: str
    """Confirmation, shipment or invoice number."""
    operation: str
    """`new`, `update` or `delete`."""
    payload_id: str
    """Document id the partner will see (cXML payloadID)."""
    delivery: DeliveryOut
    """Delivery state (queued: `pending`)."""
    document: dict[str, Any]
    """The canonical document."""

    @classmethod
    def of(cls, result: IssuedResult) -> IssuedOut:
        """From an action's result."""
        record = result.document
        return cls(
            id=record.id,
            document_type=record.document_type,
            business_id=record.business_id,
            operation=record.operation,
            payload_id=record.payload_id,
            delivery=DeliveryOut.of(result.outbox),
            document=record.document,
        )


class LineProgressOut(_Out):
    """Where one order line stands."""

    line_number: int
    """The order line."""
    unit_of_measure: str
    """Unit of every quantity below."""
    ordered: Quantity
    """Ordered."""
    rejected: Quantity
    """Rejected by our confirmation."""
    shipped: Quantity
    """Shipped (ship notices in force)."""
    invoiced: Quantity
    """Invoiced (invoices in force)."""
    shippable: Quantity
    """May still ship."""
    invoiceable: Quantity
    """Shipped, not yet invoiced."""

    @classmethod
    def of(cls, line: LineProgress) -> LineProgressOut:
        """From the domain's progress."""
        return cls(
            line_number=line.line_number,
            unit_of_measure=line.unit_of_measure,
            ordered=line.ordered,
            rejected=line.rejected,
            shipped=line.shipped,
            invoiced=line.invoiced,
            shippable=line.shippable,
            invoiceable=line.invoiceable,
        )


class FulfilmentDocumentOut(_Out):
    """A confirmation, ship notice or invoice issued for the order."""

    id: UUID
    """Our id."""
    document_type: str
    """Canonical document type."""
    business_id: str
    """Confirmation, shipment or invoice number."""
    operation: str
    """`new`, `update` or `delete`."""
    status: str
    """`active`, `superseded` or `cancelled`."""
    payload_id: str
    """Document id as sent."""
    created_at: datetime
    """When it was issued."""
    delivery: DeliveryOut | None
    """Its delivery state."""


class FulfilmentOut(_Out):
    """An order's fulfilment: per-line progress and every document issued."""

    order: UUID
    """Our order id."""
    order_id: str
    """The buyer's order number."""
    partner: str
    """Partner key."""
    order_status: str
    """`open` or `cancelled` (the buyer's side)."""
    confirmation: str | None
    """Type of the confirmation in force (`accept`, `reject`, `detail`), if any."""
    lines: list[LineProgressOut]
    """Per-line progress."""
    documents: list[FulfilmentDocumentOut]
    """Everything issued, oldest first."""

    @classmethod
    def of(cls, view: FulfilmentView) -> FulfilmentOut:
        """From the service's view."""
        fulfilment, order = view.fulfilment, view.fulfilment.order
        by_source = {d.source_id: d for d in view.deliveries}
        current = fulfilment.confirmation
        confirmation = None
        if current is not None:
            confirmation = str(getattr(current.document, "type", "")) or None
        return cls(
            order=order.id,
            order_id=order.order_id,
            partner=order.partner_key,
            order_status=order.status.value,
            confirmation=confirmation,
            lines=[LineProgressOut.of(p) for p in fulfilment.progress().values()],
            documents=[
                FulfilmentDocumentOut(
                    id=r.id,
                    document_type=r.document_type,
                    business_id=r.business_id,
                    operation=r.operation,
                    status=r.status.value,
                    payload_id=r.payload_id,
                    created_at=r.created_at,
                    delivery=DeliveryOut.of(by_source[r.id]) if r.id in by_source else None,
                )
                for r in view.documents
            ],
        )
