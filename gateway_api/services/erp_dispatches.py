"""The ERP's delivery notes read back: each one of our sales orders becomes the buyer's ship
notice, once.

For every ERP partner (`b2connect jobs run erp-pull`, the `erp_pull` DAG):

    cursor = stored cursor (erp, `erp:dispatches`)
    page   = connector.fetch_dispatches(cursor)    oldest first
    each delivery note
        logged as received (the ERP's JSON), so an engineer sees what the ERP said
        its sales order's document number -> the outbox row that created it -> the order
        (a note for an order the hub did not send, a walk-in sale, is counted and left)
        its lines by SKU -> the order's lines that may still ship, in line order
        FulfilmentService.ship(shipment_id = the note's reference): the buyer's ship notice
        through the outbox, in its own protocol; a note whose reference already has a ship
        notice is skipped, so a page read again sends nothing twice
    save page.cursor                               after its notes are applied

A crash between applying notes and saving the cursor reads the page again; each note's ship
notice is found by its reference and skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from connectors.core import Clock, ConfigError, ConnectorError, UnsupportedDocumentError
from connectors.core.erp import ErpDispatch
from gateway_api.domain.fulfilment import (
    FulfilmentConflictError,
    FulfilmentError,
    FulfilmentInputError,
    LineQuantity,
    ShipCommand,
)
from gateway_api.services.document_log import inbound_record
from gateway_api.services.fulfilment import FulfilmentService
from gateway_api.services.job_problems import JobProblem
from gateway_api.services.partners import Partner
from gateway_api.store.ports import UnitOfWorkFactory
from gateway_api.store.records import DocumentOutcome
from schemas import Identifier

logger = logging.getLogger(__name__)

STREAM = "erp:dispatches"
"""The `sync_cursors` stream of the ERP's delivery notes."""
KIND = "SalesDispatch"
"""How the document log names a delivery note read from the ERP."""
TRANSIT_DAYS = 3
"""Expected delivery after dispatch, for the ship notice, when the ERP gives none."""
OWN_DELIVERY = "Supplier delivery"
"""The carrier a ship notice names when the ERP's delivery note names none."""
MAX_PAGES = 1_000
"""A run stops after this many pages (a connector that never says `more=False`)."""


@dataclass
class DispatchReadReport:
    """What reading one ERP's delivery notes did."""

    erp: str
    dispatches: int = 0
    ship_notices: int = 0
    already_sent: int = 0
    not_ours: int = 0
    """Delivery notes of sales orders the hub did not create (the ERP's own sales)."""
    refused: list[str] = field(default_factory=list)
    """Notes that could not become a ship notice, with why (over-shipment, unknown SKU...)."""
    problems: list[JobProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "dispatches": self.dispatches,
            "ship_notices": self.ship_notices,
            "already_sent": self.already_sent,
            "not_ours": self.not_ours,
            "refused": list(self.refused),
        }


