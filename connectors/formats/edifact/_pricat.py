"""`encode_pricat`: a canonical `PriceCatalog` as an EDIFACT PRICAT price/sales catalogue.

BGM 9 (price/sales catalogue; the catalogue id; 1225 9 for a complete catalogue, 4 for changes
only), DTM 137 (as of, format 203), FTX ZZZ (the name, in 70-character pieces), CUX 2:<cur>:8
(the first tier's currency, as the price list currency), then per item: LIN (sequence number,
1229 1 added / 3 changed / 2 deleted, the GTIN as EN), PIA 5 (SK/SA/IN ids), IMD F (the
description, 35 characters per component, as many IMDs as it needs), QTY 59:1:<unit> (the unit
the item is sold in), and per tier PRI AAA (price, with the unit in C509 6411), QTY 53 (beginning
quantity), CUX when the tier's currency differs from the header's, DTM 194/206 (format 102) for
the tier's first and last day; CNT 2 counts the LINs. Texts are cut at exact widths (not at
blanks), so the reader restores them by concatenation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from connectors.formats.edifact._invrpt import item_ids
from connectors.formats.edifact._outbound import Numbers, dtm, unit
from connectors.formats.edifact._settings import EdifactOutboundRules, EdifactPartnerSettings
from connectors.formats.edifact._writer import (
    ControlReferences,
    OutboundInterchange,
    OutboundMessage,
    OutSegment,
    build_interchange,
)
from schemas.catalog import CatalogItem, CatalogPrice, PriceCatalog

PRICE_CATALOGUE = "9"
"""BGM 1001 of a price/sales catalogue."""
PRICE_LIST_CURRENCY = "8"
"""CUX C504 6343: price list currency."""
DESCRIPTION_WIDTH = 35
"""IMD 7008 is an..35 (two per IMD)."""
TEXT_WIDTH = 70
"""FTX 4440 is an..70 in D96A (five per FTX)."""


def encode_pricat(
    catalog: PriceCatalog,
    settings: EdifactPartnerSettings,
    *,
    tz: tzinfo = UTC,
) -> OutboundMessage:
    """The PRICAT body for `catalog`; the as-of time is written in the partner's `tz`."""
    rules = settings.outbound
    number = Numbers(settings)
    function = rules.catalog_full_function if catalog.full else rules.catalog_change_function
    segments: list[OutSegment] = [
        ("BGM", (PRICE_CATALOGUE,), catalog.catalog_id, function),
        dtm("137", catalog.as_of, tz, with_time=True),
    ]
    name = slices(catalog.name, TEXT_WIDTH)
    for start in range(0, len(name), 5):
        segments.append(
            ("FTX", rules.catalog_name_qualifier, "", "", tuple(name[start : start + 5]))
        )
    currency = next((p.currency for item in catalog.items for p in item.prices), None)
    if currency is not None:
        segments.append(("CUX", ("2", currency, PRICE_LIST_CURRENCY)))
    for sequence, item in enumerate(catalog.items, start=1):
        segments.extend(_item(sequence, item, currency, rules, number, full=catalog.full))
    if catalog.items:
        segments.append(("CNT", ("2", str(len(catalog.items)))))
    return OutboundMessage("PRICAT", tuple(segments))


def slices(text: str, width: int) -> list[str]:
    """`text` cut every `width` characters (the reader concatenates the pieces)."""
    return [text[start : start + width] for start in range(0, len(text), width)]


def _item(
    sequence: int,
    item: CatalogItem,
    currency: str | None,
    rules: EdifactOutboundRules,
    number: Numbers,
    *,
    full: bool,
) -> list[OutSegment]:
    if item.change == "delete":
        action = rules.item_deleted_code
    else:
        action = rules.item_added_code if full else rules.item_changed_code
    gtin = (item.gtin, rules.gtin_type) if item.gtin else ""
    code = unit(rules, item.unit_of_measure)
    segments: list[OutSegment] = [("LIN", str(sequence), action, gtin)]
    ids = item_ids(rules, item.sku, item.supplier_part_id, item.buyer_part_id)
    if ids:
        segments.append(("PIA", "5", *ids))
    pieces = slices(item.description, DESCRIPTION_WIDTH)
    for start in range(0, len(pieces), 2):
        segments.append(("IMD", "F", "", ("", "", "", *pieces[start : start + 2])))
    segments.append(("QTY", (rules.item_unit_qualifier, "1", code)))
    for price in item.prices:
        segments.extend(_tier(price, code, currency, rules, number))
    return segments


def _tier(
    price: CatalogPrice,
    code: str,
    currency: str | None,
    rules: EdifactOutboundRules,
    number: Numbers,
) -> list[OutSegment]:
    segments: list[OutSegment] = [
        ("PRI", (rules.price_qualifier, number(price.unit_price), "", "", "", code)),
        ("QTY", (rules.tier_quantity_qualifier, number(price.min_quantity), code)),
    ]
    if price.currency != currency:
        segments.append(("CUX", ("2", price.currency, PRICE_LIST_CURRENCY)))
    if price.valid_from is not None:
        segments.append(("DTM", (rules.price_valid_from_qualifier, _day(price.valid_from), "102")))
    if price.valid_to is not None:
        segments.append(("DTM", (rules.price_valid_to_qualifier, _day(price.valid_to), "102")))
    return segments


def _day(value: date) -> str:
    """CCYYMMDD (format 102) of a calendar date."""
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def build_pricat(
    catalog: PriceCatalog,
    settings: EdifactPartnerSettings,
    *,
    references: ControlReferences,
    now: datetime,
    tz: tzinfo = UTC,
) -> OutboundInterchange:
    """A complete interchange carrying one PRICAT to the partner of `settings`."""
    message = encode_pricat(catalog, settings, tz=tz)
    return build_interchange([message], settings, references=references, now=now)
