"""Engine factory: one place that knows the differences between PostgreSQL and SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry

from gateway_api.store.json_text import serialize_json

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
"""Database backends the store is written and tested for."""


class DatabaseUrlError(ValueError):
    """A database URL that cannot be used. The message never repeats the URL: it may hold a
    password, and the parser's own errors quote whatever follows the first `:` of it."""


def parse_database_url(url: str) -> URL:
    """`url` parsed, or `DatabaseUrlError` saying what a usable one looks like."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        msg = (
            "B2CONNECT_DATABASE_URL is not a database URL: use sqlite:///path/to/file.db or "
            "postgresql+psycopg://user:password@host:5432/database, and percent-encode "
            "@ : / % in the password (@ is %40)"
        )
        raise DatabaseUrlError(msg) from None
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        msg = (
            f"B2CONNECT_DATABASE_URL names the {parsed.get_backend_name()!r} backend; the hub "
            "runs on sqlite (sqlite:///path/to/file.db) or postgresql "
            "(postgresql+psycopg://user:password@host:5432/database)"
        )
        raise DatabaseUrlError(msg)
    return parsed


def display_url(url: str) -> str:
    """`url` with its password masked, for messages and logs."""
    return parse_database_url(url).render_as_string(hide_password=True)


def build_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    """A SQLAlchemy engine for `url`, tuned for the hub's write pattern.

    SQLite: WAL journal, `synchronous=NORMAL`, a generous busy timeout, foreign keys on, and every
    transaction opened with `BEGIN IMMEDIATE`, so concurrent writers queue on the lock instead of
    failing with "database is locked" when a read transaction tries to upgrade.
    PostgreSQL: a sized connection pool, recycled hourly.
    A URL that cannot be parsed raises `DatabaseUrlError` (which never repeats the password).
    """
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)  # var/ on a fresh checkout
        engine = create_engine(
            parsed,
            echo=echo,
            connect_args={"isolation_level": None, "check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
            json_serializer=serialize_json,
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    # No pre-ping: it costs a round trip per checkout on the ingest path. Dead connections are
    # recycled hourly and a disconnect mid-request is answered 503, which partners retry.
    return create_engine(
        parsed,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=3600,
        json_serializer=serialize_json,
    )


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=30000",
    ):
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