class ErpDispatchReader:
    """Turns an ERP's delivery notes into ship notices."""

    def __init__(
        self, uow: UnitOfWorkFactory, fulfilment: FulfilmentService, *, clock: Clock
    ) -> None:
        self._uow = uow
        self._fulfilment = fulfilment
        self._clock = clock

    def run(self, partner: Partner) -> DispatchReadReport:
        """Read the ERP's notes after its cursor and send the ship notices they mean."""
        report = DispatchReadReport(partner.key)
        erp = partner.erp
        if erp is None:
            return report
        with self._uow() as uow:
            cursor = uow.cursors.get(partner.key, STREAM)
        for _ in range(MAX_PAGES):
            try:
                page = erp.fetch_dispatches(cursor)
            except ConnectorError as error:
                report.problems.append(JobProblem.of(partner.key, error))
                return report
            for dispatch in page.items:
                self._apply(partner, dispatch, report)
            with self._uow() as uow:
                uow.cursors.save(partner.key, STREAM, page.cursor, at=self._clock())
                uow.commit()
            cursor = page.cursor
            if not page.more:
                break
        return report

    def _apply(self, partner: Partner, dispatch: ErpDispatch, report: DispatchReadReport) -> None:
        report.dispatches += 1
        now = self._clock()
        with self._uow() as uow:
            row = uow.outbox.find_by_payload_id(partner.key, dispatch.document_number)
            order_uuid = row.order_uuid if row is not None else None
            sent = order_uuid is not None and uow.fulfilment.has_business_id(
                order_uuid, "ship_notice", dispatch.reference
            )
            uow.documents.add(
                inbound_record(
                    dispatch.raw or dispatch.reference.encode(),
                    partner_key=partner.key,
                    protocol=partner.protocol,
                    kind=KIND,
                    outcome=DocumentOutcome.PROCESSED,
                    status_code=None,
                    at=now,
                    authenticated=True,
                    payload_id=dispatch.reference,
                    correlation_id=row.correlation_id if row is not None else None,
                    detail=f"delivery note for sales order {dispatch.document_number}",
                    content_type="application/json",
                )
            )
            uow.commit()
        if order_uuid is None:
            report.not_ours += 1
            return
        if sent:
            report.already_sent += 1
            return
        try:
            command = self._ship_command(order_uuid, dispatch)
            self._fulfilment.ship(order_uuid, command)
        except (FulfilmentError, ConfigError, UnsupportedDocumentError) as error:
            line = f"{dispatch.reference} (sales order {dispatch.document_number}): {error}"
            logger.warning("no ship notice for ERP delivery note %s", line)
            report.refused.append(line)
            return
        report.ship_notices += 1

    def _ship_command(self, order_uuid: UUID, dispatch: ErpDispatch) -> ShipCommand:
        """The ship notice the note means: its quantities on the order's lines of each SKU that
        may still ship, in line order.

        What the note's earlier lines took counts against a line (two note lines of one SKU
        fill the order's lines of that SKU one after the other). A note that ships nothing of
        the order (no line, or only zero quantities) is refused: an empty `ShipCommand` would
        mean "everything that may still ship".
        """
        view = self._fulfilment.view(order_uuid)
        remaining = {n: p.shippable for n, p in view.fulfilment.progress().items()}
        lines = view.fulfilment.order.current.lines
        allocated: list[LineQuantity] = []
        for shipped in dispatch.lines:
            left = shipped.quantity
            for line in lines:
                if line.sku != shipped.sku or left <= 0:
                    continue
                take = min(left, remaining[line.line_number])
                if take > 0:
                    allocated.append(LineQuantity(line.line_number, take))
                    remaining[line.line_number] -= take
                    left -= take
            if left > 0:
                msg = (
                    f"{left} {shipped.unit_of_measure} of {shipped.sku} cannot ship on this "
                    "order: no line of that SKU has that much left to ship"
                )
                raise FulfilmentConflictError(msg)
        if not allocated:
            msg = f"delivery note {dispatch.reference} ships no quantity of this order"
            raise FulfilmentInputError(msg)
        # A note without a carrier is the supplier's own delivery (its vehicle, or the buyer
        # collecting); the buyer still gets its ship notice, with the waybill's number as the
        # reference receiving can match, instead of a note refused and never sent.
        carrier = dispatch.carrier or OWN_DELIVERY
        tracking = dispatch.tracking_number or dispatch.number or dispatch.reference
        return ShipCommand(
            delivery_date=dispatch.dispatched_at + timedelta(days=TRANSIT_DAYS),
            lines=tuple(_merged(allocated)),
            shipment_id=dispatch.reference,
            shipment_date=dispatch.dispatched_at,
            carrier=(Identifier(scheme="companyName", value=carrier),),
            tracking_numbers=(tracking,),
        )


def _merged(quantities: list[LineQuantity]) -> list[LineQuantity]:
    """One entry per order line (two dispatch lines of one SKU may land on the same line)."""
    totals: dict[int, Decimal] = {}
    for item in quantities:
        totals[item.line_number] = totals.get(item.line_number, Decimal(0)) + item.quantity
    return [LineQuantity(number, quantity) for number, quantity in sorted(totals.items())]
