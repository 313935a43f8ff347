"""Fulfilment: what the supplier says and does about an order - confirm, ship, invoice.

Pure domain, like `order.py`. `Fulfilment` folds an order and the documents already issued for
it into per-line progress (ordered, rejected, shipped, invoiced), and each action checks the
rules against that progress and returns the canonical document to issue:

- an order the buyer cancelled takes no confirmation, shipment or invoice;
- a rejected order cannot be shipped or invoiced, and an order with shipments cannot be rejected;
- a line never ships more than was ordered minus what the confirmation rejected;
- an invoice bills only what was shipped and not yet invoiced; no invoice for nothing shipped;
- an invoice is in the order currency and the hub never converts: a line the buyer priced in
  another currency (`unit_price_currency`) is invoiced only at a unit price the request states.

Breaking a rule of state raises `FulfilmentConflictError` (HTTP 409); a request that does not
fit the order (unknown line, a split that does not add up) raises `FulfilmentInputError` (422).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from uuid import UUID

from gateway_api.domain.errors import DomainError
from gateway_api.domain.order import Order, OrderStatus
from schemas import (
    ConfirmationLine,
    ConfirmationOperation,
    ConfirmationType,
    ConfirmedQuantity,
    FulfillmentType,
    Identifier,
    Invoice,
    InvoiceLine,
    InvoiceOperation,
    InvoiceOrder,
    InvoicePurpose,
    LineStatus,
    OrderConfirmation,
    OrderLine,
    OrderReference,
    Package,
    ShipControl,
    ShipNotice,
    ShipNoticeLine,
    ShipNoticeOperation,
    ShipNoticeOrder,
    TaxDetail,
)

FulfilmentDocument = OrderConfirmation | ShipNotice | Invoice
CENT = Decimal("0.01")
"""Amounts are rounded half-up to cents (every currency the hub bills in has two decimals)."""


class FulfilmentError(DomainError):
    """A confirmation, shipment or invoice request was refused."""


class FulfilmentConflictError(FulfilmentError):
    """The order's state does not allow the action (answered 409)."""


class FulfilmentInputError(FulfilmentError):
    """The request does not fit the order: unknown lines, quantities that do not add up (422)."""


@dataclass(frozen=True)
class IssuedDocument:
    """A document already issued for the order, with our payloadID and whether it still counts."""

    id: UUID
    payload_id: str
    document: FulfilmentDocument
    active: bool


@dataclass(frozen=True)
class LineProgress:
    """Where one order line stands."""

    line_number: int
    ordered: Decimal
    unit_of_measure: str
    rejected: Decimal
    shipped: Decimal
    invoiced: Decimal

    @property
    def shippable(self) -> Decimal:
        """What may still ship: ordered, less rejected, less shipped."""
        return self.ordered - self.rejected - self.shipped

    @property
    def invoiceable(self) -> Decimal:
        """What was shipped and not yet invoiced."""
        return self.shipped - self.invoiced


@dataclass(frozen=True)
class LineSplit:
    """How a detail confirmation splits one line (the parts add up to the ordered quantity)."""

    line_number: int
    accepted: Decimal = Decimal(0)
    backordered: Decimal = Decimal(0)
    rejected: Decimal = Decimal(0)
    shipment_date: datetime | None = None
    delivery_date: datetime | None = None
    comments: str | None = None


@dataclass(frozen=True)
class ConfirmCommand:
    """Confirm the order: accept or reject it whole, or detail per line."""

    type: Literal["accept", "reject", "detail"]
    lines: tuple[LineSplit, ...] = ()
    shipment_date: datetime | None = None
    """Accept: when every line ships (adds accepted lines with this date)."""
    delivery_date: datetime | None = None
    """Accept: when every line arrives."""
    comments: str | None = None
    confirmation_id: str | None = None


