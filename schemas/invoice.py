"""The invoice: what the supplier bills for which order lines, with taxes and shipping.

Modelled on cXML `InvoiceDetailRequest` and X12 810. An invoice is either line-level (every
order portion lists invoiced lines) or header-level (an amount per order, no lines); the two
never mix, as cXML requires. Credit memos carry negative amounts; a cancellation (`delete`)
points at the invoice it cancels. Sums are not re-checked here: real partners round differently,
and the model must hold what they send; the hub checks its own sums when it issues an invoice.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, model_validator

from schemas._base import CanonicalModel
from schemas.party import Party
from schemas.references import DocumentId, OrderReference
from schemas.types import Amount, CurrencyCode, Quantity, UnitCode


class InvoicePurpose(StrEnum):
    """Kind of invoice (cXML InvoiceDetailRequestHeader@purpose)."""

    STANDARD = "standard"
    CREDIT_MEMO = "creditMemo"
    """A header-level credit: negative amounts, no lines."""
    DEBIT_MEMO = "debitMemo"
    """A header-level extra charge, no lines."""
    LINE_LEVEL_CREDIT_MEMO = "lineLevelCreditMemo"
    """A credit per invoiced line: negative line amounts."""
    LINE_LEVEL_DEBIT_MEMO = "lineLevelDebitMemo"
    """An extra charge per line."""

    @property
    def is_credit(self) -> bool:
        """True for credit memos, whose amounts are negative."""
        return self in {InvoicePurpose.CREDIT_MEMO, InvoicePurpose.LINE_LEVEL_CREDIT_MEMO}

    @property
    def is_header_level(self) -> bool:
        """True for the memos cXML allows only as header invoices."""
        return self in {InvoicePurpose.CREDIT_MEMO, InvoicePurpose.DEBIT_MEMO}


class InvoiceOperation(StrEnum):
    """A new invoice, or the cancellation of an earlier one."""

    NEW = "new"
    DELETE = "delete"


class TaxDetail(CanonicalModel):
    """One tax of a line or of the invoice (cXML TaxDetail, X12 TXI)."""

    category: Annotated[str, Field(min_length=1)]
    """Kind of tax: `sales`, `vat`, `gst`, ... as the partner names it."""
    amount: Amount
    """Tax amount."""
    rate: Amount | None = None
    """Rate in percent, e.g. `8.25`."""
    taxable_amount: Amount | None = None
    """Amount the rate applies to."""
    description: str | None = None
    """Free text (jurisdiction, exemption reason)."""


class InvoiceLine(CanonicalModel):
    """One invoiced quantity of one order line."""

    invoice_line_number: Annotated[int, Field(ge=1)]
    """Line number within the invoice."""
    order_line_number: Annotated[int, Field(ge=1)]
    """The order line billed (cXML InvoiceDetailItemReference@lineNumber)."""
    quantity: Quantity
    """Invoiced quantity; negative in a line-level credit memo."""
    unit_of_measure: UnitCode
    """Unit of `quantity`."""
    unit_price: Amount
    """Price per unit."""
    subtotal: Amount | None = None
    """Quantity x unit price, as stated."""
    tax: Amount | None = None
    """Total tax of the line, when taxes are stated per line."""
    taxes: tuple[TaxDetail, ...] = ()
    """The line's taxes in detail."""
    shipping: Amount | None = None
    """Shipping charged on the line, when shipping is stated per line."""
    supplier_part_id: str | None = None
    """Our part number."""
    buyer_part_id: str | None = None
    """The buyer's part number."""
    description: str | None = None
    """What was billed."""
    ship_notice_id: DocumentId | None = None
    """The shipment (ship notice id) that delivered this quantity."""


class InvoiceOrder(CanonicalModel):
    """What the invoice bills against one order or contract."""

    order: OrderReference | None = None
    """The purchase order billed."""
    agreement_id: DocumentId | None = None
    """The contract billed, for contract-backed lines (cXML MasterAgreementReference)."""
    lines: tuple[InvoiceLine, ...] = ()
    """Invoiced lines (line-level invoices)."""
    subtotal: Amount | None = None
    """Amount billed against this order (header-level invoices)."""

    @model_validator(mode="after")
    def _names_what_it_bills(self) -> InvoiceOrder:
        if self.order is None and self.agreement_id is None:
            msg = "an invoice portion names the order or the contract it bills"
            raise ValueError(msg)
        return self


