"""Sales orders in the ERP: every open order of every channel, queued once, created once.

    queue     SalesOrderQueue.run(): for each ERP partner, the open orders received since its
              watermark that have no sales-order row in the outbox yet get one (an anti-join,
              so a crash between two runs queues nothing twice and misses nothing), with the
              document number fixed now (`document_number`)
    dispatch  the outbox dispatcher hands the row to the ERP connector
              (`ErpConnector.submit_sales_order`), which looks the document number up before
              creating: a crash between sending and recording finds the first sales order
              instead of creating a second
    record    delivered with the ERP's reference, retried (5xx, timeouts) or dead-lettered
              with the ERP's own validation text, like every outbox row

Why a sweep and not a row written by ingest: an order arrives through cXML, X12, EDIFACT,
Coupa's API or a replay, and the ERP may be configured after orders exist; the sweep serves all
of them without the ingest hot path knowing the ERP exists. The watermark only bounds the scan:
the first run starts from that moment (an ERP connected to a running hub is not flooded with
its history), and it advances to `SETTLE` before the run, a margin far longer than any
transaction that could still commit an older order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from connectors.core import Clock
from connectors.core.erp import SalesOrderRequest
from gateway_api.domain import Order
from gateway_api.services.job_problems import JobProblem
from gateway_api.services.partners import Partner, PartnerDirectory
from gateway_api.store.ports import UnitOfWork, UnitOfWorkFactory
from gateway_api.store.records import OutboxRecord
from schemas import Customer, PurchaseOrder

logger = logging.getLogger(__name__)

SALES_ORDER_KIND = "SalesOrder"
"""The outbox kind of a sales order to the ERP."""
DOCUMENT_TYPE = "purchase_order"
"""The canonical document an ERP sales-order row carries: the order as stored."""
WATERMARK_STREAM = "sales_orders"
"""The `sync_cursors` stream holding each ERP partner's watermark."""
SETTLE = timedelta(minutes=10)
"""How far behind the run the watermark stays (longer than any ingest transaction)."""
BATCH = 500
"""Orders queued per transaction."""


def document_number(order_uuid: UUID) -> str:
    """The order's number in the ERP (LOGO `DOC_NUMBER`): stable, unique, 32 characters.

    Our id rather than the buyer's PO number: two channels may use the same PO number, and the
    look-up-before-create must find exactly this order. The PO number travels in the notes.
    28 of the id's 32 hex digits (112 of its 122 random bits; LOGO's field holds 32 characters):
    two orders sharing a number would make the second "already in the ERP" and never created,
    which at 12 digits (48 bits) was odds of 1 in 50,000 at 100,000 orders.
    """
    return f"B2C-{order_uuid.hex[:28].upper()}"


def default_customer_code(channel: str) -> str:
    """The ERP customer code for a channel whose profile names none."""
    return f"B2C-{channel.upper()}"


@dataclass
class SalesOrderQueueReport:
    """What one queueing run did."""

    queued: int = 0
    erp_partners: list[str] = field(default_factory=list)
    problems: list[JobProblem] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Nothing in queueing needs a person: failures show on the outbox rows."""
        return 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (Airflow XCom, CLI `--json`)."""
        return {"queued": self.queued, "erp_partners": list(self.erp_partners)}


class SalesOrderQueue:
    """Queues every open order for the ERP partners, once each."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        directory: PartnerDirectory,
        *,
        clock: Clock,
        batch_size: int = BATCH,
    ) -> None:
        self._uow = uow
        self._directory = directory
        self._clock = clock
        self._batch = batch_size

    def run(self, *, partner_key: str | None = None) -> SalesOrderQueueReport:
        """Queue what is due for every ERP partner (or only `partner_key`)."""
        report = SalesOrderQueueReport()
        for partner in erp_partners(self._directory):
            if partner_key is not None and partner.key != partner_key:
                continue
            report.erp_partners.append(partner.key)
            report.queued += self._queue_for(partner.key)
        return report

    def _queue_for(self, erp_key: str) -> int:
        now = self._clock()
        queued = 0
        with self._uow() as uow:
            since = _watermark(uow, erp_key)
            if since is None:  # first run: from now on, not the hub's history
                uow.cursors.save(erp_key, WATERMARK_STREAM, now.isoformat(), at=now)
                uow.commit()
                return 0
        while True:
            with self._uow() as uow:
                # The watermark's row locked first: two runs at once (the DAG and the CLI) take
                # turns, and the second's anti-join sees the rows the first committed.
                uow.cursors.claim(erp_key, WATERMARK_STREAM, at=now)
                orders = uow.orders.awaiting_delivery(
                    erp_key, DOCUMENT_TYPE, since=since, limit=self._batch
                )
                for order in orders:
                    uow.outbox.add(sales_order_row(order, erp_key, now))
                done = len(orders) < self._batch
                if done:
                    settled = max(since, now - SETTLE)
                    uow.cursors.save(erp_key, WATERMARK_STREAM, settled.isoformat(), at=now)
                uow.commit()
            queued += len(orders)
            if done:
                break
        if queued:
            logger.info("queued %d sales orders for %s", queued, erp_key)
        return queued


def erp_partners(directory: PartnerDirectory) -> list[Partner]:
    """Every working partner whose connector is an ERP."""
    return [partner for partner in directory.all() if partner.erp is not None]


def sales_order_row(order: Order, erp_key: str, now: datetime) -> OutboxRecord:
    """The outbox row that makes `order` a sales order in the ERP `erp_key`."""
    return OutboxRecord.queued(
        partner_key=erp_key,
        kind=SALES_ORDER_KIND,
        document_type=DOCUMENT_TYPE,
        payload_id=document_number(order.id),
        document=order.current.model_dump(mode="json"),
        now=now,
        order_uuid=order.id,
        correlation_id=order.order_id,
    )


def sales_order_request(
    order: PurchaseOrder,
    *,
    document_number: str,
    channel: str,
    directory: PartnerDirectory,
) -> SalesOrderRequest:
    """What the ERP connector needs for one queued sales order: the order and its customer."""
    return SalesOrderRequest(
        document_number=document_number,
        order=order,
        customer=customer_for(order, channel, directory),
        channel=channel,
    )


def customer_for(order: PurchaseOrder, channel: str, directory: PartnerDirectory) -> Customer:
    """The ERP customer card of the channel's orders: its code from the channel's profile
    (`erp.customer_code`), its details from the order's buyer (bill-to address first)."""
    partner = directory.get(channel)
    link = partner.profile.erp if partner is not None else None
    code = link.customer_code if link is not None else default_customer_code(channel)
    name = (
        (link.customer_name if link is not None else None)
        or order.buyer.name
        or (partner.profile.display_name if partner is not None else channel)
    )
    billing = order.bill_to or order.buyer
    address = billing.address or order.buyer.address
    return Customer(
        code=code,
        name=name,
        address=address,
        email=billing.email or order.buyer.email,
        phone=billing.phone or order.buyer.phone,
    )


def _watermark(uow: UnitOfWork, erp_key: str) -> datetime | None:
    stored = uow.cursors.get(erp_key, WATERMARK_STREAM)
    return datetime.fromisoformat(stored) if stored else None
