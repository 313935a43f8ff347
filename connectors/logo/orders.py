"""Sales order and customer card bodies: our canonical order as LOGO's LObjects JSON.

Field names are LObjects' UPPER_SNAKE names (partners.md §4.1, from a working client's sales
order template): header `TYPE` 1, `NUMBER` "~" (LOGO numbers the slip), `DATE`/`TIME`,
`DOC_NUMBER` (our document number: how the order is found again), `ARP_CODE`, `ORDER_STATUS`,
`NOTES1`; lines in `TRANSACTIONS.items` with `TYPE` 0 (material), `MASTER_CODE` (our SKU =
LOGO item code), `QUANTITY`, `PRICE`, `UNIT_CODE`, `DUE_DATE`. Whatever LOGO cannot take is
refused here, before any call: a line without SKU, a unit without a LOGO code, a cancellation.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from connectors.core.erp import SalesOrderRequest
from connectors.core.errors import PermanentError
from connectors.logo.config import LogoConfig
from connectors.logo.times import logo_date, pack_time
from connectors.logo.units import logo_unit
from schemas.catalog import Customer
from schemas.order import OrderChange, OrderLine

DOC_NUMBER_MAX = 32
"""`DOC_NUMBER` is `DOCODE`, 32 characters (LObjects field list)."""
MASTER_CODE_MAX = 25
"""Item codes are 25 characters (`LG_ITEMS.CODE`)."""
NOTES_MAX = 51
"""`NOTES1` is `GENEXP1`, 51 characters."""
TCKN_DIGITS = 11
"""A Turkish national id (TCKN) has 11 digits, a tax number (VKN) 10."""


def sales_order_body(
    request: SalesOrderRequest, config: LogoConfig, arp_code: str
) -> dict[str, Any]:
    """The JSON object for `POST salesOrders` (see the module docstring)."""
    order = request.order
    if order.change is OrderChange.DELETE:
        msg = (
            f"order {order.order_id}: a cancellation cannot be created as a LOGO sales order "
            f"({request.document_number})"
        )
        raise PermanentError(msg)
    if not request.document_number.strip() or len(request.document_number) > DOC_NUMBER_MAX:
        msg = (
            f"order {order.order_id}: document number {request.document_number!r} does not fit "
            f"LOGO's DOC_NUMBER (1 to {DOC_NUMBER_MAX} characters)"
        )
        raise PermanentError(msg)
    zone = config.zone
    local_currency = config.currencies.get(0)
    foreign = _currency_number(config, order.currency) if order.currency != local_currency else None
    if order.currency != local_currency and foreign is None:
        msg = (
            f"order {order.order_id}: currency {order.currency} has no LOGO currency number "
            f"(add it to the connector's currencies)"
        )
        raise PermanentError(msg)
    lines = [
        _line(order.order_id, line, config, foreign, order.requested_delivery_date)
        for line in order.lines
    ]
    return {
        "DataObjectParameter": {"ApplyConditionOnPreSave": True},
        "TYPE": 1,
        "NUMBER": "~",
        "DATE": logo_date(order.order_date, zone),
        "TIME": pack_time(order.order_date, zone),
        "DOC_NUMBER": request.document_number,
        "ARP_CODE": arp_code,
        "SOURCE_WH": config.source_warehouse,
        "ORDER_STATUS": config.order_status,
        "NOTES1": f"{request.channel} PO {order.order_id}"[:NOTES_MAX],
        "TRANSACTIONS": {"items": lines},
    }


def _line(
    order_id: str,
    line: OrderLine,
    config: LogoConfig,
    currency_number: int | None,
    order_due: Any,
) -> dict[str, Any]:
    where = f"order {order_id} line {line.line_number}"
    if not line.sku or not line.sku.strip():
        msg = f"{where}: no SKU (the partner's cross-reference gave none): LOGO needs an item code"
        raise PermanentError(msg)
    if len(line.sku) > MASTER_CODE_MAX:
        msg = (
            f"{where}: SKU {line.sku!r} is longer than LOGO's {MASTER_CODE_MAX}-character item code"
        )
        raise PermanentError(msg)
    body: dict[str, Any] = {
        "TYPE": 0,
        "MASTER_CODE": line.sku,
        "QUANTITY": json_number(line.quantity),
        "UNIT_CODE": logo_unit(config, line.unit_of_measure, where=where),
        "UNIT_CONV1": 1,
        "UNIT_CONV2": 1,
        "SOURCE_WH": config.source_warehouse,
    }
    if line.unit_price is not None:
        body["PRICE"] = json_number(line.unit_price)
        if currency_number is not None:
            body["CURR_PRICE"] = currency_number
            body["PC_PRICE"] = json_number(line.unit_price)
    due = line.requested_delivery_date or order_due
    if due is not None:
        body["DUE_DATE"] = logo_date(due, config.zone)
    if line.description:
        body["DESCRIPTION"] = line.description[:NOTES_MAX]
    return body


def customer_body(customer: Customer) -> dict[str, Any]:
    """The JSON object for `POST Arps`: a buyer-and-seller card (`ACCOUNT_TYPE` 3)."""
    body: dict[str, Any] = {"CODE": customer.code, "TITLE": customer.name, "ACCOUNT_TYPE": 3}
    address = customer.address
    if address is not None:
        street = [s for s in address.street if s.strip()]
        if street:
            body["ADDRESS1"] = street[0]
        if len(street) > 1:
            body["ADDRESS2"] = " ".join(street[1:])
        _put(body, "CITY", address.city)
        _put(body, "DISTRICT", address.region)
        _put(body, "POSTAL_CODE", address.postal_code)
        _put(body, "COUNTRYCODE", address.country)
    if customer.tax_id:
        digits = customer.tax_id.strip()
        key = "TCKNO" if digits.isdigit() and len(digits) == TCKN_DIGITS else "TAXNR"
        body[key] = digits
    _put(body, "TAXOFFICE", customer.tax_office)
    _put(body, "EMAILADDR", customer.email)
    _put(body, "TELNRS1", customer.phone)
    return body


def render(body: dict[str, Any]) -> bytes:
    """The exact bytes sent (UTF-8 JSON, Turkish letters kept)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def json_number(value: Decimal) -> int | float:
    """A decimal as the JSON number LOGO takes: an int when whole, else a float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _currency_number(config: LogoConfig, currency: str) -> int | None:
    return next((n for n, code in config.currencies.items() if code == currency and n != 0), None)


def _put(body: dict[str, Any], key: str, value: str | None) -> None:
    if value is not None and value.strip():
        body[key] = value.strip()
