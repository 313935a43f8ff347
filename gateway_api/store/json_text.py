"""`JsonText`: a document already serialised to JSON, stored as it is.

The canonical order is serialised once, by pydantic in Rust (`model_dump_json`), and the same
text goes into `orders.document` and `order_events.document`. Without this marker the store
would turn the model into a dict (`model_dump`) and encode that dict again for each row, three
passes over a 3 KB document on the ingest hot path (docs/benchmarks.md, issue 10).
"""

from __future__ import annotations

import json
from typing import Any


class JsonText(str):
    """JSON text a `JSON` column stores verbatim (never encoded as a JSON string)."""

    __slots__ = ()


def serialize_json(value: Any) -> str:
    """The engines' `json_serializer`: `JsonText` as it is, anything else as `json.dumps`
    (SQLAlchemy's default)."""
    if isinstance(value, JsonText):
        return str(value)
    return json.dumps(value)
