"""GS1 identifiers: the SSCC-18 on a logistic label and its mod-10 check digit.

An SSCC (Serial Shipping Container Code) is 18 digits: an extension digit, the GS1 company
prefix, a serial reference, and a check digit computed over the first 17 (GS1 General
Specifications, "check digit calculation"). Receiving docks scan it and look the carton up in
the ship notice, so a number that fails the check never matches anything.
"""

from __future__ import annotations

SSCC_LENGTH = 18
"""Digits of an SSCC-18 (without the `(00)` application identifier)."""


def gs1_check_digit(digits: str) -> int:
    """The GS1 mod-10 check digit of `digits` (weights 3, 1, 3, ... from the right)."""
    if not digits.isascii() or not digits.isdigit():
        msg = f"a GS1 check digit is computed over digits, got {digits!r}"
        raise ValueError(msg)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def sscc_problem(value: str) -> str | None:
    """Why `value` is not an SSCC-18, as the end of a sentence; `None` when it is one."""
    if len(value) != SSCC_LENGTH or not value.isascii() or not value.isdigit():
        return f"is not 18 digits (got {len(value)} characters)"
    expected = gs1_check_digit(value[:-1])
    if int(value[-1]) != expected:
        return (
            f"ends in check digit {value[-1]} where the GS1 check digit of its first 17 digits "
            f"is {expected}"
        )
    return None
