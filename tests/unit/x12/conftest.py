"""Fixtures for the X12 format tests: where the shared samples are, a partner's settings.

Third-party samples are read from the shared directory (`B2CONNECT_SHARED_DIR`, default
`<repo>/../shared`), never copied into the repository. Builders live in `x12_support.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.formats.x12 import X12PartnerSettings
from tests.unit.x12.x12_support import SAMPLES_DIR


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """Real third-party X12 files (see SOURCES.tsv there)."""
    if not SAMPLES_DIR.is_dir():
        pytest.fail(f"shared X12 samples not found at {SAMPLES_DIR}; set B2CONNECT_SHARED_DIR")
    return SAMPLES_DIR


@pytest.fixture
def settings() -> X12PartnerSettings:
    """A 004010 partner with default rules."""
    return X12PartnerSettings(
        our_qualifier="ZZ",
        our_id="SELLER",
        partner_qualifier="ZZ",
        partner_id="BUYER",
    )
