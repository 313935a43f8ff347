"""`POST /edi/x12/{partner}` with hostile or unusual interchanges (issue 9): every body is stored
raw and answered in X12, and what the 997 says is what was stored."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.x12_documents import (
    EDI_DEMO,
    EDI_DEMO_TOKEN,
    interchange,
    order_850,
    retailer_interchange,
)

AUTH = {"Authorization": f"Bearer {EDI_DEMO_TOKEN}", "Content-Type": "application/edi-x12"}


def post(client: TestClient, body: bytes) -> Any:
    return client.post("/edi/x12/edi-demo", content=body, headers=AUTH)


def orders(client: TestClient) -> set[str]:
    return {o["order_id"] for o in client.get("/orders", params={"partner": "edi-demo"}).json()}


def inbound(client: TestClient) -> list[dict[str, Any]]:
    params = {"partner": "edi-demo", "direction": "inbound"}
    return list(client.get("/documents", params=params).json())


def raw(client: TestClient, document_id: str) -> bytes:
    return bytes(client.get(f"/documents/{document_id}/raw").content)


def test_a_non_utf8_byte_in_st02_is_stored_raw_and_rejected_in_the_997(
    client: TestClient,
) -> None:
    good = order_850("RT-20", [("AC-1001", 1, "1")], control="0001")
    bad = order_850("RT-21", [("AC-1001", 1, "1")], control="00X2")
    body = retailer_interchange(good, bad, control="000000901").replace(b"00X2", b"00\xe92")
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/edi-x12")
    # The 997 echoes the partner's own bytes, so its translator can match the set.
    assert b"AK2*850*00\xe92~" in response.content
    assert b"AK5*R" in response.content
    assert b"AK9*P*2*2*1~" in response.content
    assert orders(client) == {"RT-20"}
    (logged,) = inbound(client)
    assert raw(client, logged["id"]) == body
    # The connection is fine afterwards: the next interchange is answered normally.
    after = post(client, retailer_interchange(order_850("RT-22", [("AC-1001", 1, "1")])))
    assert after.status_code == 200
    assert b"AK9*A*1*1*1~" in after.content


def test_a_non_utf8_byte_in_gs06_rejects_the_group_in_x12(client: TestClient) -> None:
    body = retailer_interchange(order_850("RT-23", [("AC-1001", 1, "1")])).replace(
        b"*1*X*004010", b"*1\xff*X*004010"
    )
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert b"AK1*PO*1\xff~" in response.content
    assert b"AK9*R*1*1*0" in response.content
    assert orders(client) == set()
    (logged,) = inbound(client)
    assert logged["outcome"] == "rejected"
    assert raw(client, logged["id"]) == body


def test_a_damaged_gs_segment_is_answered_with_a_ta1_and_logged_as_rejected(
    client: TestClient,
) -> None:
    body = retailer_interchange(order_850("RT-24", [("AC-1001", 1, "1")])).replace(
        b"GS*PO*", b"GS|PO*"
    )
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/edi-x12")
    assert b"TA1*000000101*260115*1200*R*024~" in response.content
    assert orders(client) == set()
    (logged,) = inbound(client)
    assert logged["outcome"] == "rejected"
    assert "GS|PO" in logged["detail"]


def test_ge02_differing_from_gs06_rejects_the_group_and_stores_nothing(
    client: TestClient,
) -> None:
    first = order_850("RT-25", [("AC-1001", 1, "1")], control="0001")
    second = order_850("RT-26", [("AC-1001", 2, "1")], control="0002")
    body = retailer_interchange(first, second, control="000000902")
    response = post(client, body.replace(b"GE*2*1~", b"GE*2*7~"))
    assert response.status_code == 200, response.text
    assert "AK5*A" not in response.text  # no set of a rejected group is accepted
    assert "AK9*R*2*2*0*4~" in response.text
    assert orders(client) == set()
    # The corrected resend is stored, with no dead letter.
    again = post(client, retailer_interchange(first, second, control="000000903"))
    assert "AK9*A*2*2*2~" in again.text
    assert orders(client) == {"RT-25", "RT-26"}
    assert client.get("/dead-letters").json() == []


def test_a_resent_group_after_a_fix_is_duplicates_not_conflicts(client: TestClient) -> None:
    good = order_850("RT-27", [("AC-1001", 1, "1")], control="0001")
    broken = order_850("RT-28", [("AC-1001", 1, "1")], control="0002")
    broken[-1] = "SE*99*0002"
    first = post(client, retailer_interchange(good, broken, control="000000904"))
    assert "AK9*P*2*2*1~" in first.text
    fixed = order_850("RT-28", [("AC-1001", 1, "1")], control="0002")
    again = post(client, retailer_interchange(good, fixed, control="000000905"))
    assert "AK9*A*2*2*2~" in again.text
    assert orders(client) == {"RT-27", "RT-28"}
    assert client.get("/dead-letters").json() == []
    # A different order under the same id and version is still a conflict.
    changed = order_850("RT-27", [("AC-1001", 5, "1")], control="0001")
    post(client, retailer_interchange(changed, control="000000906"))
    (letter,) = client.get("/dead-letters").json()
    assert letter["stage"] == "conflict"


def test_a_test_interchange_is_acknowledged_but_never_becomes_an_order(
    client: TestClient,
) -> None:
    sets = [order_850("RT-29", [("AC-1001", 1, "1")])]
    body = interchange(sets, control="000000907", usage="T", **EDI_DEMO)
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert "*000000001*0*T*" in response.text  # the answer is test data too
    assert "AK9*A*1*1*1~" in response.text
    assert orders(client) == set()
    assert client.get("/dead-letters").json() == []
    (logged,) = inbound(client)
    assert logged["outcome"] == "test"
    assert raw(client, logged["id"]) == body
    # The same control number in production is not a duplicate of the test.
    live = post(client, retailer_interchange(sets[0], control="000000907"))
    assert "*P*" in live.text.split("~")[0]
    assert orders(client) == {"RT-29"}


def test_an_inbound_997_naming_nothing_of_ours_is_kept_as_unmatched(client: TestClient) -> None:
    ack = ["ST*997*0001", "AK1*PR*99", "AK2*855*9999", "AK5*A", "AK9*A*1*1*1", "SE*6*0001"]
    other = ["ST*997*0002", "AK1*PR*98", "AK2*855*9998", "AK5*A", "AK9*A*1*1*1", "SE*6*0002"]
    one = interchange([ack], control="000000908", functional_id="FA", **EDI_DEMO)
    two = interchange([ack, other], control="000000909", functional_id="FA", **EDI_DEMO)
    for body in (one, two):
        assert post(client, body).status_code == 202
    logged = inbound(client)
    assert [d["outcome"] for d in logged] == ["unmatched", "unmatched"]
    assert "855 GS06 98 ST02 9998" in logged[0]["detail"]
    assert "855 GS06 99 ST02 9999" in logged[1]["detail"]


def test_po1_without_quantity_or_with_zero_rejects_only_that_set(client: TestClient) -> None:
    missing = order_850("RT-30", [("AC-1001", 1, "1")], control="0001")
    missing[7] = "PO1*1**EA*1**VN*AC-1001"
    zero = order_850("RT-31", [("AC-1001", 0, "1")], control="0002")
    fraction = order_850("RT-32", [("AC-1001", 1, "1")], control="0003")
    fraction[7] = "PO1*1*0.0001*EA*1**VN*AC-1001"
    good = order_850("RT-33", [("AC-1001", 1, "1")], control="0004")
    response = post(client, retailer_interchange(missing, zero, fraction, good))
    segments = response.text.split("~\n")
    assert segments[4:8] == ["AK2*850*0001", "AK3*PO1*8**8", "AK4*2**1", "AK5*R*5"]
    assert segments[8:12] == ["AK2*850*0002", "AK3*PO1*8**8", "AK4*2**6*0", "AK5*R*5"]
    assert segments[12:16] == ["AK2*850*0003", "AK3*PO1*8**8", "AK4*2**6*0.0001", "AK5*R*5"]
    assert "AK9*P*4*4*1~" in response.text
    assert orders(client) == {"RT-33"}


def test_a_lone_set_with_a_non_utf8_st02_is_logged_with_a_readable_reason(
    client: TestClient,
) -> None:
    body = retailer_interchange(order_850("RT-34", [("AC-1001", 1, "1")], control="0X01"))
    body = body.replace(b"0X01", b"0\xff01", 1)  # ST02 only: SE02 no longer matches
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert b"AK2*850*0\xff01~" in response.content
    (logged,) = inbound(client)
    assert logged["outcome"] == "rejected"
    assert "0\\xff01" in logged["detail"]
    assert raw(client, logged["id"]) == body


def test_a_set_repeated_in_its_group_stores_what_the_997_accepts(client: TestClient) -> None:
    """Found by fuzzing: ST..SE copied inside its group (same ST02, GE01 still 1). The copy is
    rejected (AK5 R 23), the first set is accepted and stored - the 997 used to reject both
    while the order was stored."""
    first = order_850("RT-35", [("AC-1001", 1, "1")], control="0001")
    body = retailer_interchange(first, first, control="000000910").replace(b"GE*2*", b"GE*1*")
    response = post(client, body)
    assert response.status_code == 200, response.text
    segments = response.text.split("~\n")
    assert segments[4:8] == ["AK2*850*0001", "AK5*A", "AK2*850*0001", "AK5*R*23"]
    assert "AK9*P*1*2*1*5~" in response.text
    assert orders(client) == {"RT-35"}
    # Two different orders under one ST02: the second is rejected and not stored.
    other = order_850("RT-36", [("AC-1001", 2, "1")], control="0001")
    again = post(client, retailer_interchange(other, first, control="000000911"))
    assert again.text.split("~\n")[4:8] == ["AK2*850*0001", "AK5*A", "AK2*850*0001", "AK5*R*23"]
    assert orders(client) == {"RT-35", "RT-36"}


OUR_ANSWER = b"ISA*00*          *00*          *ZZ*B2CONNECT      *ZZ*ACMERETAIL     *"
"""How every answer to the demo retailer starts: from our ids to its ids, as configured."""


def isa_field(body: bytes, element: int, value: bytes) -> bytes:
    """`body` with ISA element `element` (1-16) set to `value` at the element's fixed width."""
    fields = body[:106].split(b"*")
    fields[element] = value.ljust(len(fields[element]))
    return b"*".join(fields) + body[106:]


