"""`PartnerMapping`: everything needed to translate one partner's documents, already loaded.

A value, not a service: the profile, the (layered) unit code list, the part cross-reference and
the references (file + sha256) of every file that went into it. Translation functions take it
as an argument and do no I/O, so a test can build one in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from mappings.engine.codelists import CodeList
from mappings.engine.crossref import PartCrossReference
from mappings.engine.profile import PartnerProfile
from schemas import MappingReference


@dataclass(frozen=True, slots=True)
class PartnerMapping:
    """A partner's profile with its loaded code lists and cross-reference."""

    profile: PartnerProfile
    """The validated partner profile."""
    units: CodeList
    """Unit-of-measure list: the partner override (if any) layered over the shared list."""
    parts: PartCrossReference | None
    """The part cross-reference, or `None` when the profile names none."""
    references: tuple[MappingReference, ...]
    """Every file that took part (profile, code lists, cross-reference) with its sha256; record
    these on the envelope of each document translated with this mapping."""

    @property
    def key(self) -> str:
        """The partner key."""
        return self.profile.key
