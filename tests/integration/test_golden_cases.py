"""Golden cases next to each partner mapping: input document -> expected canonical JSON.

Every `mappings/partners/<key>/cases/<name>.xml` (cXML) or `<name>.edi` (X12) must translate,
through that partner's decoder and mapping, into exactly `<name>.expected.json`. After an
intended change, regenerate with
`B2CONNECT_UPDATE_GOLDEN=1 pytest tests/integration/test_golden_cases.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from gateway_api.services.translate import Translator
from mappings.engine import MappingStore
from tests.support.paths import MAPPINGS_DIR

CASES = sorted(
    path
    for pattern in ("partners/*/cases/*.xml", "partners/*/cases/*.edi")
    for path in MAPPINGS_DIR.glob(pattern)
)


def _id(path: Path) -> str:
    return path.relative_to(MAPPINGS_DIR / "partners").as_posix()


def test_every_demo_partner_has_cases() -> None:
    """Every partner that sends us documents; a cargo carrier sends none to translate."""
    partners = {
        p.parent.name
        for p in MAPPINGS_DIR.glob("partners/*/profile.yaml")
        if yaml.safe_load(p.read_text(encoding="utf-8")).get("documents", {}).get("inbound")
    }
    assert "coupa-demo" in partners
    with_cases = {p.parents[1].name for p in CASES}
    assert partners <= with_cases


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_golden_case(case: Path) -> None:
    partner = case.parents[1].name
    result = Translator(MappingStore(MAPPINGS_DIR), partner).translate_file(case)
    assert result.ok, result.error
    actual = json.dumps(result.as_json()["documents"], indent=2, sort_keys=True) + "\n"
    expected_path = case.with_suffix(".expected.json")
    if os.environ.get("B2CONNECT_UPDATE_GOLDEN") == "1":
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"missing {expected_path.name}: generate it and review it"
    assert actual == expected_path.read_text(encoding="utf-8")
