"""What the CLI says when it cannot do its work: one line on stderr, exit status 2.

Settings that cannot be used, a database URL that cannot be parsed, an unreachable or
unmigrated database, and a path the command cannot use are the operator's to fix, not bugs:
they get a sentence saying what is wrong and what to do, never a traceback (which quoted the
SQL, the rows and pydantic's inputs, the admin token among them). Anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from pydantic import ValidationError

EXIT_USAGE = 2
"""Exit status of a command refused before doing anything (as click's usage errors)."""

_CHECK_DATABASE = (
    "Check B2CONNECT_DATABASE_URL and that the database server is running "
    "(`b2connect db current` tries it)."
)


class CliError(Exception):
    """A refusal the operator can act on; its text is the sentence printed."""


def explain(error: BaseException) -> str | None:
    """The sentence for a failure the operator can fix, or None for a bug."""
    # Imported here: `b2connect --help` must not pay for SQLAlchemy and Alembic.
    from pydantic import ValidationError  # noqa: PLC0415
    from sqlalchemy.exc import DBAPIError  # noqa: PLC0415

    from gateway_api.settings import SettingsError, describe  # noqa: PLC0415
    from gateway_api.store.engine import DatabaseUrlError  # noqa: PLC0415
    from gateway_api.store.migrate import DatabaseNotMigratedError  # noqa: PLC0415
    from gateway_api.store.ports import StoreError  # noqa: PLC0415

    if isinstance(error, CliError | SettingsError | DatabaseUrlError | DatabaseNotMigratedError):
        return str(error)
    if isinstance(error, ValidationError) and error.title == "Settings":
        return describe(error)
    if isinstance(error, StoreError):
        return f"The database cannot be used: {_first_line(str(error))}. {_CHECK_DATABASE}"
    if isinstance(error, DBAPIError):
        # str(error) carries the SQL and its parameters; the driver's own message does not.
        return f"The database cannot be used: {_first_line(str(error.orig))}. {_CHECK_DATABASE}"
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].rstrip(".") if text.strip() else "unknown error"


def fail(message: str) -> typer.Exit:
    """Print `message` on stderr; the caller raises the returned exit (status 2)."""
    typer.echo(message, err=True)
    return typer.Exit(EXIT_USAGE)


class SentenceGroup(TyperGroup):
    """The root command group: turns the failures `explain` knows into their sentence."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        """Run the subcommand; a known failure prints one line and exits 2."""
        try:
            return super().invoke(ctx)
        except Exception as error:
            message = explain(error)
            if message is None:
                raise
            raise fail(message) from None


def describe_input(error: ValidationError) -> str:
    """A validation error of input (a JSON body) as `field: problem` pairs, without the input
    values or pydantic's documentation links (a rule of a whole model: its sentence alone)."""
    problems = []
    for problem in error.errors(include_url=False, include_input=False, include_context=False):
        where = ".".join(str(part) for part in problem["loc"])
        text = str(problem["msg"]).removeprefix("Value error, ")
        # A rule of the whole model has no location; its sentence names the fields itself.
        problems.append(f"{where}: {text}" if where else text)
    return "; ".join(problems)
