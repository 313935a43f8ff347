"""JSON shapes of the integration API (ERP -> hub): the rows each endpoint takes, and the answer.

Products, prices and customers are the canonical models (`schemas.catalog`) as they are; a
stock row is the canonical `StockLevel` keyed by sku AND location (both required here) with the
moment the ERP read it. Rows are validated one by one by the route, so a bad row is refused
alone; the batch body's schema (`{"rows": [...]}`) is published for the documentation.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gateway_api.services.catalog import ApplyReport, RowResult, StockUpdate
from schemas.catalog import Customer, Price, Product
from schemas.inventory import PartId, StockLevel

MAX_ROWS = 20_000
"""Rows one call may carry (about 3 MB of stock rows, under the body size limit)."""


class StockRowIn(StockLevel):
    """The stock of one item at one location, as the ERP reports it."""

    sku: PartId
    """Our SKU (LOGO item `CODE`); required here."""
    location: Annotated[str, Field(min_length=1, max_length=80)]
    """Warehouse or stock location code; required here (a row per location)."""
    as_of: AwareDatetime | None = None
    """When the figures held (the ERP's read time); omitted: when the hub applies them. A row
    older than the stored one is rejected, so a late retry cannot undo a newer figure."""

    def update(self) -> StockUpdate:
        """The service's input."""
        level = StockLevel.model_construct(
            **{name: getattr(self, name) for name in StockLevel.model_fields}
        )
        return StockUpdate(level, self.as_of)


class RowResultOut(BaseModel):
    """What happened to one row."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    index: int
    """Position of the row in `rows`, from 0."""
    key: str
    """The row's natural key: `SKU-1` (product), `SKU-1@WH1` (stock),
    `SKU-1/default/TRY/1/open` (price: sku, list, currency, min quantity, start), `C-1`."""
    outcome: Literal["applied", "unchanged", "rejected"]
    """`applied`: inserted or changed; `unchanged`: identical to what the hub holds (nothing
    written); `rejected`: refused, see `reason`; the other rows were applied."""
    reason: str | None = None
    """Why a row was rejected."""


class IntegrationAnswer(BaseModel):
    """The counts and the per-row results (every row, or only the rejected ones with
    `?results=rejected`)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    applied: int
    unchanged: int
    rejected: int
    results: list[RowResultOut]


def answer_json(
    report: ApplyReport,
    invalid: dict[int, tuple[str, str]],
    positions: list[int],
    *,
    all_rows: bool,
) -> dict[str, Any]:
    """The answer as JSON: the service's results (for the rows at `positions` of the body)
    merged with the rows refused by validation (`invalid`: index -> key, reason)."""
    merged: list[tuple[int, str, str, str | None]] = [
        (index, key, "rejected", reason) for index, (key, reason) in invalid.items()
    ]
    merged += [(positions[r.index], r.key, r.outcome.value, r.reason) for r in report.results]
    merged.sort()
    results = []
    for index, key, outcome, reason in merged:
        if outcome != "rejected" and not all_rows:
            continue
        row: dict[str, Any] = {"index": index, "key": key, "outcome": outcome}
        if reason is not None:
            row["reason"] = reason
        results.append(row)
    return {
        "applied": report.applied,
        "unchanged": report.unchanged,
        "rejected": report.rejected + len(invalid),
        "results": results,
    }


ROW_MODELS: dict[str, type[BaseModel]] = {
    "products": Product,
    "stock": StockRowIn,
    "prices": Price,
    "customers": Customer,
}
"""The row model of each endpoint."""


def batch_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of `{"rows": [<model>...]}`, self-contained (nested models inlined), for
    the OpenAPI document."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    return {
        "type": "object",
        "required": ["rows"],
        "additionalProperties": False,
        "properties": {
            "rows": {
                "type": "array",
                "maxItems": MAX_ROWS,
                "items": _inline(schema, definitions),
                "description": "The rows; each is validated and applied on its own.",
            }
        },
    }


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/$defs/"):
            return _inline(definitions[reference.removeprefix("#/$defs/")], definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


__all__ = [
    "MAX_ROWS",
    "ROW_MODELS",
    "IntegrationAnswer",
    "RowResult",
    "RowResultOut",
    "StockRowIn",
    "answer_json",
    "batch_schema",
]
