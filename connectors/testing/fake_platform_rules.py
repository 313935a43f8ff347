"""`PlatformLedger`: the orders a fake platform issued and the business rules it enforces on the
confirmations, ship notices and invoices a supplier sends back.

The rules are those a buyer's platform applies before it shows a document to the buyer (Coupa:
"invalid PO#/UOM/line#" are refused; cXML: ship notice update/delete repeat the shipmentID and
point at an earlier notice, invoice delete points at the invoice it cancels):

- the referenced order is known, by orderID and/or the OrderRequest's payloadID (Coupa puts
  the PO number into `DocumentReference@payloadID`, so that is accepted too), else 400
  "Unknown PO";
- the order is not cancelled, and a supplier-rejected order is neither shipped nor invoiced;
- referenced line numbers exist on the order, with the ordered unit of measure;
- shipped and invoiced quantities per line, summed over the active documents, stay within the
  ordered quantity;
- a new document with a business id already in use (confirmID per order, shipmentID,
  invoiceID) is a 409; an update or delete must name an earlier document of the same id.

Sans-I/O and not thread-safe: `FakePlatform` calls it under its lock. `admit` checks everything
before it changes anything, so a refused document leaves no trace.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from connectors.formats.cxml import CxmlStatus
from schemas import (
    ConfirmationOperation,
    ConfirmationType,
    Invoice,
    InvoiceOperation,
    OrderChange,
    OrderConfirmation,
    OrderReference,
    PurchaseOrder,
    ShipNotice,
    ShipNoticeOperation,
)

BusinessDocument = OrderConfirmation | ShipNotice | Invoice
COUPA_MIN_CONFIRMATION_VERSION = (1, 2, 36)
"""Coupa takes confirmations only as Fulfill.dtd 1.2.036 or later (compass page on SCC orders)."""


class RuleViolationError(Exception):
    """The document breaks a platform rule; `status` is the cXML answer (4xx)."""

    def __init__(self, status: CxmlStatus) -> None:
        super().__init__(status.message)
        self.status = status


def _refuse(message: str, code: int = 400) -> RuleViolationError:
    return RuleViolationError(CxmlStatus.of(code, message))


@dataclass
class _IssuedOrder:
    order: PurchaseOrder
    payload_ids: list[str]
    rejected: bool = False


@dataclass
class _Thread:
    """A business document and its updates: the payloadIDs it was sent under, its latest body."""

    key: str
    latest: BusinessDocument
    payload_ids: list[str] = field(default_factory=list)
    withdrawn: bool = False
    quantities: dict[tuple[str, int], Decimal] = field(default_factory=dict)
    """Shipped or invoiced quantity per (order id, line number) of the latest version."""


def business_id(document: BusinessDocument) -> str:
    """The supplier's id of a document: confirmID (else the order), shipmentID, invoiceID."""
    if isinstance(document, ShipNotice):
        return document.shipment_id
    if isinstance(document, Invoice):
        return document.invoice_id
    return (
        document.confirmation_id or f"order {document.order.order_id or document.order.payload_id}"
    )


def check_cxml_version(flavour: str, kind: str, version: str | None) -> None:
    """Coupa refuses confirmations older than Fulfill.dtd 1.2.036."""
    if flavour != "coupa" or kind != "ConfirmationRequest" or not version:
        return
    parts = version.split(".")
    numbers = tuple(int(p) for p in parts if p.isdigit())
    if len(numbers) == len(parts) and numbers < COUPA_MIN_CONFIRMATION_VERSION:
        msg = f"order confirmations must use cXML 1.2.036 or later, not {version}"
        raise _refuse(msg)


