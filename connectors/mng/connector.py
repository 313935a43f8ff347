"""MNG Kargo: the CARRIER connector the core runs (book, cancel, track over apizone REST).

    book    createOrder (referenceId = our reference), then createbarcode (the shipment id,
            which is also the tracking number, and the parcels' barcodes). MNG refuses a
            referenceId it already has; any refusal of createOrder is checked with getorder,
            and an existing order is taken as booked (`already_booked`), after which the
            barcode is made sure of: getshipment, else createbarcode. A createbarcode that
            fails after createOrder succeeded is retried on its own, never with a second
            createOrder; if it still fails, the next `book` finds the order and finishes it.
    cancel  `PUT cancelorder/{referenceId}` (answered 2xx again for an order cancelled
            before); a refusal is explained by the shipment's status (on its way:
            `cancelled=False` with MNG's words) or by getorder (no order: the reference is
            unknown to MNG, `RejectedByPartnerError`).
    track   one reference per call (`track_batch_size = 1`): the Standard Query API has no
            batch query by reference (bulkqueryapi only lists shipments whose status changed
            on a day). getshipmentstatus gives the current code and the shipment id,
            trackshipment the movements; without a shipment, getorder tells a booked order
            (`created`) from an unknown reference.

Every call is retried on timeouts and 5xx within `attempts` (`connectors.core.retrying`): all of
them are safe to repeat (createOrder and createbarcode are keyed by our reference).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import ClassVar, TypeVar

from connectors.core.contract import Capability, ConnectorContext, ConnectorSpec
from connectors.core.errors import RejectedByPartnerError
from connectors.core.retrying import RetryBounds, call_with_retries
from connectors.mng.api import MngApi
from connectors.mng.config import MngConfig
from connectors.mng.orders import barcode_body, booking_from, order_body, shipment_id
from connectors.mng.tracking import report_from
from schemas.carrier import (
    Booking,
    BookingRequest,
    Cancellation,
    TrackingReport,
    TrackingStatus,
)

__all__ = ["MngConnector"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

UNKNOWN = "MNG holds no order under this reference"


class MngConnector:
    """Shipments with MNG Kargo (see the module docstring)."""

    spec: ClassVar[ConnectorSpec] = ConnectorSpec(
        key="mng",
        display_name="MNG Kargo (DHL eCommerce Türkiye)",
        protocol="rest",
        capabilities=frozenset({Capability.CARRIER}),
    )
    config_model: ClassVar[type[MngConfig]] = MngConfig
    track_batch_size: ClassVar[int] = 1

    def __init__(self, config: MngConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context
        self._api: MngApi | None = None
        self._bounds = RetryBounds(
            attempts=config.attempts,
            initial_wait=config.initial_wait_seconds,
            max_wait=config.max_wait_seconds,
        )

    def __repr__(self) -> str:
        return (
            f"MngConnector(base_url={str(self.config.base_url)!r}, "
            f"customer_number={self.config.customer_number!r})"
        )

    @property
    def tokens_fetched(self) -> int:
        """JWTs obtained so far (renewals included)."""
        return self._api.tokens.tokens_fetched if self._api is not None else 0

    # -- book --------------------------------------------------------------------------------

    def book(self, request: BookingRequest) -> Booking:
        """Book `request` once (see the module docstring)."""
        api = self._mng()
        reference = request.reference
        body = order_body(
            request,
            shipment_service_type=self.config.shipment_service_type,
            packaging_type=self.config.packaging_type,
            payment_type=self.config.payment_type,
            delivery_type=self.config.delivery_type,
        )
        try:
            self._retry(lambda: api.create_order(body), f"createOrder {reference}")
        except RejectedByPartnerError as refusal:
            if self._retry(lambda: api.get_order(reference), f"getorder {reference}") is None:
                raise
            logger.info("mng: %s is already an order at MNG (%s)", reference, refusal)
            return self._barcode(request, already_booked=True)
        return self._barcode(request, already_booked=False)

    def _barcode(self, request: BookingRequest, *, already_booked: bool) -> Booking:
        """The shipment of an order MNG holds: the one it has, or a new barcode."""
        api = self._mng()
        reference = request.reference
        if already_booked:
            existing = self._retry(lambda: api.get_shipment(reference), f"getshipment {reference}")
            if shipment_id(existing):
                return booking_from(reference, existing, already_booked=True)
        body = barcode_body(request)
        try:
            answer = self._retry(lambda: api.create_barcode(body), f"createbarcode {reference}")
        except RejectedByPartnerError:
            # An earlier createbarcode may have got through with its answer lost.
            existing = self._retry(lambda: api.get_shipment(reference), f"getshipment {reference}")
            if not shipment_id(existing):
                raise
            answer = existing
        return booking_from(reference, answer, already_booked=already_booked)

    # -- cancel ------------------------------------------------------------------------------

    def cancel(self, reference: str) -> Cancellation:
        """Cancel the order; a parcel on its way is not cancelled (MNG's words kept); a
        reference MNG does not know is a `RejectedByPartnerError`."""
        api = self._mng()
        try:
            self._retry(lambda: api.cancel_order(reference), f"cancelorder {reference}")
        except RejectedByPartnerError as error:
            refusal = error
        else:
            return Cancellation(reference=reference, cancelled=True)
        current = self._retry(
            lambda: api.get_shipment_status(reference), f"getshipmentstatus {reference}"
        )
        if current is not None and report_from(reference, current, None).status.has_left:
            return Cancellation(reference=reference, cancelled=False, message=str(refusal))
        if self._retry(lambda: api.get_order(reference), f"getorder {reference}") is None:
            msg = f"cancelorder {reference}: {UNKNOWN} ({refusal})"
            raise RejectedByPartnerError(msg, status_code=refusal.status_code) from None
        raise refusal

    # -- track -------------------------------------------------------------------------------

    def track(self, references: Sequence[str]) -> list[TrackingReport]:
        """One report per reference, in order; one reference per MNG query."""
        return [self._track_one(reference) for reference in references]

    def _track_one(self, reference: str) -> TrackingReport:
        api = self._mng()
        current = self._retry(
            lambda: api.get_shipment_status(reference), f"getshipmentstatus {reference}"
        )
        if current is None:
            order = self._retry(lambda: api.get_order(reference), f"getorder {reference}")
            if order is None:
                return TrackingReport(reference=reference, found=False)
            return TrackingReport(reference=reference, status=TrackingStatus.CREATED)
        events = self._retry(lambda: api.track_shipment(reference), f"trackshipment {reference}")
        return report_from(reference, current, events)

    # -- plumbing ----------------------------------------------------------------------------

    def _mng(self) -> MngApi:
        if self._api is None:
            http = self.context.require_http()
            self._api = MngApi(http, config=self.config, clock=self.context.clock)
        return self._api

    def _retry(self, call: Callable[[], T], what: str) -> T:
        return call_with_retries(
            call, bounds=self._bounds, sleep=self.context.sleep, what=f"mng {what}"
        )
