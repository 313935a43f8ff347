"""Issue 9 rules of the one ingest pipeline, on the in-memory store: an order equal to the
stored version is a duplicate (every protocol), test data is answered and applied to nothing,
an acknowledgement that names nothing of ours is logged as unmatched."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.core import ConnectorContext
from connectors.core.inbound import Disposition, InboundRequest
from connectors.x12_partner import X12_INGRESS
from gateway_api.services.ingest import IngestPipeline, IngestResult
from gateway_api.services.partners import PartnerDirectory
from gateway_api.store.records import DocumentOutcome
from mappings.engine import MappingStore
from tests.support.clock import FakeClock
from tests.support.fake_store import FakeStore, fake_unit_of_work_factory
from tests.support.x12_documents import (
    EDI_DEMO,
    EDI_DEMO_TOKEN,
    interchange,
    order_850,
    retailer_interchange,
)

X12 = "edi-demo"


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def pipeline(store: FakeStore, mappings_dir: Path, clock: FakeClock) -> IngestPipeline:
    context = ConnectorContext(clock=clock, hostname="test.b2connect.local")
    directory = PartnerDirectory(MappingStore(mappings_dir), context=context, production=False)
    return IngestPipeline(fake_unit_of_work_factory(store), directory, clock=clock, context=context)


def receive(pipeline: IngestPipeline, body: bytes) -> IngestResult:
    request = InboundRequest(
        body=body,
        headers={"authorization": f"Bearer {EDI_DEMO_TOKEN}"},
        content_type="application/edi-x12",
    )
    return pipeline.receive(X12, request, ingress=X12_INGRESS)


def test_the_same_order_in_a_new_interchange_is_a_duplicate(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    order = order_850("RT-1", [("AC-1001", 2, "1.50")])
    receive(pipeline, retailer_interchange(order, control="000000701"))
    again = receive(pipeline, retailer_interchange(order, control="000000702"))
    (result,) = again.results
    assert result.disposition is Disposition.DUPLICATE
    assert "already stored with this content" in (result.message or "")
    assert b"AK5*A~" in again.reply.body
    assert store.dead_letters == {}
    assert len(store.orders) == 1
    assert len(store.order_events) == 1
    assert again.received_id is not None
    assert store.documents[again.received_id].outcome is DocumentOutcome.DUPLICATE


def test_a_test_interchange_is_answered_and_applied_to_nothing(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    sets = [order_850("RT-2", [("AC-1001", 1, "1")]), order_850("RT-3", [("AC-9999", 1, "1")])]
    sets[1] = [s.replace("*0001", "*0002") for s in sets[1]]
    result = receive(pipeline, interchange(sets, control="000000703", usage="T", **EDI_DEMO))
    assert [r.disposition for r in result.results] == [Disposition.TEST, Disposition.TEST]
    assert b"AK9*A*2*2*2~" in result.reply.body
    assert store.orders == {}
    assert store.dead_letters == {}  # not even for the unknown part of a test order
    assert result.received_id is not None
    logged = store.documents[result.received_id]
    assert logged.outcome is DocumentOutcome.TEST
    assert [key[1] for key in store.idempotency_keys] == ["x12-interchange:test"]


def test_an_acknowledgement_naming_nothing_of_ours_is_logged_unmatched(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    ack = ["ST*997*0001", "AK1*PR*99", "AK2*855*9999", "AK5*A", "AK9*A*1*1*1", "SE*6*0001"]
    body = interchange([ack], control="000000704", functional_id="FA", **EDI_DEMO)
    result = receive(pipeline, body)
    (verdict,) = result.results
    assert verdict.disposition is Disposition.STORED
    assert result.received_id is not None
    logged = store.documents[result.received_id]
    assert logged.outcome is DocumentOutcome.UNMATCHED
    assert "855 GS06 99 ST02 9999" in (logged.detail or "")
