"""The envelope: what we know about a document besides its business content."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from schemas._base import CanonicalModel

T = TypeVar("T")


class Direction(StrEnum):
    """Whether a document came to us or went from us."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MappingReference(CanonicalModel):
    """One mapping file that took part in a translation, pinned by content hash."""

    file: str
    """Path of the mapping file relative to the mappings root."""
    sha256: str
    """SHA-256 of the file's bytes when it was applied."""


class Envelope(CanonicalModel, Generic[T]):
    """A canonical document with its provenance: who, which id, which mapping, which bytes."""

    id: UUID
    """Our id for this document."""
    connector: str
    """Key of the connector that decoded or encoded it (`coupa`, `ariba`, ...)."""
    partner: str
    """Key of the trading partner profile (`coupa-demo`, ...)."""
    direction: Direction
    """Inbound or outbound."""
    partner_document_id: Annotated[str, Field(min_length=1, max_length=255)]
    """The document's own id in its protocol (cXML payloadID, X12 control numbers)."""
    correlation_id: str | None = None
    """Business key that ties related documents together (the order id)."""
    timestamp: AwareDatetime
    """When we received or sent it."""
    mapping: tuple[MappingReference, ...] = ()
    """Mapping files (with hashes) that produced the canonical document."""
    raw_document_id: UUID | None = None
    """Id of the stored raw bytes in the document log."""
    document: T
    """The canonical document."""
