"""Purchase orders through `POST /cxml/{partner}`: new, update, delete, duplicates, ordering."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.cxml_answers import status_of
from tests.support.cxml_builder import Line, order_request

PARTNERS = ["coupa-demo", "ariba-demo", "jaggaer-demo"]


def post(client: TestClient, partner: str, body: bytes) -> tuple[int, Any]:
    response = client.post(f"/cxml/{partner}", content=body, headers={"Content-Type": "text/xml"})
    assert response.headers["content-type"].startswith("text/xml")
    return response.status_code, status_of(response.content)


def only_order(client: TestClient, partner: str, order_id: str) -> dict[str, Any]:
    listed = client.get("/orders", params={"partner": partner, "order_id": order_id}).json()
    assert len(listed) == 1, listed
    detail: dict[str, Any] = client.get(f"/orders/{listed[0]['id']}").json()
    return detail


@pytest.mark.parametrize("partner", PARTNERS)
def test_new_update_delete_keeps_history(client: TestClient, partner: str) -> None:
    http, answer = post(
        client,
        partner,
        order_request(partner=partner, order_id="PO-100", payload_id="p1@x", lines=[Line("1001")]),
    )
    assert (http, answer.code) == (200, 200)

    http, answer = post(
        client,
        partner,
        order_request(
            partner=partner,
            order_id="PO-100",
            change="update",
            version=2,
            supersedes="p1@x",
            payload_id="p2@x",
            lines=[Line("1001", Decimal("5")), Line("1002", Decimal("1"), "PCS")],
        ),
    )
    assert (http, answer.code) == (200, 200)

    http, answer = post(
        client,
        partner,
        order_request(
            partner=partner,
            order_id="PO-100",
            change="delete",
            version=3,
            supersedes="p2@x",
            payload_id="p3@x",
        ),
    )
    assert (http, answer.code) == (200, 200)

    order = only_order(client, partner, "PO-100")
    assert order["status"] == "cancelled"
    assert order["version"] == 3
    assert order["current_payload_id"] == "p3@x"
    history = order["history"]
    assert [(h["version"], h["kind"], h["status"]) for h in history] == [
        (1, "received", "open"),
        (2, "changed", "open"),
        (3, "cancelled", "cancelled"),
    ]
    assert [h["payload_id"] for h in history] == ["p1@x", "p2@x", "p3@x"]
    version_2_lines = history[1]["document"]["lines"]
    assert [(ln["sku"], ln["quantity"], ln["unit_of_measure"]) for ln in version_2_lines] == [
        ("B2C-1001", "5", "EA"),
        ("B2C-1002", "1", "H87"),
    ]
    assert history[2]["document"]["change"] == "delete"
    assert history[2]["document"]["supersedes"] == "p2@x"


def test_update_without_version_becomes_next_version(client: TestClient) -> None:
    post(client, "coupa-demo", order_request(order_id="PO-7", payload_id="a@x"))
    http, answer = post(
        client, "coupa-demo", order_request(order_id="PO-7", change="update", payload_id="b@x")
    )
    assert (http, answer.code) == (200, 200)
    assert only_order(client, "coupa-demo", "PO-7")["version"] == 2


def test_retransmission_returns_the_original_answer_and_changes_nothing(
    client: TestClient,
) -> None:
    body = order_request(order_id="PO-200", payload_id="same@x", lines=[Line("1001")])
    first = client.post("/cxml/coupa-demo", content=body)
    again = client.post("/cxml/coupa-demo", content=body)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content  # byte for byte the original answer

    order = only_order(client, "coupa-demo", "PO-200")
    assert len(order["history"]) == 1
    inbound = client.get("/documents", params={"payload_id": "same@x"}).json()
    assert sorted(d["outcome"] for d in inbound) == ["duplicate", "processed"]
    assert len(client.get("/orders").json()) == 1


def test_retransmission_of_a_refused_document_repeats_the_refusal(client: TestClient) -> None:
    body = order_request(order_id="PO-201", change="update", version=2, payload_id="upd@x")
    first = client.post("/cxml/coupa-demo", content=body)
    again = client.post("/cxml/coupa-demo", content=body)
    assert status_of(first.content).code == 409
    assert again.content == first.content
    assert len(client.get("/dead-letters").json()) == 1  # held once, not twice


def test_out_of_order_versions(client: TestClient) -> None:
    post(client, "coupa-demo", order_request(order_id="PO-300", payload_id="v1@x"))
    http, answer = post(
        client,
        "coupa-demo",
        order_request(order_id="PO-300", change="update", version=3, payload_id="v3@x"),
    )
    assert (http, answer.code) == (200, 200)
    # Version 2 arrives late: older than what we hold, refused as a conflict, nothing changes.
    http, answer = post(
        client,
        "coupa-demo",
        order_request(
            order_id="PO-300",
            change="update",
            version=2,
            payload_id="v2@x",
            lines=[Line("1009", Decimal("99"))],
        ),
    )
    assert (http, answer.code) == (409, 409)
    assert "not newer than the stored version 3" in answer.message
    order = only_order(client, "coupa-demo", "PO-300")
    assert order["version"] == 3
    assert [h["version"] for h in order["history"]] == [1, 3]
    assert order["document"]["lines"][0]["sku"] == "B2C-1001"
    rejected = client.get("/documents", params={"payload_id": "v2@x"}).json()
    assert [(d["outcome"], d["status_code"]) for d in rejected] == [("rejected", 409)]


def test_new_for_an_existing_order_is_a_conflict(client: TestClient) -> None:
    post(client, "coupa-demo", order_request(order_id="PO-301", payload_id="n1@x"))
    # Another order under the same id and version: a conflict, not a resend.
    other = order_request(order_id="PO-301", payload_id="n2@x", lines=[Line("1002", Decimal("3"))])
    http, answer = post(client, "coupa-demo", other)
    assert (http, answer.code) == (409, 409)
    assert "already exists" in answer.message
    assert only_order(client, "coupa-demo", "PO-301")["current_payload_id"] == "n1@x"


def test_identical_order_resent_with_a_new_payload_id_is_a_duplicate(
    client: TestClient,
) -> None:
    post(client, "coupa-demo", order_request(order_id="PO-303", payload_id="r1@x"))
    http, answer = post(client, "coupa-demo", order_request(order_id="PO-303", payload_id="r2@x"))
    assert (http, answer.code) == (200, 200)
    assert "already stored with this content; nothing changed" in answer.message

    order = only_order(client, "coupa-demo", "PO-303")
    assert [h["payload_id"] for h in order["history"]] == ["r1@x"]
    assert client.get("/dead-letters").json() == []
    resent = client.get("/documents", params={"payload_id": "r2@x"}).json()
    assert [(d["outcome"], d["status_code"]) for d in resent] == [("duplicate", 200)]


def test_change_after_delete_is_a_conflict(client: TestClient) -> None:
    post(client, "coupa-demo", order_request(order_id="PO-302", payload_id="d1@x"))
    post(client, "coupa-demo", order_request(order_id="PO-302", change="delete", payload_id="d2@x"))
    http, answer = post(
        client, "coupa-demo", order_request(order_id="PO-302", change="update", payload_id="d3@x")
    )
    assert (http, answer.code) == (409, 409)
    assert "was deleted" in answer.message


def test_update_before_its_order_is_held_and_replayable(client: TestClient) -> None:
    http, answer = post(
        client,
        "coupa-demo",
        order_request(order_id="PO-400", change="update", version=2, payload_id="early@x"),
    )
    assert (http, answer.code) == (409, 409)
    assert "never received" in answer.message
    [dead] = client.get("/dead-letters").json()
    assert dead["stage"] == "sequence"

    replay = client.post(f"/dead-letters/{dead['id']}/replay")
    assert replay.status_code == 409  # the order still does not exist
    assert replay.headers["content-type"] == "application/problem+json"

    post(client, "coupa-demo", order_request(order_id="PO-400", payload_id="late-new@x"))
    replay = client.post(f"/dead-letters/{dead['id']}/replay")
    assert replay.status_code == 200, replay.text
    assert replay.json()["order_version"] == 2
    order = only_order(client, "coupa-demo", "PO-400")
    assert [h["payload_id"] for h in order["history"]] == ["late-new@x", "early@x"]
    assert client.get("/dead-letters").json() == []
    [done] = client.get("/dead-letters", params={"status": "replayed"}).json()
    assert done["attempts"] == 2


def test_unknown_part_is_held_then_replayed_after_a_mapping_fix(
    client: TestClient, mappings_dir: Any
) -> None:
    body = order_request(
        order_id="PO-500", payload_id="unk@x", lines=[Line("1001"), Line("7777", unit="BOXX")]
    )
    http, answer = post(client, "coupa-demo", body)
    assert (http, answer.code) == (200, 201)
    assert "held for review" in answer.message
    assert "CP-7777" in answer.message
    assert "BOXX" in answer.message
    assert client.get("/orders").json() == []
    [dead] = client.get("/dead-letters").json()
    assert dead["stage"] == "mapping"
    stored = client.get(f"/documents/{dead['document_id']}").json()
    assert stored["outcome"] == "held"
    assert [r["status_code"] for r in stored["replies"]] == [201]

    # The engineer fixes the mappings: a cross-reference row and a partner unit alias.
    xref = mappings_dir / "partners" / "coupa-demo" / "part_xref.csv"
    xref.write_text(xref.read_text() + "CP-7777,B2C-7777,New item\n")
    assert client.post(f"/dead-letters/{dead['id']}/replay").status_code == 409  # unit still bad
    uom = mappings_dir / "codelists" / "uom.csv"
    uom.write_text(uom.read_text() + "BOXX,BX,Box (partner typo)\n")
    replay = client.post(f"/dead-letters/{dead['id']}/replay")
    assert replay.status_code == 200, replay.text

    order = only_order(client, "coupa-demo", "PO-500")
    assert [(ln["sku"], ln["unit_of_measure"]) for ln in order["document"]["lines"]] == [
        ("B2C-1001", "EA"),
        ("B2C-7777", "BX"),
    ]
    assert {m["file"] for m in order["mapping"]} >= {
        "partners/coupa-demo/part_xref.csv",
        "codelists/uom.csv",
    }
    # A retransmission still gets the original answer and does not create a second order.
    again = client.post("/cxml/coupa-demo", content=body)
    assert status_of(again.content).code == 201
    assert len(client.get("/orders").json()) == 1


def test_runtime_dtd_validation_records_deviations_but_stays_tolerant(
    settings: Any, clock: Any
) -> None:
    from gateway_api.http.app import create_app
    from gateway_api.runtime import build_runtime
    from tests.support.paths import CXML_DTD_DIR

    validating = settings.model_copy(update={"cxml_dtd_dir": CXML_DTD_DIR})
    with TestClient(create_app(runtime=build_runtime(validating, clock=clock))) as client:
        valid = order_request(order_id="PO-DTD-1", payload_id="dtd-ok@x")
        # Element order broken as real platforms do: BillTo before ShipTo is a DTD violation.
        text = order_request(order_id="PO-DTD-2", payload_id="dtd-bad@x").decode()
        ship = text[text.index("<ShipTo>") : text.index("</ShipTo>") + len("</ShipTo>")]
        bill = text[text.index("<BillTo>") : text.index("</BillTo>") + len("</BillTo>")]
        swapped = text.replace(ship, "@@").replace(bill, ship).replace("@@", bill).encode()
        assert post(client, "coupa-demo", valid)[1].code == 200
        assert post(client, "coupa-demo", swapped)[1].code == 200
        [ok] = client.get("/documents", params={"payload_id": "dtd-ok@x"}).json()
        [deviating] = client.get("/documents", params={"payload_id": "dtd-bad@x"}).json()
        assert ok["detail"] is None
        assert deviating["outcome"] == "processed"
        assert "not valid against the cXML DTD" in deviating["detail"]


def test_largest_accepted_amounts_are_stored_exactly(client: TestClient) -> None:
    big = Decimal("999999999999999999.123456789012345678")  # 18 + 18 digits
    line = Line("1001", big, price=Decimal(1))
    body = order_request(order_id="PO-BIG", payload_id="big@x", lines=[line])
    assert post(client, "coupa-demo", body)[1].code == 200
    order = only_order(client, "coupa-demo", "PO-BIG")
    assert Decimal(order["document"]["lines"][0]["quantity"]) == big


def test_a_value_the_database_refuses_is_a_400_not_a_retry_loop(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Narrow fault injection: the store raises a data error (e.g. a value out of range)."""
    from sqlalchemy.exc import DataError

    from gateway_api.services import ingest

    def refuse(*_args: object) -> None:
        raise DataError("INSERT ...", {}, ValueError("numeric field overflow"))

    monkeypatch.setattr(ingest, "decide_order_change", refuse)
    http, answer = post(client, "coupa-demo", order_request(order_id="PO-DE", payload_id="de@x"))
    assert (http, answer.code) == (400, 400)
    [trace] = client.get("/documents", params={"payload_id": "de@x"}).json()
    assert (trace["outcome"], trace["status_code"]) == ("rejected", 400)