@dataclass(frozen=True)
class LineQuantity:
    """A quantity of one order line (shipped or invoiced)."""

    line_number: int
    quantity: Decimal
    unit_price: Decimal | None = None
    """Invoices only: the price per unit in the order currency, for a line the order does not
    price in that currency (priced in another one, or not priced); otherwise the order's."""


@dataclass(frozen=True)
class ShipCommand:
    """Record a shipment of some or all remaining quantities."""

    delivery_date: datetime
    lines: tuple[LineQuantity, ...] = ()
    """Empty: everything that may still ship."""
    shipment_id: str | None = None
    shipment_date: datetime | None = None
    carrier: tuple[Identifier, ...] = ()
    tracking_numbers: tuple[str, ...] = ()
    packages: tuple[Package, ...] = ()
    comments: str | None = None


@dataclass(frozen=True)
class InvoiceCommand:
    """Invoice shipped quantities."""

    lines: tuple[LineQuantity, ...] = ()
    """Empty: everything shipped and not yet invoiced."""
    invoice_id: str | None = None
    tax_rate: Decimal | None = None
    """Percent applied to each line, e.g. 8.25."""
    tax_category: str = "sales"
    shipping: Decimal | None = None
    payment_terms_days: int | None = None
    comments: str | None = None


@dataclass(frozen=True)
class CreditCommand:
    """Credit an amount against the order (a header-level credit memo)."""

    amount: Decimal
    reason: str
    invoice_id: str | None = None


@dataclass(frozen=True)
class Issue:
    """What an action produced: the document to issue and the earlier one it replaces."""

    document: FulfilmentDocument
    business_id: str
    operation: str
    replaces: IssuedDocument | None = None
    """An earlier document this one supersedes (confirmation update) or cancels (deletes)."""


