"""SQL repositories of integration API keys and of idempotent integration calls."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, Row, select, update

from gateway_api.store import tables as t
from gateway_api.store.api_key_records import ApiKeyRecord, IntegrationCallRecord
from gateway_api.store.insert_buffer import BufferedConnection


class SqlApiKeyRepository:
    """`api_keys`: found by their public prefix, listed, revoked, touched when used."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection

    def add(self, record: ApiKeyRecord) -> None:
        """Store a new key (its prefix must be new: the unique constraint says otherwise)."""
        self._c.execute(
            t.api_keys.insert().values(
                id=record.id,
                name=record.name,
                prefix=record.prefix,
                key_hash=record.key_hash,
                scopes=list(record.scopes),
                created_at=record.created_at,
                revoked_at=record.revoked_at,
                last_used_at=record.last_used_at,
            )
        )

    def by_prefix(self, prefix: str) -> ApiKeyRecord | None:
        """The key with this prefix, revoked or not."""
        row = self._c.execute(select(t.api_keys).where(t.api_keys.c.prefix == prefix)).first()
        return None if row is None else _api_key(row)

    def all(self) -> list[ApiKeyRecord]:
        """Every key, oldest first."""
        rows = self._c.execute(select(t.api_keys).order_by(t.api_keys.c.created_at))
        return [_api_key(row) for row in rows]

    def revoke(self, prefix: str, *, at: datetime) -> bool:
        """Revoke the key with this prefix unless it already is; False when nothing changed."""
        c = t.api_keys.c
        result = self._c.execute(
            update(t.api_keys)
            .where(c.prefix == prefix, c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(cast("CursorResult[Any]", result).rowcount) > 0

    def touch(self, key_id: UUID, *, at: datetime) -> None:
        """Record that the key was just used."""
        self._c.execute(update(t.api_keys).where(t.api_keys.c.id == key_id).values(last_used_at=at))


class SqlIntegrationCallRepository:
    """`integration_calls`: the answer given to each (key, Idempotency-Key)."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection

    def get(self, api_key_id: UUID, idempotency_key: str) -> IntegrationCallRecord | None:
        """The call made with this key and Idempotency-Key, if any."""
        c = t.integration_calls.c
        row = self._c.execute(
            select(t.integration_calls).where(
                c.api_key_id == api_key_id, c.idempotency_key == idempotency_key
            )
        ).first()
        if row is None:
            return None
        return IntegrationCallRecord(
            api_key_id=row.api_key_id,
            idempotency_key=row.idempotency_key,
            endpoint=row.endpoint,
            request_sha256=row.request_sha256,
            status_code=row.status_code,
            response=row.response,
            created_at=row.created_at,
        )

    def add(self, record: IntegrationCallRecord) -> None:
        """Keep a call's answer; a twin committed first makes the commit fail with
        `StoreConflictError` (the primary key)."""
        self._c.stage(
            t.integration_calls,
            [
                {
                    "api_key_id": record.api_key_id,
                    "idempotency_key": record.idempotency_key,
                    "endpoint": record.endpoint,
                    "request_sha256": record.request_sha256,
                    "status_code": record.status_code,
                    "response": record.response,
                    "created_at": record.created_at,
                }
            ],
        )


def _api_key(row: Row[Any]) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        key_hash=row.key_hash,
        scopes=tuple(row.scopes),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
