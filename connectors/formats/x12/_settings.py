"""Partner differences as data: identities, versions, delimiters, code lists, qualifier choices.

A trading partner's mapping profile fills one `X12PartnerSettings` (pydantic, frozen, extra keys
refused); no code in this package branches on who the partner is. Code maps given in a profile
are merged over the defaults, so a profile lists only what differs.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from connectors.formats.x12._delimiters import Delimiters
from schemas.confirmation import ConfirmationType, LineStatus
from schemas.order import OrderChange

K = TypeVar("K")

Qualifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=6)]
"""An X12 qualifier or code (`ZZ`, `VN`, `CN`, `G830`, `CTN25`)."""

Codes = tuple[Qualifier, ...]
"""Qualifiers in order of preference."""


def _over(defaults: Mapping[K, str]) -> AfterValidator:
    def merge(value: dict[K, str]) -> dict[K, str]:
        return {**defaults, **value}

    return AfterValidator(merge)


_PURPOSES = {
    "00": OrderChange.NEW,
    "01": OrderChange.DELETE,
    "05": OrderChange.UPDATE,
    "07": OrderChange.NEW,
}
_ORDER_TYPES = {
    "SA": "regular",
    "NE": "regular",
    "KN": "regular",
    "RL": "release",
    "BK": "blanket",
    "DS": "dropship",
    "RO": "rush",
}
_CONFIRMATION_CODES = {
    ConfirmationType.ACCEPT: "AD",
    ConfirmationType.REJECT: "RJ",
    ConfirmationType.DETAIL: "AC",
    ConfirmationType.ALL_DETAIL: "AC",
    ConfirmationType.EXCEPT: "AE",
    ConfirmationType.BACKORDERED: "AC",
}
_LINE_STATUS_CODES = {
    LineStatus.ACCEPT: "IA",
    LineStatus.BACKORDERED: "IB",
    LineStatus.REJECT: "IR",
    LineStatus.DETAIL: "IC",
    LineStatus.ALL_DETAIL: "IC",
    LineStatus.UNKNOWN: "IH",
}
_TAX_TYPES = {"sales": "ST", "vat": "VA", "gst": "GS", "state": "ST", "federal": "FT"}


WHOLE_UNITS = frozenset(
    {
        "EA",  # each
        "PC",  # piece
        "UN",  # unit
        "CA",  # case
        "CT",  # carton
        "BX",  # box
        "PK",  # package
        "PL",  # pallet
        "PR",  # pair
        "DZ",  # dozen
        "BG",  # bag
        "BO",  # bottle
        "CN",  # can
        "KT",  # kit
        "RL",  # roll
        "SET",  # set (the canonical code list's spelling)
        "ST",  # set
    }
)
"""X12 unit codes (355) of countable items: their quantities are whole numbers."""


class _Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


def _merge_purposes(value: dict[str, OrderChange]) -> dict[str, OrderChange]:
    return {**_PURPOSES, **value}


class X12InboundRules(_Rules):
    """How a partner's 850 maps to `schemas.PurchaseOrder`."""

    default_currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "USD"
    """Currency of an order without CUR (the trading partner agreement's currency)."""
    purpose_codes: Annotated[dict[str, OrderChange], AfterValidator(_merge_purposes)] = Field(
        default_factory=lambda: dict(_PURPOSES)
    )
    """BEG01 -> change: 00 new, 01 cancellation (delete), 05 replace (update), 07 duplicate
    (new: the store's idempotency decides). Other codes are refused."""
    order_types: Annotated[dict[str, str], _over(_ORDER_TYPES)] = Field(
        default_factory=lambda: dict(_ORDER_TYPES)
    )
    """BEG02 -> canonical order type; an unlisted code is kept as sent."""
    supplier_part_qualifiers: Codes = ("VN", "VP")
    """PO1 product id qualifiers giving `supplier_part_id`, first found wins."""
    buyer_part_qualifiers: Codes = ("BP", "IN", "CB")
    """PO1 product id qualifiers giving `buyer_part_id`, first found wins."""
    buyer_roles: Codes = ("BY",)
    """N101 codes of the buyer party."""
    supplier_roles: Codes = ("SU", "VN", "SE")
    """N101 codes of the supplier party (us)."""
    ship_to_roles: Codes = ("ST",)
    """N101 codes of the ship-to party."""
    bill_to_roles: Codes = ("BT",)
    """N101 codes of the bill-to party."""
    total_qualifiers: Codes = ("TT", "1")
    """AMT01 codes (after CTT) whose amount is the order total."""
    delivery_date_qualifiers: Codes = ("002", "106")
    """DTM01 codes of the requested delivery date (header and line)."""
    shipping_charge_codes: Codes = ("G830", "D240")
    """SAC02 codes of header charges summed into `shipping`."""
    whole_units: frozenset[Qualifier] = WHOLE_UNITS
    """PO103 units counted in whole items: a PO102 with a fraction of one (`0.0001` EA) is
    refused, naming PO102. Units of measure proper (LB, KG, FT, GA...) take fractions."""


