"""`read_pricat`: an EDIFACT PRICAT, as `encode_pricat` writes it, back to a `PriceCatalog`.

BGM 1004 (catalogue id) and 1225 (the change function means changes only, anything else a
complete catalogue), DTM 137 (as of), FTX with the name qualifier (pieces concatenated), the
header CUX; per LIN: 1229 (the deleted code withdraws the item), the GTIN (C212 of the GTIN
type), PIA item numbers, IMD F descriptions (7008 pieces concatenated), QTY with the item unit
qualifier, and per PRI the tier: price, the QTY beginning quantity, its CUX (else the header's)
and DTM first/last day; CNT 2 (checked). Other segments are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, tzinfo
from typing import Any

from pydantic import ValidationError

from connectors.formats.edifact._codes import SyntaxErrorCode
from connectors.formats.edifact._envelope import Message, Segment
from connectors.formats.edifact._message_reader import MessageReader, check_message, item_location
from connectors.formats.edifact._read_invrpt import (
    DEFAULT_OUTBOUND_RULES,
    count,
    id_fields,
    pia_ids,
)
from connectors.formats.edifact._settings import EdifactOutboundRules
from schemas.catalog import PriceCatalog


def read_pricat(
    message: Message,
    rules: EdifactOutboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> PriceCatalog:
    """Translate one PRICAT written under `rules`; dates without a zone are read in `tz`."""
    check_message(message, "PRICAT")
    return _CatalogReader(message, rules or DEFAULT_OUTBOUND_RULES, tz).read()


class _CatalogReader(MessageReader):
    def __init__(self, message: Message, rules: EdifactOutboundRules, tz: tzinfo) -> None:
        super().__init__(message, tz)
        self.rules = rules
        self.fields = id_fields(rules)
        self.units = {code: canonical for canonical, code in rules.units.items()}
        self.header: dict[str, Any] = {}
        self.name: list[str] = []
        self.currency: str | None = None
        self.items: list[dict[str, Any]] = []
        self.origins: list[int] = []
        self.item: dict[str, Any] | None = None
        self.tier: dict[str, Any] | None = None

    def bgm(self, segment: Segment) -> None:
        self.header["catalog_id"] = self.required(segment, 2, 1, "1004 (document number)")
        self.header["full"] = segment.get(3).strip() != self.rules.catalog_change_function

    def dtm(self, segment: Segment) -> None:
        qualifier = segment.get(1, 1).strip()
        if self.tier is not None:
            if qualifier == self.rules.price_valid_from_qualifier:
                self.tier["valid_from"] = self.day(segment)
            elif qualifier == self.rules.price_valid_to_qualifier:
                self.tier["valid_to"] = self.day(segment)
        elif self.item is None and qualifier == "137":
            self.header["as_of"] = self.moment(segment)

    def ftx(self, segment: Segment) -> None:
        if self.item is None and segment.get(1).strip() == self.rules.catalog_name_qualifier:
            self.name.extend(segment.element(4))

    def cux(self, segment: Segment) -> None:
        currency = self.required(segment, 1, 2, "6345 (currency)").upper()
        if self.tier is not None:
            self.tier["currency"] = currency
        elif self.item is None:
            self.currency = currency

    def lin(self, segment: Segment) -> None:
        self.tier = None
        self.item = {"prices": [], "description": ""}
        if segment.get(2).strip() == self.rules.item_deleted_code:
            self.item["change"] = "delete"
        gtin = segment.get(3, 1).strip()
        if gtin and segment.get(3, 2).strip() == self.rules.gtin_type:
            self.item["gtin"] = gtin
        self.items.append(self.item)
        self.origins.append(self.index)

    def pia(self, segment: Segment) -> None:
        if self.item is not None:
            for field, value in pia_ids(segment, self.fields).items():
                self.item.setdefault(field, value)

    def imd(self, segment: Segment) -> None:
        if self.item is not None and segment.get(1).strip() == "F":
            self.item["description"] += "".join(segment.element(3)[3:5])

    def qty(self, segment: Segment) -> None:
        if self.item is None:
            return
        qualifier = segment.get(1, 1).strip()
        if qualifier == self.rules.item_unit_qualifier and self.tier is None:
            self.item["unit_of_measure"] = self.unit(self.required(segment, 1, 3, "6411 (unit)"))
        elif qualifier == self.rules.tier_quantity_qualifier and self.tier is not None:
            self.tier["min_quantity"] = self.number(segment, 1, 2, "6060 (quantity)")

    def pri(self, segment: Segment) -> None:
        if self.item is None:
            return
        qualifier = segment.get(1, 1).strip()
        if qualifier != self.rules.price_qualifier:
            raise self.fail(
                f"PRI 5125 {qualifier!r} is not this partner's price qualifier",
                1,
                1,
                code=SyntaxErrorCode.VALUE_NOT_SUPPORTED,
                bad_value=qualifier,
            )
        if self.currency is None:
            raise self.fail(
                "a PRI without a currency: the PRICAT has no header CUX",
                1,
                2,
                code=SyntaxErrorCode.MISSING,
            )
        self.tier = {
            "unit_price": self.number(segment, 1, 2, "5118 (price)"),
            "currency": self.currency,
        }
        code = segment.get(1, 6).strip()
        if code:
            self.item.setdefault("unit_of_measure", self.unit(code))
        self.item["prices"].append(self.tier)

    def cnt(self, segment: Segment) -> None:
        self.item = self.tier = None
        count(self, segment, len(self.items))

    def unit(self, code: str) -> str:
        return self.units.get(code, code)

    def read(self) -> PriceCatalog:
        for index, segment in enumerate(self.message.segments):
            handler = _HANDLERS.get(segment.tag)
            if handler is not None:
                self.index = index
                handler(self, segment)
        if "catalog_id" not in self.header:
            raise self.fail("the PRICAT has no BGM", code=SyntaxErrorCode.MISSING, index=0)
        if self.name:
            self.header["name"] = "".join(self.name)
        try:
            return PriceCatalog.model_validate({**self.header, "items": self.items})
        except ValidationError as error:
            raise self.describe(error, item_location(error, self.origins)) from None


_HANDLERS: dict[str, Callable[[_CatalogReader, Segment], None]] = {
    "BGM": _CatalogReader.bgm,
    "DTM": _CatalogReader.dtm,
    "FTX": _CatalogReader.ftx,
    "CUX": _CatalogReader.cux,
    "LIN": _CatalogReader.lin,
    "PIA": _CatalogReader.pia,
    "IMD": _CatalogReader.imd,
    "QTY": _CatalogReader.qty,
    "PRI": _CatalogReader.pri,
    "CNT": _CatalogReader.cnt,
}
"""Segment tag -> what it contributes; other segments are skipped."""
