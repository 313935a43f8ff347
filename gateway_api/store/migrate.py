"""Schema migrations (Alembic) driven from code: `b2connect db upgrade`, tests, start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseNotMigratedError(Exception):
    """The database's schema is not the one the code expects; the message says what to run."""


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at our migrations; bound to `engine` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        # ConfigParser interpolates `%`: a percent-encoded password must be escaped, or the
        # interpolation error would quote it.
        url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
        config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind `engine` up to `revision` (default: the newest)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the code knows."""
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def require_head(engine: Engine) -> None:
    """Raise `DatabaseNotMigratedError` unless the database is at the newest revision: every
    command would otherwise fail on its first query (`no such table: partners`)."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        where = engine.url.render_as_string(hide_password=True)
        msg = (
            f"The database {where} is at revision {current or 'none (empty)'}, the code expects "
            f"{head}: run `b2connect db upgrade` first."
        )
        raise DatabaseNotMigratedError(msg)
