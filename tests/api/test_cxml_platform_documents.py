"""Documents real platforms send that the hub used to refuse (issue 9, items 7 and 9).

SAP Ariba does not resend after a 4xx, so a DTD-valid OrderRequest is never refused for a
business rule: an amount in another currency keeps its own currency (flagged), what cannot be
taken into the canonical order is held as a dead letter with the reason (cXML 201). What the DTD
or the cXML specification makes invalid is refused 400 with a sentence naming the attribute.

The three Ariba documents are built here in the shape SAP Ariba sends them (the shared sample
set holds none of them): each is checked against the official cXML DTD first, so the test
proves "DTD-valid and not refused".
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from connectors.formats.cxml import DtdValidator
from tests.support.cxml_answers import Answer, status_of
from tests.support.cxml_builder import order_request
from tests.support.paths import CXML_DTD_DIR

ARIBA = "ariba-demo"
BILL_TO_END = "</BillTo>"
ITEM_DETAIL = (
    "<ItemDetail>\n"
    "          <UnitPrice>\n"
    '            <Money currency="USD">10.50</Money>\n'
    "          </UnitPrice>\n"
)


def _ariba(payload_id: str, order_id: str = "PO-ARIBA-1", **changes: Any) -> str:
    return order_request(
        partner=ARIBA, payload_id=payload_id, order_id=order_id, **changes
    ).decode()


def _dtd_valid(body: str) -> bytes:
    problems = DtdValidator(CXML_DTD_DIR).validate(body.encode())
    assert problems == [], problems
    return body.encode()


def _post(client: TestClient, body: bytes, partner: str = ARIBA) -> tuple[int, Answer]:
    response = client.post(f"/cxml/{partner}", content=body)
    return response.status_code, status_of(response.content)


def _only_order(client: TestClient) -> dict[str, Any]:
    [listed] = client.get("/orders", params={"partner": ARIBA}).json()
    document: dict[str, Any] = client.get(f"/orders/{listed['id']}").json()["document"]
    return document


# -- item 7: SAP Ariba OrderRequests ----------------------------------------------------------


def tax_in_eur_on_a_usd_order() -> bytes:
    """Ariba carries the buyer's VAT in the tax currency of the ship-to country."""
    tax = (
        '<Tax><Money currency="EUR">3.99</Money>'
        '<Description xml:lang="en-US">VAT 19%</Description></Tax>'
    )
    body = _ariba("ariba-tax-eur@x").replace(BILL_TO_END, BILL_TO_END + tax, 1)
    return _dtd_valid(body)


def blanket_price_in_aud() -> bytes:
    """A blanket purchase order whose BlanketItemDetail prices the item in AUD."""
    blanket = (
        "<BlanketItemDetail>"
        '<Description xml:lang="en-US">Framework agreement: demo items</Description>'
        '<MaxAmount><Money currency="AUD">5000.00</Money></MaxAmount>'
        '<UnitPrice><Money currency="AUD">15.75</Money></UnitPrice>'
        "<UnitOfMeasure>EA</UnitOfMeasure>"
        '<Classification domain="UNSPSC">44121600</Classification>'
        "</BlanketItemDetail>"
    )
    body = _ariba("ariba-blanket-aud@x").replace('type="new"', 'type="new" orderType="blanket"')
    start, end = body.index("<ItemDetail>"), body.index("</ItemDetail>") + len("</ItemDetail>")
    return _dtd_valid(body[:start] + blanket + body[end:])


def fieldglass_change_order_with_an_empty_price(supersedes: str) -> bytes:
    """SAP Fieldglass services change order routed through Ariba: UnitPrice Money is empty."""
    body = _ariba("fieldglass-change@x", change="update", version=2, supersedes=supersedes)
    body = body.replace(
        '<Money currency="USD">10.50</Money>', '<Money currency="USD"></Money>'
    ).replace("<UserAgent>b2connect tests</UserAgent>", "<UserAgent>SAP Fieldglass</UserAgent>")
    return _dtd_valid(body)


