"""Aras Kargo: the CARRIER connector the core runs (book, cancel, track over SOAP).

    book    GetOrderWithIntegrationCode first: an order under our reference is an earlier
            booking (`already_booked`, nothing sent again). Otherwise SetOrder with
            IntegrationCode = our reference. SetOrder writes the order under its
            IntegrationCode (Aras' update codes 936 and 1001 say it updates an existing one),
            so repeating it after a lost answer creates no second order. ResultCode 0 is
            booked; 1000 is `AuthError`; 935-942 and every other code are
            `RejectedByPartnerError` with Aras' code and words. No tracking number yet: Aras
            makes it when its branch issues the waybill at pickup.
    cancel  CancelDispatch: 0 cancelled, 1 cancelled before; 999 the waybill is issued
            (`cancelled=False`, Aras' words); -1 Aras holds no such order
            (`RejectedByPartnerError`); -2 `AuthError`; anything else
            `RejectedByPartnerError`.
    track   one reference per call (`track_batch_size = 1`): GetQueryJSON QueryType 1 asks by
            one IntegrationCode. A cargo record gives the status and the tracking number;
            without one, GetOrderWithIntegrationCode tells a booked order not yet picked up
            (`created`) from an unknown reference (`found=False`).

Every call is retried on timeouts, 5xx, server faults and answers that are not SOAP, within
`attempts` (`connectors.core.retrying`); all of them are safe to repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import ClassVar, TypeVar

from connectors.aras.config import ArasConfig
from connectors.aras.query_service import GET_QUERY_JSON, query_by_reference, read_query
from connectors.aras.shipment_service import (
    CANCEL_DISPATCH,
    GET_ORDER,
    SET_ORDER,
    ArasResult,
    cancel_dispatch,
    get_order,
    read_order,
    read_result,
    set_order,
)
from connectors.aras.soap import SoapCaller
from connectors.aras.status import report_from
from connectors.core.contract import Capability, ConnectorContext, ConnectorSpec
from connectors.core.errors import AuthError, RejectedByPartnerError, TransientError
from connectors.core.retrying import RetryBounds, call_with_retries
from schemas.carrier import Booking, BookingRequest, Cancellation, TrackingReport

__all__ = ["ArasConnector"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

BOOKED = "0"
BAD_CREDENTIALS = "1000"
CANCELLED = frozenset({"0", "1"})
WAYBILL_ISSUED = "999"
CANCEL_BAD_CREDENTIALS = "-2"


class ArasConnector:
    """Shipments with Aras Kargo (see the module docstring)."""

    spec: ClassVar[ConnectorSpec] = ConnectorSpec(
        key="aras",
        display_name="Aras Kargo",
        protocol="soap",
        capabilities=frozenset({Capability.CARRIER}),
    )
    config_model: ClassVar[type[ArasConfig]] = ArasConfig
    track_batch_size: ClassVar[int] = 1

    def __init__(self, config: ArasConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context
        self._soap: SoapCaller | None = None
        self._bounds = RetryBounds(
            attempts=config.attempts,
            initial_wait=config.initial_wait_seconds,
            max_wait=config.max_wait_seconds,
        )

    def __repr__(self) -> str:
        return f"ArasConnector(username={self.config.username!r})"

    # -- book --------------------------------------------------------------------------------

    def book(self, request: BookingRequest) -> Booking:
        """Book `request` once (see the module docstring)."""
        reference = request.reference
        if self._order(reference) is not None:
            logger.info("aras: %s is already an order at Aras", reference)
            return Booking(reference=reference, already_booked=True)
        operation = set_order(request, self.config)
        answer = self._retry(
            lambda: self._caller().call(self._shipment_url, SET_ORDER, operation),
            f"SetOrder {reference}",
        )
        result = _result(read_result(answer), "SetOrder")
        if result.code == BAD_CREDENTIALS:
            who = self.config.username
            msg = f"SetOrder {reference}: Aras refused user {who!r} ({self._words(result)})"
            raise AuthError(msg)
        if result.code != BOOKED:
            msg = f"SetOrder {reference}: Aras refused the order ({self._words(result)})"
            raise RejectedByPartnerError(msg)
        return Booking(reference=reference, carrier_shipment_id=result.invoice_key)

    # -- cancel ------------------------------------------------------------------------------

    def cancel(self, reference: str) -> Cancellation:
        """Cancel the order; a parcel whose waybill is issued is not cancelled; a reference
        Aras does not know (-1) is a `RejectedByPartnerError`."""
        operation = cancel_dispatch(reference, self.config)
        answer = self._retry(
            lambda: self._caller().call(self._shipment_url, CANCEL_DISPATCH, operation),
            f"CancelDispatch {reference}",
        )
        result = _result(read_result(answer), "CancelDispatch")
        if result.code in CANCELLED:
            return Cancellation(reference=reference, cancelled=True)
        if result.code == WAYBILL_ISSUED:
            return Cancellation(reference=reference, cancelled=False, message=self._words(result))
        if result.code == CANCEL_BAD_CREDENTIALS:
            msg = f"CancelDispatch {reference}: Aras refused user {self.config.username!r}"
            raise AuthError(msg)
        msg = f"CancelDispatch {reference}: Aras refused ({self._words(result)})"
        raise RejectedByPartnerError(msg)

    # -- track -------------------------------------------------------------------------------

    def track(self, references: Sequence[str]) -> list[TrackingReport]:
        """One report per reference, in order; one reference per Aras query."""
        return [self._track_one(reference) for reference in references]

    def _track_one(self, reference: str) -> TrackingReport:
        operation = query_by_reference(reference, self.config)
        answer = self._retry(
            lambda: self._caller().call(self._query_url, GET_QUERY_JSON, operation),
            f"GetQueryJSON {reference}",
        )
        cargo = read_query(answer)
        if cargo is not None:
            return report_from(reference, cargo)
        if self._order(reference) is None:
            return TrackingReport(reference=reference, found=False)
        return TrackingReport(reference=reference)

    # -- plumbing ----------------------------------------------------------------------------

    def _order(self, reference: str) -> dict[str, str] | None:
        operation = get_order(reference, self.config)
        answer = self._retry(
            lambda: self._caller().call(self._shipment_url, GET_ORDER, operation),
            f"GetOrderWithIntegrationCode {reference}",
        )
        return read_order(answer)

    @property
    def _shipment_url(self) -> str:
        return str(self.config.shipment_url)

    @property
    def _query_url(self) -> str:
        return str(self.config.query_url)

    def _caller(self) -> SoapCaller:
        if self._soap is None:
            secrets = [self.config.password.get_secret_value()]
            if self.config.query_password is not None:
                secrets.append(self.config.query_password.get_secret_value())
            self._soap = SoapCaller(
                self.context.require_http(), clock=self.context.clock, secrets=secrets
            )
        return self._soap

    def _words(self, result: ArasResult) -> str:
        """Aras' code and message, passwords masked."""
        words = f"{result.code}: {result.message}" if result.message else result.code
        return self._caller().hide(words)

    def _retry(self, call: Callable[[], T], what: str) -> T:
        return call_with_retries(
            call, bounds=self._bounds, sleep=self.context.sleep, what=f"aras {what}"
        )


def _result(result: ArasResult | None, operation: str) -> ArasResult:
    if result is None:
        msg = f"{operation}: the answer has no ResultCode"
        raise TransientError(msg)
    return result