class X12OutboundRules(_Rules):
    """How canonical documents become 855, 856, 810, 846 and 832 for a partner (and how our
    846/832 readers read them back)."""

    units: dict[str, str] = Field(default_factory=dict)
    """Canonical unit (UN/ECE Rec 20) -> the partner's X12 code; unlisted units go as they are
    (the mapping engine's code lists own strict conversion)."""
    supplier_part_qualifier: Qualifier = "VN"
    """Product id qualifier for our part number."""
    buyer_part_qualifier: Qualifier = "BP"
    """Product id qualifier for the buyer's part number."""
    sku_qualifier: Qualifier = "SK"
    """Product id qualifier for our SKU (846)."""
    confirmation_codes: Annotated[dict[ConfirmationType, str], _over(_CONFIRMATION_CODES)] = Field(
        default_factory=lambda: dict(_CONFIRMATION_CODES)
    )
    """Confirmation type -> BAK02."""
    accept_without_lines_code: Qualifier = "AK"
    """BAK02 for an accept that lists no lines (acknowledge, no detail or change)."""
    line_status_codes: Annotated[dict[LineStatus, str], _over(_LINE_STATUS_CODES)] = Field(
        default_factory=lambda: dict(_LINE_STATUS_CODES)
    )
    """Line status -> ACK01."""
    send_comments: bool = False
    """855: write confirmation comments as N9/MSG (not every partner's guide allows them)."""
    packaging_code: Qualifier = "CTN25"
    """856 TD101 packaging code."""
    carrier_qualifier: Qualifier = "2"
    """856 TD502 (2 = SCAC)."""
    tracking_qualifier: Qualifier = "CN"
    """856 REF01 for tracking numbers (CN carrier reference, BM bill of lading...)."""
    sscc_qualifier: Qualifier = "GM"
    """856 MAN01 for SSCC-18 package ids."""
    package_qualifier: Qualifier = "CP"
    """856 MAN01 for other package ids."""
    shipped_date_qualifier: Qualifier = "011"
    """856 DTM01 of the shipment date."""
    delivery_date_qualifier: Qualifier = "017"
    """856 DTM01 of the (estimated) delivery date."""
    invoice_line_id: Literal["order_line", "invoice_line"] = "order_line"
    """810 IT101: the order line number (for the buyer's matching) or the invoice line number."""
    tax_types: Annotated[dict[str, str], _over(_TAX_TYPES)] = Field(
        default_factory=lambda: dict(_TAX_TYPES)
    )
    """Canonical tax category (lower case) -> TXI01; unlisted categories use `default_tax_type`."""
    default_tax_type: Qualifier = "TX"
    """TXI01 for a total tax or an unlisted category (TX = all taxes)."""
    shipping_charge_code: Qualifier = "G830"
    """810 SAC02 for shipping."""
    inventory_report_type: Qualifier = "DD"
    """846 BIA02 report type."""
    inventory_date_qualifier: Qualifier = "007"
    """846 DTM01 of the snapshot time (007 = effective)."""
    on_hand_qualifier: Qualifier = "17"
    """846 QTY01 for quantity on hand."""
    available_qualifier: Qualifier = "33"
    """846 QTY01 for quantity available."""
    location_style: Literal["REF", "N1"] = "REF"
    """846: a stock location as `REF*<qualifier>*<location>` or `N1*<entity>**<qualifier>*<id>`."""
    location_reference_qualifier: Qualifier = "WS"
    """846 REF01 of a location (WS = warehouse storage location)."""
    location_entity: Qualifier = "WH"
    """846 N101 of a location (WH = warehouse)."""
    location_id_qualifier: Qualifier = "92"
    """846 N103 of a location (92 = assigned by buyer)."""
    gtin_qualifier: Qualifier = "UP"
    """832 LIN product id qualifier for the item's GTIN (UP = UCC-12; EN for EAN-13, UK for
    GTIN-14, as the partner's guide says)."""
    catalog_purpose_code: Qualifier = "PC"
    """832 BCT01 catalog purpose code (683), as agreed with the partner."""
    catalog_replace_code: Qualifier = "05"
    """832 BCT10 of a complete catalogue, which replaces the partner's copy (05 = replace)."""
    catalog_change_code: Qualifier = "04"
    """832 BCT10 of a catalogue that carries changes only (04 = change)."""
    catalog_date_qualifier: Qualifier = "007"
    """832 header DTM01 of the moment the prices were read (007 = effective)."""
    item_delete_code: Qualifier = "002"
    """832 G5301 maintenance type written after the LIN of a withdrawn item (002 = delete)."""
    price_qualifier: Qualifier = "PBQ"
    """832 CTP02 price identifier of a tier (PBQ = unit price beginning quantity, element 236)."""
    price_valid_from_qualifier: Qualifier = "007"
    """832 DTM01 after a CTP: the first day its price applies (007 = effective)."""
    price_valid_to_qualifier: Qualifier = "036"
    """832 DTM01 after a CTP: the last day its price applies (036 = expiration)."""


