"""The errors of the mapping engine, and the problem record they carry.

Exception tree::

    Exception
    +-- MappingError            one document could not be translated (bad data: dead letter)
    +-- MappingConfigError      a profile, code list or cross-reference file is invalid
        +-- UnknownPartnerError there is no profile for the partner key (also a KeyError)

A `MappingError` is about the *document*: fix the data (or the mapping) and replay it. A
`MappingConfigError` is about the *mapping files*: every document of that partner fails until
an engineer fixes the file it names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True, slots=True)
class MappingProblem:
    """One reason a document could not be translated.

    The record names where (`line_number`, `field`), what (`value`), why (`reason`, a full
    sentence an integration engineer can act on) and which mapping files were consulted.
    """

    line_number: int | None
    """The order line the problem is on; `None` for the document header."""
    field: str
    """Canonical field that could not be mapped (`unit_of_measure`, `sku`, ...)."""
    value: str | None
    """The value as the partner sent it, when there was one."""
    reason: str
    """Human-readable explanation, naming the value and the file consulted."""
    files: tuple[str, ...] = ()
    """Mapping files consulted, most specific first, relative to the mappings root
    (`partners/acme/uom.csv`, `codelists/uom.csv`)."""

    def at_line(self, line_number: int | None) -> MappingProblem:
        """The same problem, located on `line_number`."""
        return dataclasses.replace(self, line_number=line_number)

    def __str__(self) -> str:
        where = "header" if self.line_number is None else f"line {self.line_number}"
        return f"{where}: {self.reason}"


class MappingError(Exception):
    """A document could not be translated; `problems` lists every reason, not just the first.

    Raised by lookups (one problem) and by `map_purchase_order` (all problems of all lines), so
    an engineer fixes a document in one round instead of one error per replay.
    """

    def __init__(self, problems: Iterable[MappingProblem]) -> None:
        self.problems: tuple[MappingProblem, ...] = tuple(problems)
        if not self.problems:
            msg = "a MappingError needs at least one problem"
            raise ValueError(msg)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "; ".join(str(problem) for problem in self.problems)

    def __reduce__(self) -> tuple[type[MappingError], tuple[tuple[MappingProblem, ...]]]:
        return (type(self), (self.problems,))


class MappingConfigError(Exception):
    """A mapping file (profile, code list, cross-reference) is missing or invalid.

    `file` is the path relative to the mappings root when the file lies inside it; `detail`
    says what is wrong (the pydantic or CSV error, with the row or field).
    """

    def __init__(self, file: str, detail: str) -> None:
        self.file = file
        self.detail = detail
        super().__init__(f"{file}: {detail}")

    def __str__(self) -> str:
        return f"{self.file}: {self.detail}"

    def __reduce__(self) -> tuple[type[MappingConfigError], tuple[str, ...]]:
        return (type(self), (self.file, self.detail))

    @classmethod
    def from_validation_error(cls, file: str, error: ValidationError) -> MappingConfigError:
        """Wrap a pydantic error, listing every failing field as `dotted.location: message`."""
        parts = []
        for item in error.errors(include_url=False):
            location = ".".join(str(part) for part in item["loc"]) or "(top level)"
            parts.append(f"{location}: {item['msg']}")
        return cls(file, "; ".join(parts))


class UnknownPartnerError(MappingConfigError, KeyError):
    """No profile exists for this partner key (`partners/<key>/profile.yaml` is absent).

    Also a `KeyError`, so callers that treat the store like a mapping can catch it as one.
    """

    def __init__(self, partner_key: str, known: Iterable[str] = ()) -> None:
        self.partner_key = partner_key
        self.known: tuple[str, ...] = tuple(known)
        hint = f"; known partners: {', '.join(self.known)}" if self.known else ""
        super().__init__(
            f"partners/{partner_key}/profile.yaml",
            f"no partner profile for key {partner_key!r}{hint}",
        )

    def __reduce__(self) -> tuple[type[UnknownPartnerError], tuple[str, tuple[str, ...]]]:  # type: ignore[override]
        return (type(self), (self.partner_key, self.known))
