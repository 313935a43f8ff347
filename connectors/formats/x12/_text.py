"""ASCII-only character checks, and element text made safe to keep.

`str.isdigit()` is true for `²` or `٣`, which `int()` and `Decimal()` refuse or read as other
digits; X12 numbers are ASCII digits, and hostile input must not turn into an exception.

The reader decodes with `surrogateescape`, so a byte the partner's encoding cannot decode stays
in the text as a lone surrogate (and goes back out as the same byte in our answers). Such text
cannot be stored in a database column or validated as a string: `readable` spells it out.
"""

from __future__ import annotations


def is_digits(text: str) -> bool:
    """True for a non-empty string of ASCII digits 0-9."""
    return text.isascii() and text.isdigit()


def readable(text: str) -> str:
    """`text` with undecodable bytes and control characters written as `\\xNN` escapes.

    For references, keys and messages built from element values: what a store, a log and a
    person can take. Printable text comes back unchanged (the common case costs one check).
    """
    if text.isprintable():
        return text
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    if char.isprintable():
        return char
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte surrogateescape kept
        return f"\\x{code - 0xDC00:02x}"
    return char.encode("unicode_escape", "backslashreplace").decode("ascii")
