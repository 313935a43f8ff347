"""Yurtici Kargo: book, cancel and track shipments over its SOAP web service (CARRIER).

    book    createShipment with our reference as `cargoKey`; Yurtici's 60020 ("cargoKey
            exists") means an earlier attempt got through: the booking is read back with
            queryShipment and returned with `already_booked`, so booking is safe to repeat
    cancel  cancelShipment; "already cancelled" (82520) is a success, a parcel Yurtici has
            processed is not cancelled (`cancelled=False` with Yurtici's words)
    track   queryShipment by cargoKey (`keyType` 0), up to `track_batch_size` keys per call

Every call is retried on timeouts and 5xx within the configured bounds and otherwise raises the
error `outcomes.py` classifies. See README.md for the field mapping and the research.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, ClassVar

from connectors.core.contract import Capability, ConnectorContext, ConnectorSpec
from connectors.core.errors import RejectedByPartnerError, TransientError
from connectors.yurtici.client import YurticiSoapClient
from connectors.yurtici.config import YurticiConfig
from connectors.yurtici.outcomes import (
    CANCEL_ALREADY_CANCELLED,
    CANCEL_KEY_NOT_FOUND,
    DUPLICATE_CARGO_KEY,
    OK,
    UNEXPECTED,
    code_of,
    in_words,
    item_error,
    result_error,
    whole_refusal,
)
from connectors.yurtici.shipment import shipping_order
from connectors.yurtici.tracking import CANCELLED_STATUSES, not_found, tracking_report
from schemas.carrier import Booking, BookingRequest, Cancellation, TrackingReport

logger = logging.getLogger(__name__)

CARGO_KEY = 0
"""queryShipment `keyType` 0: the keys are cargoKeys (1 would be invoiceKeys)."""
TRACK_BATCH_SIZE = 50
"""Keys per queryShipment. The WSDL allows any number and Yurtici publishes no limit; 50 keys
with their history keep an answer to a few hundred kilobytes, well inside the hub's 30 s
timeout, and with the assumed ~2 requests a second a poll of thousands of shipments still takes
under a minute."""


class YurticiConnector:
    """Yurtici Kargo shipments for one customer account (see the module docstring)."""

    spec: ClassVar[ConnectorSpec] = ConnectorSpec(
        key="yurtici",
        display_name="Yurtici Kargo",
        protocol="soap",
        capabilities=frozenset({Capability.CARRIER}),
    )
    config_model: ClassVar[type[YurticiConfig]] = YurticiConfig
    track_batch_size: ClassVar[int] = TRACK_BATCH_SIZE

    def __init__(self, config: YurticiConfig, context: ConnectorContext) -> None:
        self.config = config
        self.context = context
        self._soap = YurticiSoapClient(config, context)

    def __repr__(self) -> str:
        return (
            f"YurticiConnector(base_url={str(self.config.base_url)!r}, "
            f"username={self.config.username!r})"
        )

    # -- book ------------------------------------------------------------------------------

    def book(self, request: BookingRequest) -> Booking:
        """createShipment once per reference (see the module docstring)."""
        what = f"Yurtici createShipment {request.reference}"
        if request.sender is not None:
            logger.warning(
                "%s: Yurtici picks up at the account's address; the request's sender is not sent",
                what,
            )
        order = shipping_order(request, tax_office_id=self.config.tax_office_id)
        answer = self._soap.call("createShipment", what, ShippingOrderVO=[order])
        result = _result(answer, "ShippingOrderResultVO")
        item = _item(result, "shippingOrderDetailVO", request.reference)
        if item is None:
            raise result_error(result, what) or whole_refusal(result, what)
        code = code_of(getattr(item, "errCode", None))
        flag = str(getattr(result, "outFlag", "") or "0").strip()
        if code == OK or (code is None and flag == "0"):
            job = getattr(result, "jobId", None)
            return Booking(reference=request.reference, carrier_shipment_id=_job_id(job))
        if code == DUPLICATE_CARGO_KEY:
            return self._already_booked(request.reference)
        if code is None:
            raise result_error(result, what) or whole_refusal(result, what)
        raise item_error(code, getattr(item, "errMessage", None), what)

    def _already_booked(self, reference: str) -> Booking:
        [report] = self._query([reference], history=False)
        if not report.found:
            msg = (
                f"Yurtici createShipment {reference}: Yurtici says the cargoKey exists "
                f"({DUPLICATE_CARGO_KEY}) but does not find it"
            )
            raise TransientError(msg)
        return Booking(
            reference=reference,
            carrier_shipment_id=report.carrier_shipment_id,
            tracking_number=report.report.tracking_number,
            already_booked=True,
        )

    # -- cancel ----------------------------------------------------------------------------

    def cancel(self, reference: str) -> Cancellation:
        """cancelShipment; cancelling twice is not an error."""
        what = f"Yurtici cancelShipment {reference}"
        answer = self._soap.call("cancelShipment", what, cargoKeys=[reference])
        result = _result(answer, "ShippingOrderResultVO")
        item = _item(result, "shippingCancelDetailVO", reference)
        if item is None:
            raise result_error(result, what) or whole_refusal(result, what)
        code = code_of(getattr(item, "errCode", None))
        status = (getattr(item, "operationStatus", None) or "").strip().upper()
        message = getattr(item, "errMessage", None) or getattr(item, "operationMessage", None)
        if code == CANCEL_ALREADY_CANCELLED or status in CANCELLED_STATUSES:
            return Cancellation(reference=reference, cancelled=True)
        if code == UNEXPECTED:
            raise item_error(code, message, what)
        if code == CANCEL_KEY_NOT_FOUND:
            msg = f"{what}: Yurtici has no shipment with this cargoKey ({in_words(code, message)})"
            raise RejectedByPartnerError(msg)
        words = in_words(code if code not in {None, OK} else status or None, message)
        return Cancellation(reference=reference, cancelled=False, message=words or None)

    # -- track -----------------------------------------------------------------------------

    def track(self, references: Sequence[str]) -> list[TrackingReport]:
        """One report per reference, in order; one queryShipment per `track_batch_size`."""
        reports: list[TrackingReport] = []
        for start in range(0, len(references), self.track_batch_size):
            batch = list(references[start : start + self.track_batch_size])
            reports.extend(r.report for r in self._query(batch, history=self.config.history))
        return reports

    def _query(self, references: list[str], *, history: bool) -> list[_Queried]:
        what = f"Yurtici queryShipment ({len(references)} keys)"
        answer = self._soap.call(
            "queryShipment",
            what,
            keys=references,
            keyType=CARGO_KEY,
            addHistoricalData=history,
            onlyTracking=False,
        )
        result = _result(answer, "ShippingDeliveryVO")
        details = [d for d in (getattr(result, "shippingDeliveryDetailVO", None) or []) if d]
        if not details:
            # outFlag 1 with no item: a refusal of the query when it carries a code (82526,
            # 82527, ...); without one, Yurtici knows none of the keys
            error = result_error(result, what)
            if error is None and code_of(getattr(result, "errCode", None)) not in {None, OK}:
                error = whole_refusal(result, what)
            if error is not None:
                raise error
        by_key = {(getattr(d, "cargoKey", None) or "").strip(): d for d in details}
        queried = []
        for reference in references:
            detail = by_key.get(reference)
            code = code_of(getattr(detail, "errCode", None)) if detail is not None else None
            if code == UNEXPECTED:
                raise item_error(code, getattr(detail, "errMessage", None), what)
            if detail is None or code not in {None, OK}:
                queried.append(_Queried(not_found(reference, code), None))
                continue
            job = _job_id(getattr(detail, "jobId", None))
            queried.append(_Queried(tracking_report(reference, detail), job))
        return queried


class _Queried:
    """A report and the booking's jobId (which the report has no field for)."""

    __slots__ = ("carrier_shipment_id", "report")

    def __init__(self, report: TrackingReport, carrier_shipment_id: str | None) -> None:
        self.report = report
        self.carrier_shipment_id = carrier_shipment_id

    @property
    def found(self) -> bool:
        return self.report.found


def _result(answer: Any, name: str) -> Any:
    result = getattr(answer, name, None) if not isinstance(answer, dict) else answer.get(name)
    if result is None:
        result = answer
    return result


def _item(result: Any, name: str, reference: str) -> Any:
    items = [i for i in (getattr(result, name, None) or []) if i is not None]
    for item in items:
        if (getattr(item, "cargoKey", None) or "").strip() == reference:
            return item
    return items[0] if len(items) == 1 else None


def _job_id(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text if text and text != "0" else None
