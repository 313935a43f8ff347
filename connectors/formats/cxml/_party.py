"""cXML `Address` (ShipTo, BillTo), `Contact` and `Credential` lists as canonical party data.

Values are returned as plain dicts in the shape of `schemas.Party`, so the whole order is
validated by pydantic once, in one call, by the reader.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from lxml import etree

from connectors.formats.cxml._envelope import Credential
from connectors.formats.cxml._xml import attribute, child, first, full_text, index, optional, texts

_ADDRESS_ID_SCHEME = "addressID"


def party_from_credentials(credentials: Iterable[Credential]) -> dict[str, Any]:
    """A party known only by its credentials: `Identifier(scheme=domain, value=identity)` each.

    Credentials with an empty domain or identity identify nothing and are left out.
    """
    return {
        "identifiers": [
            {"scheme": credential.domain, "value": credential.identity}
            for credential in credentials
            if credential.domain and credential.identity
        ]
    }


def party_from_address(holder: etree._Element | None) -> dict[str, Any] | None:
    """The party of a `ShipTo`/`BillTo` (anything holding an `Address`), `None` when absent."""
    address = child(holder, "Address")
    if address is None:
        return None
    parts = index(address)
    address_id = attribute(address, _ADDRESS_ID_SCHEME)
    postal = first(parts, "PostalAddress")
    return {
        "name": optional(full_text(first(parts, "Name"))),
        "identifiers": [{"scheme": _ADDRESS_ID_SCHEME, "value": address_id}] if address_id else [],
        "address": None if postal is None else _postal_address(postal, address),
        "email": optional(full_text(first(parts, "Email"))),
        "phone": phone_number(first(parts, "Phone")),
    }


def party_from_contact(
    contact: etree._Element, id_references: Iterable[etree._Element] = ()
) -> dict[str, Any]:
    """The party of a `Contact` (ShipNoticeHeader, InvoicePartner...).

    `Contact@addressID` comes first as `Identifier(scheme="addressID")`, then every
    `IdReference` of the Contact and the extra `id_references` (an `InvoicePartner` holds its
    tax and account ids beside the Contact) as `Identifier(scheme=domain, value=identifier)`.
    """
    parts = index(contact)
    address_id = attribute(contact, _ADDRESS_ID_SCHEME)
    identifiers = [{"scheme": _ADDRESS_ID_SCHEME, "value": address_id}] if address_id else []
    for reference in itertools.chain(parts.get("IdReference", ()), id_references):
        scheme, value = attribute(reference, "domain"), attribute(reference, "identifier")
        if scheme and value:
            identifiers.append({"scheme": scheme, "value": value})
    postal = first(parts, "PostalAddress")
    return {
        "name": optional(full_text(first(parts, "Name"))),
        "identifiers": identifiers,
        "address": None if postal is None else _postal_address(postal, contact),
        "email": optional(full_text(first(parts, "Email"))),
        "phone": phone_number(first(parts, "Phone")),
    }


def phone_number(phone: etree._Element | None) -> str | None:
    """`Phone/TelephoneNumber` as one string: `+1 800 5551212`, then ` x12` for an extension."""
    telephone = child(phone, "TelephoneNumber")
    if telephone is None:
        return None
    number = index(telephone)
    country = full_text(first(number, "CountryCode")).lstrip("+")
    parts = [
        f"+{country}" if country else "",
        full_text(first(number, "AreaOrCityCode")),
        full_text(first(number, "Number")),
    ]
    extension = full_text(first(number, "Extension"))
    text = " ".join(part for part in parts if part)
    if extension:
        text = f"{text} x{extension}" if text else f"x{extension}"
    return text or None


def _postal_address(postal: etree._Element, address: etree._Element) -> dict[str, Any]:
    """`PostalAddress` fields; the country code falls back to `Address@isoCountryCode`."""
    parts = index(postal)
    country = attribute(first(parts, "Country"), "isoCountryCode")
    return {
        "deliver_to": texts(parts.get("DeliverTo", ())),
        "street": texts(parts.get("Street", ())),
        "city": optional(full_text(first(parts, "City"))),
        "region": optional(full_text(first(parts, "State"))),
        "postal_code": optional(full_text(first(parts, "PostalCode"))),
        "country": (country or attribute(address, "isoCountryCode")).upper() or None,
    }
