"""LOGO's rows as the hub's master data: items, price cards, stock rows and delivery notes.

Rows LOGO holds that the hub cannot express (no code, a unit or currency the config does not
map, a cancelled delivery note) are skipped with a warning naming the row, so one odd card
never stops a feed; the cursor still moves past them.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from connectors.core.erp import ErpDispatch, ErpDispatchLine
from connectors.logo.config import LogoConfig
from connectors.logo.times import local_moment, parse_logo_date, unpack_time
from connectors.logo.units import unece_unit
from schemas.catalog import Price, Product
from schemas.inventory import StockLevel

logger = logging.getLogger(__name__)

SALES_DISPATCH_TYPES = frozenset({7, 8})
"""Dispatch `TYPE` (TRCODE) of sales delivery notes: 7 retail, 8 wholesale."""


def product_from(row: dict[str, Any], config: LogoConfig) -> Product | None:
    """An item card as a `Product`, or None (logged) when it cannot be one."""
    code = _text(row.get("CODE"))
    if code is None:
        logger.warning("logo: item %s has no CODE; skipped", row.get("INTERNAL_REFERENCE"))
        return None
    logo_code = _item_unit(row)
    unit = unece_unit(config, logo_code)
    if unit is None:
        logger.warning(
            "logo: item %s is in unit %r, which unit_codes does not map; skipped", code, logo_code
        )
        return None
    try:
        return Product(
            sku=code,
            name=_text(row.get("NAME")) or code,
            unit_of_measure=unit,
            description=_text(row.get("NAME2")),
            vat_rate=_decimal(row.get("VAT")),
            active=_int(row.get("RECORD_STATUS"), 0) == 0,
        )
    except ValidationError as error:
        logger.warning("logo: item %s cannot be read (%s); skipped", code, _first_problem(error))
        return None


def price_from(row: dict[str, Any], config: LogoConfig) -> Price | None:
    """A sales price card as a `Price`, or None (logged) when it cannot be one."""
    sku = next(
        (t for t in (_text(row.get(k)) for k in ("ITEM_CODE", "OWNER_CODE", "MASTER_CODE")) if t),
        None,
    )
    reference = row.get("INTERNAL_REFERENCE")
    if sku is None:
        logger.warning("logo: price card %s names no item; skipped", reference)
        return None
    unit = unece_unit(config, row.get("UNIT_CODE"))
    currency = config.currencies.get(_int(row.get("CURRENCY"), 0))
    price = _decimal(row.get("PRICE"))
    if unit is None or currency is None or price is None:
        logger.warning(
            "logo: price card %s of %s: unmapped unit %r or currency %r, or no price; skipped",
            reference,
            sku,
            row.get("UNIT_CODE"),
            row.get("CURRENCY"),
        )
        return None
    try:
        return Price(
            sku=sku,
            price_list=_text(row.get("GROUP_CODE")) or "default",
            currency=currency,
            unit_price=price,
            unit_of_measure=unit,
            valid_from=parse_logo_date(row.get("BEGIN_DATE", row.get("DATE_STARTED"))),
            valid_to=parse_logo_date(row.get("END_DATE", row.get("DATE_ENDED"))),
        )
    except ValidationError as error:
        logger.warning(
            "logo: price card %s cannot be read (%s); skipped", reference, _first_problem(error)
        )
        return None


def stock_query(config: LogoConfig) -> str:
    """The read-only SQL of the stock view per item and warehouse (`INVENNO >= 0`; -1 is the
    total over all warehouses), with the item's code and its main unit's code."""
    firm = f"{config.firm_number:03d}"
    period = f"{config.period_number:02d}"
    # Built from the config's integers only: nothing a partner sends reaches it.
    return (
        "SELECT I.CODE AS CODE, S.INVENNO AS INVENNO, SUM(S.ONHAND) AS ONHAND, "  # noqa: S608
        "SUM(S.ACTSORDER) AS ACTSORDER, U.CODE AS UNIT_CODE "
        f"FROM LV_{firm}_{period}_STINVTOT S "
        f"INNER JOIN LG_{firm}_ITEMS I ON I.LOGICALREF = S.STOCKREF "
        f"LEFT OUTER JOIN LG_{firm}_UNITSETL U ON U.UNITSETREF = I.UNITSETREF AND U.MAINUNIT = 1 "
        "WHERE S.INVENNO >= 0 "
        "GROUP BY I.CODE, S.INVENNO, U.CODE ORDER BY I.CODE, S.INVENNO"
    )


def stock_from(row: dict[str, Any], config: LogoConfig) -> StockLevel | None:
    """One stock row as a `StockLevel`, or None (logged, or an unlisted warehouse)."""
    code = _text(row.get("CODE"))
    warehouse = _int(row.get("INVENNO"), -1)
    on_hand = _decimal(row.get("ONHAND"))
    if code is None or warehouse < 0 or on_hand is None:
        logger.warning(
            "logo: stock row %r cannot be read; skipped",
            {k: row.get(k) for k in ("CODE", "INVENNO")},
        )
        return None
    if config.warehouses and warehouse not in config.warehouses:
        return None
    unit = unece_unit(config, row.get("UNIT_CODE"))
    if unit is None:
        logger.warning(
            "logo: stock of %s is in unit %r, which unit_codes does not map; skipped",
            code,
            row.get("UNIT_CODE"),
        )
        return None
    reserved = _decimal(row.get("ACTSORDER"))
    return StockLevel(
        sku=code,
        quantity_on_hand=on_hand,
        quantity_available=on_hand - reserved if reserved is not None else None,
        unit_of_measure=unit,
        location=config.warehouses.get(warehouse, str(warehouse)),
    )


def order_lines_query(config: LogoConfig, references: list[int]) -> str:
    """The read-only SQL naming the sales order (`DOCODE` = our `DOC_NUMBER`) of each order
    line a delivery note line points at (`ORDER_REFERENCE` = `ORFLINE.LOGICALREF`)."""
    firm = f"{config.firm_number:03d}"
    period = f"{config.period_number:02d}"
    listed = ", ".join(str(int(r)) for r in sorted(set(references)))
    # Built from integers only: nothing a partner sends reaches it.
    return (
        "SELECT L.LOGICALREF AS LINEREF, F.DOCODE AS DOC_NUMBER "  # noqa: S608
        f"FROM LG_{firm}_{period}_ORFLINE L "
        f"INNER JOIN LG_{firm}_{period}_ORFICHE F ON F.LOGICALREF = L.ORDFICHEREF "
        f"WHERE L.LOGICALREF IN ({listed})"
    )


def order_references(row: dict[str, Any]) -> list[int]:
    """The order line references (`ORDER_REFERENCE`) of a delivery note's lines."""
    return [ref for line in _lines(row) if (ref := _int(line.get("ORDER_REFERENCE"), 0)) > 0]