IdText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=15)]


class X12PartnerSettings(_Rules):
    """Everything partner-specific the X12 builders and the 850 reader need."""

    our_qualifier: Annotated[str, StringConstraints(min_length=2, max_length=2)]
    """Our ISA05 (outbound) qualifier, e.g. `ZZ`, `01`."""
    our_id: IdText
    """Our ISA06."""
    partner_qualifier: Annotated[str, StringConstraints(min_length=2, max_length=2)]
    """The partner's ISA07 qualifier."""
    partner_id: IdText
    """The partner's ISA08."""
    our_application_id: IdText | None = None
    """Our GS02; `our_id` when not set."""
    partner_application_id: IdText | None = None
    """The partner's GS03; `partner_id` when not set."""
    interchange_version: Annotated[str, StringConstraints(pattern=r"^\d{5}$")] = "00401"
    """ISA12 of what we send: `00401`, `00501`..."""
    release: Annotated[str, StringConstraints(min_length=1, max_length=12)] = "004010"
    """GS08 of what we send: `004010`, `004010VICS`, `005010`..."""
    usage: Literal["P", "T"] = "P"
    """ISA15: production or test."""
    request_acknowledgment: bool = False
    """ISA14: ask the partner for a TA1."""
    authorization_qualifier: Annotated[str, StringConstraints(min_length=2, max_length=2)] = "00"
    """ISA01."""
    authorization: Annotated[str, StringConstraints(max_length=10)] = ""
    """ISA02."""
    security_qualifier: Annotated[str, StringConstraints(min_length=2, max_length=2)] = "00"
    """ISA03."""
    security: Annotated[str, StringConstraints(max_length=10)] = ""
    """ISA04."""
    delimiters: Delimiters = Field(default_factory=lambda: Delimiters(repetition="^"))
    """Separators we write; the repetition separator is only written from version 00402 on."""
    encoding: str = "utf-8"
    """Character encoding of what we send (`ascii` makes a non-ASCII value an error)."""
    replacement: Annotated[str, StringConstraints(min_length=1, max_length=1)] | None = " "
    """Written instead of a delimiter character found in data; `None` refuses such data."""
    uppercase: bool = False
    """Upper-case every value we write (for partners on the X12 basic character set)."""
    inbound: X12InboundRules = Field(default_factory=X12InboundRules)
    """850 reading rules."""
    outbound: X12OutboundRules = Field(default_factory=X12OutboundRules)
    """855/856/810/846/832 writing rules."""

    @model_validator(mode="after")
    def _consistent(self) -> X12PartnerSettings:
        codecs.lookup(self.encoding)
        delimiters = self.delimiters
        used = {delimiters.element, delimiters.component, delimiters.segment}
        if self.replacement is not None and self.replacement in used:
            msg = f"the replacement character {self.replacement!r} is itself a delimiter"
            raise ValueError(msg)
        identities = (self.our_id, self.partner_id, self.authorization, self.security)
        for value in identities:
            if used & set(value):
                msg = f"{value!r} contains a delimiter character"
                raise ValueError(msg)
        return self

    @property
    def gs_sender(self) -> str:
        """GS02 we write."""
        return self.our_application_id or self.our_id

    @property
    def gs_receiver(self) -> str:
        """GS03 we write."""
        return self.partner_application_id or self.partner_id
