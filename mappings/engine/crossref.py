"""Part cross-reference: the partner's part numbers -> our SKU, and the unknown-part policy.

The CSV is `partner_part_id,sku,description`. A partner part id is whatever id that partner
puts on its lines (a buyer part number, or the supplier part id from the catalog it holds), so
one table serves both lookups. Ids are matched after strip + upper-case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mappings.engine.csv_table import read_csv_table
from mappings.engine.errors import MappingConfigError, MappingError, MappingProblem
from mappings.engine.profile import UnknownPartPolicy
from schemas import OrderLine

CROSSREF_HEADER = ("partner_part_id", "sku", "description")
"""The header every part cross-reference CSV must have, in this order."""


def normalise_part_id(part_id: str) -> str:
    """The lookup form of a part id: surrounding whitespace removed, upper-case."""
    return part_id.strip().upper()


@dataclass(frozen=True, slots=True)
class PartCrossReference:
    """A loaded cross-reference table: partner part id -> our SKU."""

    file: str
    """The CSV it came from, relative to the mappings root."""
    _skus: Mapping[str, str] = field(repr=False)
    _parts: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Our SKU -> the partner's part id as written (the first row naming the SKU), for feeds."""

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]], file: str) -> PartCrossReference:
        """Build from `(partner_part_id, sku)` pairs; an id mapped to two SKUs is a
        `MappingConfigError`."""
        skus: dict[str, str] = {}
        parts: dict[str, str] = {}
        for partner_part_id, sku in rows:
            key, value = normalise_part_id(partner_part_id), sku.strip()
            if not key or not value:
                raise MappingConfigError(file, "partner_part_id and sku must not be empty")
            known = skus.setdefault(key, value)
            if known != value:
                detail = f"part {partner_part_id.strip()!r} maps to both {known!r} and {value!r}"
                raise MappingConfigError(file, detail)
            parts.setdefault(value, partner_part_id.strip())
        return cls(file, skus, parts)

    @classmethod
    def from_csv(cls, data: bytes, file: str) -> PartCrossReference:
        """Parse the bytes of `file` (header `partner_part_id,sku,description`)."""
        rows = read_csv_table(data, file, CROSSREF_HEADER, required=("partner_part_id", "sku"))
        return cls.from_rows(((row.values[0], row.values[1]) for row in rows), file)

    def find(self, partner_part_id: str) -> str | None:
        """Our SKU for a partner part id, or `None`."""
        return self._skus.get(normalise_part_id(partner_part_id))

    def part_for(self, sku: str) -> str | None:
        """The partner's part id for our SKU (the first the table names), or `None`: how a
        stock or price feed names the item to this partner."""
        return self._parts.get(sku.strip())

    def skus(self) -> frozenset[str]:
        """Every SKU the table maps to: the items this partner buys."""
        return frozenset(self._parts)

    def __len__(self) -> int:
        return len(self._skus)


def _present(value: str | None) -> str | None:
    return value.strip() if value is not None and value.strip() else None


def resolve_sku(
    line: OrderLine, crossref: PartCrossReference | None, unknown: UnknownPartPolicy
) -> str:
    """Our SKU for an order line: buyer part id first, then supplier part id, then the policy.

    `reject` makes an unknown part a problem; `supplier_part_id_is_sku` takes the supplier part
    id as the SKU (a problem when the line has none). Raises `MappingError` located on the line.
    """
    buyer, supplier = _present(line.buyer_part_id), _present(line.supplier_part_id)
    files = (crossref.file,) if crossref is not None else ()
    if crossref is not None:
        for part_id in (buyer, supplier):
            if part_id is not None and (sku := crossref.find(part_id)) is not None:
                return sku
    if unknown == "supplier_part_id_is_sku" and supplier is not None:
        return supplier

    source = crossref.file if crossref is not None else "a cross-reference (the profile has none)"
    if buyer is None and supplier is None:
        reason = "the line has neither a buyer_part_id nor a supplier_part_id"
    elif unknown == "supplier_part_id_is_sku":
        reason = (
            f"buyer part {buyer!r} is not in {source} and the line has no supplier_part_id "
            "to use as SKU"
        )
    elif buyer is not None and supplier is not None:
        reason = f"parts {buyer!r} (buyer) and {supplier!r} (supplier) are not in {source}"
    else:
        reason = f"part {buyer or supplier!r} is not in {source}"
    problem = MappingProblem(line.line_number, "sku", buyer or supplier, reason, files)
    raise MappingError([problem])
