"""Partner differences as data: identities, syntax level, directory, code lists, qualifier choices.

A trading partner's mapping profile fills one `EdifactPartnerSettings` (pydantic, frozen, extra
keys refused); no code in this package branches on who the partner is. Code maps given in a
profile are merged over the defaults, so a profile lists only what differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from connectors.formats.edifact._syntax import (
    DEFAULT_SERVICE_CHARACTERS,
    REFUSED_SYNTAX_IDENTIFIERS,
    SUPPORTED_SYNTAX_IDENTIFIERS,
    ServiceCharacters,
)
from schemas.confirmation import ConfirmationType, LineStatus
from schemas.invoice import InvoicePurpose
from schemas.order import OrderChange

K = TypeVar("K")
V = TypeVar("V")

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=17)]
"""An EDIFACT code or qualifier (`BY`, `EN`, `137`, `AAA`)."""

Codes = tuple[Code, ...]
"""Codes in order of preference."""

Identification = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=35)
]
"""An interchange or application party id (an..35)."""


def _over(defaults: Mapping[K, V]) -> AfterValidator:
    def merge(value: dict[K, V]) -> dict[K, V]:
        return {**defaults, **value}

    return AfterValidator(merge)


class _Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


_DOCUMENT_CODES = {
    "220": "regular",
    "105": "regular",
    "221": "blanket",
    "224": "rush",
    "225": "repair",
    "226": "release",
    "227": "consignment",
}
_MESSAGE_FUNCTIONS = {
    "9": OrderChange.NEW,
    "7": OrderChange.NEW,
    "4": OrderChange.UPDATE,
    "5": OrderChange.UPDATE,
    "1": OrderChange.DELETE,
    "3": OrderChange.DELETE,
}
WHOLE_UNITS = frozenset(
    {
        "EA",  # each
        "PCE",  # piece
        "C62",  # one
        "H87",  # piece (Rec 20)
        "NAR",  # number of articles
        "NMP",  # number of packs
        "CT",  # carton
        "CS",  # case
        "BX",  # box
        "PK",  # pack
        "PA",  # packet
        "PL",  # pallet
        "PR",  # pair
        "DZN",  # dozen
        "SET",  # set
        "KT",  # kit
    }
)
"""QTY 6411 units counted in whole trade items (EANCOM: the ordered item itself by default)."""

_PARTY_SCHEMES = {"9": "GLN", "16": "DUNS", "91": "SupplierAssigned", "92": "BuyerAssigned"}
_INTERCHANGE_SCHEMES = {"14": "GLN", "1": "DUNS", "9": "GLN"}


class EdifactInboundRules(_Rules):
    """How a partner's ORDERS maps to `schemas.PurchaseOrder` (defaults read the EANCOM samples)."""

    default_currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    """Currency of an order without CUX (the trading partner agreement's currency)."""
    default_unit: Code = "EA"
    """Unit of a QTY without 6411 (EANCOM: the ordered trade item itself)."""
    whole_units: frozenset[Code] = WHOLE_UNITS
    """QTY 6411 units counted in whole items: a 6060 with a fraction of one (`0.0001` EA) is
    refused, naming QTY 6060 (CONTRL code 12). Units of measure proper (KGM, MTR, LTR...) take
    fractions."""
    document_codes: Annotated[dict[str, str], _over(_DOCUMENT_CODES)] = Field(
        default_factory=lambda: dict(_DOCUMENT_CODES)
    )
    """BGM 1001 -> canonical order type. 220 order, 105 purchase order, 221 blanket order, 224
    rush order, 225 repair order, 226 call-off order (release), 227 consignment order; a code not
    listed is not an order and is refused."""
    message_functions: Annotated[dict[str, OrderChange], _over(_MESSAGE_FUNCTIONS)] = Field(
        default_factory=lambda: dict(_MESSAGE_FUNCTIONS)
    )
    """BGM 1225 -> change: 9 original and 7 duplicate -> new (the store's idempotency decides),
    4 change and 5 replace -> update (a complete replacement), 1 cancellation and 3 deletion ->
    delete. Other codes are refused (0085 14)."""
    default_message_function: Code = "9"
    """1225 assumed when BGM has none."""
    releases: Codes = ()
    """S009 0054 releases accepted (e.g. `96A`, `01B`); empty accepts any D directory."""
    order_date_qualifiers: Codes = ("137", "4")
    """DTM 2005 codes of the order date (137 document date, 4 order date)."""
    delivery_date_qualifiers: Codes = ("2", "64", "69")
    """DTM 2005 codes of the requested delivery date, header and line (2 requested, 64
    earliest, 69 promised for); the first present wins."""
    supplier_part_types: Codes = ("SA", "VN", "EN", "SRV", "UP")
    """Item number types (7143 in LIN/PIA) giving `supplier_part_id`, first present wins: SA
    supplier's article number, then a GTIN (EN, SRV, UP) when the supplier gave none."""
    buyer_part_types: Codes = ("IN", "BP")
    """Item number types giving `buyer_part_id` (IN buyer's item number, BP buyer's part)."""
    gtin_types: Codes = ("SRV", "EN", "UP")
    """Item number types that are GTINs: also kept as `extensions["GTIN"]`."""
    buyer_roles: Codes = ("BY",)
    """NAD 3035 of the buyer."""
    supplier_roles: Codes = ("SU", "SE")
    """NAD 3035 of the supplier (us)."""
    ship_to_roles: Codes = ("DP", "ST")
    """NAD 3035 of the delivery party."""
    bill_to_roles: Codes = ("IV", "BT")
    """NAD 3035 of the invoicee."""
    party_id_schemes: Annotated[dict[str, str], _over(_PARTY_SCHEMES)] = Field(
        default_factory=lambda: dict(_PARTY_SCHEMES)
    )
    """NAD C082 3055 agency -> `Identifier.scheme` (9 GS1 GLN, 16 DUNS, 91 assigned by supplier,
    92 assigned by buyer); an unlisted agency is the scheme as sent."""
    default_party_scheme: Code = "ZZZ"
    """Scheme of a party id sent without 3055 (mutually defined)."""
    interchange_id_schemes: Annotated[dict[str, str], _over(_INTERCHANGE_SCHEMES)] = Field(
        default_factory=lambda: dict(_INTERCHANGE_SCHEMES)
    )
    """UNB 0007 qualifier -> scheme of the sender/recipient ids added to buyer and supplier."""
    quantity_qualifiers: Codes = ("21",)
    """QTY 6063 of the ordered quantity."""
    price_qualifiers: Codes = ("AAA", "AAB")
    """PRI 5125 of the unit price, first present wins (AAA net, AAB gross)."""
    total_qualifiers: Codes = ("86", "128", "79")
    """MOA 5025 of the order total (86 message total, 128 total amount, 79 line items total)."""
    tax_qualifiers: Codes = ("124", "176")
    """MOA 5025 of the header tax amount."""


