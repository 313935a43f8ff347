"""A package marked as an SSCC must be one: 18 digits with a valid GS1 check digit (issue 9).

Retailers scan the SSCC-18 on each carton label against the ship notice; a wrong number makes
every carton unreceivable, so the API refuses it (422 problem+json naming the field) before a
document is issued, and nothing is queued for the partner.
"""

from __future__ import annotations

import pytest

from tests.outbound.conftest import Buyer

SHIPPING = {
    "delivery_date": "2026-12-01T12:00:00+00:00",
    "carrier": {"scac": "UPSN"},
    "tracking_numbers": ["1Z999AA10123456784"],
}


@pytest.mark.parametrize(
    ("package_id", "expected"),
    [
        ("12345", "18 digits"),
        ("00012345000000001X", "18 digits"),
        ("000123450000000017", "check digit"),
    ],
)
def test_an_invalid_sscc_is_refused_with_a_sentence_and_nothing_is_issued(
    buyer: Buyer, package_id: str, expected: str
) -> None:
    order = buyer.order("coupa-demo", "PO-SSCC-1")
    answer = buyer.api.post(
        f"/orders/{order}/shipments",
        json={**SHIPPING, "packages": [{"package_id": package_id, "is_sscc": True}]},
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["status"] == 422
    assert "package_id" in problem["detail"]
    assert package_id in problem["detail"]
    assert expected in problem["detail"]
    fulfilment = buyer.api.get(f"/orders/{order}/fulfilment").json()
    assert [line["shipped"] for line in fulfilment["lines"]] == ["0", "0"]
    assert buyer.api.get("/outbox").json() == []


def test_a_valid_sscc_and_a_plain_package_label_are_taken(buyer: Buyer) -> None:
    order = buyer.order("coupa-demo", "PO-SSCC-2")
    shipped = buyer.act(
        order,
        "shipments",
        {
            **SHIPPING,
            "packages": [
                {"package_id": "000123450000000010", "is_sscc": True},
                {"package_id": "12345"},
            ],
        },
    )
    assert [p["package_id"] for p in shipped["document"]["packages"]] == [
        "000123450000000010",
        "12345",
    ]