class Invoice(CanonicalModel):
    """An invoice, credit or debit memo, or the cancellation of one."""

    document_type: Literal["invoice"] = "invoice"
    """Discriminator of the canonical document union."""
    invoice_id: DocumentId
    """The supplier's invoice number."""
    operation: InvoiceOperation = InvoiceOperation.NEW
    """`new`, or `delete` to cancel the invoice named by `supersedes`."""
    supersedes: DocumentId | None = None
    """Document id of the invoice a cancellation cancels."""
    purpose: InvoicePurpose = InvoicePurpose.STANDARD
    """Standard invoice or memo."""
    header_level: bool = False
    """True for a header invoice: amounts per order, no lines."""
    invoice_date: AwareDatetime
    """Date of the invoice."""
    currency: CurrencyCode
    """Currency of every amount."""
    supplier: Party | None = None
    """Who bills (the supplier as invoicing party)."""
    bill_to: Party | None = None
    """Who is billed."""
    remit_to: Party | None = None
    """Where to pay."""
    payment_terms_days: Annotated[int, Field(ge=0)] | None = None
    """Net payment term in days."""
    orders: Annotated[tuple[InvoiceOrder, ...], Field(min_length=1)]
    """What is billed, per order or contract."""
    subtotal: Amount
    """Sum of the billed amounts before tax and shipping."""
    tax: Amount = Decimal(0)
    """Total tax."""
    taxes: tuple[TaxDetail, ...] = ()
    """Header taxes in detail."""
    special_handling: Amount | None = None
    """Special handling charged on the invoice (cXML SpecialHandlingAmount)."""
    shipping: Amount | None = None
    """Shipping charged on the invoice."""
    discount: Amount | None = None
    """Discount on the invoice, a positive amount taken off (cXML InvoiceDetailDiscount)."""
    net_amount: Amount
    """Subtotal + tax + special handling + shipping - discount."""
    due_amount: Amount | None = None
    """What the buyer owes (net minus deposits)."""
    comments: str | None = None
    """Free text for the buyer."""
    extensions: dict[str, str] = Field(default_factory=dict)
    """Partner name/value pairs (cXML Extrinsic, e.g. Coupa's compliance fields), verbatim."""

    @model_validator(mode="after")
    def _invoice_rules(self) -> Invoice:
        if self.operation is InvoiceOperation.DELETE and self.supersedes is None:
            msg = "a cancellation names the invoice it cancels (supersedes)"
            raise ValueError(msg)
        if self.purpose.is_header_level and not self.header_level:
            msg = f"a {self.purpose.value} is a header invoice (header_level must be true)"
            raise ValueError(msg)
        for portion in self.orders:
            if self.header_level and portion.lines:
                msg = "a header invoice bills amounts per order and lists no lines"
                raise ValueError(msg)
            if not self.header_level and not portion.lines:
                msg = "a line-level invoice lists the lines it bills for every order"
                raise ValueError(msg)
        numbers = Counter(line.invoice_line_number for p in self.orders for line in p.lines)
        repeated = sorted(n for n, c in numbers.items() if c > 1)
        if repeated:
            msg = f"invoice line numbers must be unique; repeated: {repeated}"
            raise ValueError(msg)
        if self.operation is InvoiceOperation.NEW:
            self._signs_fit_the_purpose()
        return self

    def _signs_fit_the_purpose(self) -> None:
        due = self.due_amount if self.due_amount is not None else self.net_amount
        if self.purpose.is_credit and due > 0:
            msg = f"a {self.purpose.value} carries a negative amount due"
            raise ValueError(msg)
        if not self.purpose.is_credit and due < 0:
            msg = (
                f"a {self.purpose.value} invoice carries a non-negative amount due; "
                "use a credit memo"
            )
            raise ValueError(msg)
        if self.purpose is InvoicePurpose.LINE_LEVEL_CREDIT_MEMO:
            positive = [
                line.invoice_line_number
                for p in self.orders
                for line in p.lines
                if line.subtotal is not None and line.subtotal > 0
            ]
            if positive:
                msg = (
                    "a line-level credit memo has negative line amounts; "
                    f"lines {positive} are positive"
                )
                raise ValueError(msg)

    def lines(self) -> list[InvoiceLine]:
        """Every invoiced line, across orders."""
        return [line for portion in self.orders for line in portion.lines]
