"""`read_invrpt`: an EDIFACT INVRPT, as `encode_invrpt` writes it, back to an
`InventorySnapshot`.

BGM 1004 (snapshot id), DTM 137 (as of), per LIN: PIA item numbers by the rules' types (SKU,
our part, the buyer's), LOC with the stock location qualifier, QTY on hand and available with
their unit (partner unit codes mapped back), CNT 2 (checked). Other segments are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, tzinfo
from typing import Any

from pydantic import ValidationError

from connectors.formats.edifact._codes import SyntaxErrorCode
from connectors.formats.edifact._envelope import Message, Segment
from connectors.formats.edifact._message_reader import MessageReader, check_message, item_location
from connectors.formats.edifact._settings import EdifactOutboundRules
from schemas.inventory import InventorySnapshot

DEFAULT_OUTBOUND_RULES = EdifactOutboundRules()
"""The rules the feed readers use when a partner profile gives none."""


def read_invrpt(
    message: Message,
    rules: EdifactOutboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> InventorySnapshot:
    """Translate one INVRPT written under `rules`; dates without a zone are read in `tz`."""
    check_message(message, "INVRPT")
    return _InventoryReader(message, rules or DEFAULT_OUTBOUND_RULES, tz).read()


def id_fields(rules: EdifactOutboundRules) -> dict[str, str]:
    """PIA 7143 item number type -> canonical field."""
    return {
        rules.sku_type: "sku",
        rules.supplier_part_type: "supplier_part_id",
        rules.buyer_part_type: "buyer_part_id",
    }


def pia_ids(segment: Segment, fields: dict[str, str]) -> dict[str, str]:
    """Canonical id fields from a PIA's five C212 item numbers (the first of each wins)."""
    found: dict[str, str] = {}
    for position in range(2, 7):
        field = fields.get(segment.get(position, 2).strip())
        value = segment.get(position, 1).strip()
        if field is not None and value and field not in found:
            found[field] = value
    return found


def count(reader: MessageReader, segment: Segment, items: int) -> None:
    """CNT 2 (number of line items) must equal the LINs read (0085 12 otherwise)."""
    if segment.get(1, 1).strip() != "2":
        return
    stated = segment.get(1, 2).strip()
    if stated != str(items):
        raise reader.fail(
            f"CNT 2 says {stated} line items, the message has {items} LIN segments",
            1,
            2,
            code=SyntaxErrorCode.INVALID_VALUE,
            bad_value=stated,
        )


class _InventoryReader(MessageReader):
    def __init__(self, message: Message, rules: EdifactOutboundRules, tz: tzinfo) -> None:
        super().__init__(message, tz)
        self.rules = rules
        self.fields = id_fields(rules)
        self.units = {code: canonical for canonical, code in rules.units.items()}
        self.header: dict[str, Any] = {}
        self.items: list[dict[str, Any]] = []
        self.origins: list[int] = []
        self.item: dict[str, Any] | None = None

    def bgm(self, segment: Segment) -> None:
        self.header["snapshot_id"] = self.required(segment, 2, 1, "1004 (document number)")

    def dtm(self, segment: Segment) -> None:
        if self.item is None and segment.get(1, 1).strip() == "137":
            self.header["as_of"] = self.moment(segment)

    def lin(self, segment: Segment) -> None:
        del segment
        self.item = {}
        self.items.append(self.item)
        self.origins.append(self.index)

    def pia(self, segment: Segment) -> None:
        if self.item is not None:
            for field, value in pia_ids(segment, self.fields).items():
                self.item.setdefault(field, value)

    def loc(self, segment: Segment) -> None:
        if self.item is not None and segment.get(1).strip() == self.rules.stock_location_qualifier:
            self.item["location"] = self.required(segment, 2, 1, "3225 (location)")

    def qty(self, segment: Segment) -> None:
        if self.item is None:
            return
        qualifier = segment.get(1, 1).strip()
        if qualifier == self.rules.on_hand_qualifier:
            field = "quantity_on_hand"
        elif qualifier == self.rules.available_qualifier:
            field = "quantity_available"
        else:
            return
        self.item[field] = self.number(segment, 1, 2, "6060 (quantity)")
        code = self.required(segment, 1, 3, "6411 (unit)")
        self.item.setdefault("unit_of_measure", self.units.get(code, code))

    def cnt(self, segment: Segment) -> None:
        self.item = None
        count(self, segment, len(self.items))

    def read(self) -> InventorySnapshot:
        for index, segment in enumerate(self.message.segments):
            handler = _HANDLERS.get(segment.tag)
            if handler is not None:
                self.index = index
                handler(self, segment)
        if "snapshot_id" not in self.header:
            raise self.fail("the INVRPT has no BGM", code=SyntaxErrorCode.MISSING, index=0)
        try:
            return InventorySnapshot.model_validate({**self.header, "items": self.items})
        except ValidationError as error:
            raise self.describe(error, item_location(error, self.origins)) from None


_HANDLERS: dict[str, Callable[[_InventoryReader, Segment], None]] = {
    "BGM": _InventoryReader.bgm,
    "DTM": _InventoryReader.dtm,
    "LIN": _InventoryReader.lin,
    "PIA": _InventoryReader.pia,
    "LOC": _InventoryReader.loc,
    "QTY": _InventoryReader.qty,
    "CNT": _InventoryReader.cnt,
}
"""Segment tag -> what it contributes; other segments are skipped."""
