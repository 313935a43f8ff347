"""Element writers shared by the outbound builders, each writing its children in DTD order.

Values go through `clean` (characters XML cannot carry become U+FFFD) and lxml escapes the
rest, so hostile text never breaks a document. Amounts are written with `format(d, "f")`
(never exponent notation), dates with `format_cxml_datetime` (ISO 8601 with offset).
Required-but-unknown parts are written empty rather than invented: a `Contact` without a name
gets `<Name xml:lang="..."/>`, a `PostalAddress` without a city an empty `City`; the readers
read empty values back as "not given".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal

from lxml import etree

from connectors.formats.cxml._datetime import format_cxml_datetime
from connectors.formats.cxml._envelope import XML_LANG
from connectors.formats.cxml._outbound import clean
from schemas import Identifier, OrderReference, Party

ADDRESS_ID = "addressID"
"""Identifier scheme of a party's address id (`Contact@addressID`)."""
_PHONE = re.compile(r"\+(\d+) (\S+) (\S+)(?: x(\S+))?")
"""The form `phone_number` reads a structured `TelephoneNumber` into: `+1 800 5551212 x12`."""


def sub(
    parent: etree._Element, tag: str, text: str | None = None, /, **attributes: str | None
) -> etree._Element:
    """A child `tag` with the given attributes (`None` ones left out) and text, cleaned.

    The attributes go to lxml as one dict (in the order given) rather than one `set` each:
    this is the builders' most frequent call, about 85 per document.
    """
    if attributes:
        attrib = {name: clean(value) for name, value in attributes.items() if value is not None}
        element = etree.SubElement(parent, tag, attrib)
    else:
        element = etree.SubElement(parent, tag)
    if text:
        element.text = clean(text)
    return element


def amount(value: Decimal) -> str:
    """A decimal as cXML wants it: plain notation, sign kept (`-50.00`, never `-5E+1`)."""
    return format(value, "f")


def date(value: datetime | None) -> str | None:
    """An aware datetime as ISO 8601 with offset; `None` stays `None` (attribute left out)."""
    return None if value is None else format_cxml_datetime(value)


def money(parent: etree._Element, tag: str, value: Decimal, currency: str) -> etree._Element:
    """`<tag><Money currency="...">value</Money></tag>`; returns `tag` for further children."""
    holder = etree.SubElement(parent, tag)
    sub(holder, "Money", amount(value), currency=currency)
    return holder


def localized(parent: etree._Element, tag: str, text: str | None, lang: str) -> etree._Element:
    """A text element with the `xml:lang` the DTD requires (`Description`, `Name`...)."""
    element = sub(parent, tag, text)
    element.set(XML_LANG, lang)
    return element


def comments(parent: etree._Element, text: str | None, lang: str) -> None:
    """One `Comments` element holding `text`, when there is any."""
    if text:
        localized(parent, "Comments", text, lang)


def extrinsics(parent: etree._Element, extensions: Mapping[str, str]) -> None:
    """One `<Extrinsic name="key">value</Extrinsic>` per extension, in dict order."""
    for name, value in extensions.items():
        sub(parent, "Extrinsic", value, name=name)


def document_reference(parent: etree._Element, payload_id: str) -> None:
    """`<DocumentReference payloadID="..."/>`: a pointer to an earlier document."""
    sub(parent, "DocumentReference", payloadID=payload_id)


def order_reference(parent: etree._Element, reference: OrderReference, what: str) -> None:
    """`OrderReference(orderID, orderDate) > DocumentReference(payloadID of the order)`.

    The DTD requires the DocumentReference and its payloadID, copied from the OrderRequest; an
    empty one would pass the DTD but point nowhere, so a reference without the order's
    payloadID is a `ValueError`.
    """
    if reference.payload_id is None:
        msg = (
            f"{what}: cXML OrderReference needs the order document's payloadID "
            f"(DocumentReference is required); order {reference.order_id!r} has none"
        )
        raise ValueError(msg)
    element = sub(
        parent, "OrderReference", orderID=reference.order_id, orderDate=date(reference.order_date)
    )
    document_reference(element, reference.payload_id)


def item_id(
    parent: etree._Element, supplier_part_id: str | None, buyer_part_id: str | None
) -> None:
    """`ItemID(SupplierPartID, BuyerPartID?)` when either id is known.

    `SupplierPartID` is required in `ItemID`; with only the buyer's part number it is written
    empty (read back as "not given").
    """
    if supplier_part_id is None and buyer_part_id is None:
        return
    element = etree.SubElement(parent, "ItemID")
    sub(element, "SupplierPartID", supplier_part_id)
    if buyer_part_id is not None:
        sub(element, "BuyerPartID", buyer_part_id)


def contact(
    parent: etree._Element, party: Party, role: str, lang: str, *, id_references: bool = True
) -> etree._Element:
    """`Contact(role, addressID) > Name, PostalAddress?, Email?, Phone?, IdReference*`.

    The first `addressID` identifier becomes `Contact@addressID`; the others become
    `IdReference(identifier, domain)` children unless `id_references` is false (an
    `InvoicePartner` carries them beside the Contact; see `other_identifiers`).
    """
    address_id = next((i.value for i in party.identifiers if i.scheme == ADDRESS_ID), None)
    element = sub(parent, "Contact", role=role, addressID=address_id)
    localized(element, "Name", party.name, lang)
    country = None
    if party.address is not None:
        address = party.address
        country = address.country
        postal = etree.SubElement(element, "PostalAddress")
        for line in address.deliver_to:
            sub(postal, "DeliverTo", line)
        for line in address.street or ("",):
            sub(postal, "Street", line)
        sub(postal, "City", address.city)
        if address.region is not None:
            sub(postal, "State", address.region)
        if address.postal_code is not None:
            sub(postal, "PostalCode", address.postal_code)
        sub(postal, "Country", country, isoCountryCode=country or "")
    if party.email is not None:
        sub(element, "Email", party.email)
    if party.phone is not None:
        _phone(element, party.phone, country)
    if id_references:
        write_id_references(element, other_identifiers(party))
    return element


def other_identifiers(party: Party) -> list[Identifier]:
    """The party's identifiers except the one written as `Contact@addressID`."""
    rest = list(party.identifiers)
    for position, identifier in enumerate(rest):
        if identifier.scheme == ADDRESS_ID:
            del rest[position]
            break
    return rest


def write_id_references(parent: etree._Element, identifiers: Iterable[Identifier]) -> None:
    """`<IdReference identifier="value" domain="scheme"/>` per identifier."""
    for identifier in identifiers:
        sub(parent, "IdReference", identifier=identifier.value, domain=identifier.scheme)


def _phone(parent: etree._Element, phone: str, country: str | None) -> None:
    """`Phone > TelephoneNumber(CountryCode, AreaOrCityCode, Number, Extension?)`.

    A number in the form the readers produce (`+1 800 5551212 x12`) is split into its parts;
    any other text goes whole into `Number` with empty codes, so it reads back unchanged.
    """
    number = etree.SubElement(etree.SubElement(parent, "Phone"), "TelephoneNumber")
    match = _PHONE.fullmatch(phone)
    if match is None:
        sub(number, "CountryCode", isoCountryCode=country or "")
        sub(number, "AreaOrCityCode")
        sub(number, "Number", phone)
        return
    sub(number, "CountryCode", match[1], isoCountryCode=country or "")
    sub(number, "AreaOrCityCode", match[2])
    sub(number, "Number", match[3])
    if match[4] is not None:
        sub(number, "Extension", match[4])
