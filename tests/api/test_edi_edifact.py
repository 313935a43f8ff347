"""`POST /edi/edifact/{partner}`: ORDERS become orders, every interchange gets its CONTRL,
once; one bad message never takes the good ones with it. The connector came in through its
entry point and the `edifact-demo` profile only."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydifact.segmentcollection import Interchange

from connectors.core.inbound import InboundRequest
from connectors.edifact_partner import EDIFACT_INGRESS
from connectors.formats.edifact import InterchangeEnd, Message, read_contrl, read_edifact
from connectors.testing.fake_edifact_partner import FakeEdifactPartner
from gateway_api.demo.platforms import point_profile_at
from gateway_api.runtime import Runtime
from gateway_api.services.jobs import dispatch_outbox, poll_partner_file_drops
from tests.support.edifact_documents import (
    EDIFACT_DEMO_TOKEN,
    orders_message,
    retailer_interchange,
)
from tests.support.paths import REPO_ROOT

AUTH = {"Authorization": f"Bearer {EDIFACT_DEMO_TOKEN}", "Content-Type": "application/edifact"}
SAMPLES = REPO_ROOT.parent / "shared" / "samples" / "edifact"
B2CONNECT = str(Path(sys.executable).parent / "b2connect")


def post(client: TestClient, body: bytes, headers: dict[str, str] = AUTH) -> Any:
    return client.post("/edi/edifact/edifact-demo", content=body, headers=headers)


def contrl_of(data: bytes) -> Any:
    [message] = [e for e in read_edifact(data) if isinstance(e, Message)]
    assert message.message_type == "CONTRL"
    return read_contrl(message)


def order_ids(client: TestClient) -> list[str]:
    orders = client.get("/orders", params={"partner": "edifact-demo"}).json()
    return sorted(o["order_id"] for o in orders)


def test_an_orders_becomes_an_order_and_gets_a_contrl(client: TestClient) -> None:
    body = retailer_interchange(orders_message("EO-1", [("ED-1001", "12", "10.50")]))
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/edifact")
    report = contrl_of(response.content)
    assert (report.interchange_reference, report.action.value) == ("4711", "7")
    assert b"UNB+UNOC:3+5400110000009:14+5412345000013:14" in response.content  # from us
    [order] = client.get("/orders", params={"partner": "edifact-demo"}).json()
    detail = client.get(f"/orders/{order['id']}").json()
    [line] = detail["document"]["lines"]
    assert (line["sku"], line["quantity"]) == ("B2C-1001", "12")


def test_two_good_messages_are_stored_and_the_bad_one_is_rejected_in_the_contrl(
    client: TestClient,
) -> None:
    bad = orders_message("EO-BAD", [("ED-1001", "lots", "1.00")], reference="2")
    body = retailer_interchange(
        orders_message("EO-G1", [("ED-1001", "1", "1.00")], reference="1"),
        bad,
        orders_message("EO-G2", [("ED-1002", "3", "2.25")], reference="3"),
        control="5001",
    )
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert order_ids(client) == ["EO-G1", "EO-G2"]
    report = contrl_of(response.content)
    assert report.action.value == "7"  # the interchange is acknowledged...
    [rejected] = report.all_messages()  # ...and the one bad message rejected, with where
    assert (rejected.reference, rejected.action.value) == ("2", "4")
    [segment] = rejected.segments
    assert segment.position == 9  # QTY: UNH=1, BGM, DTM, NAD, NAD, CUX, LIN, PIA, QTY
    assert client.get("/dead-letters").json() == []  # the CONTRL told the sender


def test_a_fraction_of_a_countable_unit_is_rejected_naming_qty_6060(client: TestClient) -> None:
    fraction = orders_message("EO-FR", [("ED-1001", "0.0001", "1.00")], reference="2")
    weighed = orders_message("EO-KG", [("ED-1001", "2.5", "1.00")], reference="3")
    weighed[8] = "QTY+21:2.5:KGM"  # a unit of measure proper takes fractions
    body = retailer_interchange(
        orders_message("EO-WH", [("ED-1001", "2", "1.00")]), fraction, weighed, control="5003"
    )
    report = contrl_of(post(client, body).content)
    [rejected] = report.all_messages()
    assert (rejected.reference, rejected.action.value) == ("2", "4")
    [segment] = rejected.segments
    assert segment.position == 9  # the QTY
    [element] = segment.elements
    assert (element.code, element.element.position, element.element.component) == ("12", 2, 2)
    assert order_ids(client) == ["EO-KG", "EO-WH"]


def test_a_test_interchange_is_acknowledged_but_never_becomes_an_order(
    client: TestClient,
) -> None:
    message = orders_message("EO-T1", [("ED-1001", "1", "1.00")])
    body = retailer_interchange(message, control="5004").replace(b"++++1'", b"++++1++1'")
    response = post(client, body)
    assert response.status_code == 200, response.text
    assert b"++1'" in response.content.split(b"'")[1] + b"'"  # our CONTRL is test data too
    assert contrl_of(response.content).action.value == "7"
    assert order_ids(client) == []
    assert client.get("/dead-letters").json() == []
    params = {"partner": "edifact-demo", "direction": "inbound"}
    [logged] = client.get("/documents", params=params).json()
    assert logged["outcome"] == "test"
    assert client.get(f"/documents/{logged['id']}/raw").content == body
    # The same reference in production is not a duplicate of the test.
    post(client, retailer_interchange(message, control="5004"))
    assert order_ids(client) == ["EO-T1"]


def test_a_message_whose_unt_count_is_wrong_is_refused_citing_unt(client: TestClient) -> None:
    wrong = orders_message("EO-UNT", [("ED-1001", "1", "1.00")], reference="2")
    wrong[-1] = "UNT+99+2"
    body = retailer_interchange(
        orders_message("EO-OK", [("ED-1001", "1", "1.00")]), wrong, control="5002"
    )
    report = contrl_of(post(client, body).content)
    [rejected] = report.all_messages()
    assert (rejected.reference, rejected.code, rejected.service_segment) == ("2", "29", "UNT")
    assert order_ids(client) == ["EO-OK"]


def test_an_interchange_rejected_as_a_whole_stores_nothing(client: TestClient) -> None:
    body = retailer_interchange(
        orders_message("EO-Z", [("ED-1001", "1", "1.00")]), control="5003", count=7
    )
    report = contrl_of(post(client, body).content)
    assert (report.action.value, report.code, report.service_segment) == ("4", "29", "UNZ")
    assert order_ids(client) == []


def test_a_repeated_interchange_gets_the_original_contrl(client: TestClient) -> None:
    body = retailer_interchange(orders_message("EO-R", [("ED-1001", "1", "1.00")]), control="6")
    first, again = post(client, body), post(client, body)
    assert again.content == first.content
    assert order_ids(client) == ["EO-R"]


def test_no_contrl_when_none_is_asked_for(client: TestClient) -> None:
    body = retailer_interchange(orders_message("EO-Q", [("ED-1001", "1", "1.00")]), ack=False)
    response = post(client, body)
    assert (response.status_code, response.content) == (202, b"")
    assert order_ids(client) == ["EO-Q"]


def test_wrong_token_and_unreadable_bodies_get_problem_json(client: TestClient) -> None:
    body = retailer_interchange(orders_message("EO-T", [("ED-1001", "1", "1.00")]))
    for headers in ({"Authorization": "Bearer nope"}, {}):
        response = post(client, body, headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert EDIFACT_DEMO_TOKEN not in response.text
    assert client.post("/edi/edifact/coupa-demo", content=body, headers=AUTH).status_code == 401
    unreadable = post(client, b"this is not EDIFACT")
    assert unreadable.status_code == 400
    assert unreadable.json()["title"] == "No readable EDIFACT interchange"
    assert order_ids(client) == []


def test_every_orders_sample_is_translated_except_the_one_whose_unt_is_wrong() -> None:
    files = [SAMPLES / "pydifact" / "order.edi", SAMPLES / "staedi" / "orders-with-group.edi"]
    result = subprocess.run(
        [B2CONNECT, "translate", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    good, refused = (json.loads(line) for line in result.stdout.splitlines())
    [order] = good["documents"]
    assert (order["order_id"], len(order["lines"])) == ("801715918011", 2)
    assert refused["ok"] is False
    assert refused["documents"] == []
    assert "UNT" in refused["error"]
    assert "21" in refused["error"]
    assert "18" in refused["error"]


def test_our_documents_go_out_read_back_and_acknowledged(
    client: TestClient, runtime: Runtime, mappings_dir: Path
) -> None:
    """Order in, then ORDRSP, DESADV and INVOIC out through the outbox to a fake retailer on
    127.0.0.1; each is read back by our reader and by pydifact; the retailer's CONTRL in the
    HTTP answer is the receipt, and a later CONTRL is recorded on the outbox row."""
    partner = FakeEdifactPartner()
    with partner.serve() as url:
        endpoints = dict.fromkeys(("ORDRSP", "DESADV", "INVOIC"), url)
        point_profile_at(mappings_dir, "edifact-demo", endpoints)
        post(client, retailer_interchange(orders_message("EO-OUT", [("ED-1001", "5", "2.00")])))
        [order] = client.get("/orders", params={"partner": "edifact-demo"}).json()
        for action, body in (
            ("confirmations", {"type": "accept"}),
            (
                "shipments",
                {
                    "delivery_date": "2026-12-01T12:00:00+00:00",
                    "carrier": {"scac": "UPSN"},
                    "tracking_numbers": ["1Z1"],
                },
            ),
            ("invoices", {"tax_rate": "21"}),
        ):
            created = client.post(f"/orders/{order['id']}/{action}", json=body)
            assert created.status_code == 201, created.text
        report = dispatch_outbox(runtime)
        assert (report.delivered, report.dead_lettered) == (3, 0), report.errors
    assert [m.message_type for m in partner.received] == ["ORDRSP", "DESADV", "INVOIC"]
    for header in partner.headers:
        assert header.sender_id == "5400110000009"
    sent = client.get(
        "/documents", params={"partner": "edifact-demo", "direction": "outbound"}
    ).json()
    for document in sent:
        if document["kind"] not in {"ORDRSP", "DESADV", "INVOIC"}:
            continue
        raw = client.get(f"/documents/{document['id']}/raw").content
        ends = [e for e in read_edifact(raw) if isinstance(e, InterchangeEnd)]
        assert len(ends) == 1
        assert not ends[0].rejected
        with warnings.catch_warnings():  # pydifact ships no directory XML to validate against
            warnings.simplefilter("ignore")
            parsed = Interchange.from_str(raw.decode("latin-1"))
            [message] = list(parsed.get_messages())
        assert parsed.sender == ["5400110000009", "14"]
        assert parsed.recipient == ["5412345000013", "14"]
        assert message.type == document["kind"]

    # The retailer's CONTRL arrives later by itself: recorded on the outbox row.
    [first_end] = [
        e
        for e in read_edifact(client.get(f"/documents/{_first_sent(sent)}/raw").content)
        if isinstance(e, InterchangeEnd)
    ]
    later = partner.contrl(first_end)
    answered = post(client, later)
    assert answered.status_code == 202  # a CONTRL is never acknowledged
    rows = client.get("/outbox", params={"partner": "edifact-demo"}).json()
    assert {row["acknowledgment"] for row in rows if row["kind"] == "ORDRSP"} == {"accepted"}


def _first_sent(sent: list[dict[str, Any]]) -> str:
    ordrsp = [d for d in sent if d["kind"] == "ORDRSP"]
    return str(ordrsp[-1]["id"])


def test_files_from_the_drop_are_answered_in_it(runtime: Runtime, mappings_dir: Path) -> None:
    import yaml

    drop = mappings_dir.parent / "edifact-drop"
    path = mappings_dir / "partners" / "edifact-demo" / "profile.yaml"
    profile = yaml.safe_load(path.read_text())
    profile["connector_config"]["file_drop"] = str(drop)
    path.write_text(yaml.safe_dump(profile))
    (drop / "inbound").mkdir(parents=True)
    body = retailer_interchange(orders_message("EO-FILE", [("ED-1001", "1", "1.00")]), control="77")
    (drop / "inbound" / "orders-77.edi").write_bytes(body)
    report = poll_partner_file_drops(runtime)
    assert (report.files, report.archived, report.acknowledgements) == (1, 1, 1)
    [answer] = list((drop / "outbound").iterdir())
    assert answer.name.startswith("CONTRL_")
    assert contrl_of(answer.read_bytes()).interchange_reference == "77"
    result = runtime.ingest.receive(
        "edifact-demo",
        InboundRequest(body=body, headers={"authorization": f"Bearer {EDIFACT_DEMO_TOKEN}"}),
        ingress=EDIFACT_INGRESS,
    )
    assert result.reply.body == answer.read_bytes()  # the same interchange over HTTP: a repeat


def test_an_interchange_reference_longer_than_the_store_takes_is_still_answered(
    client: TestClient,
) -> None:
    reference = "4" * 300
    body = retailer_interchange(
        orders_message("EO-LONG", [("ED-1001", "1", "1.00")]), control=reference
    )
    first = post(client, body)
    assert first.status_code == 200, first.text
    assert order_ids(client) == ["EO-LONG"]
    assert post(client, body).content == first.content  # and its repeat is recognised


def test_a_replay_checks_the_kinds_the_profile_enables_now(
    client: TestClient, mappings_dir: Path
) -> None:
    import yaml

    post(client, retailer_interchange(orders_message("EO-HELD", [("ED-9999", "1", "1.00")])))
    [letter] = client.get("/dead-letters").json()
    path = mappings_dir / "partners" / "edifact-demo" / "profile.yaml"
    profile = yaml.safe_load(path.read_text())
    profile["documents"]["inbound"] = ["CONTRL"]
    path.write_text(yaml.safe_dump(profile))
    replay = client.post(f"/dead-letters/{letter['id']}/replay")
    assert replay.status_code == 409
    assert "not enabled" in replay.json()["detail"]
