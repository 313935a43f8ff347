"""Open dead letters are counted by the database (one SELECT COUNT), exactly, on both backends.

`/health` and `/metrics` show how many dead letters wait; they counted by loading up to 10,000
rows, so the number stopped at 10,000 and each scrape read that many rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from sqlalchemy import Engine, event

from gateway_api.services.document_log import inbound_record
from gateway_api.store.engine import build_engine
from gateway_api.store.records import DeadLetterRecord, DeadLetterStatus, DocumentOutcome
from gateway_api.store.unit_of_work import SqlUnitOfWork

AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    built = build_engine(database_url)
    yield built
    built.dispose()


def _park(engine: Engine, partner_key: str, status: DeadLetterStatus) -> None:
    document = inbound_record(
        b"<cXML/>",
        partner_key=partner_key,
        protocol="cxml",
        kind="OrderRequest",
        outcome=DocumentOutcome.HELD,
        status_code=201,
        at=AT,
        authenticated=True,
        payload_id=f"{uuid4()}@buyer",
    )
    with SqlUnitOfWork(engine) as uow:
        uow.documents.add(document)
        uow.dead_letters.add(
            DeadLetterRecord(
                id=uuid4(),
                document_id=document.id,
                partner_key=partner_key,
                stage="mapping",
                error="unknown part",
                status=status,
                attempts=0,
                created_at=AT,
                updated_at=AT,
                resolved_at=None if status is DeadLetterStatus.OPEN else AT,
            )
        )
        uow.commit()


def test_dead_letters_are_counted_by_status_in_one_count_query(engine: Engine) -> None:
    for partner, status in [
        ("coupa-demo", DeadLetterStatus.OPEN),
        ("coupa-demo", DeadLetterStatus.OPEN),
        ("ariba-demo", DeadLetterStatus.OPEN),
        ("coupa-demo", DeadLetterStatus.REPLAYED),
    ]:
        _park(engine, partner, status)
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with SqlUnitOfWork(engine) as uow:
            counted = (
                uow.dead_letters.count(status="open"),
                uow.dead_letters.count(status="replayed"),
                uow.dead_letters.count(),
            )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert counted == (3, 1, 4)
    counts = [s for s in statements if "dead_letters" in s]
    assert len(counts) == 3, counts
    assert all("count(" in s.lower() for s in counts), counts