_CONFIRMATION_FUNCTIONS = {
    ConfirmationType.ACCEPT: "29",
    ConfirmationType.REJECT: "27",
    ConfirmationType.DETAIL: "4",
    ConfirmationType.ALL_DETAIL: "4",
    ConfirmationType.EXCEPT: "4",
    ConfirmationType.BACKORDERED: "4",
}
_RESPONSE_TYPES = {
    ConfirmationType.ACCEPT: "AP",
    ConfirmationType.REJECT: "RE",
    ConfirmationType.DETAIL: "AC",
    ConfirmationType.ALL_DETAIL: "AC",
    ConfirmationType.EXCEPT: "AC",
    ConfirmationType.BACKORDERED: "AC",
}
_STATUS_QUANTITIES = {
    LineStatus.ACCEPT: "113",
    LineStatus.DETAIL: "113",
    LineStatus.ALL_DETAIL: "113",
    LineStatus.UNKNOWN: "113",
    LineStatus.BACKORDERED: "83",
}
_PARTY_AGENCIES = {"GLN": "9", "DUNS": "16", "SupplierAssigned": "91", "BuyerAssigned": "92"}
_INVOICE_TYPES = {
    InvoicePurpose.STANDARD: "380",
    InvoicePurpose.CREDIT_MEMO: "381",
    InvoicePurpose.LINE_LEVEL_CREDIT_MEMO: "381",
    InvoicePurpose.DEBIT_MEMO: "383",
    InvoicePurpose.LINE_LEVEL_DEBIT_MEMO: "383",
}
_TAX_TYPES = {"vat": "VAT", "gst": "GST", "sales": "LOC", "state": "STT", "federal": "FED"}
_CARRIER_AGENCIES = {"SCAC": "182"}


