"""Pure pieces of the integration API: scopes, key format, the published batch schema, the
merged answer."""

from __future__ import annotations

import pytest

from gateway_api.http.integration_models import MAX_ROWS, answer_json, batch_schema
from gateway_api.services.api_keys import KEY_PATTERN, ApiKeyError, normalise_scopes
from gateway_api.services.catalog import ApplyReport, Outcome, RowResult
from schemas.catalog import Customer


def test_scopes_take_short_names_and_refuse_unknown_ones() -> None:
    assert normalise_scopes(["stock", "prices:write", "stock"]) == ("stock:write", "prices:write")
    with pytest.raises(ApiKeyError, match="unknown scope 'orders'"):
        normalise_scopes(["orders"])
    with pytest.raises(ApiKeyError, match="at least one scope"):
        normalise_scopes([])


def test_the_key_format_names_its_prefix() -> None:
    match = KEY_PATTERN.fullmatch("b2c_0a1b2c3d_" + "A" * 43)
    assert match is not None
    assert match.group(1) == "0a1b2c3d"
    assert KEY_PATTERN.fullmatch("b2c_0a1b2c3d_short") is None


def test_the_batch_schema_is_self_contained() -> None:
    schema = batch_schema(Customer)
    assert schema["properties"]["rows"]["maxItems"] == MAX_ROWS
    assert "$ref" not in str(schema)  # the nested PostalAddress is inlined
    assert "city" in str(schema["properties"]["rows"]["items"])


def test_the_answer_merges_validation_refusals_in_body_order() -> None:
    report = ApplyReport([RowResult(0, "A", Outcome.APPLIED), RowResult(1, "C", Outcome.UNCHANGED)])
    answer = answer_json(report, {1: ("B", "bad")}, positions=[0, 2], all_rows=True)
    assert answer == {
        "applied": 1,
        "unchanged": 1,
        "rejected": 1,
        "results": [
            {"index": 0, "key": "A", "outcome": "applied"},
            {"index": 1, "key": "B", "outcome": "rejected", "reason": "bad"},
            {"index": 2, "key": "C", "outcome": "unchanged"},
        ],
    }
    only = answer_json(report, {1: ("B", "bad")}, positions=[0, 2], all_rows=False)
    assert [r["index"] for r in only["results"]] == [1]
