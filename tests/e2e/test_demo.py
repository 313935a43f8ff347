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


def test_demo_runs_end_to_end_and_writes_every_document(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--dtd-dir", str(CXML_DTD_DIR)])
    assert result.exit_code == 0, result.output
    assert "DTD validation at the platforms: on" in " ".join(result.output.split())

    summary = json.loads((out / "summary.json").read_text())
    assert summary["orders"] == {
        "coupa-demo": "DEMO-001",
        "ariba-demo": "DEMO-002",
        "jaggaer-demo": "DEMO-003",
        "edi-demo": "DEMO-850-001",
    }
    received = summary["received_by_platform"]
    for key in ("coupa-demo", "ariba-demo", "jaggaer-demo"):
        assert [entry.split()[0] for entry in received[key]] == EXPECTED, key
    # The X12 retailer: 855, 856, 810, in their own interchanges (ISA13 2, 3, 4 after our 997).
    assert received["edi-demo"] == [
        "855 ISA13 000000002",
        "856 ISA13 000000003",
        "810 ISA13 000000004",
    ]
    assert summary["failed_attempts"] >= 1  # the Coupa outage
    assert summary["dead_letters"] == 0

    files = sorted(p.name for p in (out / "documents").iterdir())
    assert len(files) == summary["documents_written"]
    # cXML: 3 orders + 3 answers, 12 outbound documents + 12 answers + 1 failed attempt;
    # X12: the 850 + our 997, 3 documents + the retailer's 3 997s.
    assert len(files) == 39
    assert files[0] == "001-inbound-coupa-demo-OrderRequest.xml"
    assert files[1] == "002-outbound-coupa-demo-Response.xml"
    sent = [name for name in files if "-outbound-" in name and "Request" in name]
    assert len(sent) == 13
    for name in sent:
        assert b"<SharedSecret>***</SharedSecret>" in (out / "documents" / name).read_bytes()
