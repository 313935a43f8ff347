"""`POST /edi/x12/{partner}`: 850s become orders, every interchange gets its 997, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from connectors.formats.x12 import GroupEnd, TransactionSet, read_x12
from tests.support.x12_documents import EDI_DEMO_TOKEN, order_850, retailer_interchange

AUTH = {"Authorization": f"Bearer {EDI_DEMO_TOKEN}", "Content-Type": "application/edi-x12"}


def post(client: TestClient, body: bytes, headers: dict[str, str] = AUTH) -> Any:
    return client.post("/edi/x12/edi-demo", content=body, headers=headers)


def _ack_sets(data: bytes) -> list[TransactionSet]:
    return [e for e in read_x12(data) if isinstance(e, TransactionSet)]


def test_an_850_becomes_an_order_and_gets_a_997(client: TestClient) -> None:
    body = retailer_interchange(
        order_850("RT-1", [("AC-1001", 10, "4.50"), ("AC-1002", 3, "1.20")])
    )
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/edi-x12")
    text = response.text
    assert text.startswith("ISA*")
    assert "*ZZ*B2CONNECT      *ZZ*ACMERETAIL     *" in text  # from us, to them
    assert "*000000001*0*P*" in text  # our first interchange control number, ours not theirs
    assert "AK1*PO*1~" in text
    assert "AK2*850*0001~" in text
    assert "AK5*A~" in text
    assert "AK9*A*1*1*1~" in text
    assert "*X*004010~" in text  # GS08 echoes the inbound version
    (ack,) = _ack_sets(response.content)
    assert ack.set_id == "997"

    (order,) = client.get("/orders", params={"partner": "edi-demo"}).json()
    assert order["order_id"] == "RT-1"
    detail = client.get(f"/orders/{order['id']}").json()
    lines = detail["document"]["lines"]
    assert [(line["sku"], line["quantity"]) for line in lines] == [
        ("B2C-1001", "10"),
        ("B2C-1002", "3"),
    ]


def test_control_numbers_advance_and_a_repeat_gets_the_original_997(client: TestClient) -> None:
    first = post(client, retailer_interchange(order_850("RT-2", [("AC-1001", 1, "1")])))
    second = post(
        client,
        retailer_interchange(order_850("RT-3", [("AC-1001", 1, "1")]), control="000000102"),
    )
    assert "*000000001*0*P*" in first.text
    assert "*000000002*0*P*" in second.text
    again = post(client, retailer_interchange(order_850("RT-2", [("AC-1001", 1, "1")])))
    assert again.status_code == 200
    assert again.content == first.content  # the original answer, byte for byte
    assert len(client.get("/orders", params={"partner": "edi-demo"}).json()) == 2
    logged = client.get("/documents", params={"partner": "edi-demo", "kind": "interchange"}).json()
    assert [d["outcome"] for d in logged] == ["duplicate", "processed", "processed"]


def test_a_broken_interchange_in_a_mailbag_does_not_stop_the_good_ones(client: TestClient) -> None:
    good_1 = retailer_interchange(order_850("RT-4", [("AC-1001", 1, "1")]), control="000000201")
    good_2 = retailer_interchange(order_850("RT-5", [("AC-1002", 2, "1")]), control="000000203")
    broken = b"ISA*00*garbage that is not an ISA~GS*PO~"
    response = post(client, good_1 + broken + good_2)
    assert response.status_code == 200, response.text
    acks = [e for e in read_x12(response.content) if isinstance(e, GroupEnd)]
    assert len(acks) == 2
    orders = {o["order_id"] for o in client.get("/orders", params={"partner": "edi-demo"}).json()}
    assert orders == {"RT-4", "RT-5"}
    (logged,) = client.get(
        "/documents", params={"partner": "edi-demo", "kind": "interchange"}
    ).json()
    assert logged["detail"]  # the broken part is recorded with its position


def test_a_set_with_a_wrong_segment_count_is_rejected_in_the_997(client: TestClient) -> None:
    bad = order_850("RT-6", [("AC-1001", 1, "1")])
    bad[-1] = "SE*99*0001"
    response = post(client, retailer_interchange(bad))
    assert response.status_code == 200
    assert "AK5*R*4~" in response.text  # 4: number of included segments does not match
    assert "AK9*R*1*1*0~" in response.text
    assert client.get("/orders", params={"partner": "edi-demo"}).json() == []


def test_business_problems_are_held_not_rejected(client: TestClient) -> None:
    unknown_part = order_850("RT-7", [("AC-9999", 1, "1")], control="0001")
    change_first = order_850("RT-8", [("AC-1001", 1, "1")], purpose="05", control="0002")
    response = post(client, retailer_interchange(unknown_part, change_first))
    assert "AK9*A*2*2*2~" in response.text  # both syntactically fine: accepted
    letters = client.get("/dead-letters").json()
    assert sorted(letter["stage"] for letter in letters) == ["mapping", "sequence"]
    assert any("AC-9999" in letter["error"] for letter in letters)
    assert client.get("/orders", params={"partner": "edi-demo"}).json() == []


def test_wrong_token_or_partner_is_401_problem_json(client: TestClient) -> None:
    body = retailer_interchange(order_850("RT-9", [("AC-1001", 1, "1")]))
    for headers in ({"Authorization": "Bearer nope"}, {}):
        response = post(client, body, headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert "edi-demo-token" not in response.text
    assert client.post("/edi/x12/coupa-demo", content=body, headers=AUTH).status_code == 401
    assert client.get("/orders", params={"partner": "edi-demo"}).json() == []
    refused = client.get(
        "/documents", params={"partner": "edi-demo", "direction": "inbound"}
    ).json()
    assert {d["outcome"] for d in refused} == {"rejected"}


def test_no_interchange_is_400_problem_json(client: TestClient) -> None:
    response = post(client, b"this is not X12 at all")
    assert response.status_code == 400
    assert response.json()["title"] == "No readable X12 interchange"


def test_an_interchange_for_someone_else_is_rejected_in_a_ta1_and_not_processed(
    client: TestClient,
) -> None:
    body = retailer_interchange(order_850("RT-10", [("AC-1001", 1, "1")])).replace(
        b"B2CONNECT      ", b"SOMEONEELSE    "
    )
    response = post(client, body)
    assert response.status_code == 200
    assert b"TA1*000000101*260115*1200*R*009~" in response.content  # unknown receiver id
    assert client.get("/orders", params={"partner": "edi-demo"}).json() == []
    (logged,) = client.get(
        "/documents", params={"partner": "edi-demo", "direction": "inbound"}
    ).json()
    assert logged["outcome"] == "rejected"
    assert "ISA08 'SOMEONEELSE' is not our id ('B2CONNECT')" in logged["detail"]


def test_a_held_850_is_replayed_after_the_mapping_fix(
    client: TestClient, mappings_dir: Path
) -> None:
    good = order_850("RT-11", [("AC-1001", 1, "1")], control="0001")
    unknown = order_850("RT-12", [("AC-7777", 4, "2.50")], control="0002")
    post(client, retailer_interchange(good, unknown, control="000000301"))
    (letter,) = client.get("/dead-letters").json()
    assert letter["error"].startswith("850 000000301/1/0002 (ISA13/GS06/ST02): ")
    failed = client.post(f"/dead-letters/{letter['id']}/replay")
    assert failed.status_code == 409
    (still,) = client.get("/dead-letters", params={"status": "open"}).json()
    assert still["error"].startswith("850 000000301/1/0002 (ISA13/GS06/ST02): ")

    xref = mappings_dir / "partners" / "edi-demo" / "part_xref.csv"
    xref.write_text(xref.read_text() + 'AC-7777,B2C-1007,"Toner"\n')
    replayed = client.post(f"/dead-letters/{letter['id']}/replay")
    assert replayed.status_code == 200, replayed.text
    orders = {o["order_id"] for o in client.get("/orders", params={"partner": "edi-demo"}).json()}
    assert orders == {"RT-11", "RT-12"}
