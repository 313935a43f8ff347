"""`encode_832`: a canonical `PriceCatalog` as an X12 832 price/sales catalog.

BCT (catalog purpose, catalogue id, the name in BCT09, BCT10 replace for a complete catalogue or
change for a changes-only feed), DTM (as-of), CUR (the first tier's currency), then one LIN loop
per item: LIN (sequence number, SK/VN/BP and the GTIN ids), G53 with the delete maintenance type
for a withdrawn item, PID (free-form description), PO4 (the unit the item is sold in), and per
price tier CTP (price identifier, unit price, beginning quantity, unit), CUR when the tier's
currency differs from the header's, DTM effective/expiration when the tier has a period; CTT
carries the LIN count.
"""

from __future__ import annotations

from datetime import UTC, date, tzinfo

from connectors.formats.x12._outbound import (
    DEFAULT_OUTBOUND_RULES,
    Segment,
    product_ids,
    quantity,
    unit,
)
from connectors.formats.x12._settings import X12OutboundRules
from connectors.formats.x12._values import format_date, format_real, format_time
from connectors.formats.x12._writer import OutboundSet
from schemas.catalog import CatalogItem, CatalogPrice, PriceCatalog

CURRENCY_ENTITY = "SE"
"""CUR01: the currency is the selling party's (ours), as on the 855 and 810."""


def encode_832(
    catalog: PriceCatalog,
    rules: X12OutboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> OutboundSet:
    """The 832 body for `catalog`; the as-of date is written in the partner's `tz`."""
    rules = rules or DEFAULT_OUTBOUND_RULES
    purpose = rules.catalog_replace_code if catalog.full else rules.catalog_change_code
    as_of_date, as_of_time = format_date(catalog.as_of, tz), format_time(catalog.as_of, tz)
    segments: list[Segment] = [
        (
            "BCT",
            rules.catalog_purpose_code,
            catalog.catalog_id,
            "",
            "",
            "",
            "",
            "",
            "",
            catalog.name,
            purpose,
        ),
        ("DTM", rules.catalog_date_qualifier, as_of_date, as_of_time),
    ]
    currency = header_currency(catalog)
    if currency is not None:
        segments.append(("CUR", CURRENCY_ENTITY, currency))
    for number, item in enumerate(catalog.items, start=1):
        segments.extend(_item(number, item, currency, rules))
    if catalog.items:
        segments.append(("CTT", str(len(catalog.items))))
    return OutboundSet("832", tuple(segments))


def header_currency(catalog: PriceCatalog) -> str | None:
    """The currency of the catalogue's first price tier (the header CUR), if it has prices."""
    return next((price.currency for item in catalog.items for price in item.prices), None)


def _item(
    number: int, item: CatalogItem, currency: str | None, rules: X12OutboundRules
) -> list[Segment]:
    ids = product_ids(
        [
            (rules.sku_qualifier, item.sku),
            (rules.supplier_part_qualifier, item.supplier_part_id),
            (rules.buyer_part_qualifier, item.buyer_part_id),
            (rules.gtin_qualifier, item.gtin),
        ]
    )
    code = unit(rules, item.unit_of_measure)
    segments: list[Segment] = [("LIN", str(number), *ids)]
    if item.change == "delete":
        segments.append(("G53", rules.item_delete_code))
    segments.append(("PID", "F", "", "", "", item.description))
    segments.append(("PO4", "1", "1", code))
    for price in item.prices:
        segments.extend(_tier(price, code, currency, rules))
    return segments


def _tier(
    price: CatalogPrice, code: str, currency: str | None, rules: X12OutboundRules
) -> list[Segment]:
    segments: list[Segment] = [
        (
            "CTP",
            "",
            rules.price_qualifier,
            format_real(price.unit_price),
            quantity(price.min_quantity),
            code,
        )
    ]
    # The CTP loop has its DTMs before its CUR (832 4010 and 5010).
    if price.valid_from is not None:
        segments.append(("DTM", rules.price_valid_from_qualifier, _day(price.valid_from)))
    if price.valid_to is not None:
        segments.append(("DTM", rules.price_valid_to_qualifier, _day(price.valid_to)))
    if price.currency != currency:
        segments.append(("CUR", CURRENCY_ENTITY, price.currency))
    return segments


def _day(value: date) -> str:
    """CCYYMMDD of a calendar date (zero-padded, unlike `strftime` for years before 1000)."""
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"
