"""Test databases: migrated SQLite files and a truncated PostgreSQL schema."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import OperationalError

from gateway_api.store.engine import build_engine
from gateway_api.store.migrate import upgrade
from gateway_api.store.tables import metadata

POSTGRES_URL_VAR = "B2CONNECT_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VAR = "B2CONNECT_REQUIRE_POSTGRES"


def postgres_url_or_skip() -> str:
    """The test PostgreSQL URL; fails (not skips) when `make test` said it must be there."""
    url = os.environ.get(POSTGRES_URL_VAR)
    required = os.environ.get(REQUIRE_POSTGRES_VAR) == "1"
    if not url:
        if required:
            pytest.fail(f"{POSTGRES_URL_VAR} is not set but {REQUIRE_POSTGRES_VAR}=1")
        pytest.skip(f"{POSTGRES_URL_VAR} not set: run through `make test` for PostgreSQL")
    return url


def fresh_postgres_schema(url: str) -> None:
    """Drop everything in the test database and migrate it from scratch."""
    engine = build_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except OperationalError as error:
        engine.dispose()
        if os.environ.get(REQUIRE_POSTGRES_VAR) == "1":
            pytest.fail(f"PostgreSQL at {POSTGRES_URL_VAR} is unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    upgrade(engine)
    engine.dispose()


def truncate_all(engine: Engine) -> None:
    """Empty every application table (fast reset between PostgreSQL tests)."""
    names = [t.name for t in metadata.sorted_tables]
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(names)} CASCADE"))


def empty_database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A migrated, empty database on `backend`: a copy of the session's SQLite template
    (`sqlite_template` fixture) or the session's PostgreSQL schema (`postgres_url`), truncated.
    For fixtures parametrised over the stores."""
    if backend == "sqlite":
        return sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    engine = build_engine(url, pool_size=1)
    truncate_all(engine)
    engine.dispose()
    return url


def migrated_sqlite_template(directory: Path) -> Path:
    """A migrated SQLite file to copy per test (migrating once is much faster)."""
    path = directory / "template.db"
    engine = build_engine(f"sqlite:///{path}", pool_size=1)
    upgrade(engine)
    assert "orders" in inspect(engine).get_table_names()
    engine.dispose()
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    """A URL of a fresh copy of the template."""
    target = directory / "b2connect.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"
