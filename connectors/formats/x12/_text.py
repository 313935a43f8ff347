"""ASCII-only character checks.

`str.isdigit()` is true for `²` or `٣`, which `int()` and `Decimal()` refuse or read as other
digits; X12 numbers are ASCII digits, and hostile input must not turn into an exception.
"""

from __future__ import annotations


def is_digits(text: str) -> bool:
    """True for a non-empty string of ASCII digits 0-9."""
    return text.isascii() and text.isdigit()
