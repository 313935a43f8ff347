"""`read_orders`: an EDIFACT ORDERS message (D96A, D01B, EANCOM) as a `schemas.PurchaseOrder`.

Header: BGM (1001 order kind, 1004 number, 1225 function -> change), DTM (137 order date, 2/64/69
requested delivery), CUX, RFF, FTX, NAD with CTA/COM and party RFF. Lines: LIN (1082 line number,
C212 item number and type), PIA, IMD, QTY 21, PRI AAA/AAB, DTM, RFF, FTX, MOA. Summary after UNS:
MOA (total, tax) and CNT 2 (checked against the LIN count). Other segments (TDT, TOD, PAT, ALC,
MEA, LOC, SCC, TAX...) are skipped.

Partner differences come from `EdifactInboundRules`; numbers use the UNA decimal mark; dates
without a zone are read in the partner's `tz`. Every refusal is an `EdifactError` located at the
segment, element and component, with the 0085 code a CONTRL reports; a raw pydantic
`ValidationError` never escapes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any, cast

from pydantic import ValidationError

from connectors.formats.edifact._codes import SyntaxErrorCode
from connectors.formats.edifact._envelope import Message, Segment
from connectors.formats.edifact._errors import (
    EdifactError,
    EdifactPosition,
    EdifactSyntaxError,
    EdifactUnsupportedError,
)
from connectors.formats.edifact._settings import EdifactInboundRules
from connectors.formats.edifact._values import EdifactValueError, parse_dtm, parse_number
from schemas.order import OrderChange, PurchaseOrder

DEFAULT_INBOUND_RULES = EdifactInboundRules()
"""The rules `read_orders` uses when a partner profile gives none."""

_CODES = SyntaxErrorCode
_FREE_TEXT_FORMATS = frozenset({"", "A", "B", "E", "F"})
"""IMD 7077 codes whose 7008 text is a description (free form, long/short, code and text)."""
_PARTY_CONTEXT = frozenset({"NAD", "LOC", "FII", "RFF", "DOC", "CTA", "COM", "DTM"})
"""Segments that may follow a NAD inside its segment group (SG2-SG5)."""


def read_orders(
    message: Message,
    rules: EdifactInboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> PurchaseOrder:
    """Translate one ORDERS message; dates without a zone are read in `tz`.

    A message that failed the reader's syntax checks (or sits in an interchange whose UNA/UNB is
    rejected) is refused with its first error: the CONTRL rejects it, so the partner will send
    it again.
    """
    rules = rules or DEFAULT_INBOUND_RULES
    if message.message_type != "ORDERS":
        msg = f"expected an ORDERS message, got {message.message_type!r}"
        where = message.position(0, element=2, component=1)
        raise EdifactUnsupportedError(msg, position=where, code=_CODES.NO_AGREEMENT)
    if message.errors:
        first = message.errors[0]
        msg = f"message {message.reference} failed the syntax checks: {first.message}"
        raise EdifactSyntaxError(
            msg, position=first.position, code=first.code, bad_value=first.bad_value
        )
    rejecting = next((note for note in message.interchange.notes if note.rejecting), None)
    if rejecting is not None:
        msg = f"the interchange is rejected: {rejecting.message}"
        raise EdifactSyntaxError(msg, position=rejecting.position, code=rejecting.code)
    if rules.releases and message.release not in rules.releases:
        allowed = ", ".join(rules.releases)
        msg = f"ORDERS release {message.release!r} is not one this partner sends ({allowed})"
        where = message.position(0, element=2, component=3)
        raise EdifactUnsupportedError(msg, position=where, code=_CODES.NO_AGREEMENT)
    return _OrderReader(message, rules, tz).read()


class _Party:
    __slots__ = (
        "city",
        "country",
        "email",
        "ids",
        "name",
        "phone",
        "postal",
        "region",
        "role",
        "street",
    )

    def __init__(self, role: str, ids: list[dict[str, str]]) -> None:
        self.role = role
        self.ids = ids
        self.name = ""
        self.street: list[str] = []
        self.city = self.region = self.postal = self.country = ""
        self.email = self.phone = ""

    def values(self, extra_ids: list[dict[str, str]] | None = None) -> dict[str, Any]:
        address = None
        if self.street or self.city or self.region or self.postal or self.country:
            address = {
                "street": self.street,
                "city": self.city or None,
                "region": self.region or None,
                "postal_code": self.postal or None,
                "country": self.country or None,
            }
        identifiers: list[dict[str, str]] = []
        for identifier in (*self.ids, *(extra_ids or ())):
            if identifier not in identifiers:
                identifiers.append(identifier)
        return {
            "name": self.name or None,
            "identifiers": identifiers,
            "address": address,
            "email": self.email or None,
            "phone": self.phone or None,
        }


class _Line:
    __slots__ = (
        "comments",
        "delivery",
        "descriptions",
        "extensions",
        "ids",
        "index",
        "number",
        "price",
        "quantity",
        "unit",
    )

    def __init__(self, number: int, index: int) -> None:
        self.number = number
        self.index = index
        self.ids: dict[str, str] = {}
        self.descriptions: list[tuple[str, str]] = []
        self.quantity: tuple[Decimal, int] | None = None
        self.unit = ""
        self.price: tuple[int, Decimal, int] | None = None
        self.delivery: tuple[int, datetime] | None = None
        self.comments: list[str] = []
        self.extensions: dict[str, str] = {}


class _OrderReader:
    """One pass over the segments with a little state: which party and which line is open."""

    def __init__(self, message: Message, rules: EdifactInboundRules, tz: tzinfo) -> None:
        self.message = message
        self.rules = rules
        self.tz = tz
        self.decimal = message.decimal_mark
        self.header: dict[str, Any] = {"extensions": {}}
        self.origins: dict[str, tuple[int, int | None, int | None]] = {}
        self.comments: list[str] = []
        self.parties: dict[str, _Party] = {}
        self.party: _Party | None = None
        self.lines: list[_Line] = []
        self.line: _Line | None = None
        self.section = "header"
        self.index = 0
        self.bgm_index: int | None = None
        self.delivery: tuple[int, datetime] | None = None
        self.total: tuple[int, Decimal] | None = None
        self.tax: Decimal | None = None
        self.stated_lines: tuple[int, int] | None = None

    # -- helpers ----------------------------------------------------------------------------

    def fail(
        self,
        message: str,
        element: int | None = None,
        component: int | None = None,
        *,
        code: str | None = None,
        bad_value: str | None = None,
        index: int | None = None,
    ) -> EdifactSyntaxError:
        return self.message.error(
            message,
            self.index if index is None else index,
            element=element,
            component=component,
            code=code,
            bad_value=bad_value,
        )

    def number(self, segment: Segment, element: int, component: int, what: str) -> Decimal | None:
        text = segment.get(element, component)
        try:
            return parse_number(text, self.decimal)
        except EdifactValueError as problem:
            raise self.fail(
                f"{segment.tag} {what}: {problem}",
                element,
                component,
                code=problem.code,
                bad_value=text,
            ) from None

    def date(self, segment: Segment) -> datetime:
        value, code = segment.get(1, 2), segment.get(1, 3)
        try:
            return parse_dtm(value, code, self.tz)
        except EdifactValueError as problem:
            bad_format = problem.code == _CODES.VALUE_NOT_SUPPORTED
            raise self.fail(
                f"DTM {segment.get(1, 1)}: {problem}",
                1,
                3 if bad_format else 2,
                code=problem.code,
                bad_value=code if bad_format else value,
            ) from None

    def extension(self, target: dict[str, str], key: str, value: str) -> None:
        if not value:
            return
        name, number = key, 2
        while name in target:
            name = f"{key} #{number}"
            number += 1
        target[name] = value

    def extensions(self) -> dict[str, str]:
        if self.line is not None:
            return self.line.extensions
        return cast(dict[str, str], self.header["extensions"])

    # -- header segments ----------------------------------------------------------------------

    def bgm(self, segment: Segment) -> None:
        if self.bgm_index is not None:
            return
        self.bgm_index = self.index
        rules = self.rules
        code = segment.get(1, 1)
        order_type = rules.document_codes.get(code)
        if order_type is None:
            known = ", ".join(sorted(rules.document_codes))
            msg = f"BGM 1001 {code!r} is not an order this partner's rules map (known: {known})"
            raise EdifactUnsupportedError(
                msg,
                position=self.message.position(self.index, element=1, component=1),
                code=_CODES.VALUE_NOT_SUPPORTED,
                bad_value=code,
            )
        number = segment.get(2, 1).strip()
        if not number:
            raise self.fail("BGM 1004 (document number) is required", 2, 1, code=_CODES.MISSING)
        function = segment.get(3).strip() or rules.default_message_function
        change = rules.message_functions.get(function)
        if change is None:
            known = ", ".join(sorted(rules.message_functions))
            msg = f"BGM 1225 {function!r} is not a message function the rules map (known: {known})"
            raise EdifactUnsupportedError(
                msg,
                position=self.message.position(self.index, element=3),
                code=_CODES.VALUE_NOT_SUPPORTED,
                bad_value=function,
            )
        self.header.update(order_id=number, change=change, order_type=order_type)
        self.origins.update(order_id=(self.index, 2, 1), order_type=(self.index, 1, 1))
        extensions = self.header["extensions"]
        if code != "220":
            self.extension(extensions, "BGM.1001", code)
        if function != "9":
            self.extension(extensions, "BGM.1225", function)
        self.extension(extensions, "BGM.1056", segment.get(2, 2).strip())
        self.extension(extensions, "BGM.4343", segment.get(4).strip())

    def dtm(self, segment: Segment) -> None:
        if self.section == "summary":
            return
        qualifier = segment.get(1, 1).strip()
        rules = self.rules
        if (
            self.section == "header"
            and self.party is None
            and qualifier in rules.order_date_qualifiers
        ):
            if "order_date" not in self.header:
                self.header["order_date"] = self.date(segment)
                self.origins["order_date"] = (self.index, 1, 2)
            return
        if qualifier in rules.delivery_date_qualifiers and self.party is None:
            rank = rules.delivery_date_qualifiers.index(qualifier)
            when = self.date(segment)
            line = self.line
            if line is not None:
                if line.delivery is None or rank < line.delivery[0]:
                    line.delivery = (rank, when)
            elif self.delivery is None or rank < self.delivery[0]:
                self.delivery = (rank, when)
            return
        if self.party is None:
            self.extension(self.extensions(), f"DTM.{qualifier}", segment.get(1, 2).strip())

    def cux(self, segment: Segment) -> None:
        if self.section != "header" or "currency" in self.header:
            return
        usage = segment.get(1, 1).strip()
        if usage not in {"", "2"}:
            return
        self.header["currency"] = segment.get(1, 2).strip().upper()
        self.origins["currency"] = (self.index, 1, 2)

    def rff(self, segment: Segment) -> None:
        qualifier, value = segment.get(1, 1).strip(), segment.get(1, 2).strip()
        if self.section == "summary":
            return
        if self.line is not None:
            self.extension(self.line.extensions, f"RFF.{qualifier}", value)
        elif self.party is not None:
            key = f"NAD.{self.party.role}.RFF.{qualifier}"
            self.extension(self.header["extensions"], key, value)
        else:
            self.extension(self.header["extensions"], f"RFF.{qualifier}", value)

    def ftx(self, segment: Segment) -> None:
        text = " ".join(part.strip() for part in segment.element(4) if part.strip())
        if not text:
            return
        if self.line is not None:
            self.line.comments.append(text)
        elif self.section == "header":
            self.comments.append(text)

    def nad(self, segment: Segment) -> None:
        if self.section != "header":
            self.party = None
            return
        role = segment.get(1).strip()
        identifier = segment.get(2, 1).strip()
        ids: list[dict[str, str]] = []
        if identifier:
            agency = segment.get(2, 3).strip()
            scheme = (
                self.rules.party_id_schemes.get(agency, agency) or self.rules.default_party_scheme
            )
            ids.append({"scheme": scheme, "value": identifier})
        party = _Party(role, ids)
        name = [part.strip() for part in segment.element(4) if part.strip()]
        if not name:
            name = [part.strip() for part in segment.element(3) if part.strip()]
        party.name = " ".join(name)
        party.street = [part.strip() for part in segment.element(5) if part.strip()]
        party.city = segment.get(6).strip()
        party.region = segment.get(7).strip()
        party.postal = segment.get(8).strip()
        country = segment.get(9).strip().upper()
        party.country = (
            country if len(country) == 2 and country.isascii() and country.isalpha() else ""
        )
        self.parties.setdefault(role, party)
        self.party = party

    def com(self, segment: Segment) -> None:
        party = self.party
        if party is None:
            return
        number, channel = segment.get(1, 1).strip(), segment.get(1, 2).strip()
        if channel == "TE" and number and not party.phone:
            party.phone = number
        elif channel == "EM" and number and not party.email:
            party.email = number

    # -- line segments ------------------------------------------------------------------------

    def lin(self, segment: Segment) -> None:
        self.section = "detail"
        self.party = None
        text = segment.get(1).strip()
        numeric = text.isascii() and text.isdigit() and 0 < int(text) < 10**9
        line = _Line(int(text) if numeric else len(self.lines) + 1, self.index)
        if text and not numeric:
            line.extensions["LIN.1082"] = text
        self.extension(line.extensions, "LIN.1229", segment.get(2).strip())
        self.item(line, segment.get(3, 1), segment.get(3, 2))
        self.lines.append(line)
        self.line = line

    def item(self, line: _Line, value: str, kind: str) -> None:
        value, kind = value.strip(), kind.strip()
        if value and kind not in line.ids:
            line.ids[kind] = value

    def pia(self, segment: Segment) -> None:
        if self.line is None:
            return
        for position in range(2, 7):
            self.item(self.line, segment.get(position, 1), segment.get(position, 2))

    def imd(self, segment: Segment) -> None:
        if self.line is None:
            return
        text = " ".join(part.strip() for part in segment.element(3)[3:5] if part.strip())
        if text:
            self.line.descriptions.append((segment.get(1).strip(), text))

    def qty(self, segment: Segment) -> None:
        line = self.line
        if line is None:
            return
        qualifier = segment.get(1, 1).strip()
        if qualifier in self.rules.quantity_qualifiers and line.quantity is None:
            quantity = self.number(segment, 1, 2, "6060 (quantity)")
            if quantity is None:
                raise self.fail("QTY 6060 (quantity) is required", 1, 2, code=_CODES.MISSING)
            unit = segment.get(1, 3).strip() or self.rules.default_unit
            if unit in self.rules.whole_units and quantity != quantity.to_integral_value():
                raise self.fail(
                    f"QTY 6060 (quantity) {segment.get(1, 2)!r}: {unit} is counted in whole items",
                    1,
                    2,
                    code=_CODES.INVALID_VALUE,
                    bad_value=segment.get(1, 2),
                )
            line.quantity = (quantity, self.index)
            line.unit = unit
            return
        self.extension(line.extensions, f"QTY.{qualifier}", segment.get(1, 2).strip())

    def pri(self, segment: Segment) -> None:
        line = self.line
        if line is None:
            return
        qualifier = segment.get(1, 1).strip()
        qualifiers = self.rules.price_qualifiers
        if qualifier not in qualifiers:
            self.extension(line.extensions, f"PRI.{qualifier}", segment.get(1, 2).strip())
            return
        rank = qualifiers.index(qualifier)
        if line.price is not None and line.price[0] <= rank:
            return
        price = self.number(segment, 1, 2, "5118 (price)")
        if price is None:
            return
        basis = self.number(segment, 1, 5, "5284 (unit price basis)")
        if basis is not None and basis not in {0, 1}:
            line.extensions["PRI.5284"] = segment.get(1, 5).strip()
            price = price / basis
        line.price = (rank, price, self.index)

    def moa(self, segment: Segment) -> None:
        qualifier = segment.get(1, 1).strip()
        if self.line is not None and self.section == "detail":
            self.extension(self.line.extensions, f"MOA.{qualifier}", segment.get(1, 2).strip())
            return
        rules = self.rules
        if qualifier in rules.total_qualifiers:
            rank = rules.total_qualifiers.index(qualifier)
            if self.total is None or rank < self.total[0]:
                amount = self.number(segment, 1, 2, "5004 (amount)")
                if amount is not None:
                    self.total = (rank, amount)
                    self.origins["total"] = (self.index, 1, 2)
        elif qualifier in rules.tax_qualifiers and self.tax is None:
            self.tax = self.number(segment, 1, 2, "5004 (amount)")
            self.origins["tax"] = (self.index, 1, 2)
        else:
            self.extension(self.header["extensions"], f"MOA.{qualifier}", segment.get(1, 2).strip())

    def uns(self, segment: Segment) -> None:
        if segment.get(1).strip() == "S":
            self.section = "summary"
            self.line = None
            self.party = None

    def cnt(self, segment: Segment) -> None:
        if segment.get(1, 1).strip() != "2":
            return
        text = segment.get(1, 2).strip()
        if text.isascii() and text.isdigit():
            self.stated_lines = (int(text), self.index)

    # -- the order ----------------------------------------------------------------------------

    def read(self) -> PurchaseOrder:
        handlers = _HANDLERS
        for index, segment in enumerate(self.message.segments):
            tag = segment.tag
            if self.party is not None and tag not in _PARTY_CONTEXT:
                self.party = None
            handler = handlers.get(tag)
            if handler is not None:
                self.index = index
                handler(self, segment)
        self.check_complete()
        values = self.values()
        try:
            return PurchaseOrder.model_validate(values)
        except ValidationError as error:
            raise self.describe(error) from None

    def missing(self, message: str, after: int, tag: str) -> EdifactSyntaxError:
        """A missing segment, located as CONTRL wants: at the last segment read before it."""
        where = EdifactPosition(
            byte_offset=self.message.segments[after].byte_offset,
            interchange=self.message.interchange.control_reference or None,
            group=self.message.group.reference if self.message.group else None,
            message=self.message.reference,
            segment_index=after + 1,
            segment_id=tag,
        )
        return EdifactSyntaxError(message, position=where, code=_CODES.MISSING)

    def check_complete(self) -> None:
        if self.bgm_index is None:
            raise self.missing("the ORDERS message has no BGM segment after UNH", 0, "BGM")
        if "order_date" not in self.header:
            qualifiers = "/".join(self.rules.order_date_qualifiers)
            raise self.missing(
                f"DTM {qualifiers} (order date) is required after BGM", self.bgm_index, "DTM"
            )
        change = self.header.get("change")
        if not self.lines and change is not OrderChange.DELETE:
            last = len(self.message.segments) - 2
            raise self.missing("the ORDERS message has no LIN segment", max(last, 0), "LIN")
        for line in self.lines:
            if line.quantity is None:
                qualifiers = "/".join(self.rules.quantity_qualifiers)
                raise self.fail(
                    f"LIN {line.number}: QTY {qualifiers} (ordered quantity) is required",
                    code=_CODES.MISSING,
                    index=line.index,
                )
        if self.stated_lines is not None and self.stated_lines[0] != len(self.lines):
            stated, index = self.stated_lines
            raise self.fail(
                f"CNT 2 says {stated} line items, the order has {len(self.lines)} LIN segments",
                1,
                2,
                code=_CODES.INVALID_VALUE,
                bad_value=str(stated),
                index=index,
            )

    def values(self) -> dict[str, Any]:
        header = self.header
        rules = self.rules
        interchange = self.message.interchange
        sender = self.identity(interchange.sender_qualifier, interchange.sender_id)
        recipient = self.identity(interchange.recipient_qualifier, interchange.recipient_id)
        buyer = self.role(rules.buyer_roles) or _Party("", [])
        supplier = self.role(rules.supplier_roles) or _Party("", [])
        ship_to = self.role(rules.ship_to_roles)
        bill_to = self.role(rules.bill_to_roles)
        header.setdefault("currency", rules.default_currency)
        header.update(
            total=self.total[1] if self.total else None,
            tax=self.tax,
            buyer=buyer.values(sender),
            supplier=supplier.values(recipient),
            ship_to=ship_to.values() if ship_to is not None else None,
            bill_to=bill_to.values() if bill_to is not None else None,
            requested_delivery_date=self.delivery[1] if self.delivery else None,
            comments="\n".join(self.comments) or None,
            is_test=interchange.test,
            lines=[self.line_values(line) for line in self.lines],
        )
        return header

    def line_values(self, line: _Line) -> dict[str, Any]:
        rules = self.rules
        ids = dict(line.ids)
        extensions = dict(line.extensions)
        gtin = next((ids[kind] for kind in rules.gtin_types if kind in ids), None)
        if gtin is not None:
            extensions["GTIN"] = gtin
        supplier = next((ids[kind] for kind in rules.supplier_part_types if kind in ids), None)
        buyer = next((ids[kind] for kind in rules.buyer_part_types if kind in ids), None)
        for kind, value in ids.items():
            if value not in {supplier, buyer, gtin}:
                extensions[f"item.{kind or '?'}"] = value
        free = [text for kind, text in line.descriptions if kind in _FREE_TEXT_FORMATS]
        description = " ".join(free or [text for _, text in line.descriptions]) or None
        assert line.quantity is not None
        return {
            "line_number": line.number,
            "supplier_part_id": supplier,
            "buyer_part_id": buyer,
            "description": description,
            "quantity": line.quantity[0],
            "unit_of_measure": line.unit,
            "unit_price": line.price[1] if line.price else None,
            "requested_delivery_date": line.delivery[1] if line.delivery else None,
            "comments": "\n".join(line.comments) or None,
            "extensions": extensions,
        }

    def identity(self, qualifier: str, value: str) -> list[dict[str, str]]:
        if not value:
            return []
        scheme = self.rules.interchange_id_schemes.get(qualifier, qualifier) or "UNB"
        return [{"scheme": scheme, "value": value}]

    def role(self, roles: tuple[str, ...]) -> _Party | None:
        return next((self.parties[role] for role in roles if role in self.parties), None)

    def describe(self, error: ValidationError) -> EdifactError:
        """The first model complaint, located at the segment and element it came from."""
        problem = error.errors()[0]
        location = problem["loc"]
        field = ".".join(str(part) for part in location)
        index: int = self.bgm_index or 0
        element: int | None = None
        component: int | None = None
        if (
            location
            and location[0] == "lines"
            and len(location) > 1
            and isinstance(location[1], int)
        ):
            line = self.lines[location[1]]
            index = line.index
            name = str(location[2]) if len(location) > 2 else ""
            if name in {"quantity", "unit_of_measure"} and line.quantity is not None:
                index, element, component = line.quantity[1], 1, 2 if name == "quantity" else 3
            elif name == "unit_price" and line.price is not None:
                index, element, component = line.price[2], 1, 2
            elif name == "line_number":
                element = 1
        elif location and str(location[0]) in self.origins:
            index, element, component = self.origins[str(location[0])]
        return self.fail(
            f"{field}: {problem['msg']}",
            element,
            component,
            code=_CODES.INVALID_VALUE,
            index=index,
        )


_HANDLERS: dict[str, Callable[[_OrderReader, Segment], None]] = {
    "BGM": _OrderReader.bgm,
    "DTM": _OrderReader.dtm,
    "CUX": _OrderReader.cux,
    "RFF": _OrderReader.rff,
    "FTX": _OrderReader.ftx,
    "NAD": _OrderReader.nad,
    "COM": _OrderReader.com,
    "LIN": _OrderReader.lin,
    "PIA": _OrderReader.pia,
    "IMD": _OrderReader.imd,
    "QTY": _OrderReader.qty,
    "PRI": _OrderReader.pri,
    "MOA": _OrderReader.moa,
    "UNS": _OrderReader.uns,
    "CNT": _OrderReader.cnt,
}
"""Segment tag -> what it contributes to the order; other segments are skipped."""
