"""Fixtures shared by every suite: databases on SQLite and PostgreSQL, runtime, API client."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway_api.http.app import create_app
from gateway_api.runtime import Runtime, build_runtime
from gateway_api.settings import Settings
from tests.support.clock import FakeClock
from tests.support.database import (
    empty_database_url,
    fresh_postgres_schema,
    migrated_sqlite_template,
    postgres_url_or_skip,
)
from tests.support.paths import MAPPINGS_DIR

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite database, copied for each test."""
    return migrated_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test PostgreSQL database, migrated from scratch once per session."""
    url = postgres_url_or_skip()
    fresh_postgres_schema(url)
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on each backend."""
    return empty_database_url(request, request.param, tmp_path)


@pytest.fixture
def mappings_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped mappings, safe to edit (crossref fixes, broken profiles)."""
    target = tmp_path / "mappings"
    shutil.copytree(MAPPINGS_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


@pytest.fixture
def clock() -> FakeClock:
    """Test time."""
    return FakeClock()


@pytest.fixture
def settings(database_url: str, mappings_dir: Path) -> Settings:
    """Settings for one test: its own database and mappings copy."""
    return Settings(
        database_url=database_url,
        mappings_dir=mappings_dir,
        hostname="test.b2connect.local",
        database_pool_size=4,
        # Tests edit profiles and cross-references and act at once; the default (1 s) is
        # tested on its own in tests/api/test_connector_contract.py.
        profile_recheck_seconds=0,
    )


@pytest.fixture
def runtime(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    """Wired services on the test database."""
    built = build_runtime(settings, clock=clock)
    built.sync_partners()
    yield built
    built.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    """An in-process HTTP client for the API (see tests/api/ for real-socket tests)."""
    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client