class EdifactOutboundRules(_Rules):
    """How canonical documents become ORDRSP, DESADV, INVOIC, INVRPT and PRICAT for a partner
    (and how our INVRPT/PRICAT readers read them back)."""

    units: dict[str, str] = Field(default_factory=dict)
    """Canonical unit -> the partner's 6411 code; unlisted units go as they are."""
    supplier_part_type: Code = "SA"
    """7143 of our part number in LIN (SA supplier's article number)."""
    buyer_part_type: Code = "IN"
    """7143 of the buyer's part number in PIA (IN buyer's item number)."""
    party_agencies: Annotated[dict[str, str], _over(_PARTY_AGENCIES)] = Field(
        default_factory=lambda: dict(_PARTY_AGENCIES)
    )
    """`Identifier.scheme` -> NAD C082 3055; an unlisted scheme that is a number is used as
    the agency, others are written without one."""
    confirmation_functions: Annotated[
        dict[ConfirmationType, str], _over(_CONFIRMATION_FUNCTIONS)
    ] = Field(default_factory=lambda: dict(_CONFIRMATION_FUNCTIONS))
    """ORDRSP BGM 1225 per confirmation type (29 accepted without amendment, 27 not accepted,
    4 change); an update confirmation writes 5 (replace) instead."""
    response_types: Annotated[dict[ConfirmationType, str], _over(_RESPONSE_TYPES)] = Field(
        default_factory=lambda: dict(_RESPONSE_TYPES)
    )
    """ORDRSP BGM 4343 per confirmation type (AP accepted, RE rejected, AC with detail/change)."""
    line_accepted_code: Code = "5"
    """ORDRSP LIN 1229 of a line accepted as ordered (5 accepted without amendment)."""
    line_rejected_code: Code = "7"
    """ORDRSP LIN 1229 of a line refused entirely (7 not accepted)."""
    line_changed_code: Code = "6"
    """ORDRSP LIN 1229 of any other line (6 accepted with amendment)."""
    status_quantities: Annotated[dict[LineStatus, str], _over(_STATUS_QUANTITIES)] = Field(
        default_factory=lambda: dict(_STATUS_QUANTITIES)
    )
    """ORDRSP QTY 6063 per line status (113 to be delivered, 83 backordered); a status not
    listed (reject by default) is not written: ordered minus confirmed is refused."""
    confirmed_delivery_qualifier: Code = "69"
    """ORDRSP DTM 2005 of a confirmed delivery date (69 promised for)."""
    despatch_date_qualifier: Code = "11"
    """DTM 2005 of the despatch (shipment) date."""
    delivery_date_qualifier: Code = "17"
    """DESADV DTM 2005 of the estimated delivery date."""
    ship_from_role: Code = "SF"
    """DESADV NAD 3035 of the ship-from party."""
    ship_to_role: Code = "DP"
    """DESADV NAD 3035 of the delivery party."""
    supplier_role: Code = "SU"
    """INVOIC NAD 3035 of the supplier."""
    bill_to_role: Code = "IV"
    """INVOIC NAD 3035 of the invoicee."""
    remit_to_role: Code = "PE"
    """INVOIC NAD 3035 of the payee."""
    carrier_agencies: Annotated[dict[str, str], _over(_CARRIER_AGENCIES)] = Field(
        default_factory=lambda: dict(_CARRIER_AGENCIES)
    )
    """Carrier `Identifier.scheme` -> TDT C040 3055 (182 = SCAC); other carriers go by name."""
    tracking_qualifier: Code = "CN"
    """DESADV RFF 1153 of a tracking number (CN carrier's reference)."""
    sscc_qualifier: Code = "BJ"
    """DESADV GIN 7405 of an SSCC-18 package id (BJ serial shipping container code)."""
    package_qualifier: Code = "ML"
    """DESADV GIN 7405 of another package id (ML marking/label number)."""
    package_type: Code = "CT"
    """DESADV PAC 7065 package type (CT carton)."""
    invoice_types: Annotated[dict[InvoicePurpose, str], _over(_INVOICE_TYPES)] = Field(
        default_factory=lambda: dict(_INVOICE_TYPES)
    )
    """INVOIC BGM 1001 per purpose (380 invoice, 381 credit note, 383 debit note)."""
    tax_types: Annotated[dict[str, str], _over(_TAX_TYPES)] = Field(
        default_factory=lambda: dict(_TAX_TYPES)
    )
    """Canonical tax category (lower case) -> TAX 5153; unlisted use `default_tax_type`."""
    default_tax_type: Code = "OTH"
    """TAX 5153 of an unlisted category."""
    shipping_charge_code: Code = "FC"
    """INVOIC ALC 7161 of shipping (FC freight charge)."""
    discount_code: Code = "DI"
    """INVOIC ALC 7161 of a discount (DI discount)."""
    previous_invoice_qualifier: Code = "OI"
    """INVOIC RFF 1153 of the invoice a cancellation cancels (OI previous invoice number)."""
    send_comments: bool = True
    """Write comments as FTX (AAI general information)."""
    sku_type: Code = "SK"
    """INVRPT/PRICAT PIA 7143 of our SKU (SK stock keeping unit, as in the 7023 list; agree it
    with the partner, the UN 7143 lists name no SKU type)."""
    gtin_type: Code = "EN"
    """PRICAT LIN C212 7143 of the item's GTIN (EN; EANCOM partners use SRV)."""
    stock_location_qualifier: Code = "18"
    """INVRPT LOC 3227 of a stock location (a warehouse)."""
    on_hand_qualifier: Code = "145"
    """INVRPT QTY 6063 of the quantity on hand (145 actual stock)."""
    available_qualifier: Code = "198"
    """INVRPT QTY 6063 of the quantity available (as agreed with the partner)."""
    catalog_full_function: Code = "9"
    """PRICAT BGM 1225 of a complete catalogue (9 original); a changes-only one writes
    `catalog_change_function`."""
    catalog_change_function: Code = "4"
    """PRICAT BGM 1225 of a catalogue that carries changes only (4 change)."""
    catalog_name_qualifier: Code = "ZZZ"
    """PRICAT FTX 4451 of the catalogue's name (ZZZ mutually defined)."""
    item_added_code: Code = "1"
    """PRICAT LIN 1229 of an item in a complete catalogue (1 added)."""
    item_changed_code: Code = "3"
    """PRICAT LIN 1229 of an upserted item in a changes-only catalogue (3 changed)."""
    item_deleted_code: Code = "2"
    """PRICAT LIN 1229 of a withdrawn item (2 deleted)."""
    item_unit_qualifier: Code = "59"
    """PRICAT QTY 6063 stating the unit the item is sold in (`59:1:<unit>`), so a withdrawn
    item without prices keeps its unit."""
    price_qualifier: Code = "AAA"
    """PRICAT PRI 5125 of a tier's price (AAA calculation net)."""
    tier_quantity_qualifier: Code = "53"
    """PRICAT QTY 6063 after a PRI: the tier's beginning quantity (53 minimum order quantity)."""
    price_valid_from_qualifier: Code = "194"
    """PRICAT DTM 2005 of a tier's first day (194 start date)."""
    price_valid_to_qualifier: Code = "206"
    """PRICAT DTM 2005 of a tier's last day (206 end date)."""


