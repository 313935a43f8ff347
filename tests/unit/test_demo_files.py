"""The demo's output files: conversation order on ties, names, readable X12, clearing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

from gateway_api.demo.files import (
    clear_previous_run,
    conversation_order,
    file_name,
    readable_body,
)
from gateway_api.store.records import DocumentOutcome, DocumentRecord

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
X12_997 = (
    b"ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*B2CONNECT      *261122*0000*U*00401"
    b"*000000002*0*P*>~GS*FA*ACMERETAIL*B2CONNECT*20261122*0000*2*X*004010~ST*997*0002~"
    b"AK1*SH*3~AK2*856*0003~AK5*A~AK9*A*1*1*1~SE*6*0002~GE*1*2~IEA*1*000000002~"
)


def record(
    partner: str,
    kind: str,
    at: datetime,
    *,
    direction: str = "outbound",
    payload_id: str | None = None,
    in_reply_to: UUID | None = None,
    body: bytes = b"<cXML/>",
    content_type: str = "text/xml",
) -> DocumentRecord:
    return DocumentRecord(
        id=uuid4(),
        partner_key=partner,
        direction=direction,
        protocol="cxml",
        kind=kind,
        payload_id=payload_id,
        correlation_id=None,
        in_reply_to=in_reply_to,
        outcome=DocumentOutcome.SENT,
        status_code=None,
        detail=None,
        content_type=content_type,
        size=len(body),
        sha256="",
        body=body,
        body_truncated=False,
        remote_addr=None,
        created_at=at,
    )


def test_a_batch_logged_at_once_is_ordered_as_issued_each_answer_after_its_document() -> None:
    orders = [
        record(key, "OrderRequest", T0 + timedelta(seconds=n), direction="inbound")
        for n, key in enumerate(("coupa", "ariba", "jaggaer"))
    ]
    batch, answered = T0 + timedelta(minutes=1), T0 + timedelta(minutes=1, seconds=1)
    sent = [
        record("jaggaer", "ShipNoticeRequest", batch, payload_id="j-ship"),
        record("ariba", "InvoiceDetailRequest", batch, payload_id="a-inv"),
        record("ariba", "ShipNoticeRequest", batch, payload_id="a-ship"),
        record("coupa", "ShipNoticeRequest", batch, payload_id="c-ship"),
    ]
    answers = [
        record("coupa", "Response", answered, direction="inbound", in_reply_to=s.id) for s in sent
    ]
    # The hub issued them in this order (outbox rows), the dispatcher logged them at once.
    issued = {
        ("coupa", "c-ship"): T0 + timedelta(seconds=10),
        ("ariba", "a-ship"): T0 + timedelta(seconds=11),
        ("ariba", "a-inv"): T0 + timedelta(seconds=12),
        ("jaggaer", "j-ship"): T0 + timedelta(seconds=13),
    }
    expected = [
        *orders,
        sent[3],
        answers[3],
        sent[2],
        answers[2],
        sent[1],
        answers[1],
        sent[0],
        answers[0],
    ]
    everything = orders + sent + answers
    for seed in range(20):
        shuffled = everything[:]
        random.Random(seed).shuffle(shuffled)
        assert conversation_order(shuffled, issued) == expected


def test_equal_times_without_an_outbox_row_follow_the_partners_first_appearance() -> None:
    first = record("zeta", "OrderRequest", T0, direction="inbound")
    second = record("alpha", "OrderRequest", T0 + timedelta(seconds=1), direction="inbound")
    later = T0 + timedelta(minutes=1)
    tied = [
        record("alpha", "ConfirmationRequest", later),
        record("zeta", "ConfirmationRequest", later),
    ]
    listed = conversation_order([*tied, second, first], {})
    assert [(r.partner_key, r.kind) for r in listed] == [
        ("zeta", "OrderRequest"),
        ("alpha", "OrderRequest"),
        ("zeta", "ConfirmationRequest"),
        ("alpha", "ConfirmationRequest"),
    ]


def test_x12_is_named_by_its_sets_and_written_one_segment_per_line() -> None:
    answer = record("edi-demo", "Response", T0, direction="inbound", body=X12_997)
    assert file_name(35, answer) == "035-inbound-edi-demo-997.x12"
    lines = readable_body(answer).decode().splitlines()
    assert lines[0].startswith("ISA*")
    assert lines[0].endswith("*>~")
    assert lines[2:4] == ["ST*997*0002~", "AK1*SH*3~"]
    assert len(lines) == 10
    cxml = record("coupa", "Response", T0, direction="inbound")
    assert file_name(2, cxml) == "002-inbound-coupa-Response.xml"
    assert readable_body(cxml) == b"<cXML/>"
    broken = record("edi-demo", "interchange", T0, direction="inbound", body=b"ISA*broken")
    assert file_name(1, broken) == "001-inbound-edi-demo-interchange.xml"
    assert readable_body(broken) == b"ISA*broken"
    json_doc = record("coupa", "ship_notice", T0, body=b"{}", content_type="application/json")
    assert file_name(3, json_doc) == "003-outbound-coupa-ship_notice.json"


def test_clearing_removes_only_what_the_demo_wrote(tmp_path: Path) -> None:
    documents = tmp_path / "documents"
    assert clear_previous_run(documents) == 0
    documents.mkdir()
    for name in ("001-inbound-coupa-demo-OrderRequest.xml", "035-inbound-edi-demo-997.x12"):
        (documents / name).write_text("old")
    for name in ("notes.txt", "001-my-own.csv", "README.md"):
        (documents / name).write_text("mine")
    assert clear_previous_run(documents) == 2
    assert sorted(p.name for p in documents.iterdir()) == [
        "001-my-own.csv",
        "README.md",
        "notes.txt",
    ]
