"""The backlog behind `/health` and `/metrics` counts open dead letters through the port's
`count`, exactly, without loading a row (it read up to 10,000 rows and stopped there)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from gateway_api.services.queries import QueryService
from gateway_api.store.records import DeadLetterRecord, DeadLetterStatus
from tests.support.fake_store import FakeDeadLetterRepository, FakeStore, fake_unit_of_work_factory

AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _letter(partner_key: str, status: DeadLetterStatus) -> DeadLetterRecord:
    return DeadLetterRecord(
        id=uuid4(),
        document_id=uuid4(),
        partner_key=partner_key,
        stage="mapping",
        error="unknown part",
        status=status,
        attempts=0,
        created_at=AT,
        updated_at=AT,
        resolved_at=None,
    )


def _store_with_letters() -> FakeStore:
    store = FakeStore()
    factory = fake_unit_of_work_factory(store)
    with factory() as uow:
        for partner, status in [
            ("a", DeadLetterStatus.OPEN),
            ("b", DeadLetterStatus.OPEN),
            ("a", DeadLetterStatus.REPLAYED),
        ]:
            uow.dead_letters.add(_letter(partner, status))
        uow.commit()
    return store


def test_the_fake_counts_dead_letters_by_status() -> None:
    factory = fake_unit_of_work_factory(_store_with_letters())
    with factory() as uow:
        assert uow.dead_letters.count(status="open") == 2
        assert uow.dead_letters.count(status="replayed") == 1
        assert uow.dead_letters.count() == 3


def test_the_backlog_counts_open_dead_letters_without_loading_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _store_with_letters()

    def no_rows(*args: object, **kwargs: object) -> list[DeadLetterRecord]:
        raise AssertionError("the backlog loaded dead-letter rows to count them")

    monkeypatch.setattr(FakeDeadLetterRepository, "query", no_rows)
    backlog = QueryService(fake_unit_of_work_factory(store)).backlog()
    assert backlog.open_dead_letters == 2
