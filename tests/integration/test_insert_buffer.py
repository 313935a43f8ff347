"""The unit of work's insert buffer: program-order semantics, one flush, errors as SQLAlchemy's."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gateway_api.store import tables as t
from gateway_api.store.engine import build_engine
from gateway_api.store.insert_buffer import _postgres_statement
from gateway_api.store.records import DocumentOutcome, DocumentRecord
from gateway_api.store.unit_of_work import SqlUnitOfWork

AT = datetime(2026, 11, 22, tzinfo=UTC)


def _document(**changes: object) -> DocumentRecord:
    values: dict[str, object] = {
        "id": uuid4(),
        "partner_key": "p",
        "direction": "inbound",
        "protocol": "cxml",
        "kind": "OrderRequest",
        "payload_id": "x",
        "correlation_id": None,
        "in_reply_to": None,
        "outcome": DocumentOutcome.PROCESSED,
        "status_code": 200,
        "detail": "naïve ünïcode and 'quotes'",
        "content_type": None,
        "size": 3,
        "sha256": "0" * 64,
        "body": b"\x00\xffraw",
        "body_truncated": False,
        "remote_addr": None,
        "created_at": AT,
    }
    values.update(changes)
    return DocumentRecord(**values)  # type: ignore[arg-type]


def test_staged_rows_are_visible_to_the_next_read(database_url: str) -> None:
    engine = build_engine(database_url, pool_size=1)
    first = _document()
    reply = _document(direction="outbound", in_reply_to=first.id, body=b"answer")
    with SqlUnitOfWork(engine) as uow:
        uow.documents.add(first, reply)  # staged: nothing sent yet
        stored = uow.documents.get(first.id)  # a read flushes first
        assert stored == first
        assert [r.id for r in uow.documents.replies_to(first.id)] == [reply.id]
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        assert uow.documents.get(reply.id) == reply  # bytes, text and times round-trip exactly
    engine.dispose()


def test_uncommitted_staged_rows_vanish(database_url: str) -> None:
    engine = build_engine(database_url, pool_size=1)
    with SqlUnitOfWork(engine) as uow:
        uow.documents.add(_document())
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.documents)).scalar() == 0
    engine.dispose()


def test_a_duplicate_key_surfaces_as_integrity_error_at_commit(database_url: str) -> None:
    engine = build_engine(database_url, pool_size=1)
    document = _document()
    with SqlUnitOfWork(engine) as uow:
        uow.documents.add(document)
        uow.idempotency.add(
            "p", "cxml", "k", document_id=document.id, response_document_id=None, at=AT
        )
        uow.commit()
    with SqlUnitOfWork(engine) as uow:
        uow.idempotency.add(
            "p", "cxml", "k", document_id=document.id, response_document_id=None, at=AT
        )
        with pytest.raises(IntegrityError):
            uow.commit()
    engine.dispose()


def test_postgres_statement_is_one_insert_per_table_with_numbered_parameters() -> None:
    sql = _postgres_statement(((t.documents, ("id", "body"), 2), (t.idempotency_keys, ("key",), 1)))
    assert sql == (
        'WITH i0 AS (INSERT INTO "documents" ("id", "body") VALUES ($1, $2), ($3, $4)), '
        'i1 AS (INSERT INTO "idempotency_keys" ("key") VALUES ($5)) SELECT 1'
    )
