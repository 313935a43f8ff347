"""The ERP capability: the supplier's own ERP (LOGO) as the hub's system of record.

The core drives it in three ways (gateway_api/services/erp.py):

    sales orders   every stored order of every channel is queued in the outbox for the ERP
                   partner with a document number fixed at queueing; the dispatcher calls
                   connector.submit_sales_order(request). The connector looks the document
                   number up before creating, so a crash between sending and recording is
                   answered by finding the first sales order (`created=False`), never a second.
    pull mode      for sites whose ERP cannot push: fetch_products / fetch_prices page by an
                   opaque cursor, fetch_stock reads the whole stock view; the core applies the
                   rows exactly as if the ERP had pushed them through the integration API.
    dispatches     fetch_dispatches(cursor) reads the ERP's delivery notes back; the core turns
                   each into the partner's ship notice, once.

Connectors call their ERP themselves (token, look-up-then-create) and retry timeouts and 5xx
within bounds (`connectors/core/retrying.py`); what is left is raised classified:
`TransientError` (the outbox retries), `AuthError`, `RejectedByPartnerError` with the ERP's
own validation text (the document becomes a dead letter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from schemas.catalog import Customer, Price, Product
from schemas.inventory import StockLevel
from schemas.order import PurchaseOrder

if TYPE_CHECKING:
    from connectors.core.contract import ConnectorSpec

T = TypeVar("T")


@dataclass(frozen=True)
class SalesOrderRequest:
    """One order to create in the ERP as a sales order."""

    document_number: str
    """Our unique number for it in the ERP (LOGO `DOC_NUMBER`), fixed when it was queued; the
    connector finds an existing sales order by it before creating one."""
    order: PurchaseOrder
    """The order as stored (lines carry our `sku` where the cross-reference resolved one)."""
    customer: Customer
    """The buying organisation as an ERP customer card, found or created before the order."""
    channel: str
    """The partner key the order came from, for the ERP's notes."""


@dataclass(frozen=True)
class SalesOrderReceipt:
    """The ERP's sales order for one request."""

    document_number: str
    erp_reference: str
    """The ERP's own id of the sales order (LOGO `INTERNAL_REFERENCE`)."""
    created: bool
    """False when it already existed (a retry after a crash): nothing was created."""


@dataclass(frozen=True)
class ErpPage(Generic[T]):
    """One page of a pull from the ERP."""

    items: tuple[T, ...]
    cursor: str | None
    """Opaque; the next fetch starts from it. Stored by the core with the page's data."""
    more: bool
    """True when the ERP may have more right now (the page was full)."""


@dataclass(frozen=True)
class ErpDispatchLine:
    """One line of an ERP delivery note."""

    sku: str
    """Our SKU (LOGO item `CODE`)."""
    quantity: Decimal
    unit_of_measure: str
    """UN/ECE Rec 20 unit (translated from the ERP's unit code)."""


@dataclass(frozen=True)
class ErpDispatch:
    """A delivery note (LOGO `salesDispatches`) for one of our sales orders."""

    reference: str
    """The ERP's id of the delivery note; the core sends one ship notice per reference."""
    document_number: str
    """The sales order's document number: the `SalesOrderRequest.document_number` it ships."""
    dispatched_at: datetime
    """When the goods left (timezone-aware)."""
    lines: tuple[ErpDispatchLine, ...]
    carrier: str | None = None
    """The carrier's name or code, when the ERP knows it."""
    tracking_number: str | None = None
    """The carrier's tracking number, when the ERP knows it."""
    raw: bytes = field(default=b"", repr=False)
    """The ERP's JSON for this delivery note, for the document log."""
    number: str | None = None
    """The note's own number as printed on the waybill (LOGO `NUMBER`, the e-irsaliye number),
    when the ERP has one: what the buyer's receiving holds in hand."""


@runtime_checkable
class ErpConnector(Protocol):
    """A connector to the supplier's ERP (`Capability.ERP`)."""

    spec: ClassVar[ConnectorSpec]

    def render_sales_order(self, request: SalesOrderRequest) -> bytes:
        """The exact JSON the ERP is sent for `request` (carries no secret), for the document
        log; a `PermanentError` when the order cannot be expressed (e.g. a line without SKU)."""
        ...

    def submit_sales_order(self, request: SalesOrderRequest) -> SalesOrderReceipt:
        """Create the sales order once: look it up by document number first, ensure the
        customer card, then create it."""
        ...

    def ensure_customer(self, customer: Customer) -> str:
        """The ERP's code of `customer`'s card, created when the ERP has none."""
        ...

    def fetch_products(self, cursor: str | None) -> ErpPage[Product]:
        """The next page of the item master after `cursor` (None: from the start)."""
        ...

    def fetch_prices(self, cursor: str | None) -> ErpPage[Price]:
        """The next page of prices after `cursor` (None: from the start)."""
        ...

    def fetch_stock(self) -> tuple[StockLevel, ...]:
        """The whole stock view: one level per item and warehouse (named by `sku`)."""
        ...

    def fetch_dispatches(self, cursor: str | None) -> ErpPage[ErpDispatch]:
        """Delivery notes of our sales orders after `cursor`, oldest first."""
        ...
