"""The ship notice (ASN): what left the warehouse, how, and for which order lines.

Modelled on cXML `ShipNoticeRequest` and X12 856: a shipment (id, dates, carrier and tracking
numbers, packages) carrying portions of one or more orders, each portion listing order lines and
shipped quantities. An update replaces an earlier notice of the same shipment; a delete
withdraws it.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from schemas._base import CanonicalModel
from schemas.gs1 import sscc_problem
from schemas.party import Party
from schemas.references import DocumentId, OrderReference
from schemas.types import Amount, Identifier, Quantity, UnitCode


class ShipNoticeOperation(StrEnum):
    """A first notice, a complete replacement, or a withdrawal (cXML ShipNoticeHeader@operation)."""

    NEW = "new"
    UPDATE = "update"
    DELETE = "delete"


class ShipmentType(StrEnum):
    """Whether the goods have left (`actual`) or are scheduled to (`planned`)."""

    ACTUAL = "actual"
    PLANNED = "planned"


class FulfillmentType(StrEnum):
    """Whether the shipment completes the order (`complete`) or more will follow (`partial`)."""

    PARTIAL = "partial"
    COMPLETE = "complete"


class ShipControl(CanonicalModel):
    """A carrier and the tracking numbers it gave the shipment (cXML ShipControl, X12 TD5/REF)."""

    carrier: Annotated[tuple[Identifier, ...], Field(min_length=1)]
    """The carrier by one or more ids: `Identifier("SCAC", "FDEG")`, `Identifier("companyName",
    "FedEx Ground")`."""
    tracking_numbers: Annotated[
        tuple[Annotated[str, Field(min_length=1)], ...], Field(min_length=1)
    ]
    """Tracking numbers of the shipment with this carrier."""


class Package(CanonicalModel):
    """One package (carton, pallet) of the shipment."""

    package_id: Annotated[str, Field(min_length=1, max_length=64)]
    """Package label id; an SSCC-18 when the package carries a GS1 label."""
    is_sscc: bool = False
    """True when `package_id` is an SSCC-18 (X12 MAN*GM, cXML ShipmentIdentifier domain SSCC)."""
    gross_weight: Annotated[Amount, Field(gt=0)] | None = None
    """Weight of the package with its content."""
    weight_unit: UnitCode | None = None
    """UN/ECE Rec 20 unit of `gross_weight` (`KGM`, `LBR`)."""

    @model_validator(mode="after")
    def _sscc_is_valid(self) -> Package:
        """A label marked as SSCC must scan: 18 digits with a valid GS1 check digit."""
        if self.is_sscc:
            problem = sscc_problem(self.package_id)
            if problem is not None:
                msg = (
                    f"package_id {self.package_id!r} is marked is_sscc but {problem}; send the "
                    "18 digits printed under (00) on the GS1 label, or set is_sscc to false"
                )
                raise ValueError(msg)
        return self


class ShipNoticeLine(CanonicalModel):
    """A shipped quantity of one order line."""

    line_number: Annotated[int, Field(ge=1)]
    """The order line (buyer's line number)."""
    quantity: Annotated[Quantity, Field(gt=0)]
    """Quantity shipped in this notice."""
    unit_of_measure: UnitCode
    """Unit of `quantity`."""
    supplier_part_id: str | None = None
    """Our part number, echoed for the buyer's receiving."""
    buyer_part_id: str | None = None
    """The buyer's part number, echoed."""
    description: str | None = None
    """What was shipped."""
    package_id: str | None = None
    """The package that holds this quantity, when packed per line."""


class ShipNoticeOrder(CanonicalModel):
    """The part of one order a shipment carries (cXML ShipNoticePortion, X12 HL order level)."""

    order: OrderReference
    """The purchase order."""
    lines: tuple[ShipNoticeLine, ...] = ()
    """Shipped lines; a notice of a whole order may leave them out."""

    @model_validator(mode="after")
    def _one_entry_per_line(self) -> ShipNoticeOrder:
        counts = Counter((line.line_number, line.package_id) for line in self.lines)
        repeated = sorted({n for (n, _), c in counts.items() if c > 1})
        if repeated:
            msg = f"order lines listed twice for the same package: {repeated}"
            raise ValueError(msg)
        return self


class ShipNotice(CanonicalModel):
    """A ship notice (advance ship notice, ASN), or an update or withdrawal of one."""

    document_type: Literal["ship_notice"] = "ship_notice"
    """Discriminator of the canonical document union."""
    shipment_id: DocumentId
    """The supplier's shipment id; update and delete repeat it."""
    operation: ShipNoticeOperation = ShipNoticeOperation.NEW
    """`new`, `update` (complete replacement) or `delete` (withdrawal)."""
    supersedes: DocumentId | None = None
    """Document id of the notice an update or delete replaces."""
    notice_date: AwareDatetime
    """When the notice was issued."""
    shipment_date: AwareDatetime | None = None
    """When the goods left (or will leave); required except for a delete."""
    delivery_date: AwareDatetime | None = None
    """Expected delivery; required except for a delete."""
    shipment_type: ShipmentType = ShipmentType.ACTUAL
    """Actual or planned."""
    fulfillment: FulfillmentType | None = None
    """Whether this shipment completes the orders it carries."""
    ship_from: Party | None = None
    """Where the goods leave from."""
    ship_to: Party | None = None
    """Where they go."""
    carriers: tuple[ShipControl, ...] = ()
    """Carriers with their tracking numbers."""
    packages: tuple[Package, ...] = ()
    """Packages of the shipment."""
    orders: tuple[ShipNoticeOrder, ...] = ()
    """The orders (and lines) the shipment carries."""
    comments: str | None = None
    """Free text for the buyer."""
    extensions: dict[str, str] = Field(default_factory=dict)
    """Partner name/value pairs (cXML Extrinsic), verbatim."""

    @model_validator(mode="after")
    def _operation_rules(self) -> ShipNotice:
        if self.operation is not ShipNoticeOperation.NEW and self.supersedes is None:
            msg = f"a ship notice {self.operation.value} names the notice it replaces (supersedes)"
            raise ValueError(msg)
        if self.operation is not ShipNoticeOperation.DELETE and (
            self.shipment_date is None or self.delivery_date is None
        ):
            msg = (
                "a ship notice states its shipment and delivery dates (only a delete may omit them)"
            )
            raise ValueError(msg)
        ids = [p.package_id for p in self.packages]
        if len(ids) != len(set(ids)):
            msg = "package ids must be unique within a shipment"
            raise ValueError(msg)
        known = set(ids)
        for portion in self.orders:
            for line in portion.lines:
                if line.package_id is not None and known and line.package_id not in known:
                    msg = (
                        f"line {line.line_number} names package {line.package_id!r}, "
                        "which the shipment does not list"
                    )
                    raise ValueError(msg)
        return self
