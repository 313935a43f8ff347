"""Control numbers (X12 ISA13, GS06, ST02) per partner: issued once, never reused.

One atomic statement per allocation - `INSERT ... ON CONFLICT DO UPDATE SET last_value =
last_value + n RETURNING last_value` - in the caller's transaction: the row stays locked until
that transaction ends, so concurrent writers queue on it (PostgreSQL row lock; SQLite's
`BEGIN IMMEDIATE` serialises writers anyway), and a rolled-back allocation gives its numbers back
together with the document that would have used them. Numbers wrap after `MAXIMUM` (ISA13 has
nine digits) to 1, which X12 allows (at one interchange a second, after 31 years); the stored
counter itself is a 64-bit integer that never wraps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import literal
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gateway_api.store import tables as t
from gateway_api.store.insert_buffer import BufferedConnection

MAXIMUM = 999_999_999
"""Largest control number (nine digits: ISA13, GS06 and ST02 all fit)."""


class SqlControlNumberRepository:
    """Allocates the next control numbers of a partner and scope."""

    def __init__(self, connection: BufferedConnection) -> None:
        self._c = connection

    def allocate(self, partner_key: str, scope: str, *, at: datetime, count: int = 1) -> list[int]:
        """`count` consecutive new numbers (wrapping after `MAXIMUM` to 1)."""
        if count < 1:
            msg = "allocate at least one control number"
            raise ValueError(msg)
        dialect_insert = pg_insert if self._c.dialect_name == "postgresql" else sqlite_insert
        c = t.control_numbers.c
        statement = dialect_insert(t.control_numbers).values(
            partner_key=partner_key, scope=scope, last_value=count, updated_at=at
        )
        upsert = statement.on_conflict_do_update(
            index_elements=["partner_key", "scope"],
            set_={"last_value": c.last_value + literal(count), "updated_at": at},
        ).returning(c.last_value)
        last = int(self._c.execute(upsert).scalar_one())
        first = last - count + 1
        return [(n - 1) % MAXIMUM + 1 for n in range(first, last + 1)]