@pytest.mark.parametrize(
    ("element", "value", "code"),
    [
        (5, b"01", "005"),  # the partner's qualifier is ZZ
        (6, b"EVIL", "006"),
        (7, b"01", "007"),  # our qualifier is ZZ
        (8, b"OTHER", "009"),  # a receiver id that is not ours: unknown, not malformed
        (12, b"ABCDE", "017"),
        (15, b"X", "020"),  # neither production nor test: never applied as either
    ],
)
def test_a_readable_isa_that_is_wrong_is_answered_with_a_ta1_and_never_applied(
    client: TestClient, element: int, value: bytes, code: str
) -> None:
    """A partner set up for 997s gets an X12 answer for any interchange whose ISA can be read:
    a TA1 R with the TA105 code (and its groups rejected), from our ids to the partner's as
    configured - never to an ISA06 the body chose, never in an ISA12 or ISA15 we cannot read."""
    sent = retailer_interchange(order_850("RT-37", [("AC-1001", 1, "1")]), control="000000912")
    body = isa_field(sent, element, value)
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/edi-x12")
    assert response.content.startswith(OUR_ANSWER)
    assert response.content[84:106] == b"00401*000000001*0*P*>~"  # ISA12..ISA16, ours
    assert f"TA1*000000912*260115*1200*R*{code}~".encode() in response.content
    assert b"AK5*A" not in response.content
    assert orders(client) == set()
    assert client.get("/dead-letters").json() == []
    (logged,) = inbound(client)
    assert logged["outcome"] == "rejected"
    assert raw(client, logged["id"]) == body


