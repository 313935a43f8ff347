"""`read_832`: an X12 832 price/sales catalog, as `encode_832` writes it, back to a
`PriceCatalog`.

BCT (catalogue id, name in BCT09, BCT10: the change code means changes only, anything else a
complete catalogue), the header DTM (as-of) and CUR, LIN loops (SK/VN/BP and GTIN ids by the
rules' qualifiers; G53 with the delete code withdraws the item; PID description; PO4 unit; CTP
tiers with their CUR and effective/expiration DTMs), CTT (the LIN count, checked). A tier
without its own CUR is in the header's currency. Other segments are skipped. Every refusal is an
`X12SyntaxError` located at its segment and element.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, tzinfo
from typing import Any

from pydantic import ValidationError

from connectors.formats.x12._acks import ElementErrorCode, SegmentErrorCode
from connectors.formats.x12._envelope import TransactionSet
from connectors.formats.x12._errors import X12SyntaxError
from connectors.formats.x12._outbound import DEFAULT_OUTBOUND_RULES
from connectors.formats.x12._read_846 import id_fields, lin_ids
from connectors.formats.x12._set_reader import SetReader, check_set
from connectors.formats.x12._settings import X12OutboundRules
from connectors.formats.x12._text import is_digits
from schemas.catalog import PriceCatalog

_FREE_FORM = frozenset({"F", "X"})


def read_832(
    transaction_set: TransactionSet,
    rules: X12OutboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> PriceCatalog:
    """Translate one 832 set written under `rules`; the as-of date is read in `tz`."""
    check_set(transaction_set, "832")
    return _CatalogReader(transaction_set, rules or DEFAULT_OUTBOUND_RULES, tz).read()


class _CatalogReader(SetReader):
    def __init__(self, transaction_set: TransactionSet, rules: X12OutboundRules, tz: tzinfo):
        super().__init__(transaction_set, tz)
        self.rules = rules
        self.fields = {**id_fields(rules), rules.gtin_qualifier: "gtin"}
        self.units = {code: canonical for canonical, code in rules.units.items()}
        self.header: dict[str, Any] = {}
        self.currency: str | None = None
        self.items: list[dict[str, Any]] = []
        self.origins: list[int] = []
        self.item: dict[str, Any] | None = None
        self.tier: dict[str, Any] | None = None
        self.stated: tuple[int, int] | None = None

    def bct(self, elements: list[str]) -> None:
        self.header["catalog_id"] = self.required(elements, 2, "catalog number")
        name = self.text(elements, 9)
        if name:
            self.header["name"] = name
        self.header["full"] = self.text(elements, 10) != self.rules.catalog_change_code

    def dtm(self, elements: list[str]) -> None:
        qualifier = self.text(elements, 1)
        if self.tier is not None:
            if qualifier == self.rules.price_valid_from_qualifier:
                self.tier["valid_from"] = self.day(elements, 2)
            elif qualifier == self.rules.price_valid_to_qualifier:
                self.tier["valid_to"] = self.day(elements, 2)
        elif self.item is None and qualifier == self.rules.catalog_date_qualifier:
            self.header.setdefault("as_of", self.moment(elements, 2, 3))

    def cur(self, elements: list[str]) -> None:
        currency = self.required(elements, 2, "currency code").upper()
        if self.tier is not None:
            self.tier["currency"] = currency
        elif self.item is None:
            self.currency = currency

    def lin(self, elements: list[str]) -> None:
        self.tier = None
        self.item = {**lin_ids(elements, self.fields), "prices": []}
        self.items.append(self.item)
        self.origins.append(self.index)

    def g53(self, elements: list[str]) -> None:
        if self.item is not None and self.text(elements, 1) == self.rules.item_delete_code:
            self.item["change"] = "delete"

    def pid(self, elements: list[str]) -> None:
        if self.item is not None and self.text(elements, 1) in _FREE_FORM:
            text = self.text(elements, 5)
            before = self.item.get("description")
            self.item["description"] = f"{before} {text}" if before else text

    def po4(self, elements: list[str]) -> None:
        if self.item is not None:
            self.item["unit_of_measure"] = self.unit(self.required(elements, 3, "unit"))

    def ctp(self, elements: list[str]) -> None:
        if self.item is None:
            return
        price_id = self.text(elements, 2)
        if price_id != self.rules.price_qualifier:
            msg = f"CTP02 {price_id!r} is not this partner's price identifier"
            raise self.fail(msg, 2, element_code=ElementErrorCode.INVALID_CODE, bad_value=price_id)
        if self.currency is None:
            raise self.fail("a CTP without a currency: the 832 has no header CUR", 3)
        self.tier = {
            "unit_price": self.real(elements, 3, "unit price"),
            "min_quantity": self.real(elements, 4, "quantity"),
            "currency": self.currency,
        }
        code = self.text(elements, 5).split(self.ts.delimiters.component)[0]
        if code:
            self.item.setdefault("unit_of_measure", self.unit(code))
        self.item["prices"].append(self.tier)

    def ctt(self, elements: list[str]) -> None:
        self.item = self.tier = None
        stated = self.text(elements, 1)
        if is_digits(stated):
            self.stated = (int(stated), self.index)

    def unit(self, code: str) -> str:
        return self.units.get(code, code)

    def read(self) -> PriceCatalog:
        for index, elements in enumerate(self.ts.iter_elements()):
            handler = _HANDLERS.get(elements[0])
            if handler is not None:
                self.index = index
                handler(self, elements)
        if "catalog_id" not in self.header:
            raise X12SyntaxError(
                "the 832 has no BCT segment",
                position=self.ts.position(min(1, len(self.ts.segments) - 1)),
                segment_code=SegmentErrorCode.MANDATORY_SEGMENT_MISSING,
            )
        if self.stated is not None and self.stated[0] != len(self.items):
            stated, index = self.stated
            raise self.fail(
                f"CTT01 says {stated} items, the 832 has {len(self.items)} LIN segments",
                1,
                bad_value=str(stated),
                index=index,
            )
        try:
            return PriceCatalog.model_validate({**self.header, "items": self.items})
        except ValidationError as error:
            location = error.errors()[0]["loc"]
            at = 1
            if len(location) > 1 and location[0] == "items" and isinstance(location[1], int):
                at = self.origins[location[1]]
            raise self.describe(error, at) from None


_HANDLERS: dict[str, Callable[[_CatalogReader, list[str]], None]] = {
    "BCT": _CatalogReader.bct,
    "DTM": _CatalogReader.dtm,
    "CUR": _CatalogReader.cur,
    "LIN": _CatalogReader.lin,
    "G53": _CatalogReader.g53,
    "PID": _CatalogReader.pid,
    "PO4": _CatalogReader.po4,
    "CTP": _CatalogReader.ctp,
    "CTT": _CatalogReader.ctt,
}
"""Segment tag -> what it contributes; other segments are skipped."""
