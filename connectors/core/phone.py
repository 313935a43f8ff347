"""Telephone numbers as Turkish carriers want them."""

from __future__ import annotations


def turkish_national_number(phone: str) -> str:
    """The ten national digits of a Turkish number (`0555 123 45 67`, `+90 555 123 45 67` ->
    `5551234567`), which MNG and Aras require; any other number keeps its digits only, for the
    carrier to judge."""
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) == 12 and digits.startswith("90"):
        return digits[2:]
    if len(digits) == 11 and digits.startswith("0"):
        return digits[1:]
    return digits
