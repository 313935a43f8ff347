"""Offline translation for integration engineers: partner bytes -> canonical JSON, no credentials.

Decoding only (no authentication, no database). The protocol is recognised by the first bytes
of each file, asking every registered connector's ingress (`Ingress.sniff`); with a partner key
the partner's own connector reads it with the partner's reading rules, and the partner's mapping
runs too, so an engineer can check a code list or cross-reference change before deploying it.
Every good document of a file is printed, also when another document of the same file is bad.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from connectors.core import DocumentError, load_connector
from connectors.core.inbound import Ingress
from gateway_api.services.partners import registered_ingresses
from mappings.engine import MappingError, MappingStore, PartnerMapping, map_purchase_order
from schemas import PurchaseOrder


@dataclass(frozen=True)
class TranslationResult:
    """One file's outcome, in the JSON Lines shape the CLI prints."""

    file: str
    documents: tuple[PurchaseOrder, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every document of the file translated."""
        return not self.problems

    @property
    def error(self) -> str | None:
        """Every problem, in one line (None when there is none)."""
        return "; ".join(self.problems) or None

    def as_json(self) -> dict[str, Any]:
        """`{"file", "ok", "documents"}`, plus `"error"` (and `"problems"`) when not ok."""
        shown: dict[str, Any] = {"file": self.file, "ok": self.ok}
        if self.problems:
            shown["error"] = self.error
            shown["problems"] = list(self.problems)
        shown["documents"] = [d.model_dump(mode="json") for d in self.documents]
        return shown


class Translator:
    """Translates files; optionally as one partner's connector and mapping would."""

    def __init__(self, store: MappingStore | None = None, partner_key: str | None = None) -> None:
        self._mapping: PartnerMapping | None = None
        self._ingress: Ingress | None = None
        self._config: dict[str, Any] | None = None
        zone: tzinfo = UTC
        if store is not None and partner_key is not None:
            self._mapping = store.mapping(partner_key)
            profile = self._mapping.profile
            zone = ZoneInfo(profile.timezone)
            self._ingress = load_connector(profile.connector).spec.ingress
            self._config = dict(profile.connector_config)
        self._zone = zone

    def translate_file(self, path: Path) -> TranslationResult:
        """Read and translate one file; every failure becomes a result with a reason."""
        try:
            data = path.read_bytes()
        except OSError as error:
            return TranslationResult(str(path), problems=(f"cannot read file: {error.strerror}",))
        return self.translate_bytes(data, name=str(path))

    def translate_bytes(self, data: bytes, *, name: str) -> TranslationResult:
        """Translate every document of one file given as bytes."""
        ingress = self._ingress or next(
            (candidate for candidate in registered_ingresses() if candidate.sniff(data[:512])),
            None,
        )
        if ingress is None:
            known = ", ".join(i.name for i in registered_ingresses())
            return TranslationResult(name, problems=(f"not a format this hub reads ({known})",))
        try:
            batch = ingress.translate(data, tz=self._zone, config=self._config)
        except DocumentError as error:
            return TranslationResult(name, problems=(str(error),))
        documents: list[PurchaseOrder] = []
        problems = list(batch.problems)
        for unit in batch.units:
            for document in unit.documents:
                if document.problem is not None:
                    problems.append(document.problem.message)
                elif isinstance(document.content, PurchaseOrder):
                    try:
                        documents.append(self._mapped(document.content))
                    except MappingError as error:
                        where = f"{document.name}: " if document.position else ""
                        problems.append(f"{where}{error}")
        return TranslationResult(name, tuple(documents), tuple(problems))

    def _mapped(self, order: PurchaseOrder) -> PurchaseOrder:
        return order if self._mapping is None else map_purchase_order(order, self._mapping)
