"""Two-way, strict code lists: partner codes <-> canonical codes (UN/ECE Rec 20 for units).

A code list is a CSV `partner_code,canonical_code,description`. Inbound, every partner code maps
to exactly one canonical code; outbound, the *first* row of a canonical code gives the partner
code we send. Lookups normalise by strip + upper-case. An unknown code is a `MappingError`,
never a silent pass-through: a wrong unit on an order costs more than a rejected order.

A partner override list is layered over the shared list (`with_overrides`): its rows win in
both directions, and it may only use canonical codes the shared list already knows, so a typo
in an override cannot invent a unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mappings.engine.csv_table import read_csv_table
from mappings.engine.errors import MappingConfigError, MappingError, MappingProblem

CODE_LIST_HEADER = ("partner_code", "canonical_code", "description")
"""The header every code-list CSV must have, in this order."""


def normalise_code(code: str) -> str:
    """The lookup form of a code: surrounding whitespace removed, upper-case."""
    return code.strip().upper()


@dataclass(frozen=True, slots=True)
class CodeList:
    """A loaded code list (or a layered override + shared list) with two-way strict lookup."""

    label: str
    """What the codes are, for messages (`unit`)."""
    files: tuple[str, ...]
    """Files the list was built from, most specific first (relative to the mappings root)."""
    _to_canonical: Mapping[str, str] = field(repr=False)
    _to_partner: Mapping[str, str] = field(repr=False)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]], file: str, *, label: str) -> CodeList:
        """Build from `(partner_code, canonical_code)` pairs; the first pair per canonical code
        is the preferred partner code. Conflicting duplicates raise `MappingConfigError`."""
        to_canonical: dict[str, str] = {}
        to_partner: dict[str, str] = {}
        for partner_code, canonical_code in rows:
            key, canonical = normalise_code(partner_code), normalise_code(canonical_code)
            if not key or not canonical:
                raise MappingConfigError(file, "partner_code and canonical_code must not be empty")
            known = to_canonical.setdefault(key, canonical)
            if known != canonical:
                detail = (
                    f"partner code {partner_code.strip()!r} maps to both {known!r} and "
                    f"{canonical!r}"
                )
                raise MappingConfigError(file, detail)
            to_partner.setdefault(canonical, partner_code.strip())
        return cls(label, (file,), to_canonical, to_partner)

    @classmethod
    def from_csv(cls, data: bytes, file: str, *, label: str) -> CodeList:
        """Parse the bytes of `file` (header `partner_code,canonical_code,description`)."""
        rows = read_csv_table(
            data, file, CODE_LIST_HEADER, required=("partner_code", "canonical_code")
        )
        return cls.from_rows(((row.values[0], row.values[1]) for row in rows), file, label=label)

    def with_overrides(self, overrides: CodeList) -> CodeList:
        """This list with `overrides` layered on top: override rows win in both directions.

        Every canonical code of the override must exist in this list; otherwise
        `MappingConfigError` names the override file.
        """
        unknown = sorted(set(overrides._to_partner) - set(self._to_partner))
        if unknown:
            detail = (
                f"canonical codes {unknown} are not in {self.files[0]}; "
                "add them to the shared list first"
            )
            raise MappingConfigError(overrides.files[0], detail)
        return CodeList(
            self.label,
            overrides.files + self.files,
            {**self._to_canonical, **overrides._to_canonical},
            {**self._to_partner, **overrides._to_partner},
        )

    @property
    def canonical_codes(self) -> frozenset[str]:
        """Every canonical code the list can produce."""
        return frozenset(self._to_partner)

    @property
    def partner_codes(self) -> frozenset[str]:
        """Every partner code the list accepts, in normalised form."""
        return frozenset(self._to_canonical)

    def find_canonical(self, code: str) -> str | None:
        """The canonical code for a partner code, or `None` when it is not in the list."""
        return self._to_canonical.get(normalise_code(code))

    def find_partner(self, canonical_code: str) -> str | None:
        """The preferred partner code for a canonical code, or `None`."""
        return self._to_partner.get(normalise_code(canonical_code))

    def to_canonical(self, code: str, *, field: str | None = None) -> str:
        """The canonical code for a partner code; `MappingError` when it is unknown."""
        found = self.find_canonical(code)
        if found is None:
            reason = f"{self.label} {code!r} is not in {self._files_text()}"
            raise MappingError([self._problem(field, code, reason)])
        return found

    def to_partner(self, canonical_code: str, *, field: str | None = None) -> str:
        """The preferred partner code for a canonical code; `MappingError` when it has none."""
        found = self.find_partner(canonical_code)
        if found is None:
            reason = f"{self.label} {canonical_code!r} has no partner code in {self._files_text()}"
            raise MappingError([self._problem(field, canonical_code, reason)])
        return found

    def __len__(self) -> int:
        return len(self._to_canonical)

    def _files_text(self) -> str:
        return " or ".join(self.files)

    def _problem(self, field: str | None, value: str, reason: str) -> MappingProblem:
        return MappingProblem(None, field or self.label, value, reason, self.files)
