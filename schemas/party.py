"""Parties and addresses: who buys, who sells, where goods go and where bills go."""

from __future__ import annotations

from schemas._base import CanonicalModel
from schemas.types import CountryCode, Identifier


class PostalAddress(CanonicalModel):
    """A postal address as printed on a label; street lines kept in order."""

    deliver_to: tuple[str, ...] = ()
    """Attention lines (person, mail stop) printed above the street."""
    street: tuple[str, ...] = ()
    """Street lines in order."""
    city: str | None = None
    """City or town."""
    region: str | None = None
    """State, province or region code or name."""
    postal_code: str | None = None
    """Postal or ZIP code."""
    country: CountryCode | None = None
    """ISO 3166-1 alpha-2 country code."""


class Party(CanonicalModel):
    """A buyer, supplier, ship-to or bill-to party."""

    name: str | None = None
    """Display name of the party or location."""
    identifiers: tuple[Identifier, ...] = ()
    """Identifiers of the party (credentials, DUNS, address ids), most specific first."""
    address: PostalAddress | None = None
    """Postal address, when the document carries one."""
    email: str | None = None
    """Contact e-mail address."""
    phone: str | None = None
    """Contact telephone number, formatted as received."""
