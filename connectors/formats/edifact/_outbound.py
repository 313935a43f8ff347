"""Shared pieces of the outbound messages: numbers, dates, NAD/CTA/COM, FTX, item numbers.

Segments are tuples `(tag, element 1, element 2, ...)`, an element being a value or a tuple of
components; the writer checks and releases values and drops trailing empty elements, so
builders write every position they mean and leave the rest empty.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal

from connectors.formats.edifact._errors import EdifactEncodeError
from connectors.formats.edifact._settings import EdifactOutboundRules, EdifactPartnerSettings
from connectors.formats.edifact._values import format_dtm, format_number
from connectors.formats.edifact._writer import OutSegment
from schemas.party import Party

NAME_LENGTH = 35
"""3036 party name and 3042 street are an..35; longer names go on to the next component."""

TEXT_LENGTH = 70
"""4440 free text is an..70 in D96A (512 from D01B); lines are cut at 70 either way."""


class Numbers:
    """Numbers in the partner's decimal mark."""

    def __init__(self, settings: EdifactPartnerSettings) -> None:
        self.decimal = settings.service_characters.decimal

    def __call__(self, value: Decimal) -> str:
        return format_number(value, self.decimal)


def dtm(qualifier: str, value: datetime, tz: tzinfo, *, with_time: bool = False) -> OutSegment:
    """`DTM+qualifier:value:102` (or `:203` with the time), in the partner's zone."""
    code = "203" if with_time else "102"
    return ("DTM", (qualifier, format_dtm(value, code, tz), code))


def unit(rules: EdifactOutboundRules, code: str) -> str:
    """The partner's 6411 code for a canonical unit (as is when the rules do not list it)."""
    return rules.units.get(code, code)


def chunks(text: str, size: int) -> list[str]:
    """`text` cut into pieces of at most `size` characters (at blanks when possible)."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > size:
        cut = rest.rfind(" ", 0, size + 1)
        cut = cut if cut > 0 else size
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def free_text(qualifier: str, text: str | None) -> list[OutSegment]:
    """Comments as FTX segments: one per up to five 70-character pieces, lines kept apart."""
    if not text:
        return []
    pieces = [piece for line in text.splitlines() for piece in chunks(line, TEXT_LENGTH)]
    return [
        ("FTX", qualifier, "", "", tuple(pieces[start : start + 5]))
        for start in range(0, len(pieces), 5)
    ]


def party_segments(role: str, party: Party | None, rules: EdifactOutboundRules) -> list[OutSegment]:
    """NAD (id with its 3055 agency, name, street, city, region, postcode, country) and, for
    a phone or e-mail, CTA+IC with COM; nothing for `None`."""
    if party is None:
        return []
    identifier = party.identifiers[0] if party.identifiers else None
    party_id: tuple[str, ...] = ()
    if identifier is not None:
        agency = rules.party_agencies.get(identifier.scheme)
        if agency is None and identifier.scheme.isdigit():
            agency = identifier.scheme
        party_id = (identifier.value, "", agency or "")
    names = chunks(party.name or "", NAME_LENGTH)[:5]
    address = party.address
    street: tuple[str, ...] = ()
    city = region = postal = country = ""
    if address is not None:
        street = tuple(piece for line in address.street for piece in chunks(line, NAME_LENGTH))[:4]
        city, region = address.city or "", address.region or ""
        postal, country = address.postal_code or "", address.country or ""
    if not party_id and not names:
        msg = f"NAD {role}: a party needs an identifier or a name to be written"
        raise EdifactEncodeError(msg)
    segments: list[OutSegment] = [
        ("NAD", role, party_id, "", tuple(names), street, city, region, postal, country)
    ]
    contacts = [(party.phone, "TE"), (party.email, "EM")]
    if any(number for number, _ in contacts):
        segments.append(("CTA", "IC"))
        segments.extend(("COM", (number, channel)) for number, channel in contacts if number)
    return segments


def required(value: str | None, what: str) -> str:
    """A mandatory value, or an `EdifactEncodeError` naming it."""
    if not value:
        msg = f"{what} is required in EDIFACT and the document has none"
        raise EdifactEncodeError(msg)
    return value
