"""Shared pieces of the outbound transaction sets: units, product id pairs, N1 loops, sums.

Segments are tuples `(tag, element 1, element 2, ...)`; the envelope writer escapes values and
drops trailing empty elements, so builders write every position they mean and leave the rest
empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from connectors.formats.x12._errors import X12EncodeError
from connectors.formats.x12._settings import X12OutboundRules
from connectors.formats.x12._values import format_real
from schemas.party import Party

Segment = tuple[str, ...]
"""An outbound segment: tag, then elements."""

DEFAULT_OUTBOUND_RULES = X12OutboundRules()
"""The rules the encoders use when a partner profile gives none."""

MAX_MSG = 264
"""MSG01 length."""


def unit(rules: X12OutboundRules, code: str) -> str:
    """The partner's unit code for a canonical unit (as is when the rules do not list it)."""
    return rules.units.get(code, code)


def product_ids(pairs: Iterable[tuple[str, str | None]]) -> list[str]:
    """Qualifier/value pairs for PO1/LIN/IT1 product ids, skipping empty values."""
    elements: list[str] = []
    for qualifier, value in pairs:
        if value:
            elements.extend((qualifier, value))
    return elements


def party_segments(role: str, party: Party | None) -> list[Segment]:
    """An N1 loop (N1, N2, N3, N4, PER) for `party` in `role`; nothing for `None`."""
    if party is None:
        return []
    identifier = party.identifiers[0] if party.identifiers else None
    segments: list[Segment] = [
        (
            "N1",
            role,
            party.name or "",
            identifier.scheme if identifier else "",
            identifier.value if identifier else "",
        )
    ]
    address = party.address
    if address is not None:
        for start in range(0, len(address.deliver_to), 2):
            segments.append(("N2", *address.deliver_to[start : start + 2]))
        for start in range(0, len(address.street), 2):
            segments.append(("N3", *address.street[start : start + 2]))
        if address.city or address.region or address.postal_code or address.country:
            segments.append(
                (
                    "N4",
                    address.city or "",
                    address.region or "",
                    address.postal_code or "",
                    address.country or "",
                )
            )
    contact = [("TE", party.phone), ("EM", party.email)]
    numbers = [item for pair in contact if pair[1] for item in (pair[0], pair[1] or "")]
    if numbers:
        segments.append(("PER", "IC", "", *numbers))
    return segments


def message_segments(text: str | None) -> list[Segment]:
    """Free text as N9/MSG (one MSG per line, split at 264 characters)."""
    if not text:
        return []
    segments: list[Segment] = [("N9", "L1", "NOTES")]
    for line in text.splitlines():
        for start in range(0, max(len(line), 1), MAX_MSG):
            chunk = line[start : start + MAX_MSG].strip()
            if chunk:
                segments.append(("MSG", chunk))
    return segments


def quantity(value: Decimal) -> str:
    """An R quantity."""
    return format_real(value)


HASH_TOTAL_DIGITS = 10
"""CTT02's width (element 347, R 1/10)."""


def hash_total(values: Iterable[Decimal]) -> str:
    """CTT02, a hash total as X12 defines it (element 347): the values as written are summed
    without regard to decimal points or signs (1.5 counts 15, -0.25 counts 25), and a sum
    wider than the element loses its leftmost digits. Not the arithmetic sum: a partner's
    translator that checks the hash computes it this way."""
    total = sum(int(quantity(value).replace("-", "").replace(".", "")) for value in values)
    return str(total % 10**HASH_TOTAL_DIGITS)


def required(value: str | None, what: str) -> str:
    """A mandatory value, or an `X12EncodeError` naming it."""
    if not value:
        msg = f"{what} is required in X12 and the document has none"
        raise X12EncodeError(msg)
    return value
