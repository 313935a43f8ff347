"""X12 control numbers: per partner and scope, consecutive, never reused, also under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, update

from gateway_api.store.control_numbers import MAXIMUM
from gateway_api.store.engine import build_engine
from gateway_api.store.tables import control_numbers
from gateway_api.store.unit_of_work import SqlUnitOfWork

AT = datetime(2026, 11, 22, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Engine:
    built = build_engine(database_url, pool_size=8)
    yield built  # type: ignore[misc]
    built.dispose()


def _allocate(engine: Engine, partner: str, scope: str, count: int = 1) -> list[int]:
    with SqlUnitOfWork(engine) as uow:
        numbers = uow.control_numbers.allocate(partner, scope, at=AT, count=count)
        uow.commit()
    return numbers


def test_numbers_start_at_one_and_follow_on_per_partner_and_scope(engine: Engine) -> None:
    assert _allocate(engine, "edi-a", "interchange") == [1]
    assert _allocate(engine, "edi-a", "interchange", count=3) == [2, 3, 4]
    assert _allocate(engine, "edi-a", "group") == [1]
    assert _allocate(engine, "edi-b", "interchange") == [1]
    assert _allocate(engine, "edi-a", "interchange") == [5]


def test_a_rolled_back_allocation_is_given_back_with_its_document(engine: Engine) -> None:
    assert _allocate(engine, "edi-a", "set") == [1]
    with SqlUnitOfWork(engine) as uow:
        assert uow.control_numbers.allocate("edi-a", "set", at=AT) == [2]
        # no commit: the document that would carry 2 was never written
    assert _allocate(engine, "edi-a", "set") == [2]


def test_numbers_wrap_after_nine_digits(engine: Engine) -> None:
    _allocate(engine, "edi-a", "interchange")
    with engine.begin() as connection:  # as if 999,999,998 interchanges had gone out
        connection.execute(update(control_numbers).values(last_value=MAXIMUM - 1))
    assert _allocate(engine, "edi-a", "interchange", count=3) == [MAXIMUM, 1, 2]
    assert _allocate(engine, "edi-a", "interchange") == [3]


def test_concurrent_writers_never_get_the_same_number(engine: Engine) -> None:
    def writer(_: int) -> list[int]:
        taken = []
        for _ in range(25):
            taken.extend(_allocate(engine, "edi-a", "interchange"))
        return taken

    with ThreadPoolExecutor(8) as pool:
        results = [n for batch in pool.map(writer, range(8)) for n in batch]
    assert sorted(results) == list(range(1, 201))
