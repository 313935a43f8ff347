"""Fixtures for the EDIFACT format tests: where the shared samples are, a partner's settings.

Third-party samples are read from the shared directory (`B2CONNECT_SHARED_DIR`, default
`<repo>/../shared`), never copied into the repository. Builders live in `edifact_support.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.formats.edifact import EdifactPartnerSettings
from tests.unit.edifact.edifact_support import SAMPLES_DIR


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """Real third-party EDIFACT files (see SOURCES.tsv there)."""
    if not SAMPLES_DIR.is_dir():
        pytest.fail(f"shared EDIFACT samples not found at {SAMPLES_DIR}; set B2CONNECT_SHARED_DIR")
    return SAMPLES_DIR


@pytest.fixture
def settings() -> EdifactPartnerSettings:
    """An EANCOM D96A partner on UNOC, syntax version 3, default rules."""
    return EdifactPartnerSettings(
        our_id="8711576000012",
        our_qualifier="14",
        partner_id="5412345000013",
        partner_qualifier="14",
        association_codes={"ORDRSP": "EAN005", "DESADV": "EAN005", "INVOIC": "EAN008"},
    )
