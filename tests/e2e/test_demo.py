"""`b2connect demo`: the scripted run on 127.0.0.1 delivers everything, through an outage."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gateway_api.cli import app
from tests.support.paths import CXML_DTD_DIR

EXPECTED = [
    "ConfirmationRequest",
    "ShipNoticeRequest",
    "ShipNoticeRequest",
    "InvoiceDetailRequest",
]

FILES = [
    "001-inbound-coupa-demo-OrderRequest.xml",
    "002-outbound-coupa-demo-Response.xml",
    "003-inbound-ariba-demo-OrderRequest.xml",
    "004-outbound-ariba-demo-Response.xml",
    "005-inbound-jaggaer-demo-OrderRequest.xml",
    "006-outbound-jaggaer-demo-Response.xml",
    "007-outbound-coupa-demo-ConfirmationRequest.xml",  # Coupa is down: no answer
    "008-outbound-ariba-demo-ConfirmationRequest.xml",
    "009-inbound-ariba-demo-Response.xml",
    "010-outbound-jaggaer-demo-ConfirmationRequest.xml",
    "011-inbound-jaggaer-demo-Response.xml",
    "012-outbound-ariba-demo-ShipNoticeRequest.xml",
    "013-inbound-ariba-demo-Response.xml",
    "014-outbound-jaggaer-demo-ShipNoticeRequest.xml",
    "015-inbound-jaggaer-demo-Response.xml",
    "016-outbound-coupa-demo-ConfirmationRequest.xml",  # Coupa is back: the retry
    "017-inbound-coupa-demo-Response.xml",
    "018-outbound-coupa-demo-ShipNoticeRequest.xml",
    "019-inbound-coupa-demo-Response.xml",
    "020-outbound-coupa-demo-ShipNoticeRequest.xml",
    "021-inbound-coupa-demo-Response.xml",
    "022-outbound-ariba-demo-ShipNoticeRequest.xml",
    "023-inbound-ariba-demo-Response.xml",
    "024-outbound-jaggaer-demo-ShipNoticeRequest.xml",
    "025-inbound-jaggaer-demo-Response.xml",
    "026-outbound-coupa-demo-InvoiceDetailRequest.xml",
    "027-inbound-coupa-demo-Response.xml",
    "028-outbound-ariba-demo-InvoiceDetailRequest.xml",
    "029-inbound-ariba-demo-Response.xml",
    "030-outbound-jaggaer-demo-InvoiceDetailRequest.xml",
    "031-inbound-jaggaer-demo-Response.xml",
    "032-inbound-edi-demo-850.x12",
    "033-outbound-edi-demo-997.x12",
    "034-outbound-edi-demo-855.x12",
    "035-inbound-edi-demo-997.x12",  # the retailer's 997, named as what it is
    "036-outbound-edi-demo-856.x12",
    "037-inbound-edi-demo-997.x12",
    "038-outbound-edi-demo-810.x12",
    "039-inbound-edi-demo-997.x12",
    # DEMO-004 ships with Yurtici Kargo: the ship notice goes out when Yurtici picks it up.
    "040-inbound-coupa-demo-OrderRequest.xml",
    "041-outbound-coupa-demo-Response.xml",
    "042-outbound-yurtici-demo-carrier_booking.xml",  # createShipment, password masked
    "043-inbound-yurtici-demo-carrier_booking_answer.xml",
    "044-outbound-coupa-demo-ConfirmationRequest.xml",
    "045-inbound-coupa-demo-Response.xml",
    "046-outbound-coupa-demo-ShipNoticeRequest.xml",
    "047-inbound-coupa-demo-Response.xml",
    # The ERP: LOGO pushes products, stock and prices (each call logged with its answer)...
    "048-inbound-logo-demo-integration.products.json",
    "049-outbound-logo-demo-integration.products.answer.json",
    "050-inbound-logo-demo-integration.stock.json",
    "051-outbound-logo-demo-integration.stock.answer.json",
    "052-inbound-logo-demo-integration.prices.json",
    "053-outbound-logo-demo-integration.prices.answer.json",
    # ...the retailer's stock and price feeds, each answered with its 997...
    "054-outbound-edi-demo-846.x12",
    "055-inbound-edi-demo-997.x12",
    "056-outbound-edi-demo-832.x12",
    "057-inbound-edi-demo-997.x12",
    # ...a fifth Coupa order, then every order of every channel as a sales order in LOGO...
    "058-inbound-coupa-demo-OrderRequest.xml",
    "059-outbound-coupa-demo-Response.xml",
    *(
        f"{n:03d}-outbound-logo-demo-SalesOrder.json"
        if n % 2 == 0
        else f"{n:03d}-inbound-logo-demo-Response.json"
        for n in range(60, 72)
    ),
    # ...and LOGO's delivery note of DEMO-005 read back as Coupa's ship notice.
    "072-inbound-logo-demo-SalesDispatch.json",
    "073-outbound-coupa-demo-ShipNoticeRequest.xml",
    "074-inbound-coupa-demo-Response.xml",
]


def _run(out: Path) -> list[str]:
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--dtd-dir", str(CXML_DTD_DIR)])
    assert result.exit_code == 0, result.output
    assert "DTD validation at the platforms: on" in " ".join(result.output.split())
    return sorted(p.name for p in (out / "documents").iterdir())


def test_demo_runs_end_to_end_and_writes_every_document(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    (out / "documents").mkdir(parents=True)
    (out / "documents" / "075-outbound-coupa-demo-Stale.xml").write_text("from an earlier run")
    (out / "documents" / "notes.txt").write_text("not the demo's")
    files = _run(out)

    summary = json.loads((out / "summary.json").read_text())
    assert summary["orders"] == {
        "coupa-demo": "DEMO-001",
        "ariba-demo": "DEMO-002",
        "jaggaer-demo": "DEMO-003",
        "edi-demo": "DEMO-850-001",
    }
    received = summary["received_by_platform"]
    for key in ("ariba-demo", "jaggaer-demo"):
        assert [entry.split()[0] for entry in received[key]] == EXPECTED, key
    coupa = [entry.split()[0] for entry in received["coupa-demo"]]
    assert coupa == [*EXPECTED, "ConfirmationRequest", "ShipNoticeRequest", "ShipNoticeRequest"]
    # The Yurtici shipment: booked, picked up (its ship notice), delivered.
    ((reference, shipment),) = summary["shipments"].items()
    assert shipment["carrier"] == "yurtici-demo"
    assert shipment["order"] == "DEMO-004"
    assert shipment["status"] == "delivered"
    assert shipment["tracking_number"]
    assert shipment["ship_notice"] == reference
    booking = (out / "documents" / "042-outbound-yurtici-demo-carrier_booking.xml").read_text()
    assert "<wsPassword>***</wsPassword>" in booking
    assert f"<cargoKey>{reference}</cargoKey>" in booking
    notice = (out / "documents" / "046-outbound-coupa-demo-ShipNoticeRequest.xml").read_text()
    assert f">{shipment['tracking_number']}</ShipmentIdentifier>" in notice
    assert ">Yurtici Kargo</CarrierIdentifier>" in notice
    # The X12 retailer: 855, 856, 810, in their own interchanges (ISA13 2, 3, 4 after our 997).
    assert received["edi-demo"] == [
        "855 ISA13 000000002",
        "856 ISA13 000000003",
        "810 ISA13 000000004",
        "846 ISA13 000000005",
        "832 ISA13 000000006",
    ]
    # The ERP: every order of every channel is one sales order in LOGO; the delivery note of
    # DEMO-005 became Coupa's ship notice, with LOGO's carrier and tracking number.
    erp = summary["erp"]
    assert erp["pushed"] == {"products": 10, "stock": 10, "prices": 10}
    assert erp["feeds"] == {"edi-demo": {"846_items": 3, "832_items": 3}}
    assert len(erp["sales_orders"]) == len(set(erp["sales_orders"])) == 6
    assert erp["ship_notices"] == 1
    stock = (out / "documents" / "054-outbound-edi-demo-846.x12").read_text()
    assert "LIN*1*SK*B2C-1001*VN*AC-1001~" in stock  # our SKU and the retailer's number
    erp_notice = (out / "documents" / "073-outbound-coupa-demo-ShipNoticeRequest.xml").read_text()
    assert ">YK-DEMO-005</ShipmentIdentifier>" in erp_notice
    assert summary["failed_attempts"] >= 1  # the Coupa outage
    assert summary["dead_letters"] == 0

    # An earlier run's files are gone, a file the demo did not write stays.
    assert files == [*FILES, "notes.txt"]
    assert summary["documents_written"] == len(FILES)
    sent = [name for name in files if "-outbound-" in name and "Request" in name]
    assert len(sent) == 16
    for name in sent:
        assert b"<SharedSecret>***</SharedSecret>" in (out / "documents" / name).read_bytes()


def test_demo_x12_files_are_readable_and_a_second_run_numbers_them_the_same(
    tmp_path: Path,
) -> None:
    out = tmp_path / "demo"
    first = _run(out)
    documents = out / "documents"
    for name in (n for n in first if n.endswith(".x12")):
        lines = (documents / name).read_text().splitlines()
        assert lines[0].startswith("ISA*"), name
        assert lines[-1].startswith("IEA*"), name
        assert all(line.endswith("~") and line.count("~") == 1 for line in lines), name
    notice = (documents / "036-outbound-edi-demo-856.x12").read_text().splitlines()
    hierarchy = [line for line in notice if line.startswith(("HL*", "MAN*", "BSN*"))]
    assert [line.rsplit("*", 1)[-1] for line in hierarchy] == [
        "0001~",
        "S~",
        "O~",
        "P~",
        "000123450000000010~",
        "I~",
        "I~",
    ]
    assert _run(out) == first
    assert json.loads((out / "summary.json").read_text())["documents_written"] == len(FILES)