class Fulfilment:
    """An order with the documents issued for it, and the actions that issue more."""

    def __init__(self, order: Order, issued: Sequence[IssuedDocument]) -> None:
        self.order = order
        self.issued = list(issued)

    # -- state --------------------------------------------------------------------------------

    def _confirmations(self) -> list[tuple[IssuedDocument, OrderConfirmation]]:
        return [(i, i.document) for i in self.issued if isinstance(i.document, OrderConfirmation)]

    def _notices(self) -> list[tuple[IssuedDocument, ShipNotice]]:
        return [(i, i.document) for i in self.issued if isinstance(i.document, ShipNotice)]

    def _invoices(self) -> list[tuple[IssuedDocument, Invoice]]:
        return [(i, i.document) for i in self.issued if isinstance(i.document, Invoice)]

    @property
    def confirmation(self) -> IssuedDocument | None:
        """The confirmation in force, if any."""
        current = [i for i, _ in self._confirmations() if i.active]
        return current[-1] if current else None

    @property
    def shipments(self) -> list[tuple[IssuedDocument, ShipNotice]]:
        """Ship notices in force (not withdrawn)."""
        return [
            (i, notice)
            for i, notice in self._notices()
            if i.active and notice.operation is not ShipNoticeOperation.DELETE
        ]

    @property
    def invoices(self) -> list[tuple[IssuedDocument, Invoice]]:
        """Invoices and memos in force (not cancelled)."""
        return [
            (i, invoice)
            for i, invoice in self._invoices()
            if i.active and invoice.operation is InvoiceOperation.NEW
        ]

    @property
    def is_rejected(self) -> bool:
        """True when the confirmation in force rejects the whole order."""
        current = self.confirmation
        return (
            current is not None
            and isinstance(current.document, OrderConfirmation)
            and current.document.type is ConfirmationType.REJECT
        )

    def progress(self) -> dict[int, LineProgress]:
        """Per order line: ordered, rejected, shipped and invoiced quantities."""
        rejected = self.rejected_by_line()
        shipped = self.shipped_by_line()
        invoiced: dict[int, Decimal] = {}
        for _, invoice in self.invoices:
            for line in invoice.lines():
                n = line.order_line_number
                invoiced[n] = invoiced.get(n, Decimal(0)) + line.quantity
        return {
            line.line_number: LineProgress(
                line_number=line.line_number,
                ordered=line.quantity,
                unit_of_measure=line.unit_of_measure,
                rejected=rejected.get(line.line_number, Decimal(0)),
                shipped=shipped.get(line.line_number, Decimal(0)),
                invoiced=invoiced.get(line.line_number, Decimal(0)),
            )
            for line in self.order.current.lines
        }

    def shipped_by_line(self) -> dict[int, Decimal]:
        """Quantity shipped per order line number, over the ship notices in force."""
        shipped: dict[int, Decimal] = {}
        for _, notice in self.shipments:
            for portion in notice.orders:
                for s in portion.lines:
                    shipped[s.line_number] = shipped.get(s.line_number, Decimal(0)) + s.quantity
        return shipped

    def rejected_by_line(self) -> dict[int, Decimal]:
        """Quantity rejected per order line number by the confirmation in force (every line,
        whole, when it rejects the order)."""
        current = self.confirmation
        if current is None:
            return {}
        confirmation = current.document
        assert isinstance(confirmation, OrderConfirmation)
        if confirmation.type is ConfirmationType.REJECT:
            return {line.line_number: line.quantity for line in self.order.current.lines}
        return {
            line.line_number: sum(
                (s.quantity for s in line.statuses if s.status is LineStatus.REJECT), Decimal(0)
            )
            for line in confirmation.lines
        }

    def _reference(self) -> OrderReference:
        return OrderReference(
            order_id=self.order.order_id,
            payload_id=self.order.current_payload_id,
            order_date=self.order.current.order_date,
        )

    def _require_open(self, action: str) -> None:
        if self.order.status is OrderStatus.CANCELLED:
            msg = f"order {self.order.order_id!r} was cancelled by the buyer; it cannot be {action}"
            raise FulfilmentConflictError(msg)

    def _require_not_rejected(self, action: str) -> None:
        if self.is_rejected:
            msg = f"order {self.order.order_id!r} was rejected; a rejected order cannot be {action}"
            raise FulfilmentConflictError(msg)

    def _line(self, line_number: int, progress: dict[int, LineProgress]) -> LineProgress:
        line = progress.get(line_number)
        if line is None:
            known = sorted(progress)
            msg = f"order {self.order.order_id!r} has no line {line_number} (lines: {known})"
            raise FulfilmentInputError(msg)
        return line

    # -- confirm ------------------------------------------------------------------------------

    def confirm(self, command: ConfirmCommand, *, at: datetime) -> Issue:
        """Accept, reject or detail the order; a second confirmation is an update of the first."""
        self._require_open("confirmed")
        progress = self.progress()
        shipped = any(p.shipped > 0 for p in progress.values())
        if command.type == "reject" and shipped:
            msg = f"order {self.order.order_id!r} has shipments; it can no longer be rejected"
            raise FulfilmentConflictError(msg)
        lines = self._confirmation_lines(command, progress)
        previous = self.confirmation
        earlier_id = (
            previous.document.confirmation_id
            if previous is not None and isinstance(previous.document, OrderConfirmation)
            else None
        )
        confirmation_id = earlier_id or command.confirmation_id or f"{self.order.order_id}-C"
        document = OrderConfirmation(
            confirmation_id=confirmation_id,
            operation=ConfirmationOperation.NEW
            if previous is None
            else ConfirmationOperation.UPDATE,
            supersedes=None if previous is None else previous.payload_id,
            type=ConfirmationType(command.type),
            notice_date=at,
            order=self._reference(),
            comments=command.comments,
            lines=lines,
        )
        return Issue(document, confirmation_id, document.operation.value, replaces=previous)

    def _confirmation_lines(
        self, command: ConfirmCommand, progress: dict[int, LineProgress]
    ) -> tuple[ConfirmationLine, ...]:
        if command.type == "reject":
            if command.lines:
                msg = "a rejection refuses the whole order; it lists no lines"
                raise FulfilmentInputError(msg)
            return ()
        if command.type == "accept":
            if command.lines:
                msg = "an accept confirms every line as ordered; use type detail to split lines"
                raise FulfilmentInputError(msg)
            if command.shipment_date is None and command.delivery_date is None:
                return ()
            return tuple(
                self._confirmation_line(
                    p,
                    [(LineStatus.ACCEPT, p.ordered)],
                    command.shipment_date,
                    command.delivery_date,
                    None,
                )
                for p in progress.values()
            )
        if not command.lines:
            msg = "a detail confirmation lists the lines it splits"
            raise FulfilmentInputError(msg)
        seen: set[int] = set()
        result = []
        for split in command.lines:
            if split.line_number in seen:
                msg = f"line {split.line_number} is listed twice"
                raise FulfilmentInputError(msg)
            seen.add(split.line_number)
            line = self._line(split.line_number, progress)
            parts = (split.accepted, split.backordered, split.rejected)
            if any(part < 0 for part in parts) or sum(parts) != line.ordered:
                msg = (
                    f"line {line.line_number}: accepted + backordered + rejected must add up to "
                    f"the ordered {line.ordered} {line.unit_of_measure}"
                )
                raise FulfilmentInputError(msg)
            if line.ordered - split.rejected < line.shipped:
                msg = (
                    f"line {line.line_number}: {line.shipped} already shipped; cannot reject "
                    f"{split.rejected} of {line.ordered}"
                )
                raise FulfilmentConflictError(msg)
            statuses = [
                (LineStatus.ACCEPT, split.accepted),
                (LineStatus.BACKORDERED, split.backordered),
                (LineStatus.REJECT, split.rejected),
            ]
            result.append(
                self._confirmation_line(
                    line,
                    [(status, q) for status, q in statuses if q > 0],
                    split.shipment_date,
                    split.delivery_date,
                    split.comments,
                )
            )
        return tuple(result)

    def _confirmation_line(
        self,
        line: LineProgress,
        parts: list[tuple[LineStatus, Decimal]],
        shipment_date: datetime | None,
        delivery_date: datetime | None,
        comments: str | None,
    ) -> ConfirmationLine:
        ordered = self.order.current.line(line.line_number)
        assert ordered is not None
        return ConfirmationLine(
            line_number=line.line_number,
            quantity=line.ordered,
            unit_of_measure=line.unit_of_measure,
            supplier_part_id=ordered.supplier_part_id,
            statuses=tuple(
                ConfirmedQuantity(
                    status=status,
                    quantity=quantity,
                    shipment_date=None if status is LineStatus.REJECT else shipment_date,
                    delivery_date=None if status is LineStatus.REJECT else delivery_date,
                    comments=comments if status is LineStatus.REJECT else None,
                )
                for status, quantity in parts
            ),
        )

    # -- ship ---------------------------------------------------------------------------------

    def ship(self, command: ShipCommand, *, at: datetime) -> Issue:
        """Record a shipment; the notice says whether it completes the order."""
        self._require_open("shipped")
        self._require_not_rejected("shipped")
        progress = self.progress()
        quantities = self._quantities(
            command.lines, progress, lambda p: p.shippable, "may still ship", "nothing left to ship"
        )
        priced = sorted(item.line_number for item in command.lines if item.unit_price is not None)
        if priced:
            msg = f"a shipment carries no prices; leave unit_price out of lines {priced}"
            raise FulfilmentInputError(msg)
        shipment_id = command.shipment_id or _next_id(
            f"{self.order.order_id}-S", {notice.shipment_id for _, notice in self._notices()}
        )
        if any(notice.shipment_id == shipment_id for _, notice in self._notices()):
            msg = f"shipment {shipment_id!r} was already recorded for this order"
            raise FulfilmentConflictError(msg)
        if not command.carrier or not command.tracking_numbers:
            # Every platform shows the carrier and tracking number of a ship notice to the buyer
            # (Coupa: "Tracking #"); a notice without them is not useful to receiving.
            msg = "a shipment names its carrier and at least one tracking number"
            raise FulfilmentInputError(msg)
        complete = all(
            p.shippable - quantities.get(n, Decimal(0)) == 0 for n, p in progress.items()
        )
        lines = []
        for line_number, quantity in quantities.items():
            ordered = self.order.current.line(line_number)
            assert ordered is not None
            lines.append(
                ShipNoticeLine(
                    line_number=line_number,
                    quantity=quantity,
                    unit_of_measure=ordered.unit_of_measure,
                    supplier_part_id=ordered.supplier_part_id,
                    buyer_part_id=ordered.buyer_part_id,
                    description=ordered.description,
                )
            )
        carriers = (
            ShipControl(carrier=command.carrier, tracking_numbers=command.tracking_numbers),
        )
        document = ShipNotice(
            shipment_id=shipment_id,
            notice_date=at,
            shipment_date=command.shipment_date or at,
            delivery_date=command.delivery_date,
            fulfillment=FulfillmentType.COMPLETE if complete else FulfillmentType.PARTIAL,
            ship_to=self.order.current.ship_to,
            carriers=carriers,
            packages=command.packages,
            orders=(ShipNoticeOrder(order=self._reference(), lines=tuple(lines)),),
            comments=command.comments,
        )
        return Issue(document, shipment_id, document.operation.value)

    def cancel_shipment(self, shipment_id: str, *, at: datetime) -> Issue:
        """Withdraw a ship notice; refused when its quantities were invoiced already."""
        issued = next((i for i, n in self.shipments if n.shipment_id == shipment_id), None)
        if issued is None:
            msg = f"order {self.order.order_id!r} has no shipment {shipment_id!r} in force"
            raise FulfilmentConflictError(msg)
        notice = issued.document
        assert isinstance(notice, ShipNotice)
        progress = self.progress()
        for portion in notice.orders:
            for line in portion.lines:
                p = progress[line.line_number]
                if p.shipped - line.quantity < p.invoiced:
                    msg = (
                        f"line {line.line_number} of shipment {shipment_id!r} is invoiced; "
                        "cancel the invoice first"
                    )
                    raise FulfilmentConflictError(msg)
        document = ShipNotice(
            shipment_id=shipment_id,
            operation=ShipNoticeOperation.DELETE,
            supersedes=issued.payload_id,
            notice_date=at,
            orders=(ShipNoticeOrder(order=self._reference()),),
            comments=f"shipment {shipment_id} withdrawn",
        )
        return Issue(document, shipment_id, document.operation.value, replaces=issued)

    # -- invoice ------------------------------------------------------------------------------

    def invoice(self, command: InvoiceCommand, *, at: datetime) -> Issue:
        """Invoice shipped, not yet invoiced quantities at the order's prices."""
        self._require_open("invoiced")
        self._require_not_rejected("invoiced")
        progress = self.progress()
        quantities = self._quantities(
            command.lines,
            progress,
            lambda p: p.invoiceable,
            "is shipped and not yet invoiced",
            "nothing is shipped and not yet invoiced; no invoice for nothing shipped",
        )
        invoice_id = command.invoice_id or _next_id(f"{self.order.order_id}-I", self._invoice_ids())
        self._require_new_invoice_id(invoice_id)
        stated = {item.line_number: item.unit_price for item in command.lines}
        lines = []
        for number, (line_number, quantity) in enumerate(quantities.items(), start=1):
            ordered = self.order.current.line(line_number)
            assert ordered is not None
            unit_price = self._invoice_price(ordered, stated.get(line_number))
            subtotal = (quantity * unit_price).quantize(CENT, ROUND_HALF_UP)
            tax = (
                None
                if command.tax_rate is None
                else (subtotal * command.tax_rate / 100).quantize(CENT, ROUND_HALF_UP)
            )
            lines.append(
                InvoiceLine(
                    invoice_line_number=number,
                    order_line_number=line_number,
                    quantity=quantity,
                    unit_of_measure=ordered.unit_of_measure,
                    unit_price=unit_price,
                    subtotal=subtotal,
                    tax=tax,
                    taxes=()
                    if tax is None or command.tax_rate is None
                    else (
                        TaxDetail(
                            category=command.tax_category,
                            amount=tax,
                            rate=command.tax_rate,
                            taxable_amount=subtotal,
                        ),
                    ),
                    supplier_part_id=ordered.supplier_part_id,
                    buyer_part_id=ordered.buyer_part_id,
                    description=ordered.description,
                )
            )
        subtotal = sum((line.subtotal or Decimal(0) for line in lines), Decimal(0))
        tax_total = sum((line.tax or Decimal(0) for line in lines), Decimal(0))
        shipping = (
            None if command.shipping is None else command.shipping.quantize(CENT, ROUND_HALF_UP)
        )
        net = subtotal + tax_total + (shipping or Decimal(0))
        document = Invoice(
            invoice_id=invoice_id,
            invoice_date=at,
            currency=self.order.current.currency,
            bill_to=self.order.current.bill_to,
            payment_terms_days=command.payment_terms_days,
            orders=(InvoiceOrder(order=self._reference(), lines=tuple(lines)),),
            subtotal=subtotal,
            tax=tax_total,
            taxes=()
            if command.tax_rate is None
            else (
                TaxDetail(
                    category=command.tax_category,
                    amount=tax_total,
                    rate=command.tax_rate,
                    taxable_amount=subtotal,
                ),
            ),
            shipping=shipping,
            net_amount=net,
            due_amount=net,
            comments=command.comments,
        )
        return Issue(document, invoice_id, document.operation.value)

    def _invoice_price(self, ordered: OrderLine, stated: Decimal | None) -> Decimal:
        """The price per unit a line is invoiced at, in the order currency.

        An invoice states one currency (cXML InvoiceDetailRequest, X12 810 CUR, EDIFACT CUX) and
        adds its lines up, so a price in another currency is never billed as if it were in the
        order's: converting would need a rate and a date the buyer agreed to, which the hub does
        not have. Such a line (or one without a price) is invoiced at a price the request
        states; a line priced in the order currency is billed at the order's price.
        """
        currency = self.order.current.currency
        n = ordered.line_number
        other = ordered.unit_price_currency not in (None, currency)
        if stated is not None:
            if stated < 0:
                msg = f"line {n}: the unit price must not be negative"
                raise FulfilmentInputError(msg)
            if ordered.unit_price is not None and not other and stated != ordered.unit_price:
                msg = (
                    f"line {n}: the order prices it at {ordered.unit_price} {currency} and an "
                    "invoice bills the order's price; leave unit_price out"
                )
                raise FulfilmentInputError(msg)
            return stated
        if ordered.unit_price is None:
            msg = (
                f"line {n} has no unit price in the order; state its unit_price in {currency} "
                "to invoice it, or leave it out of lines"
            )
            raise FulfilmentInputError(msg)
        if other:
            msg = (
                f"line {n} is priced at {ordered.unit_price} {ordered.unit_price_currency}, not "
                f"in the order currency {currency}, and the hub does not convert currencies; "
                f"state the line's unit_price in {currency} to invoice it, or leave it out of "
                "lines"
            )
            raise FulfilmentInputError(msg)
        return ordered.unit_price

    def credit(self, command: CreditCommand, *, at: datetime) -> Issue:
        """A header-level credit memo against the order, at most what is invoiced."""
        billed = sum((invoice.net_amount for _, invoice in self.invoices), Decimal(0))
        amount = command.amount.quantize(CENT, ROUND_HALF_UP)
        if amount <= 0:
            msg = "a credit is a positive amount (it is sent negative, as cXML requires)"
            raise FulfilmentInputError(msg)
        if amount > billed:
            msg = f"cannot credit {amount}: only {billed} is invoiced on this order"
            raise FulfilmentConflictError(msg)
        invoice_id = command.invoice_id or _next_id(
            f"{self.order.order_id}-CM", self._invoice_ids()
        )
        self._require_new_invoice_id(invoice_id)
        document = Invoice(
            invoice_id=invoice_id,
            purpose=InvoicePurpose.CREDIT_MEMO,
            header_level=True,
            invoice_date=at,
            currency=self.order.current.currency,
            bill_to=self.order.current.bill_to,
            orders=(InvoiceOrder(order=self._reference(), subtotal=-amount),),
            subtotal=-amount,
            net_amount=-amount,
            due_amount=-amount,
            comments=command.reason,
        )
        return Issue(document, invoice_id, document.operation.value)

    def cancel_invoice(self, invoice_id: str, *, at: datetime) -> Issue:
        """Cancel an invoice (or memo); its quantities may be invoiced again."""
        issued = next((i for i, v in self.invoices if v.invoice_id == invoice_id), None)
        if issued is None:
            msg = f"order {self.order.order_id!r} has no invoice {invoice_id!r} in force"
            raise FulfilmentConflictError(msg)
        original = issued.document
        assert isinstance(original, Invoice)
        # The cancellation repeats the invoice it names, with operation delete pointing back.
        document = original.model_copy(
            update={"operation": InvoiceOperation.DELETE, "supersedes": issued.payload_id}
        )
        del at
        return Issue(document, invoice_id, document.operation.value, replaces=issued)

    # -- helpers ------------------------------------------------------------------------------

    def _invoice_ids(self) -> set[str]:
        return {invoice.invoice_id for _, invoice in self._invoices()}

    def _require_new_invoice_id(self, invoice_id: str) -> None:
        if invoice_id in self._invoice_ids():
            msg = f"invoice {invoice_id!r} was already issued for this order"
            raise FulfilmentConflictError(msg)

    def _quantities(
        self,
        requested: tuple[LineQuantity, ...],
        progress: dict[int, LineProgress],
        available: _Available,
        what: str,
        nothing: str,
    ) -> dict[int, Decimal]:
        """Requested quantities checked against what is available, or everything available."""
        if not requested:
            result = {n: available(p) for n, p in progress.items() if available(p) > 0}
            if not result:
                msg = f"order {self.order.order_id!r}: {nothing}"
                raise FulfilmentConflictError(msg)
            return result
        result = {}
        for item in requested:
            if item.line_number in result:
                msg = f"line {item.line_number} is listed twice"
                raise FulfilmentInputError(msg)
            line = self._line(item.line_number, progress)
            if item.quantity <= 0:
                msg = f"line {item.line_number}: the quantity must be positive"
                raise FulfilmentInputError(msg)
            if item.quantity > available(line):
                msg = (
                    f"line {item.line_number}: {item.quantity} {line.unit_of_measure} requested "
                    f"but only {available(line)} {what} (ordered {line.ordered}, rejected "
                    f"{line.rejected}, shipped {line.shipped}, invoiced {line.invoiced})"
                )
                raise FulfilmentConflictError(msg)
            result[item.line_number] = item.quantity
        return result


def _next_id(prefix: str, taken: set[str]) -> str:
    """`<prefix>1`, `<prefix>2`... the first not used yet (ids are never reused)."""
    number = 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


_Available = Callable[[LineProgress], Decimal]
"""How much of a line is available for an action (to ship, to invoice)."""


__all__ = [
    "ConfirmCommand",
    "CreditCommand",
    "Fulfilment",
    "FulfilmentConflictError",
    "FulfilmentDocument",
    "FulfilmentError",
    "FulfilmentInputError",
    "InvoiceCommand",
    "Issue",
    "IssuedDocument",
    "LineProgress",
    "LineQuantity",
    "LineSplit",
    "ShipCommand",
]
