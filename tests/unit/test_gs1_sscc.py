"""GS1 check digits and the SSCC-18 rule on canonical packages."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemas.gs1 import gs1_check_digit, sscc_problem
from schemas.shipment import Package

GS1_EXAMPLE = "106141411234567897"
"""The SSCC of the GS1 General Specifications' example label."""


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        (GS1_EXAMPLE[:-1], 7),
        ("00012345000000001", 0),
        ("400638133393", 1),
        ("03600029145", 2),
        ("0", 0),
    ],
)
def test_check_digit_weights_three_from_the_right(digits: str, check: int) -> None:
    assert gs1_check_digit(digits) == check


def test_check_digit_needs_ascii_digits() -> None:
    with pytest.raises(ValueError, match="over digits"):
        gs1_check_digit("١٢٣")  # Arabic-Indic digits: str.isdigit() is True for them


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (GS1_EXAMPLE, None),
        ("12345", "is not 18 digits (got 5 characters)"),
        ("1061414112345678970", "is not 18 digits (got 19 characters)"),
        ("10614141123456789X", "is not 18 digits (got 18 characters)"),
        ("106141411234567890", "ends in check digit 0 where the GS1 check digit"),
    ],
)
def test_sscc_problem_says_what_is_wrong(value: str, problem: str | None) -> None:
    found = sscc_problem(value)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)


def test_a_package_marked_sscc_must_be_one_a_plain_label_need_not() -> None:
    assert Package(package_id=GS1_EXAMPLE, is_sscc=True).package_id == GS1_EXAMPLE
    assert Package(package_id="12345").package_id == "12345"
    with pytest.raises(ValidationError, match=r"package_id '12345' is marked is_sscc but"):
        Package(package_id="12345", is_sscc=True)
    with pytest.raises(ValidationError, match="GS1 check digit of its first 17 digits is 7"):
        Package(package_id=GS1_EXAMPLE[:-1] + "1", is_sscc=True)