def test_a_tax_in_another_currency_is_stored_in_its_own_currency(client: TestClient) -> None:
    assert _post(client, tax_in_eur_on_a_usd_order())[0] == 200

    order = _only_order(client)
    assert (order["currency"], order["total"]) == ("USD", "21.00")
    assert (order["tax"], order["tax_currency"]) == ("3.99", "EUR")
    [trace] = client.get("/documents", params={"payload_id": "ariba-tax-eur@x"}).json()
    assert "Tax" in trace["detail"]
    assert "EUR" in trace["detail"]


def test_a_blanket_price_in_another_currency_is_stored_in_its_own_currency(
    client: TestClient,
) -> None:
    assert _post(client, blanket_price_in_aud())[0] == 200

    order = _only_order(client)
    assert (order["currency"], order["order_type"]) == ("USD", "blanket")
    [line] = order["lines"]
    assert (line["unit_price"], line["unit_price_currency"]) == ("15.75", "AUD")


def test_a_change_order_with_an_empty_price_is_held_with_the_reason(client: TestClient) -> None:
    assert _post(client, _dtd_valid(_ariba("fieldglass-new@x", version=1)))[0] == 200

    status, answer = _post(client, fieldglass_change_order_with_an_empty_price("fieldglass-new@x"))

    assert (status, answer.code) == (200, 201), answer
    assert "UnitPrice" in answer.message
    [dead] = client.get("/dead-letters").json()
    assert dead["status"] == "open"
    assert "ItemOut[1]/ItemDetail/UnitPrice/Money is empty" in dead["error"]
    assert _only_order(client)["version"] == 1


def test_amounts_in_the_order_currency_carry_no_currency_flag(client: TestClient) -> None:
    assert _post(client, _dtd_valid(_ariba("plain@x")))[0] == 200

    order = _only_order(client)
    assert order["tax_currency"] is None
    assert order["total_currency"] is None
    assert order["lines"][0]["unit_price_currency"] is None


# -- item 9: accepted but wrong ---------------------------------------------------------------


def test_a_negative_total_is_kept_and_flagged(client: TestClient) -> None:
    """Money is free text in the DTD and negative amounts are cXML (credits, discounts), so a
    platform may send one; it is stored as sent and the log says so."""
    body = _ariba("negative@x").replace(
        '<Money currency="USD">21.00</Money>', '<Money currency="USD">-21.00</Money>'
    )

    assert _post(client, _dtd_valid(body))[0] == 200

    assert _only_order(client)["total"] == "-21.00"
    [trace] = client.get("/documents", params={"payload_id": "negative@x"}).json()
    assert "OrderRequestHeader/Total is negative" in trace["detail"]


REFUSED = {
    "orderVersion x": (
        ('type="new"', 'type="new" orderVersion="x"'),
        'OrderRequestHeader@orderVersion "x" is not a positive whole number',
    ),
    "orderVersion -1": (
        ('type="new"', 'type="new" orderVersion="-1"'),
        'OrderRequestHeader@orderVersion "-1" is not a positive whole number',
    ),
    "orderVersion 0": (
        ('type="new"', 'type="new" orderVersion="0"'),
        'OrderRequestHeader@orderVersion "0" is not a positive whole number',
    ),
    "empty timestamp": (
        ('timestamp="2025-01-14T09:15:27-08:00"', 'timestamp=""'),
        "cXML@timestamp is empty",
    ),
    "empty currency": (
        ('<Money currency="USD">10.50</Money>', '<Money currency="">10.50</Money>'),
        "ItemOut[1]/ItemDetail/UnitPrice/Money@currency is empty",
    ),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_what_the_specification_makes_invalid_is_refused_naming_the_attribute(
    client: TestClient, case: str
) -> None:
    (old, new), words = REFUSED[case]
    body = _ariba(f"refused-{len(case)}@x")
    assert old in body
    status, answer = _post(client, body.replace(old, new, 1).encode())

    assert (status, answer.code) == (400, 400), answer
    assert words in answer.message
    assert client.get("/orders").json() == []