def dispatch_from(
    row: dict[str, Any], config: LogoConfig, orders: dict[int, str]
) -> ErpDispatch | None:
    """A delivery note as an `ErpDispatch`, or None (logged) when it is cancelled, not a sales
    dispatch, names no sales order of ours, or cannot be read."""
    reference = _text(row.get("INTERNAL_REFERENCE"))
    if reference is None:
        logger.warning("logo: a delivery note without INTERNAL_REFERENCE; skipped")
        return None
    if _int(row.get("CANCELLED"), 0) == 1 or _int(row.get("TYPE"), 8) not in SALES_DISPATCH_TYPES:
        return None
    document_number = _shipped_order(reference, row, orders)
    day = parse_logo_date(row.get("SHIP_DATE")) or parse_logo_date(row.get("DATE"))
    lines = _dispatch_lines(reference, row, config)
    if document_number is None or day is None or lines is None:
        return None
    at = unpack_time(row.get("SHIP_TIME") if row.get("SHIP_DATE") else row.get("TIME"))
    return ErpDispatch(
        reference=reference,
        document_number=document_number,
        dispatched_at=local_moment(day, at, config.zone),
        lines=lines,
        carrier=_text(row.get("SHIPPING_AGENT")),
        tracking_number=_text(row.get("TRACK_NR")),
        raw=json.dumps(row, ensure_ascii=False, sort_keys=True).encode(),
        number=_text(row.get("NUMBER")),
    )


def _shipped_order(reference: str, row: dict[str, Any], orders: dict[int, str]) -> str | None:
    """The `DOC_NUMBER` of the sales order a note ships: the order of its lines'
    `ORDER_REFERENCE` (`orders` maps order line references to it); a note whose lines point at
    no order at all is read by its own `DOC_NUMBER` [ASSUME: typed from the order by hand]."""
    pointed = order_references(row)
    if not pointed:
        return _text(row.get("DOC_NUMBER"))
    linked = sorted({orders[r] for r in pointed if r in orders})
    if len(linked) != 1:
        logger.info(
            "logo: delivery note %s ships %s of our sales orders; skipped",
            reference,
            linked or "none",
        )
        return None
    return linked[0]


def _dispatch_lines(
    reference: str, row: dict[str, Any], config: LogoConfig
) -> tuple[ErpDispatchLine, ...] | None:
    """The material lines (`TYPE` 0) of a note; None (logged) when one cannot be read."""
    lines = []
    for line in _lines(row):
        if _int(line.get("TYPE"), 0) != 0:
            continue
        sku, quantity = _text(line.get("MASTER_CODE")), _decimal(line.get("QUANTITY"))
        unit = unece_unit(config, line.get("UNIT_CODE"))
        if sku is None or quantity is None or unit is None:
            logger.warning(
                "logo: delivery note %s has a line the unit map cannot read (%r %r); skipped",
                reference,
                line.get("MASTER_CODE"),
                line.get("UNIT_CODE"),
            )
            return None
        lines.append(ErpDispatchLine(sku=sku, quantity=quantity, unit_of_measure=unit))
    if not lines:
        logger.warning("logo: delivery note %s has no material line; skipped", reference)
        return None
    return tuple(lines)


def _item_unit(row: dict[str, Any]) -> object:
    """The item's main unit code: `UNITS.items` (the one marked main, else the first), else a
    flat `UNIT_CODE` [ASSUME: the expanded item card carries its units]."""
    units = row.get("UNITS")
    items = units.get("items") if isinstance(units, dict) else None
    if isinstance(items, list):
        rows = [u for u in items if isinstance(u, dict)]
        main = next(
            (u for u in rows if _int(u.get("MAIN_UNIT"), 0) == 1), rows[0] if rows else None
        )
        if main is not None and main.get("UNIT_CODE"):
            return main.get("UNIT_CODE")
    return row.get("UNIT_CODE")


def _lines(row: dict[str, Any]) -> list[dict[str, Any]]:
    transactions = row.get("TRANSACTIONS")
    items = transactions.get("items") if isinstance(transactions, dict) else None
    return [line for line in items if isinstance(line, dict)] if isinstance(items, list) else []


def _text(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return text or None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _int(value: object, default: int) -> int:
    if isinstance(value, bool):
        return default
    try:
        return int(str(value))
    except ValueError:
        return default


def _first_problem(error: ValidationError) -> str:
    problem = error.errors()[0]
    return f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}"
