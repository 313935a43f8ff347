"""Strict CSV reading for mapping tables: exact header, fixed width, UTF-8, row numbers kept.

Mapping CSVs are edited by hand and in spreadsheets, so the reader accepts a UTF-8 byte-order
mark and blank lines, and refuses everything else that would make a row mean something other
than it says: a different header, a short or long row, an empty key.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from mappings.engine.errors import MappingConfigError


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row with its 1-based line number in the file (the header is line 1)."""

    line: int
    """Line number in the file, for error messages."""
    values: tuple[str, ...]
    """Cell values, whitespace-stripped, in header order."""


def read_csv_table(
    data: bytes, file: str, header: tuple[str, ...], *, required: tuple[str, ...] = ()
) -> list[CsvRow]:
    """Parse `data` (the bytes of `file`) as a CSV with exactly `header`.

    Columns named in `required` must be non-empty in every row. Raises `MappingConfigError`
    naming `file` and the line.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MappingConfigError(file, f"not UTF-8: {error}") from error
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[CsvRow] = []
    try:
        first = next(reader, None)
        if first is None or tuple(cell.strip() for cell in first) != header:
            found = ",".join(first) if first else "nothing"
            raise MappingConfigError(file, f"header must be {','.join(header)!r}, found {found!r}")
        required_indexes = [header.index(name) for name in required]
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            line = reader.line_num
            if len(cells) != len(header):
                detail = f"line {line}: expected {len(header)} columns, found {len(cells)}"
                raise MappingConfigError(file, detail)
            values = tuple(cell.strip() for cell in cells)
            for index in required_indexes:
                if not values[index]:
                    raise MappingConfigError(file, f"line {line}: {header[index]} is empty")
            rows.append(CsvRow(line, values))
    except csv.Error as error:
        raise MappingConfigError(file, f"line {reader.line_num}: {error}") from error
    return rows
