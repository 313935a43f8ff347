"""Offline translation for integration engineers: partner bytes -> canonical JSON, no credentials.

Decoding only (no authentication, no database). With a partner key, the partner's mapping runs
too, so an engineer can check a code list or cross-reference change before deploying it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from connectors.core import DocumentError
from connectors.formats.cxml import parse_cxml, read_order_request
from mappings.engine import MappingError, MappingStore, map_purchase_order
from schemas import PurchaseOrder


@dataclass(frozen=True)
class TranslationResult:
    """One file's outcome, in the JSON Lines shape the CLI prints."""

    file: str
    documents: tuple[PurchaseOrder, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the file translated completely."""
        return self.error is None

    def as_json(self) -> dict[str, Any]:
        """`{"file", "ok", "documents"}` or `{"file", "ok": false, "error"}`."""
        if self.error is not None:
            return {"file": self.file, "ok": False, "error": self.error}
        return {
            "file": self.file,
            "ok": True,
            "documents": [d.model_dump(mode="json") for d in self.documents],
        }


class Translator:
    """Translates files; optionally through one partner's mapping."""

    def __init__(self, store: MappingStore | None = None, partner_key: str | None = None) -> None:
        self._mapping = store.mapping(partner_key) if store and partner_key else None
        zone: tzinfo = UTC
        if self._mapping is not None:
            zone = ZoneInfo(self._mapping.profile.timezone)
        self._zone = zone

    def translate_file(self, path: Path) -> TranslationResult:
        """Read and translate one file; every failure becomes a result with a reason."""
        try:
            data = path.read_bytes()
        except OSError as error:
            return TranslationResult(str(path), error=f"cannot read file: {error.strerror}")
        return self.translate_bytes(data, name=str(path))

    def translate_bytes(self, data: bytes, *, name: str) -> TranslationResult:
        """Translate one document given as bytes."""
        stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not stripped.startswith(b"<"):
            return TranslationResult(
                name, error="not a cXML document: it does not start with '<' (XML)"
            )
        try:
            document = parse_cxml(data, default_tz=self._zone)
            if document.kind != "OrderRequest":
                return TranslationResult(
                    name,
                    error=f"{document.kind} is not translated: this hub reads OrderRequest "
                    "documents from cXML partners",
                )
            order = read_order_request(document, default_tz=self._zone)
            if self._mapping is not None:
                order = map_purchase_order(order, self._mapping)
        except (DocumentError, MappingError) as error:
            return TranslationResult(name, error=str(error))
        return TranslationResult(name, documents=(order,))
