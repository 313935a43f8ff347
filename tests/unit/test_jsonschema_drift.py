"""The committed JSON Schemas are what the models generate (`python -m schemas.generate`)."""

from __future__ import annotations

import json

from schemas.generate import JSONSCHEMA_DIR, expected_files


def test_committed_schemas_match_the_models() -> None:
    expected = expected_files()
    committed = set(JSONSCHEMA_DIR.glob("*.json"))
    assert committed == set(expected), (
        "schema files added or removed: run python -m schemas.generate"
    )
    for path, text in expected.items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} drifted from the model: run python -m schemas.generate"
        )


def test_schema_describes_amounts_as_decimal_strings() -> None:
    schema = json.loads((JSONSCHEMA_DIR / "purchase_order.schema.json").read_text())
    line = schema["$defs"]["OrderLine"]["properties"]
    assert line["quantity"]["type"] == "string"
    assert "pattern" in line["quantity"]
    assert schema["properties"]["order_id"]["description"]
