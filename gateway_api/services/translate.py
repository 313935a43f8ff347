"""Offline translation for integration engineers: partner bytes -> canonical JSON, no credentials.

Decoding only (no authentication, no database). cXML files (an OrderRequest) and X12 files (every
850 of every interchange, mailbags included) are recognised by their first bytes. With a partner
key, the partner's mapping runs too (and, for X12, its 850 reading rules), so an engineer can
check a code list or cross-reference change before deploying it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from connectors.core import DocumentError
from connectors.formats.cxml import parse_cxml, read_order_request
from connectors.formats.x12 import (
    InterchangeFailure,
    TransactionSet,
    X12InboundRules,
    read_850,
    read_x12,
)
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
        rules: dict[str, Any] = {}
        if self._mapping is not None and self._mapping.profile.connector == "x12":
            rules = dict(self._mapping.profile.connector_config.get("inbound") or {})
        self._x12_rules = X12InboundRules.model_validate(rules)

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
        if stripped.startswith(b"ISA"):
            return self._translate_x12(data, name=name)
        if not stripped.startswith(b"<"):
            return TranslationResult(
                name, error="neither cXML (starts with '<') nor X12 (starts with 'ISA')"
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

    def _translate_x12(self, data: bytes, *, name: str) -> TranslationResult:
        """Every 850 of every interchange; the first unreadable part fails the file, precisely."""
        orders: list[PurchaseOrder] = []
        try:
            for event in read_x12(data):
                if isinstance(event, InterchangeFailure):
                    return TranslationResult(name, error=str(event.error))
                if not isinstance(event, TransactionSet):
                    continue
                if event.set_id != "850":
                    where = event.position(0)
                    return TranslationResult(
                        name,
                        error=f"transaction set {event.set_id} ({where}) is not translated: "
                        "this hub reads 850 purchase orders from X12 partners",
                    )
                order = read_850(event, self._x12_rules, tz=self._zone)
                if self._mapping is not None:
                    order = map_purchase_order(order, self._mapping)
                orders.append(order)
        except (DocumentError, MappingError) as error:
            return TranslationResult(name, error=str(error))
        if not orders:
            return TranslationResult(name, error="no 850 purchase order in the file")
        return TranslationResult(name, documents=tuple(orders))
