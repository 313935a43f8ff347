"""Staged inserts for one unit of work, flushed in one round trip on PostgreSQL.

Why hand-written: the ingest path writes about fifteen rows into six tables per order. Through
SQLAlchemy Core executemany that is one INSERT per row (psycopg pipelines them, but each costs
tens of microseconds of Python), and the ORM's unit of work would add an identity map we do not
need. Measured on this project's ingest transaction (bench/, docs/benchmarks.md): Core
executemany about 2.1 ms of CPU per order, raw psycopg pipeline about 1.1 ms, one statement of
data-modifying CTEs about 0.5 ms.

So repositories *stage* their inserts here, in program order, and the buffer is flushed before any
other statement runs and at commit. On PostgreSQL a flush is one statement: a chain of
`INSERT INTO <table> (<columns>) VALUES (...), (...)` CTEs. Foreign keys between
the staged rows hold, because PostgreSQL checks them at the end of the statement. On SQLite (the
embedded default, where round trips cost nothing) a flush is a Core executemany per table.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from pydantic_core import to_json
from sqlalchemy import JSON, Connection, Executable, Result, Table, insert
from sqlalchemy.exc import DBAPIError

from gateway_api.store.json_text import JsonText

Row = Mapping[str, Any]


class BufferedConnection:
    """A connection whose inserts can be staged; every other statement flushes them first."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._staged: list[tuple[Table, list[Row]]] = []
        self._postgres = connection.dialect.name == "postgresql"

    @property
    def dialect_name(self) -> str:
        """`postgresql` or `sqlite`."""
        return self.connection.dialect.name

    def stage(self, table: Table, rows: Sequence[Row]) -> None:
        """Queue rows for insertion (all with the same keys as the table's columns they set)."""
        if not rows:
            return
        if self._staged and self._staged[-1][0] is table:
            self._staged[-1][1].extend(rows)
        else:
            self._staged.append((table, list(rows)))

    def execute(
        self,
        statement: Executable,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> Result[Any]:
        """Flush staged inserts, then run `statement`."""
        self.flush()
        return self.connection.execute(statement, parameters)

    def discard(self) -> None:
        """Forget the staged rows (their savepoint is being rolled back)."""
        self._staged = []

    def flush(self) -> None:
        """Write every staged row now, in staging order."""
        if not self._staged:
            return
        staged, self._staged = self._staged, []
        if not self._postgres:
            for table, rows in staged:
                self.connection.execute(insert(table), rows)
            return
        for batch in _batches(staged):
            self._flush_postgres(batch)

    def _flush_postgres(self, staged: list[tuple[Table, list[Row]]]) -> None:
        shape = tuple((table, tuple(rows[0]), len(rows)) for table, rows in staged)
        parameters: list[Any] = []
        for index, (table, rows) in enumerate(staged):
            columns = shape[index][1]
            json_columns = {name for name in columns if isinstance(table.c[name].type, JSON)}
            for row in rows:
                for name in columns:
                    value = row[name]
                    if name in json_columns and value is not None:
                        value = value if isinstance(value, JsonText) else to_json(value).decode()
                    parameters.append(value)
        _execute_raw(self.connection, _postgres_statement(shape), parameters)


MAX_PARAMETERS = 30_000
"""Bind parameters per statement (PostgreSQL's protocol allows 65,535)."""


def _batches(staged: list[tuple[Table, list[Row]]]) -> list[list[tuple[Table, list[Row]]]]:
    """Staged groups cut so that no statement exceeds `MAX_PARAMETERS`, order kept.

    An order of a few thousand lines becomes several statements in the same transaction; rows of
    one table never reference rows that come after them, so foreign keys still hold.
    """
    batches: list[list[tuple[Table, list[Row]]]] = [[]]
    used = 0
    for table, rows in staged:
        width = max(len(rows[0]), 1)
        start = 0
        while start < len(rows):
            room = (MAX_PARAMETERS - used) // width
            if room == 0:
                batches.append([])
                used, room = 0, MAX_PARAMETERS // width
            chunk = rows[start : start + room]
            batches[-1].append((table, chunk))
            used += len(chunk) * width
            start += len(chunk)
    return [batch for batch in batches if batch]


def _execute_raw(connection: Connection, sql: str, parameters: list[Any]) -> None:
    """Run `sql` ($n placeholders) on the psycopg connection inside SQLAlchemy's transaction.

    A psycopg `RawCursor` sends the query as written: psycopg parses `%s` queries on every call
    once they have more than 50 parameters (its cache limit), which cost more than the insert
    itself. Driver errors are re-raised as SQLAlchemy's, so callers see one exception family.
    """
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        with psycopg.RawCursor(driver) as cursor:
            cursor.execute(sql, parameters)
    except psycopg.Error as error:
        raise DBAPIError.instance(sql, parameters, error, psycopg.Error) from error


@functools.lru_cache(maxsize=128)
def _postgres_statement(shape: tuple[tuple[Table, tuple[str, ...], int], ...]) -> str:
    """`WITH i0 AS (INSERT ... VALUES (...), (...)), ... SELECT 1` for one shape of rows.

    Parameters are scalars (`$1`, `$2`...) whose types PostgreSQL infers from the target columns;
    psycopg adapts scalars in C, where arrays would be adapted in Python.
    """
    parts = []
    number = 0
    for index, (table, columns, count) in enumerate(shape):
        names = ", ".join(f'"{name}"' for name in columns)
        rows = []
        for _ in range(count):
            placeholders = [f"${number + position + 1}" for position in range(len(columns))]
            number += len(columns)
            rows.append("(" + ", ".join(placeholders) + ")")
        values = ", ".join(rows)
        # Only table and column names of our own metadata are interpolated; values are $n.
        insert_sql = f'INSERT INTO "{table.name}" ({names}) VALUES {values}'  # noqa: S608
        parts.append(f"i{index} AS ({insert_sql})")
    return "WITH " + ", ".join(parts) + " SELECT 1"
