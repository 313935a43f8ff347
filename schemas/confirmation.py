"""The order confirmation: what the supplier commits to deliver, for the whole order or per line.

Modelled on cXML `ConfirmationRequest` and X12 855 (BAK + ACK), which say the same things: accept
or reject the whole order, or detail per line how much is accepted, backordered or rejected, and
when it ships.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from schemas._base import CanonicalModel
from schemas.references import DocumentId, OrderReference
from schemas.types import Amount, CurrencyCode, Quantity, UnitCode


class ConfirmationType(StrEnum):
    """What a confirmation says about the order as a whole (cXML ConfirmationHeader@type)."""

    ACCEPT = "accept"
    """The whole order as sent; lines, if listed, are all accepted."""
    REJECT = "reject"
    """The whole order is refused; no lines."""
    DETAIL = "detail"
    """Only the listed lines change; each says what happens to it."""
    ALL_DETAIL = "allDetail"
    """A snapshot of every line."""
    EXCEPT = "except"
    """Accepted, except for the listed lines."""
    BACKORDERED = "backordered"
    """The whole order is backordered."""


class ConfirmationOperation(StrEnum):
    """A first confirmation or a complete replacement of an earlier one."""

    NEW = "new"
    UPDATE = "update"


class LineStatus(StrEnum):
    """What happens to (part of) a line (cXML ConfirmationStatus@type, X12 ACK01)."""

    ACCEPT = "accept"
    BACKORDERED = "backordered"
    REJECT = "reject"
    DETAIL = "detail"
    """Accepted with changes (price, date, description)."""
    ALL_DETAIL = "allDetail"
    UNKNOWN = "unknown"


class ConfirmedQuantity(CanonicalModel):
    """One status of part of a line: how much, what happens to it, and when."""

    status: LineStatus
    """Accepted, backordered, rejected..."""
    quantity: Annotated[Quantity, Field(ge=0)]
    """How much of the line has this status, in the line's unit."""
    unit_of_measure: UnitCode | None = None
    """Unit of `quantity` when it differs from the line's."""
    unit_price: Amount | None = None
    """Confirmed price per unit, when it differs from the order."""
    shipment_date: AwareDatetime | None = None
    """When this quantity ships (estimated)."""
    delivery_date: AwareDatetime | None = None
    """When this quantity is delivered (estimated)."""
    comments: str | None = None
    """Free text, e.g. why a line is rejected."""
    extensions: dict[str, str] = Field(default_factory=dict)
    """Partner name/value pairs (cXML Extrinsic), verbatim."""


class ConfirmationLine(CanonicalModel):
    """What the supplier says about one order line."""

    line_number: Annotated[int, Field(ge=1)]
    """The order line (buyer's line number)."""
    quantity: Annotated[Quantity, Field(ge=0)]
    """The line's quantity as ordered."""
    unit_of_measure: UnitCode
    """Unit of the line."""
    statuses: Annotated[tuple[ConfirmedQuantity, ...], Field(min_length=1)]
    """How the quantity splits: e.g. 6 accepted and 4 backordered."""
    supplier_part_id: str | None = None
    """Our part number for the line, echoed when known."""


_LINES_REQUIRED = frozenset(
    {ConfirmationType.DETAIL, ConfirmationType.ALL_DETAIL, ConfirmationType.EXCEPT}
)


class OrderConfirmation(CanonicalModel):
    """An order confirmation (acknowledgement), or a complete replacement of one."""

    document_type: Literal["order_confirmation"] = "order_confirmation"
    """Discriminator of the canonical document union."""
    confirmation_id: DocumentId | None = None
    """The supplier's id of this confirmation; an update repeats it."""
    operation: ConfirmationOperation = ConfirmationOperation.NEW
    """`new`, or `update` (complete, replaces the confirmation named by `supersedes`)."""
    supersedes: DocumentId | None = None
    """Document id of the confirmation this update replaces."""
    type: ConfirmationType
    """Accept, reject or detail the order."""
    notice_date: AwareDatetime
    """When the supplier confirmed."""
    order: OrderReference
    """The confirmed purchase order."""
    currency: CurrencyCode | None = None
    """Currency of the amounts below, when any is stated."""
    total: Amount | None = None
    """Confirmed order total, only when it differs from the order."""
    tax: Amount | None = None
    """Confirmed tax, only when it differs."""
    shipping: Amount | None = None
    """Confirmed shipping, only when it differs."""
    invoice_id: DocumentId | None = None
    """Supplier invoice id announced with the confirmation, when any."""
    comments: str | None = None
    """Free text for the buyer, e.g. the reason for a rejection."""
    extensions: dict[str, str] = Field(default_factory=dict)
    """Partner name/value pairs (cXML Extrinsic), verbatim."""
    lines: tuple[ConfirmationLine, ...] = ()
    """Per-line statuses; none for a rejection, required for detail."""

    @model_validator(mode="after")
    def _lines_fit_the_type(self) -> OrderConfirmation:
        if self.type is ConfirmationType.REJECT and self.lines:
            msg = "a reject confirmation refuses the whole order and lists no lines"
            raise ValueError(msg)
        if self.type in _LINES_REQUIRED and not self.lines:
            msg = f"a {self.type.value} confirmation lists the lines it is about"
            raise ValueError(msg)
        if self.type is ConfirmationType.ACCEPT:
            for line in self.lines:
                if any(s.status is not LineStatus.ACCEPT for s in line.statuses):
                    msg = (
                        f"an accept confirmation only lists accepted lines; line "
                        f"{line.line_number} has another status (send type detail)"
                    )
                    raise ValueError(msg)
        if self.operation is ConfirmationOperation.UPDATE and self.supersedes is None:
            msg = "an update confirmation names the confirmation it replaces (supersedes)"
            raise ValueError(msg)
        repeated = sorted(n for n, c in Counter(x.line_number for x in self.lines).items() if c > 1)
        if repeated:
            msg = f"a line may appear only once in a confirmation; repeated: {repeated}"
            raise ValueError(msg)
        return self
