"""Alembic migrations build exactly the schema the code declares, up and down, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from gateway_api.store.engine import build_engine
from gateway_api.store.migrate import current_revision, head_revision, upgrade
from gateway_api.store.tables import metadata
from tests.support.database import postgres_url_or_skip

MIGRATIONS_DB = "b2connect_test_migrations"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database of each backend."""
    if request.param == "sqlite":
        engine = build_engine(f"sqlite:///{tmp_path / 'm.db'}", pool_size=1)
        yield engine
        engine.dispose()
        return
    url = make_url(postgres_url_or_skip())
    admin = build_engine(url.render_as_string(hide_password=False), pool_size=1)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {MIGRATIONS_DB}"))
        connection.execute(text(f"CREATE DATABASE {MIGRATIONS_DB}"))
    engine = build_engine(
        url.set(database=MIGRATIONS_DB).render_as_string(hide_password=False), pool_size=1
    )
    yield engine
    engine.dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {MIGRATIONS_DB}"))
    admin.dispose()


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_upgrade_matches_the_declared_schema(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert _diff(empty_engine) == []


def test_downgrade_to_base_and_up_again(empty_engine: Engine) -> None:
    from alembic import command

    from gateway_api.store.migrate import alembic_config

    upgrade(empty_engine)
    config = alembic_config(empty_engine)
    with empty_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    tables = set(inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade(empty_engine)
    assert _diff(empty_engine) == []
