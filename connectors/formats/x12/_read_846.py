"""`read_846`: an X12 846 inventory advice, as `encode_846` writes it, back to an
`InventorySnapshot`.

BIA (snapshot id, date and time), LIN loops (SK/VN/BP ids by the rules' qualifiers, the location
from `REF*<location qualifier>` or `N1*<location entity>`, QTY on hand and available with their
unit), CTT (the LIN count, checked). Qualifiers and unit codes come from the same
`X12OutboundRules` the partner's 846s are written with (partner unit codes are mapped back to
the canonical ones). Other segments are skipped. Every refusal is an `X12SyntaxError` located at
its segment and element.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, tzinfo
from typing import Any

from pydantic import ValidationError

from connectors.formats.x12._acks import SegmentErrorCode
from connectors.formats.x12._envelope import TransactionSet
from connectors.formats.x12._errors import X12SyntaxError
from connectors.formats.x12._outbound import DEFAULT_OUTBOUND_RULES
from connectors.formats.x12._set_reader import SetReader, check_set
from connectors.formats.x12._settings import X12OutboundRules
from connectors.formats.x12._text import is_digits
from schemas.inventory import InventorySnapshot


def read_846(
    transaction_set: TransactionSet,
    rules: X12OutboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> InventorySnapshot:
    """Translate one 846 set written under `rules`; dates are read in the partner's `tz`."""
    check_set(transaction_set, "846")
    return _InventoryReader(transaction_set, rules or DEFAULT_OUTBOUND_RULES, tz).read()


def id_fields(rules: X12OutboundRules) -> dict[str, str]:
    """LIN product id qualifier -> canonical field, for the ids the feeds write."""
    return {
        rules.sku_qualifier: "sku",
        rules.supplier_part_qualifier: "supplier_part_id",
        rules.buyer_part_qualifier: "buyer_part_id",
    }


def lin_ids(elements: list[str], fields: dict[str, str]) -> dict[str, str]:
    """Canonical id fields from a LIN's qualifier/value pairs (first of each wins)."""
    found: dict[str, str] = {}
    for qualifier, value in zip(elements[2::2], elements[3::2], strict=False):
        field = fields.get(qualifier.strip())
        if field is not None and value.strip() and field not in found:
            found[field] = value.strip()
    return found


class _InventoryReader(SetReader):
    def __init__(self, transaction_set: TransactionSet, rules: X12OutboundRules, tz: tzinfo):
        super().__init__(transaction_set, tz)
        self.rules = rules
        self.fields = id_fields(rules)
        self.units = {code: canonical for canonical, code in rules.units.items()}
        self.header: dict[str, Any] = {}
        self.items: list[dict[str, Any]] = []
        self.origins: list[int] = []
        self.item: dict[str, Any] | None = None
        self.stated: tuple[int, int] | None = None

    def bia(self, elements: list[str]) -> None:
        self.header["snapshot_id"] = self.required(elements, 3, "reference identification")
        self.header["as_of"] = self.moment(elements, 4, 5)

    def lin(self, elements: list[str]) -> None:
        self.item = {**lin_ids(elements, self.fields)}
        self.items.append(self.item)
        self.origins.append(self.index)

    def ref(self, elements: list[str]) -> None:
        if (
            self.item is not None
            and self.text(elements, 1) == self.rules.location_reference_qualifier
        ):
            self.item["location"] = self.required(elements, 2, "location")

    def n1(self, elements: list[str]) -> None:
        if self.item is not None and self.text(elements, 1) == self.rules.location_entity:
            self.item["location"] = self.required(elements, 4, "location")

    def qty(self, elements: list[str]) -> None:
        if self.item is None:
            return
        qualifier = self.text(elements, 1)
        if qualifier == self.rules.on_hand_qualifier:
            self.item["quantity_on_hand"] = self.real(elements, 2, "quantity")
        elif qualifier == self.rules.available_qualifier:
            self.item["quantity_available"] = self.real(elements, 2, "quantity")
        else:
            return
        code = self.required(elements, 3, "unit of measure")
        self.item.setdefault("unit_of_measure", self.units.get(code, code))

    def ctt(self, elements: list[str]) -> None:
        self.item = None
        stated = self.text(elements, 1)
        if is_digits(stated):
            self.stated = (int(stated), self.index)

    def read(self) -> InventorySnapshot:
        for index, elements in enumerate(self.ts.iter_elements()):
            handler = _HANDLERS.get(elements[0])
            if handler is not None:
                self.index = index
                handler(self, elements)
        if "snapshot_id" not in self.header:
            raise X12SyntaxError(
                "the 846 has no BIA segment",
                position=self.ts.position(min(1, len(self.ts.segments) - 1)),
                segment_code=SegmentErrorCode.MANDATORY_SEGMENT_MISSING,
            )
        if self.stated is not None and self.stated[0] != len(self.items):
            stated, index = self.stated
            raise self.fail(
                f"CTT01 says {stated} items, the 846 has {len(self.items)} LIN segments",
                1,
                bad_value=str(stated),
                index=index,
            )
        try:
            return InventorySnapshot.model_validate({**self.header, "items": self.items})
        except ValidationError as error:
            location = error.errors()[0]["loc"]
            at = 1
            if len(location) > 1 and location[0] == "items" and isinstance(location[1], int):
                at = self.origins[location[1]]
            raise self.describe(error, at) from None


_HANDLERS: dict[str, Callable[[_InventoryReader, list[str]], None]] = {
    "BIA": _InventoryReader.bia,
    "LIN": _InventoryReader.lin,
    "REF": _InventoryReader.ref,
    "N1": _InventoryReader.n1,
    "QTY": _InventoryReader.qty,
    "CTT": _InventoryReader.ctt,
}
"""Segment tag -> what it contributes; other segments are skipped."""
