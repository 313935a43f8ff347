"""Turkish numbers in the ten-digit national form the carriers require."""

from __future__ import annotations

import pytest

from connectors.core.phone import turkish_national_number


@pytest.mark.parametrize(
    ("given", "national"),
    [
        ("05551234567", "5551234567"),
        ("0555 123 45 67", "5551234567"),
        ("+90 (555) 123-45-67", "5551234567"),
        ("905551234567", "5551234567"),
        ("5551234567", "5551234567"),
        ("+49 30 1234567", "49301234567"),  # not Turkish: digits only, the carrier judges
        ("12", "12"),
    ],
)
def test_turkish_national_number(given: str, national: str) -> None:
    assert turkish_national_number(given) == national
