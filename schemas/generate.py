"""Generates the public JSON Schemas into `schemas/jsonschema/` (`python -m schemas.generate`).

The JSON form of the canonical model is a public contract; `tests/unit/test_jsonschema_drift.py`
fails when the committed files differ from what the models generate.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from schemas.carrier import BookingRequest, TrackingReport
from schemas.catalog import Customer, Price, PriceCatalog, Product
from schemas.confirmation import OrderConfirmation
from schemas.envelope import Envelope
from schemas.inventory import InventorySnapshot
from schemas.invoice import Invoice
from schemas.order import PurchaseOrder
from schemas.shipment import ShipNotice

JSONSCHEMA_DIR = Path(__file__).parent / "jsonschema"

PUBLIC_MODELS: dict[str, type[BaseModel]] = {
    "purchase_order": PurchaseOrder,
    "purchase_order_envelope": Envelope[PurchaseOrder],
    "order_confirmation": OrderConfirmation,
    "ship_notice": ShipNotice,
    "invoice": Invoice,
    "inventory_snapshot": InventorySnapshot,
    "price_catalog": PriceCatalog,
    "product": Product,
    "price": Price,
    "customer": Customer,
    "carrier_booking_request": BookingRequest,
    "carrier_tracking_report": TrackingReport,
}


def render(model: type[BaseModel]) -> str:
    """The committed text of one model's JSON Schema (serialization mode, stable key order)."""
    schema: dict[str, Any] = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_files() -> dict[Path, str]:
    """Every schema file with the text it must have."""
    return {JSONSCHEMA_DIR / f"{name}.schema.json": render(m) for name, m in PUBLIC_MODELS.items()}


def main() -> int:
    """Write the schema files; print what changed."""
    JSONSCHEMA_DIR.mkdir(exist_ok=True)
    for path, text in expected_files().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
