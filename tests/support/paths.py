"""Where the repository and the shared third-party material live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("B2CONNECT_SHARED_DIR", REPO_ROOT.parent / "shared"))
CXML_SAMPLES = SHARED_DIR / "samples" / "cxml"
CXML_DTD_DIR = SHARED_DIR / "cxml" / "dtd"
MAPPINGS_DIR = REPO_ROOT / "mappings"


def order_request_samples() -> list[Path]:
    """Every shared cXML sample that is an OrderRequest (by content, not by name)."""
    return sorted(p for p in CXML_SAMPLES.rglob("*.xml") if b"<OrderRequest" in p.read_bytes())