def test_a_held_versionless_update_does_not_undo_newer_changes(client: TestClient) -> None:
    early = order_request(order_id="PO-600", change="update", payload_id="early-nv@x")
    assert post(client, "coupa-demo", early)[1].code == 409  # held: order unknown
    [dead] = client.get("/dead-letters").json()
    post(client, "coupa-demo", order_request(order_id="PO-600", payload_id="n600@x"))
    newer = order_request(
        order_id="PO-600",
        change="update",
        version=2,
        payload_id="v2-600@x",
        lines=[Line("1005", Decimal("9"))],
    )
    assert post(client, "coupa-demo", newer)[1].code == 200
    replay = client.post(f"/dead-letters/{dead['id']}/replay")
    assert replay.status_code == 409
    assert "superseded" in replay.json()["detail"]
    order = only_order(client, "coupa-demo", "PO-600")
    assert (order["version"], order["document"]["lines"][0]["sku"]) == (2, "B2C-1005")


def test_a_held_versionless_update_replays_once_its_order_arrives(client: TestClient) -> None:
    early = order_request(order_id="PO-601", change="update", payload_id="early-601@x")
    assert post(client, "coupa-demo", early)[1].code == 409
    [dead] = client.get("/dead-letters").json()
    post(client, "coupa-demo", order_request(order_id="PO-601", payload_id="n601@x"))
    assert client.post(f"/dead-letters/{dead['id']}/replay").status_code == 200
    assert only_order(client, "coupa-demo", "PO-601")["version"] == 2
