"""`read_850`: an X12 850 purchase order as a canonical `schemas.PurchaseOrder`.

Reads 003010 to 005010 and their industry variants (004010VICS...): the segments an order needs
are the same, only their optional neighbours differ, and unknown segments are skipped. Header:
BEG (purpose -> change, type, number, date), CUR, REF, PER, DTM, TXI, SAC, N9/MSG/NTE, N1 loops
(N1/N2/N3/N4/PER/REF). Lines: PO1 with product id pairs, PID, DTM, SCH, REF, TC2, MSG/NTE.
Summary: CTT (line count checked) and AMT (total).

Partner differences come from `X12InboundRules` (qualifier preferences, roles, code maps);
dates without a DTM04 time code are read in the partner's `tz`. Every refusal is an
`X12SyntaxError` (or `X12UnsupportedError` for a BEG01 the rules do not map) whose position
and 997 codes feed `SetAck.for_error`; a raw pydantic `ValidationError` never escapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any, cast

from pydantic import ValidationError

from connectors.formats.x12._850_fast import build_order
from connectors.formats.x12._acks import ElementErrorCode, SegmentErrorCode
from connectors.formats.x12._envelope import TransactionSet
from connectors.formats.x12._errors import X12Error, X12SyntaxError, X12UnsupportedError
from connectors.formats.x12._settings import X12InboundRules
from connectors.formats.x12._text import is_digits
from connectors.formats.x12._values import X12ValueError, parse_date, parse_implied, parse_real
from schemas.order import PurchaseOrder

DEFAULT_INBOUND_RULES = X12InboundRules()
"""The rules `read_850` uses when a partner profile gives none."""

_LINE_NUMBER_DIGITS = 9
_FREE_FORM = frozenset({"F", "X"})
_N1_LOOP = frozenset({"N2", "N3", "N4", "PER", "REF"})


def read_850(
    transaction_set: TransactionSet,
    rules: X12InboundRules | None = None,
    *,
    tz: tzinfo = UTC,
) -> PurchaseOrder:
    """Translate one 850 transaction set; naive X12 dates are read in `tz`.

    A set that failed the reader's envelope checks is refused with its first envelope error:
    the 997 rejects it, so the partner will send it again.
    """
    if transaction_set.set_id != "850":
        msg = f"expected an 850, got {transaction_set.set_id!r}"
        raise X12UnsupportedError(msg, position=transaction_set.position(0))
    if transaction_set.errors:
        first = transaction_set.errors[0]
        msg = f"the transaction set failed the envelope checks: {first.message}"
        raise X12SyntaxError(
            msg,
            position=first.position,
            set_code=first.set_code,
            segment_code=first.segment_code,
            element_code=first.element_code,
            bad_value=first.bad_value,
        )
    return _OrderReader(transaction_set, rules or DEFAULT_INBOUND_RULES, tz).read()


class _Party:
    __slots__ = (
        "city",
        "country",
        "deliver_to",
        "email",
        "ids",
        "name",
        "phone",
        "postal",
        "region",
        "street",
    )

    def __init__(self, name: str, ids: list[dict[str, str]]) -> None:
        self.name = name
        self.ids = ids
        self.deliver_to: list[str] = []
        self.street: list[str] = []
        self.city = self.region = self.postal = self.country = ""
        self.email = self.phone = ""

    def values(self, extra_ids: list[dict[str, str]] | None = None) -> dict[str, Any]:
        address = None
        if (
            self.deliver_to
            or self.street
            or self.city
            or self.region
            or self.postal
            or self.country
        ):
            address = {
                "deliver_to": self.deliver_to,
                "street": self.street,
                "city": self.city or None,
                "region": self.region or None,
                "postal_code": self.postal or None,
                "country": self.country or None,
            }
        return {
            "name": self.name or None,
            "identifiers": [*self.ids, *(extra_ids or ())],
            "address": address,
            "email": self.email or None,
            "phone": self.phone or None,
        }


class _OrderReader:
    """One pass over the segments with a little state: which N1 party and PO1 line is open."""

    def __init__(self, transaction_set: TransactionSet, rules: X12InboundRules, tz: tzinfo) -> None:
        self.ts = transaction_set
        self.rules = rules
        self.delivery_qualifiers = rules.delivery_date_qualifiers
        self.supplier_qualifiers = rules.supplier_part_qualifiers
        self.buyer_qualifiers = rules.buyer_part_qualifiers
        self.tz = tz
        self.component = transaction_set.delimiters.component
        self.header: dict[str, Any] = {"extensions": {}}
        self.origins: dict[str, tuple[int, int]] = {}
        self.comments: list[str] = []
        self.parties: dict[str, _Party] = {}
        self.party: _Party | None = None
        self.contact: _Party | None = None
        self.lines: list[dict[str, Any]] = []
        self.line_origins: list[int] = []
        self.line: dict[str, Any] | None = None
        self.section = "header"
        self.index = 0
        self.tax: Decimal | None = None
        self.shipping: Decimal | None = None
        self.stated_lines: tuple[int, int] | None = None

    # -- helpers ----------------------------------------------------------------------------

    def fail(
        self,
        message: str,
        element: int | None = None,
        *,
        element_code: str | None = None,
        segment_code: str | None = None,
        bad_value: str | None = None,
        index: int | None = None,
    ) -> X12SyntaxError:
        return self.ts.error(
            message,
            self.index if index is None else index,
            element=element,
            element_code=element_code,
            segment_code=segment_code,
            bad_value=bad_value,
        )

    def real(self, elements: list[str], position: int) -> Decimal | None:
        text = elements[position] if position < len(elements) else ""
        try:
            return parse_real(text)
        except X12ValueError as problem:
            name = f"{elements[0]}{position:02d}"
            raise self.fail(
                f"{name}: {problem}", position, element_code=problem.code, bad_value=text
            ) from None

    def date(
        self, elements: list[str], position: int, time: int | None = None, code: int | None = None
    ) -> datetime:
        text = elements[position] if position < len(elements) else ""
        clock = elements[time] if time is not None and time < len(elements) else ""
        zone = elements[code] if code is not None and code < len(elements) else ""
        try:
            return parse_date(text, self.tz, clock, zone)
        except X12ValueError as problem:
            name = f"{elements[0]}{position:02d}"
            bad = text if problem.code == "8" else clock
            at = position if problem.code == "8" else time
            raise self.fail(
                f"{name}: {problem}", at, element_code=problem.code, bad_value=bad
            ) from None

    def required(self, elements: list[str], position: int, what: str) -> str:
        value = elements[position].strip() if position < len(elements) else ""
        if not value:
            name = f"{elements[0]}{position:02d}"
            raise self.fail(
                f"{name} ({what}) is required",
                position,
                element_code=ElementErrorCode.MANDATORY_MISSING,
            )
        return value

    def extension(self, target: dict[str, str], key: str, value: str) -> None:
        if not value:
            return
        if key not in target:
            target[key] = value
            return
        name, number = key, 2
        while name in target:
            name = f"{key} #{number}"
            number += 1
        target[name] = value

    def extensions(self) -> dict[str, str]:
        holder = self.line if self.line is not None else self.header
        return cast(dict[str, str], holder["extensions"])

    # -- segments ---------------------------------------------------------------------------

    def beg(self, elements: list[str]) -> None:
        purpose = self.required(elements, 1, "transaction set purpose")
        change = self.rules.purpose_codes.get(purpose)
        if change is None:
            known = ", ".join(sorted(self.rules.purpose_codes))
            msg = f"BEG01 {purpose!r} is not a purpose this partner's rules map (known: {known})"
            raise X12UnsupportedError(
                msg,
                position=self.ts.position(self.index, element=1),
                element_code=ElementErrorCode.INVALID_CODE,
                bad_value=purpose,
            )
        order_type = elements[2].strip() if len(elements) > 2 else ""
        self.header.update(
            change=change,
            order_type=self.rules.order_types.get(order_type, order_type) or "regular",
            order_id=self.required(elements, 3, "purchase order number"),
            order_date=self.date(elements, 5),
        )
        self.origins.update(order_id=(self.index, 3), order_date=(self.index, 5))
        self.origins.setdefault("order_type", (self.index, 2))
        extensions = self.header["extensions"]
        if purpose not in {"00"}:
            self.extension(extensions, "BEG01", purpose)
        self.extension(extensions, "BEG04", elements[4].strip() if len(elements) > 4 else "")
        self.extension(extensions, "BEG06", elements[6].strip() if len(elements) > 6 else "")

    def cur(self, elements: list[str]) -> None:
        if self.section == "header":
            self.header["currency"] = self.required(elements, 2, "currency code").upper()
            self.origins["currency"] = (self.index, 2)

    def ref(self, elements: list[str]) -> None:
        size = len(elements)
        qualifier = elements[1].strip() if size > 1 else ""
        value = elements[2].strip() if size > 2 else ""
        if not value and size > 3:
            value = elements[3].strip()
        holder = self.line if self.line is not None else self.header
        self.extension(holder["extensions"], "REF." + qualifier, value)

    def per(self, elements: list[str]) -> None:
        target = self.party if self.party is not None and self.section == "header" else None
        if target is None:
            if self.section != "header":
                return
            target = self.contact = self.contact or _Party("", [])
        for position in range(3, min(len(elements), 9), 2):
            qualifier = elements[position].strip()
            number = elements[position + 1].strip() if position + 1 < len(elements) else ""
            if qualifier == "TE" and number and not target.phone:
                target.phone = number
            elif qualifier == "EM" and number and not target.email:
                target.email = number

    def dtm(self, elements: list[str]) -> None:
        qualifier = elements[1].strip() if len(elements) > 1 else ""
        if qualifier in self.delivery_qualifiers:
            when = self.date(elements, 2, 3, 4) if len(elements) > 3 else self.date(elements, 2)
            if self.line is not None:
                self.line.setdefault("requested_delivery_date", when)
            elif self.section == "header":
                self.header.setdefault("requested_delivery_date", when)
            return
        value = elements[2].strip() if len(elements) > 2 else ""
        self.extension(self.extensions(), f"DTM.{qualifier}", value)

    def txi(self, elements: list[str]) -> None:
        if self.section == "header":
            amount = self.real(elements, 2)
            if amount is not None:
                self.tax = (self.tax or Decimal(0)) + amount

    def sac(self, elements: list[str]) -> None:
        if self.section != "header" or len(elements) < 6:
            return
        indicator, code = elements[1].strip(), elements[2].strip()
        if indicator == "C" and code in self.rules.shipping_charge_codes:
            try:
                amount = parse_implied(elements[5])
            except X12ValueError as problem:
                raise self.fail(
                    f"SAC05: {problem}", 5, element_code=problem.code, bad_value=elements[5]
                ) from None
            if amount is not None:
                self.shipping = (self.shipping or Decimal(0)) + amount

    def note(self, elements: list[str]) -> None:
        text = (
            elements[2]
            if elements[0] == "NTE" and len(elements) > 2
            else elements[1]
            if len(elements) > 1
            else ""
        ).strip()
        if not text:
            return
        line = self.line
        if line is not None:
            before = line["comments"]
            line["comments"] = f"{before}\n{text}" if before else text
        elif self.section == "header":
            self.comments.append(text)

    def n1(self, elements: list[str]) -> None:
        if self.section != "header":
            self.party = None
            return
        role = elements[1].strip() if len(elements) > 1 else ""
        qualifier = elements[3].strip() if len(elements) > 3 else ""
        code = elements[4].strip() if len(elements) > 4 else ""
        ids = [{"scheme": qualifier, "value": code}] if qualifier and code else []
        party = _Party(elements[2].strip() if len(elements) > 2 else "", ids)
        self.party = party
        self.parties.setdefault(role, party)

    def n2(self, elements: list[str]) -> None:
        if self.party is not None:
            self.party.deliver_to.extend(v.strip() for v in elements[1:3] if v.strip())

    def n3(self, elements: list[str]) -> None:
        if self.party is not None:
            self.party.street.extend(v.strip() for v in elements[1:3] if v.strip())

    def n4(self, elements: list[str]) -> None:
        party = self.party
        if party is None:
            return
        values = [v.strip() for v in elements[1:5]] + [""] * (5 - len(elements))
        party.city, party.region, party.postal = values[0], values[1], values[2]
        country = values[3].upper()
        party.country = country if len(country) == 2 and country.isalpha() else ""

    def po1(self, elements: list[str]) -> None:
        self.section = "detail"
        self.party = None
        size = len(elements)
        number = elements[1].strip() if size > 1 else ""
        numeric = is_digits(number) and len(number) <= _LINE_NUMBER_DIGITS
        line_number = int(number) if numeric and int(number) > 0 else len(self.lines) + 1
        try:
            quantity = parse_real(elements[2]) if size > 2 else None
            price = parse_real(elements[4]) if size > 4 else None
        except X12ValueError:  # slow path: let `real` say which element, with its position
            self.real(elements, 2)
            self.real(elements, 4)
            raise
        if quantity is None:
            raise self.fail(
                "PO102 (quantity ordered) is required",
                2,
                element_code=ElementErrorCode.MANDATORY_MISSING,
            )
        unit = elements[3].strip() if size > 3 else ""
        if not unit:
            raise self.fail(
                "PO103 (unit of measure) is required",
                3,
                element_code=ElementErrorCode.MANDATORY_MISSING,
            )
        if unit in self.rules.whole_units and quantity != quantity.to_integral_value():
            raise self.fail(
                f"PO102: {elements[2].strip()} is not a whole number of {unit} (PO103), "
                "which counts whole items",
                2,
                element_code=ElementErrorCode.INVALID_CHARACTER,
                bad_value=elements[2].strip(),
            )
        ids: dict[str, str] = {}
        for qualifier, value in zip(elements[6::2], elements[7::2], strict=False):
            if value and qualifier and qualifier not in ids and not value.isspace():
                ids[qualifier] = value
        supplier = buyer = None
        for qualifier in self.supplier_qualifiers:
            if qualifier in ids:
                supplier = ids.pop(qualifier)
                break
        for qualifier in self.buyer_qualifiers:
            if qualifier in ids:
                buyer = ids.pop(qualifier)
                break
        extensions = {"product_id." + q: value for q, value in ids.items()}
        if number and not numeric:
            extensions["PO101"] = number
        self.line = line = {
            "line_number": line_number,
            "quantity": quantity,
            "unit_of_measure": unit,
            "unit_price": price,
            "supplier_part_id": supplier,
            "buyer_part_id": buyer,
            "description": None,
            "comments": None,
            "classifications": [],
            "extensions": extensions,
        }
        self.lines.append(line)
        self.line_origins.append(self.index)

    def pid(self, elements: list[str]) -> None:
        line = self.line
        if line is not None and len(elements) > 5 and elements[1] in _FREE_FORM:
            text = elements[5].strip()
            if text:
                before = line["description"]
                line["description"] = f"{before} {text}" if before else text

    def sch(self, elements: list[str]) -> None:
        if self.line is None or len(elements) < 7:
            return
        if elements[5].strip() in self.rules.delivery_date_qualifiers:
            self.line.setdefault("requested_delivery_date", self.date(elements, 6, 7))

    def tc2(self, elements: list[str]) -> None:
        if (
            self.line is not None
            and len(elements) > 2
            and elements[1].strip()
            and elements[2].strip()
        ):
            self.line["classifications"].append(
                {"scheme": elements[1].strip(), "value": elements[2].strip()}
            )

    def ctt(self, elements: list[str]) -> None:
        self.line = None
        self.section = "summary"
        stated = elements[1].strip() if len(elements) > 1 else ""
        if is_digits(stated):
            self.stated_lines = (int(stated), self.index)

    def amt(self, elements: list[str]) -> None:
        qualifier = elements[1].strip() if len(elements) > 1 else ""
        if self.section == "summary" and qualifier in self.rules.total_qualifiers:
            if "total" not in self.header:
                self.header["total"] = self.real(elements, 2)
                self.origins["total"] = (self.index, 2)
            return
        value = elements[2].strip() if len(elements) > 2 else ""
        self.extension(self.extensions(), f"AMT.{qualifier}", value)

    # -- the order --------------------------------------------------------------------------

    def read(self) -> PurchaseOrder:
        handlers = _HANDLERS
        separator = self.ts.delimiters.element
        for index, segment in enumerate(self.ts.segments):
            elements = segment.split(separator)
            tag = elements[0]
            if self.party is not None and tag not in _N1_LOOP:
                self.party = None
            handler = handlers.get(tag)
            if handler is not None:
                self.index = index
                handler(self, elements)
        self.check_complete()
        values = self.values()
        fast = build_order(values, self.ts.segments, self.tz)
        if fast is not None:
            return fast
        try:
            return PurchaseOrder.model_validate(values)
        except ValidationError as error:
            raise self.describe(error) from None

    def check_complete(self) -> None:
        if "order_id" not in self.header:
            where = replace(
                self.ts.position(min(1, len(self.ts.segments) - 1)),
                segment_id="BEG",
                segment_index=2,
            )
            raise X12SyntaxError(
                "the 850 has no BEG segment",
                position=where,
                segment_code=SegmentErrorCode.MANDATORY_SEGMENT_MISSING,
            )
        if self.stated_lines is not None and self.stated_lines[0] != len(self.lines):
            stated, index = self.stated_lines
            raise self.fail(
                f"CTT01 says {stated} line items, the order has {len(self.lines)} PO1 segments",
                1,
                bad_value=str(stated),
                index=index,
            )

    def values(self) -> dict[str, Any]:
        header = self.header
        interchange = self.ts.interchange
        sender = _identity(interchange.sender_qualifier, interchange.sender_id)
        receiver = _identity(interchange.receiver_qualifier, interchange.receiver_id)
        buyer = self.role(self.rules.buyer_roles) or self.contact or _Party("", [])
        if buyer is not self.contact and self.contact is not None:
            buyer.email = buyer.email or self.contact.email
            buyer.phone = buyer.phone or self.contact.phone
        supplier = self.role(self.rules.supplier_roles) or _Party("", [])
        ship_to = self.role(self.rules.ship_to_roles)
        bill_to = self.role(self.rules.bill_to_roles)
        header.setdefault("currency", self.rules.default_currency)
        header.update(
            tax=self.tax,
            shipping=self.shipping,
            buyer=buyer.values(sender),
            supplier=supplier.values(receiver),
            ship_to=ship_to.values() if ship_to is not None else None,
            bill_to=bill_to.values() if bill_to is not None else None,
            comments="\n".join(self.comments) or None,
            is_test=interchange.is_test,
            lines=self.lines,
        )
        return header

    def role(self, roles: tuple[str, ...]) -> _Party | None:
        return next((self.parties[role] for role in roles if role in self.parties), None)

    def describe(self, error: ValidationError) -> X12Error:
        """The first model complaint, located at the segment and element it came from."""
        problem = error.errors()[0]
        location = problem["loc"]
        field = ".".join(str(part) for part in location)
        index, element = 0, None
        if (
            location
            and location[0] == "lines"
            and len(location) > 1
            and isinstance(location[1], int)
        ):
            index = self.line_origins[location[1]]
            element = _LINE_ELEMENTS.get(str(location[2])) if len(location) > 2 else None
        elif location and str(location[0]) in self.origins:
            index, element = self.origins[str(location[0])]
        message = f"{field}: {problem['msg']}"
        bad_value = None
        if element is not None:
            values = self.ts.elements(index)
            bad_value = values[element].strip() if element < len(values) else None
        return self.fail(
            message,
            element,
            index=index,
            element_code=ElementErrorCode.INVALID_CHARACTER if element else None,
            bad_value=bad_value,
        )


_HANDLERS: dict[str, Callable[[_OrderReader, list[str]], None]] = {
    "BEG": _OrderReader.beg,
    "CUR": _OrderReader.cur,
    "REF": _OrderReader.ref,
    "PER": _OrderReader.per,
    "DTM": _OrderReader.dtm,
    "TXI": _OrderReader.txi,
    "SAC": _OrderReader.sac,
    "MSG": _OrderReader.note,
    "NTE": _OrderReader.note,
    "N1": _OrderReader.n1,
    "N2": _OrderReader.n2,
    "N3": _OrderReader.n3,
    "N4": _OrderReader.n4,
    "PO1": _OrderReader.po1,
    "PID": _OrderReader.pid,
    "SCH": _OrderReader.sch,
    "TC2": _OrderReader.tc2,
    "CTT": _OrderReader.ctt,
    "AMT": _OrderReader.amt,
}
"""Segment tag -> what it contributes to the order; other segments are skipped."""

_LINE_ELEMENTS = {"line_number": 1, "quantity": 2, "unit_of_measure": 3, "unit_price": 4}


def _identity(qualifier: str, value: str) -> list[dict[str, str]]:
    return [{"scheme": qualifier, "value": value}] if qualifier and value else []