class PlatformLedger:
    """What one platform knows for one buyer: issued orders and accepted documents."""

    def __init__(self) -> None:
        self._orders: dict[str, _IssuedOrder] = {}
        self._order_by_payload: dict[str, str] = {}
        self._confirmations: dict[tuple[str, str], _Thread] = {}
        self._shipments: dict[str, _Thread] = {}
        self._invoices: dict[str, _Thread] = {}
        # order id -> keys of the ship notices / invoices that ever named it, so the quantity
        # checks look at one order's documents instead of every document the platform holds
        self._notices_by_order: dict[str, set[str]] = defaultdict(set)
        self._invoices_by_order: dict[str, set[str]] = defaultdict(set)
        """Active invoices by invoiceID."""

    # -- orders -----------------------------------------------------------------------------

    def register_order(self, order: PurchaseOrder, payload_id: str) -> None:
        """An OrderRequest this platform sent: new, update (full replacement) or delete."""
        known = self._orders.get(order.order_id)
        if known is None:
            known = self._orders[order.order_id] = _IssuedOrder(order, [])
        elif order.change is not OrderChange.DELETE:
            known.order = order
        else:
            known.order = known.order.model_copy(update={"change": OrderChange.DELETE})
        known.payload_ids.append(payload_id)
        self._order_by_payload[payload_id] = order.order_id

    def order(self, order_id: str) -> PurchaseOrder | None:
        """The latest version of an issued order."""
        known = self._orders.get(order_id)
        return None if known is None else known.order

    # -- admission --------------------------------------------------------------------------

    def admit(self, document: BusinessDocument, payload_id: str) -> None:
        """Check every rule, then record the document; `RuleViolationError` leaves no change."""
        if isinstance(document, OrderConfirmation):
            self._admit_confirmation(document, payload_id)
        elif isinstance(document, ShipNotice):
            self._admit_ship_notice(document, payload_id)
        else:
            self._admit_invoice(document, payload_id)

    def _admit_confirmation(self, document: OrderConfirmation, payload_id: str) -> None:
        issued = self._resolve(document.order, purpose="confirmed")
        order = issued.order
        for line in document.lines:
            self._check_line(order, line.line_number, line.unit_of_measure)
        confirm_id = document.confirmation_id or ""
        key = (order.order_id, confirm_id)
        if document.operation is ConfirmationOperation.NEW:
            if confirm_id and key in self._confirmations:
                msg = f"confirmation {confirm_id} of PO {order.order_id} already exists"
                raise _refuse(msg, 409)
        else:
            earlier = self._confirmations.get(key)
            if earlier is None or document.supersedes not in earlier.payload_ids:
                msg = (
                    f"confirmation update names no earlier confirmation {confirm_id or '(no id)'}"
                    f" of PO {order.order_id} sent as {document.supersedes}"
                )
                raise _refuse(msg)
        thread = self._confirmations.setdefault(key, _Thread(confirm_id, document))
        thread.latest = document
        thread.payload_ids.append(payload_id)
        issued.rejected = document.type is ConfirmationType.REJECT

    def _admit_ship_notice(self, document: ShipNotice, payload_id: str) -> None:
        thread = self._earlier(
            self._shipments, document.shipment_id, document.operation.value, document.supersedes
        )
        if document.operation is ShipNoticeOperation.NEW and thread is not None:
            msg = f"ship notice {document.shipment_id} already exists"
            raise _refuse(msg, 409)
        wanted: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        if document.operation is not ShipNoticeOperation.DELETE:
            for portion in document.orders:
                order = self._resolve(portion.order, purpose="shipped").order
                for line in portion.lines:
                    self._check_line(order, line.line_number, line.unit_of_measure)
                    wanted[order.order_id, line.line_number] += line.quantity
            self._check_within_ordered(
                wanted,
                self._totals(self._shipments, self._notices_by_order, wanted, document.shipment_id),
                "shipped",
            )
        if thread is None:
            thread = self._shipments[document.shipment_id] = _Thread(document.shipment_id, document)
        thread.latest = document
        thread.payload_ids.append(payload_id)
        thread.quantities = dict(wanted)
        thread.withdrawn = document.operation is ShipNoticeOperation.DELETE

    def _admit_invoice(self, document: Invoice, payload_id: str) -> None:
        if document.operation is InvoiceOperation.DELETE:
            cancelled = next(
                (t for t in self._invoices.values() if document.supersedes in t.payload_ids),
                None,
            )
            if cancelled is None or cancelled.withdrawn:
                msg = f"invoice cancellation names no known invoice (sent as {document.supersedes})"
                raise _refuse(msg)
            cancelled.withdrawn = True
            cancelled.payload_ids.append(payload_id)
            return
        existing = self._invoices.get(document.invoice_id)
        if existing is not None and not existing.withdrawn:
            msg = f"invoice {document.invoice_id} already exists"
            raise _refuse(msg, 409)
        wanted: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        for portion in document.orders:
            if portion.order is None:
                msg = f"unknown contract {portion.agreement_id}: this buyer has no contracts"
                raise _refuse(msg)
            order = self._resolve(portion.order, purpose="invoiced").order
            for line in portion.lines:
                self._check_line(order, line.order_line_number, line.unit_of_measure)
                wanted[order.order_id, line.order_line_number] += line.quantity
        self._check_within_ordered(
            wanted,
            self._totals(self._invoices, self._invoices_by_order, wanted, document.invoice_id),
            "invoiced",
        )
        self._invoices[document.invoice_id] = _Thread(
            document.invoice_id, document, [payload_id], quantities=dict(wanted)
        )

    # -- helpers ----------------------------------------------------------------------------

    def _resolve(self, reference: OrderReference, *, purpose: str) -> _IssuedOrder:
        """The issued order a reference names; refuses unknown, cancelled and rejected ones."""
        by_payload = reference.payload_id and (
            self._order_by_payload.get(reference.payload_id)
            or (reference.payload_id if reference.payload_id in self._orders else None)
        )
        order_id = reference.order_id or by_payload
        issued = self._orders.get(order_id) if order_id else None
        if issued is None:
            named = reference.order_id or reference.payload_id
            msg = f"Unknown PO {named}: this buyer issued no such purchase order"
            raise _refuse(msg)
        if reference.payload_id and by_payload != issued.order.order_id:
            msg = (
                f"OrderReference payloadID {reference.payload_id} is not a document of "
                f"PO {issued.order.order_id}"
            )
            raise _refuse(msg)
        if issued.order.change is OrderChange.DELETE:
            msg = f"PO {issued.order.order_id} was cancelled by the buyer"
            raise _refuse(msg)
        if issued.rejected and purpose != "confirmed":
            msg = f"PO {issued.order.order_id} was rejected by the supplier and cannot be {purpose}"
            raise _refuse(msg)
        return issued

    @staticmethod
    def _check_line(order: PurchaseOrder, line_number: int, unit: str) -> None:
        line = order.line(line_number)
        if line is None:
            msg = f"PO {order.order_id} has no line {line_number}"
            raise _refuse(msg)
        if line.unit_of_measure.casefold() != unit.casefold():
            msg = (
                f"PO {order.order_id} line {line_number} is ordered in "
                f"{line.unit_of_measure}, not {unit}"
            )
            raise _refuse(msg)

    def _check_within_ordered(
        self,
        wanted: dict[tuple[str, int], Decimal],
        already: dict[tuple[str, int], Decimal],
        verb: str,
    ) -> None:
        for (order_id, number), quantity in sorted(wanted.items()):
            line = self._orders[order_id].order.line(number)
            assert line is not None  # checked by _check_line
            before = already.get((order_id, number), Decimal(0))
            if before + quantity > line.quantity:
                msg = (
                    f"PO {order_id} line {number}: {before + quantity} {verb} "
                    f"({before} before this document), but {line.quantity} ordered"
                )
                raise _refuse(msg)

    @staticmethod
    def _earlier(
        threads: dict[str, _Thread], key: str, operation: str, supersedes: str | None
    ) -> _Thread | None:
        """The active thread of `key`; update and delete must name one of its payloadIDs."""
        thread = threads.get(key)
        active = thread if thread is not None and not thread.withdrawn else None
        if operation != "new" and (active is None or supersedes not in active.payload_ids):
            msg = f"ship notice {operation} names no earlier notice {key} sent as {supersedes}"
            raise _refuse(msg)
        return active

    @staticmethod
    def _totals(
        threads: dict[str, _Thread],
        by_order: dict[str, set[str]],
        wanted: dict[tuple[str, int], Decimal],
        except_key: str,
    ) -> dict[tuple[str, int], Decimal]:
        """Quantities per line over the active documents of the orders in `wanted`, leaving out
        the one being replaced; records `except_key` as naming those orders."""
        orders = {order_id for order_id, _ in wanted}
        keys: set[str] = set()
        for order_id in orders:
            keys |= by_order[order_id]
            by_order[order_id].add(except_key)
        totals: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        for key in keys:
            thread = threads.get(key)  # a refused document named the order but left no thread
            if thread is not None and key != except_key and not thread.withdrawn:
                for line, quantity in thread.quantities.items():
                    totals[line] += quantity
        return totals
