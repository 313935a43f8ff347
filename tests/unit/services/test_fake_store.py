"""The in-memory store keeps the storage port's promises, so service tests on it mean something."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from gateway_api.domain import Order, OrderEventKind
from gateway_api.services.document_log import inbound_record
from gateway_api.store.control_numbers import MAXIMUM
from gateway_api.store.ports import (
    StoreConflictError,
    StoreUnavailableError,
    StoreValueError,
    UnitOfWorkFactory,
)
from gateway_api.store.records import DocumentOutcome, DocumentRecord, OutboxRecord, OutboxStatus
from schemas import OrderChange, OrderLine, Party, PurchaseOrder
from tests.support.fake_store import FakeStore, FakeUnitOfWork, fake_unit_of_work_factory

AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


def document(at: datetime = AT, payload_id: str = "p-1") -> DocumentRecord:
    return inbound_record(
        b"<cXML/>",
        partner_key="p",
        protocol="cxml",
        kind="OrderRequest",
        outcome=DocumentOutcome.PROCESSED,
        status_code=200,
        at=at,
        authenticated=True,
        payload_id=payload_id,
    )


def add_order(unit: FakeUnitOfWork, order_id: str) -> Order:
    order, event = Order.place(
        "p",
        PurchaseOrder(
            order_id=order_id,
            order_date=AT,
            currency="EUR",
            buyer=Party(),
            supplier=Party(),
            lines=(OrderLine(line_number=1, quantity=Decimal(1), unit_of_measure="EA"),),
        ),
        payload_id=f"{order_id}@buyer",
        at=AT,
    )
    unit.orders.add(order, event, document_id=uuid4(), mapping=(), event_id=uuid4())
    return order


def add_key(unit: FakeUnitOfWork, key: str = "k") -> None:
    unit.idempotency.add("p", "cxml", key, document_id=uuid4(), response_document_id=None, at=AT)


Write = Callable[[FakeUnitOfWork], object]


def write_then_fail(unit: FakeUnitOfWork) -> None:
    add_key(unit, "inside")
    add_order(unit, "PO-1")
    raise RuntimeError


def in_unit(factory: Callable[[], FakeUnitOfWork], write: Write) -> None:
    """`write` in a unit, then commit."""
    with factory() as unit:
        write(unit)
        unit.commit()


def in_savepoint(unit: FakeUnitOfWork, write: Write) -> None:
    with unit.savepoint():
        write(unit)


def test_the_fake_is_a_unit_of_work_factory(store: FakeStore) -> None:
    factory: UnitOfWorkFactory = fake_unit_of_work_factory(store)  # mypy --strict checks this
    with factory() as unit:
        assert isinstance(unit, FakeUnitOfWork)


def test_changes_are_seen_in_their_unit_and_by_others_only_after_commit(
    store: FakeStore,
) -> None:
    factory = fake_unit_of_work_factory(store)
    record = document()
    with factory() as writer, factory() as reader:
        writer.documents.add(record)
        assert writer.documents.get(record.id) == record
        assert reader.documents.get(record.id) is None
        assert store.documents == {}
        writer.commit()
        assert store.documents == {record.id: record}
    with factory() as later:
        assert later.documents.get(record.id) == record


def test_a_block_that_ends_without_commit_keeps_nothing(store: FakeStore) -> None:
    factory = fake_unit_of_work_factory(store)
    with factory() as unit:
        add_order(unit, "PO-1")
    with pytest.raises(RuntimeError):
        in_unit(factory, write_then_fail)
    assert (store.orders, store.order_events, store.idempotency_keys) == ({}, {}, {})


def test_a_savepoint_that_raises_undoes_only_its_own_changes(store: FakeStore) -> None:
    with fake_unit_of_work_factory(store)() as unit:
        add_key(unit, "before")
        with pytest.raises(RuntimeError):
            in_savepoint(unit, write_then_fail)
        with unit.savepoint():
            add_key(unit, "kept")
        unit.commit()
    assert sorted(key for _, _, key in store.idempotency_keys) == ["before", "kept"]
    assert store.orders == {}


def test_a_key_written_twice_in_a_unit_conflicts_at_the_end_of_its_savepoint_or_commit(
    store: FakeStore,
) -> None:
    factory = fake_unit_of_work_factory(store)
    with factory() as unit:
        add_key(unit)
        with pytest.raises(StoreConflictError):
            in_savepoint(unit, add_key)
        unit.commit()  # the savepoint took its violation with it
    assert len(store.idempotency_keys) == 1
    with pytest.raises(StoreConflictError):
        in_unit(factory, lambda u: (add_order(u, "PO-1"), add_order(u, "PO-1")))
    assert store.orders == {}


@pytest.mark.parametrize("write", [add_key, lambda unit: add_order(unit, "PO-1")])
def test_a_unique_key_a_concurrent_unit_committed_first_conflicts_at_commit(
    store: FakeStore, write: Write
) -> None:
    factory = fake_unit_of_work_factory(store)
    with factory() as first, factory() as second:
        write(first)
        write(second)
        first.commit()
        with pytest.raises(StoreConflictError):
            second.commit()
    assert len(store.idempotency_keys) + len(store.orders) == 1


def test_an_injected_commit_failure_raises_once_and_keeps_nothing(store: FakeStore) -> None:
    factory = fake_unit_of_work_factory(store)
    store.fail_next_commit(StoreUnavailableError("down"))
    with pytest.raises(StoreUnavailableError):
        in_unit(factory, add_key)
    assert store.idempotency_keys == {}
    in_unit(factory, add_key)
    assert len(store.idempotency_keys) == 1


def test_a_refused_order_value_fails_its_savepoint_only(store: FakeStore) -> None:
    store.refuse_order_values("PO-BAD")
    with fake_unit_of_work_factory(store)() as unit:
        with pytest.raises(StoreValueError):
            in_savepoint(unit, lambda u: add_order(u, "PO-BAD"))
        with unit.savepoint():
            add_order(unit, "PO-OK")
        unit.commit()
    assert [o.order_id for o in store.orders.values()] == ["PO-OK"]
    with pytest.raises(StoreValueError):
        in_unit(fake_unit_of_work_factory(store), lambda u: add_order(u, "PO-BAD"))


def test_a_saved_order_reads_back_with_its_history(store: FakeStore) -> None:
    factory = fake_unit_of_work_factory(store)
    with factory() as unit:
        order = add_order(unit, "PO-1")
        unit.commit()
    with factory() as unit:
        stored = unit.orders.get_for_update("p", "PO-1")
        assert stored == order
        changed, event = stored.apply(
            stored.current.model_copy(update={"change": OrderChange.UPDATE, "version": 2}),
            payload_id="p-2",
            at=AT + timedelta(hours=1),
        )
        unit.orders.save(changed, event, document_id=uuid4(), mapping=(), event_id=uuid4())
        unit.commit()
    with factory() as unit:
        assert [e.kind for e in unit.orders.history(order.id)] == [
            OrderEventKind.RECEIVED,
            OrderEventKind.CHANGED,
        ]
        assert unit.orders.changed_since("p", "PO-1", AT)
        (summary,) = unit.orders.query(partner_key="p")
        assert (summary.version, summary.updated_at) == (2, AT + timedelta(hours=1))


def test_control_numbers_wrap_after_the_maximum_and_a_rollback_gives_them_back(
    store: FakeStore,
) -> None:
    factory = fake_unit_of_work_factory(store)
    store.control_numbers["p", "set"] = MAXIMUM - 1
    with factory() as unit:
        assert unit.control_numbers.allocate("p", "set", at=AT, count=3) == [MAXIMUM, 1, 2]
    with factory() as unit:
        assert unit.control_numbers.allocate("p", "set", at=AT) == [MAXIMUM]
        unit.commit()
    assert store.control_numbers["p", "set"] == MAXIMUM


def test_documents_are_queried_newest_first_without_bodies(store: FakeStore) -> None:
    older, newer = document(AT, "p-1"), document(AT + timedelta(seconds=1), "p-2")
    with fake_unit_of_work_factory(store)() as unit:
        unit.documents.add(older, newer)
        found = unit.documents.query(partner_key="p")
    assert [d.payload_id for d in found] == ["p-2", "p-1"]
    assert {d.body for d in found} == {b""}


def _outbox(order_uuid: UUID, created: datetime) -> OutboxRecord:
    return OutboxRecord(
        id=uuid4(),
        partner_key="p",
        kind="ConfirmationRequest",
        document_type="order_confirmation",
        order_uuid=order_uuid,
        source_id=None,
        correlation_id=None,
        payload_id=str(uuid4()),
        document={},
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=created,
        claimed_until=None,
        last_error=None,
        last_document_id=None,
        created_at=created,
        updated_at=created,
        delivered_at=None,
    )


def test_claim_due_sends_the_documents_of_one_order_in_the_order_they_were_issued(
    store: FakeStore,
) -> None:
    factory = fake_unit_of_work_factory(store)
    order_uuid = uuid4()
    first, second = _outbox(order_uuid, AT), _outbox(order_uuid, AT + timedelta(seconds=1))
    now = AT + timedelta(minutes=1)
    lease = now + timedelta(minutes=5)
    with factory() as unit:
        unit.outbox.add(second)
        unit.outbox.add(first)
        (claimed,) = unit.outbox.claim_due(now=now, lease_until=lease, limit=10)
        assert (claimed.id, claimed.attempts, claimed.claimed_until) == (first.id, 1, lease)
        assert unit.outbox.claim_due(now=now, lease_until=lease, limit=10) == []  # leased
        unit.outbox.mark_delivered([first.id], at=now)
        (claimed,) = unit.outbox.claim_due(now=now, lease_until=lease, limit=10)
        assert claimed.id == second.id
