"""The ingest pipeline on an in-memory store: the real partner directory over a copy of the
shipped mappings, a fake clock, no database and no HTTP. Assertions read the store's rows."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from connectors.core import ConnectorContext
from connectors.core.inbound import Disposition, InboundBatch, InboundRequest, Reason
from connectors.cxml_platform import CXML_INGRESS
from connectors.x12_partner import X12_INGRESS
from gateway_api.services.ingest import IngestPipeline, IngestResult
from gateway_api.services.partners import PartnerDirectory
from gateway_api.store.ports import StoreConflictError, StoreUnavailableError
from gateway_api.store.records import DeadLetterStatus, DocumentOutcome
from mappings.engine import MappingStore
from tests.support.clock import FakeClock
from tests.support.cxml_answers import status_of
from tests.support.cxml_builder import Line, order_request
from tests.support.fake_store import FakeStore, Tables, fake_unit_of_work_factory
from tests.support.x12_documents import EDI_DEMO_TOKEN, order_850, retailer_interchange

CXML = "coupa-demo"
X12 = "edi-demo"


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def pipeline(store: FakeStore, mappings_dir: Path, clock: FakeClock) -> IngestPipeline:
    context = ConnectorContext(clock=clock, hostname="test.b2connect.local")
    directory = PartnerDirectory(MappingStore(mappings_dir), context=context, production=False)
    return IngestPipeline(fake_unit_of_work_factory(store), directory, clock=clock, context=context)


def receive_cxml(pipeline: IngestPipeline, body: bytes) -> IngestResult:
    request = InboundRequest(body=body, content_type="text/xml; charset=utf-8")
    return pipeline.receive(CXML, request, ingress=CXML_INGRESS)


def receive_x12(pipeline: IngestPipeline, body: bytes) -> IngestResult:
    request = InboundRequest(
        body=body,
        headers={"authorization": f"Bearer {EDI_DEMO_TOKEN}"},
        content_type="application/edi-x12",
    )
    return pipeline.receive(X12, request, ingress=X12_INGRESS)


def three_850s(bad: str = "") -> bytes:
    """An interchange of 850s RT-1, RT-2, RT-3 (sets 0001-0003); `bad` names the unreadable one
    (its PO102 is not a number)."""
    sets = []
    for number in (1, 2, 3):
        order_id = f"RT-{number}"
        segments = order_850(order_id, [("AC-1001", number, "1.50")], control=f"000{number}")
        if order_id == bad:
            segments = [s.replace(f"PO1*1*{number}*EA", "PO1*1*many*EA") for s in segments]
        sets.append(segments)
    return retailer_interchange(*sets, control="000000501")


def rows_added(store: FakeStore, since: Tables) -> list[tuple[str, object]]:
    return [(table, key) for table, key, _ in store.changes(since)]


def nothing_stored(store: FakeStore) -> bool:
    return rows_added(store, Tables()) == []


# -- cXML ------------------------------------------------------------------------------------


def test_a_cxml_order_is_stored_with_its_events_raw_document_answer_and_key(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    body = order_request(order_id="PO-1", payload_id="po-1@buyer", lines=[Line("1002")])

    result = receive_cxml(pipeline, body)

    assert result.reply.status == 200
    assert status_of(result.reply.body).code == 200
    (order,) = store.orders.values()
    assert (order.partner_key, order.order_id, order.version, order.status) == (
        CXML,
        "PO-1",
        1,
        "open",
    )
    assert [line["sku"] for line in order.document["lines"]] == ["B2C-1002"]
    assert order.current_payload_id == "po-1@buyer"
    ((key, event),) = store.order_events.items()
    assert key == (order.id, 1)
    assert (event.kind, event.document_id, event.payload_id) == (
        "received",
        result.document_id,
        "po-1@buyer",
    )
    assert result.document_id is not None
    raw = store.documents[result.document_id]
    assert (raw.direction, raw.outcome, raw.payload_id, raw.correlation_id) == (
        "inbound",
        DocumentOutcome.PROCESSED,
        "po-1@buyer",
        "PO-1",
    )
    assert raw.sha256 == hashlib.sha256(body).hexdigest()
    assert b"coupa-demo-secret" not in raw.body  # the shared secret is masked in the log
    (answer,) = (d for d in store.documents.values() if d.in_reply_to == raw.id)
    assert (answer.kind, answer.body, answer.status_code) == ("Response", result.reply.body, 200)
    assert len(store.documents) == 2
    key_row = store.idempotency_keys[CXML, "cxml", "po-1@buyer"]
    assert (key_row.document_id, key_row.response_document_id) == (raw.id, answer.id)
    assert store.dead_letters == {}


def test_the_same_payload_id_again_gets_the_original_bytes_and_only_a_duplicate_row(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    body = order_request(order_id="PO-2", payload_id="po-2@buyer")
    first = receive_cxml(pipeline, body)
    before = store.snapshot()

    again = receive_cxml(pipeline, body)

    assert again.reply.body == first.reply.body
    assert again.document_id == first.document_id
    assert [r.disposition for r in again.results] == [Disposition.DUPLICATE]
    assert again.received_id is not None
    assert rows_added(store, before) == [("documents", again.received_id)]
    logged = store.documents[again.received_id]
    assert (logged.outcome, logged.payload_id) == (DocumentOutcome.DUPLICATE, "po-2@buyer")


def test_a_mapping_problem_is_held_as_a_dead_letter_and_answered_201(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    result = receive_cxml(pipeline, order_request(order_id="PO-3", lines=[Line("9999")]))

    answer = status_of(result.reply.body)
    assert answer.code == 201
    assert "CP-9999" in answer.message
    assert "part_xref.csv" not in answer.message  # our file names stay ours
    assert store.orders == {}
    assert store.order_events == {}
    (letter,) = store.dead_letters.values()
    assert (letter.stage, letter.status, letter.document_id) == (
        "mapping",
        DeadLetterStatus.OPEN,
        result.document_id,
    )
    assert "CP-9999" in letter.error
    assert store.documents[letter.document_id].outcome is DocumentOutcome.HELD
    assert len(store.idempotency_keys) == 1  # a resend is a duplicate, not a second letter


def test_an_update_for_an_unknown_order_is_held_as_sequence_and_answered_409(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    result = receive_cxml(pipeline, order_request(order_id="PO-4", change="update", version=2))

    assert result.reply.status == 409
    assert status_of(result.reply.body).code == 409
    assert store.orders == {}
    (letter,) = store.dead_letters.values()
    assert (letter.stage, letter.document_id) == ("sequence", result.document_id)
    assert "PO-4" in letter.error


# -- X12 -------------------------------------------------------------------------------------


def test_two_good_850s_are_stored_and_the_unreadable_one_is_rejected_in_one_997(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    result = receive_x12(pipeline, three_850s(bad="RT-2"))

    assert result.reply.status == 200
    ack = result.reply.body.decode().replace("\n", "")
    assert ack.count("ST*997*") == 1
    assert "AK2*850*0001~AK5*A~" in ack
    assert "AK2*850*0002~AK3*PO1*" in ack
    assert "AK5*R*" in ack
    assert "AK2*850*0003~AK5*A~" in ack
    assert "AK9*P*3*3*2~" in ack
    assert sorted(o.order_id for o in store.orders.values()) == ["RT-1", "RT-3"]
    assert len(store.order_events) == 2
    (raw,) = (d for d in store.documents.values() if d.direction == "inbound")
    assert (raw.id, raw.outcome) == (result.document_id, DocumentOutcome.PROCESSED)
    (sent,) = (d for d in store.documents.values() if d.direction == "outbound")
    assert (sent.in_reply_to, sent.body) == (raw.id, result.reply.body)
    assert store.dead_letters == {}  # the 997 told the sender; nothing waits for a person
    assert len(store.idempotency_keys) == 1
    assert store.control_numbers == {(X12, "interchange"): 1, (X12, "group"): 1, (X12, "set"): 1}


# -- the store's failures --------------------------------------------------------------------


def test_the_store_failing_at_commit_is_answered_503_and_nothing_is_kept(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    body = order_request(order_id="PO-5", payload_id="po-5@buyer")
    store.fail_next_commit(StoreUnavailableError("connection refused"))

    result = receive_cxml(pipeline, body)

    assert result.reply.status == 503
    assert status_of(result.reply.body).code == 503
    assert result.document_id is None
    assert nothing_stored(store)
    # The partner sends again once the store is back: it is new, not a duplicate.
    retried = receive_cxml(pipeline, body)
    assert [r.disposition for r in retried.results] == [Disposition.STORED]
    assert len(store.orders) == 1


def test_a_twin_committing_first_is_a_conflict_retried_once_as_a_duplicate(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    body = order_request(order_id="PO-6", payload_id="po-6@buyer")
    twins: list[IngestResult] = []
    # The same body, received by another worker, commits while this one is in its transaction.
    store.before_next_commit(lambda: twins.append(receive_cxml(pipeline, body)))

    result = receive_cxml(pipeline, body)

    (twin,) = twins
    assert [r.disposition for r in twin.results] == [Disposition.STORED]
    assert [r.disposition for r in result.results] == [Disposition.DUPLICATE]
    assert result.reply.body == twin.reply.body
    assert result.document_id == twin.document_id
    assert len(store.orders) == 1
    assert sorted(d.outcome for d in store.documents.values() if d.direction == "inbound") == [
        DocumentOutcome.DUPLICATE,
        DocumentOutcome.PROCESSED,
    ]


def test_a_second_conflict_is_not_retried_again_and_is_answered_503(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    store.fail_next_commit(StoreConflictError("twin"))
    store.fail_next_commit(StoreConflictError("twin again"))

    result = receive_cxml(pipeline, order_request(order_id="PO-7"))

    assert status_of(result.reply.body).code == 503
    assert nothing_stored(store)


def test_a_value_the_store_refuses_refuses_only_its_set_of_the_interchange(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    store.refuse_order_values("RT-2")

    result = receive_x12(pipeline, three_850s())

    assert [(r.disposition, r.reason) for r in result.results] == [
        (Disposition.STORED, None),
        (Disposition.REFUSED, Reason.VALUE),
        (Disposition.STORED, None),
    ]
    ack = result.reply.body.decode().replace("\n", "")
    assert "AK2*850*0001~AK5*A~" in ack
    assert "AK2*850*0002~AK5*R*" in ack
    assert "AK2*850*0003~AK5*A~" in ack
    assert "AK9*P*3*3*2~" in ack
    assert sorted(o.order_id for o in store.orders.values()) == ["RT-1", "RT-3"]
    assert len(store.order_events) == 2
    assert [d.outcome for d in store.documents.values() if d.direction == "inbound"] == [
        DocumentOutcome.PROCESSED
    ]
    assert store.dead_letters == {}
    # The attempt that failed gave its control numbers back with everything else.
    assert store.control_numbers[X12, "interchange"] == 1


def test_a_lone_cxml_order_the_store_refuses_is_answered_400_and_logged_rejected(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    store.refuse_order_values("PO-8")

    result = receive_cxml(pipeline, order_request(order_id="PO-8"))

    assert status_of(result.reply.body).code == 400
    assert store.orders == {}
    assert result.document_id is not None
    assert store.documents[result.document_id].outcome is DocumentOutcome.REJECTED


def test_a_document_the_connector_cannot_take_into_the_model_is_held_not_refused(
    pipeline: IngestPipeline, store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connector's `Reason.MAPPING` problem (a valid document our model cannot take yet) is a
    dead letter answered as held, never a refusal the platform would not resend after."""
    from dataclasses import replace

    from connectors.core.inbound import DocumentProblem
    from connectors.cxml_platform.connector import CxmlPlatformConnector

    opened_by = CxmlPlatformConnector.open

    def open_with_a_problem(self: CxmlPlatformConnector, request: InboundRequest, **kw: object):  # type: ignore[no-untyped-def]
        batch = opened_by(self, request, **kw)  # type: ignore[arg-type]
        assert isinstance(batch, InboundBatch)
        (unit,) = batch.units
        (document,) = unit.documents
        problem = DocumentProblem(Reason.MAPPING, "line 1: UnitPrice has no amount")
        held = replace(document, content=None, problem=problem)
        return replace(batch, units=(replace(unit, documents=(held,)),))

    monkeypatch.setattr(CxmlPlatformConnector, "open", open_with_a_problem)
    result = receive_cxml(pipeline, order_request(order_id="PO-7"))

    answer = status_of(result.reply.body)
    assert (answer.code, result.count(Disposition.HELD)) == (201, 1)
    assert "UnitPrice has no amount" in answer.message
    assert store.orders == {}
    (letter,) = store.dead_letters.values()
    assert (letter.stage, letter.status) == ("mapping", DeadLetterStatus.OPEN)
    assert store.documents[letter.document_id].outcome is DocumentOutcome.HELD