class EdifactPartnerSettings(_Rules):
    """Everything partner-specific the EDIFACT builders and the ORDERS reader need."""

    our_id: Identification
    """Our UNB S002 0004."""
    our_qualifier: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4)] = ""
    """Our S002 0007 (14 = GLN, ZZZ mutually defined); empty writes none."""
    partner_id: Identification
    """The partner's UNB S003 0010."""
    partner_qualifier: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4)] = ""
    """The partner's S003 0007."""
    our_application_id: Identification | None = None
    """Our UNG S006 0040; `our_id` when not set."""
    partner_application_id: Identification | None = None
    """The partner's UNG S007 0044; `partner_id` when not set."""
    syntax_identifier: str = "UNOC"
    """UNB S001 0001 of what we send (UNOA, UNOB, UNOC, ... UNOW)."""
    syntax_version: Literal["1", "2", "3", "4"] = "3"
    """UNB S001 0002."""
    directory: Literal["D96A", "D01B"] = "D96A"
    """Directory of the messages we send: UNH S009 0052/0054 `D:96A` or `D:01B`."""
    association_codes: dict[str, str] = Field(default_factory=dict)
    """UNH S009 0057 per message type, e.g. `{"ORDRSP": "EAN005", "CONTRL": "EAN004"}` for an
    EANCOM partner; a type not listed gets none."""
    service_characters: ServiceCharacters = DEFAULT_SERVICE_CHARACTERS
    """Separators, decimal mark and release character we write (and the line break after `'`)."""
    send_una: bool = True
    """Write a UNA (needed whenever the service characters differ from the defaults)."""
    use_groups: bool = False
    """Wrap messages in UNG/UNE functional groups (one per message type)."""
    test: bool = False
    """UNB 0035 = 1: the partner treats our interchanges as tests."""
    acknowledgement_request: bool = False
    """UNB 0031 = 1: ask the partner for a CONTRL."""
    application_reference: Annotated[str, StringConstraints(max_length=14)] | None = None
    """UNB 0026 (some networks want the message type here)."""
    agreement_id: Annotated[str, StringConstraints(max_length=35)] | None = None
    """UNB 0032 interchange agreement identifier."""
    priority: Annotated[str, StringConstraints(max_length=1)] | None = None
    """UNB 0029 processing priority code (A = highest)."""
    charset_policy: Literal["refuse", "transliterate"] = "refuse"
    """A value outside the syntax level's repertoire: refuse it (`EdifactEncodeError` naming the
    field), or transliterate first (`Müller` -> `MULLER` in UNOA) and refuse what is left."""
    inbound: EdifactInboundRules = Field(default_factory=EdifactInboundRules)
    """ORDERS reading rules."""
    outbound: EdifactOutboundRules = Field(default_factory=EdifactOutboundRules)
    """ORDRSP/DESADV/INVOIC/INVRPT/PRICAT writing rules."""

    @field_validator("syntax_identifier")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value in REFUSED_SYNTAX_IDENTIFIERS or value not in SUPPORTED_SYNTAX_IDENTIFIERS:
            known = ", ".join(sorted(SUPPORTED_SYNTAX_IDENTIFIERS))
            msg = f"syntax identifier {value!r} cannot be written (known: {known})"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EdifactPartnerSettings:
        plain = replace(self.service_characters, suffix="")
        if not self.send_una and plain != DEFAULT_SERVICE_CHARACTERS:
            msg = "service characters other than the defaults :+.? ' need send_una=True"
            raise ValueError(msg)
        return self

    @property
    def version(self) -> str:
        """UNH S009 0052 of what we send (`D`)."""
        return self.directory[0]

    @property
    def release(self) -> str:
        """UNH S009 0054 of what we send (`96A`, `01B`)."""
        return self.directory[1:]
