"""`b2connect translate`: JSON Lines for every file, exit status 0 only when all succeeded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.paths import CXML_SAMPLES, MAPPINGS_DIR, REPO_ROOT, order_request_samples

B2CONNECT = str(Path(sys.executable).parent / "b2connect")
INVALID_SAMPLE = CXML_SAMPLES / "chefworks-cxml-tester" / "p6t__static__cxml__order.xml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [B2CONNECT, "translate", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )


def test_every_shared_order_request_sample() -> None:
    samples = order_request_samples()
    result = run(*map(str, samples))
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in records] == [str(s) for s in samples]
    by_file = {Path(r["file"]): r for r in records}

    refused = by_file.pop(INVALID_SAMPLE)
    assert refused["ok"] is False
    assert "OrderRequest has no ItemOut" in refused["error"]
    assert result.returncode == 1  # one file failed

    for path, record in by_file.items():
        assert record["ok"] is True, (path, record)
        [document] = record["documents"]
        assert document["document_type"] == "purchase_order"
        assert document["lines"], path
        assert all(isinstance(line["quantity"], str) for line in document["lines"])
        assert document["order_date"][-6] in "+-" or document["order_date"].endswith("Z")

    coupa = by_file[CXML_SAMPLES / "officeluv-cxml-ruby" / "purchase_order_request_200.xml"]
    [po] = coupa["documents"]
    assert (po["order_id"], po["currency"], po["total"]) == ("6112", "USD", "1505.0")
    assert [(ln["line_number"], ln["quantity"]) for ln in po["lines"]] == [(1, "1"), (2, "2")]
    assert po["order_date"] == "2008-01-07T09:14:50-08:00"


def test_all_good_files_exit_zero() -> None:
    good = [s for s in order_request_samples() if s != INVALID_SAMPLE]
    result = run(*map(str, good))
    assert result.returncode == 0, result.stdout
    assert len(result.stdout.splitlines()) == len(good)


def test_invalid_documents_get_precise_reasons(tmp_path: Path) -> None:
    change = tmp_path / "change.xml"
    source = (CXML_SAMPLES / "officeluv-cxml-ruby" / "order_request.xml").read_text()
    change.write_text(source.replace('type="new"', 'type="change"'))
    not_xml = tmp_path / "order.edi"
    not_xml.write_text("ISA*00*          *00*")
    missing = tmp_path / "missing.xml"
    punchout = CXML_SAMPLES / "officeluv-cxml-ruby" / "punch_out_setup_request_doc.xml"

    result = run(str(change), str(not_xml), str(missing), str(punchout))
    errors = [json.loads(line)["error"] for line in result.stdout.splitlines()]
    assert result.returncode == 1
    assert 'OrderRequestHeader@type "change" is not one of new, update, delete' in errors[0]
    # an X12 file is recognised; a cut-off ISA is refused with its position
    assert "the ISA segment has 3 of 16 elements" in errors[1]
    assert "byte 0" in errors[1]
    assert "cannot read file" in errors[2]
    assert "PunchOutSetupRequest is not translated" in errors[3]


def test_partner_option_applies_the_mapping() -> None:
    case = MAPPINGS_DIR / "partners" / "coupa-demo" / "cases" / "order_new.xml"
    result = run("--partner", "coupa-demo", str(case))
    assert result.returncode == 0, result.stdout + result.stderr
    [document] = json.loads(result.stdout)["documents"]
    assert all(line["sku"].startswith("B2C-") for line in document["lines"])
    unmapped = json.loads(run(str(case)).stdout)["documents"][0]
    assert all(line["sku"] is None for line in unmapped["lines"])