def test_a_mailbag_keeps_its_good_interchanges_when_one_is_misaddressed(
    client: TestClient,
) -> None:
    good = retailer_interchange(order_850("RT-38", [("AC-1001", 1, "1")]), control="000000913")
    stray = retailer_interchange(order_850("RT-39", [("AC-1001", 1, "1")]), control="000000914")
    body = good + isa_field(stray, 6, b"SOMEONEELSE")
    response = post(client, body)
    assert response.status_code == 200, response.text
    first, second = (b"ISA*" + part for part in response.content.split(b"ISA*")[1:])
    assert b"AK9*A*1*1*1~" in first
    assert second.startswith(OUR_ANSWER)
    assert b"TA1*000000914*260115*1200*R*006~" in second
    assert orders(client) == {"RT-38"}
    (logged,) = inbound(client)
    assert "SOMEONEELSE" in logged["detail"]
    assert raw(client, logged["id"]) == body


def test_a_line_break_inside_a_fixed_width_isa_field_is_answered_with_a_ta1(
    client: TestClient,
) -> None:
    """Found by fuzzing: a line feed in ISA08's padding made the body unreadable (400)."""
    sent = retailer_interchange(order_850("RT-40", [("AC-1001", 1, "1")]), control="000000915")
    body = isa_field(sent, 8, b"B2CONNECT    \n")
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert response.content.startswith(OUR_ANSWER)
    assert b"TA1*000000915*260115*1200*R*008~" in response.content
    assert orders(client) == set()
    (logged,) = inbound(client)
    assert logged["outcome"] == "rejected"
    assert raw(client, logged["id"]) == body


def test_an_interchange_without_groups_is_answered_with_a_ta1(client: TestClient) -> None:
    """Found by fuzzing: an IEA right after the ISA (the group follows outside the interchange)
    got 202 and no body - no 997 to send, and no TA1 asked for. With nothing for a 997 the TA1
    is the answer (here E 021: IEA01 says one group); the stray group is recorded, not applied."""
    sent = retailer_interchange(order_850("RT-41", [("AC-1001", 1, "1")]), control="000000916")
    isa, rest = sent.split(b"~\n", 1)
    body = isa + b"~\nIEA*1*000000916~\n" + rest
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert response.content.startswith(OUR_ANSWER)
    assert b"TA1*000000916*260115*1200*E*021~" in response.content
    assert b"ST*997" not in response.content
    assert orders(client) == set()
    (logged,) = inbound(client)
    assert raw(client, logged["id"]) == body
    assert "GS*PO" in (logged["detail"] or "")
