"""Tables the CLI prints: the values an operator copies (ids, partner keys, kinds, order
numbers) are never cut; only free text (errors, reasons) wraps.

Rich fits a table into the terminal by shortening cells with an ellipsis, which made
`dead-letters list` print ids that `dead-letters replay` could not take. Here key columns do not
wrap, and the table is drawn as wide as they need even when that is wider than the terminal.
"""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

_UNLIMITED = 100_000


def table(keys: list[str], text: list[str] | None = None) -> Table:
    """A table whose `keys` columns are never cut and whose `text` columns wrap."""
    built = Table()
    for name in keys:
        built.add_column(name, no_wrap=True, overflow="ignore")
    for name in text or []:
        built.add_column(name, overflow="fold", min_width=12)
    return built


def print_table(console: Console, rows: Table) -> None:
    """Print `rows` at least as wide as its key columns need."""
    needed = Measurement.get(console, console.options.update(max_width=_UNLIMITED), rows).minimum
    if needed <= console.width:
        console.print(rows)
        return
    wide = Console(
        file=console.file,
        width=needed,
        force_terminal=console.is_terminal,
        no_color=console.no_color,
    )
    wide.print(rows)
