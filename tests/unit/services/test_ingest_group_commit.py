"""Group commit on an in-memory store: several opened bodies stored in one transaction, each
answered exactly as if it had been stored alone, and a group that fails stored body by body."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.core import ConnectorContext
from connectors.core.inbound import Disposition, InboundRequest, Reason
from connectors.cxml_platform import CXML_INGRESS
from gateway_api.services.ingest import IngestPipeline, IngestResult, OpenedBody
from gateway_api.services.partners import PartnerDirectory
from gateway_api.store.ports import StoreConflictError, UnitOfWork
from mappings.engine import MappingStore
from tests.support.clock import FakeClock
from tests.support.cxml_answers import status_of
from tests.support.cxml_builder import order_request
from tests.support.fake_store import FakeStore, fake_unit_of_work_factory

CXML = "coupa-demo"


class CountingFactory:
    """The store's unit-of-work factory, counting the transactions opened."""

    def __init__(self, store: FakeStore) -> None:
        self._factory = fake_unit_of_work_factory(store)
        self.opened = 0

    def __call__(self) -> UnitOfWork:
        self.opened += 1
        return self._factory()


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def transactions(store: FakeStore) -> CountingFactory:
    return CountingFactory(store)


@pytest.fixture
def pipeline(transactions: CountingFactory, mappings_dir: Path, clock: FakeClock) -> IngestPipeline:
    context = ConnectorContext(clock=clock, hostname="test.b2connect.local")
    directory = PartnerDirectory(MappingStore(mappings_dir), context=context, production=False)
    return IngestPipeline(transactions, directory, clock=clock, context=context)


def opened(pipeline: IngestPipeline, *bodies: bytes) -> list[OpenedBody]:
    result = []
    for body in bodies:
        request = InboundRequest(body=body, content_type="text/xml; charset=utf-8")
        body_opened = pipeline.open(CXML, request, ingress=CXML_INGRESS)
        assert isinstance(body_opened, OpenedBody)
        result.append(body_opened)
    return result


def stored(results: list[IngestResult | Exception]) -> list[IngestResult]:
    assert all(isinstance(r, IngestResult) for r in results), results
    return [r for r in results if isinstance(r, IngestResult)]


def dispositions(results: list[IngestResult]) -> list[list[Disposition]]:
    return [[item.disposition for item in r.results] for r in results]


def test_a_group_is_one_transaction_and_each_body_is_answered_as_alone(
    pipeline: IngestPipeline, store: FakeStore, transactions: CountingFactory
) -> None:
    bodies = [order_request(order_id=f"PO-{n}", payload_id=f"p{n}@buyer") for n in range(1, 5)]
    group = opened(pipeline, *bodies)
    before = transactions.opened

    results = stored(pipeline.process_together(group))

    assert transactions.opened - before == 1
    assert dispositions(results) == [[Disposition.STORED]] * 4
    assert [status_of(r.reply.body).code for r in results] == [200] * 4
    assert sorted(o.order_id for o in store.orders.values()) == ["PO-1", "PO-2", "PO-3", "PO-4"]
    assert [r.document_id for r in results] == [body.raw_id for body in group]
    for result in results:
        assert result.document_id is not None
        key = store.idempotency_keys[CXML, "cxml", store.documents[result.document_id].payload_id]
        assert key.document_id == result.document_id


def test_a_body_repeated_within_a_group_is_a_duplicate_of_the_first(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    body = order_request(order_id="PO-7", payload_id="p7@buyer")

    first, again = stored(pipeline.process_together(opened(pipeline, body, body)))

    assert dispositions([first, again]) == [[Disposition.STORED], [Disposition.DUPLICATE]]
    assert again.reply.body == first.reply.body  # the original answer, byte for byte
    assert again.document_id == first.document_id
    assert len(store.orders) == 1


def test_a_new_order_and_its_update_in_one_group_apply_in_order(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    new = order_request(order_id="PO-8", payload_id="a@buyer")
    update = order_request(order_id="PO-8", change="update", payload_id="b@buyer")

    results = stored(pipeline.process_together(opened(pipeline, new, update)))

    assert dispositions(results) == [[Disposition.STORED], [Disposition.STORED]]
    (order,) = store.orders.values()
    assert (order.version, order.current_payload_id) == (2, "b@buyer")


def test_a_value_the_store_refuses_refuses_only_its_own_body(
    pipeline: IngestPipeline, store: FakeStore
) -> None:
    store.refuse_order_values("PO-2")
    bodies = [order_request(order_id=f"PO-{n}", payload_id=f"p{n}@buyer") for n in (1, 2, 3)]

    results = stored(pipeline.process_together(opened(pipeline, *bodies)))

    assert dispositions(results) == [
        [Disposition.STORED],
        [Disposition.REFUSED],
        [Disposition.STORED],
    ]
    assert results[1].results[0].reason is Reason.VALUE
    assert sorted(o.order_id for o in store.orders.values()) == ["PO-1", "PO-3"]


def test_a_group_whose_commit_fails_is_stored_body_by_body(
    pipeline: IngestPipeline, store: FakeStore, transactions: CountingFactory
) -> None:
    store.fail_next_commit(StoreConflictError("a concurrent twin"))
    bodies = [order_request(order_id=f"PO-{n}", payload_id=f"p{n}@buyer") for n in (1, 2, 3)]
    before = transactions.opened

    results = stored(pipeline.process_together(opened(pipeline, *bodies)))

    assert transactions.opened - before == 1 + 3
    assert dispositions(results) == [[Disposition.STORED]] * 3
    assert len(store.orders) == 3


def test_a_bug_on_one_body_is_returned_in_its_place_and_the_others_are_stored(
    pipeline: IngestPipeline, store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    bodies = [order_request(order_id=f"PO-{n}", payload_id=f"p{n}@buyer") for n in (1, 2, 3)]
    group = opened(pipeline, *bodies)
    write: Callable[..., IngestResult] = pipeline._write

    def failing_write(uow: UnitOfWork, body: OpenedBody, *, isolate: bool) -> IngestResult:
        if body is group[1]:
            raise RuntimeError("a bug of ours")
        return write(uow, body, isolate=isolate)

    monkeypatch.setattr(pipeline, "_write", failing_write)

    first, failed, third = pipeline.process_together(group)

    assert isinstance(failed, RuntimeError)
    assert isinstance(first, IngestResult)
    assert isinstance(third, IngestResult)
    assert sorted(o.order_id for o in store.orders.values()) == ["PO-1", "PO-3"]
