"""Partners that take stock and price feeds, written into a mappings folder, and the catalogue
rows the feed tests apply (shared by the feed tests and their end-to-end delivery test)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway_api.runtime import Runtime, build_runtime
from gateway_api.settings import Settings
from schemas.inventory import StockLevel
from tests.support.clock import FakeClock
from tests.support.database import empty_database_url

X12_CONFIG: dict[str, Any] = {
    "our_qualifier": "ZZ",
    "our_id": "B2CONNECT",
    "partner_qualifier": "ZZ",
    "partner_id": "FEEDRETAIL",
    "interchange_version": "00401",
    "release": "004010",
}
EDIFACT_CONFIG: dict[str, Any] = {
    "our_id": "5400110000009",
    "our_qualifier": "14",
    "partner_id": "5412345000013",
    "partner_qualifier": "14",
    "syntax_identifier": "UNOC",
    "syntax_version": "3",
    "directory": "D96A",
}
ARIBA_CONFIG: dict[str, Any] = {
    "buyer": {"domain": "NetworkID", "identity": "AN01000000001-T"},
    "supplier": {"domain": "NetworkID", "identity": "AN01000000002-T"},
    "sender": {"domain": "NetworkID", "identity": "AN01000000001-T"},
    "cxml_version": "1.2.069",
    "deployment_mode": "test",
}
FEED_KINDS = {
    "x12": ("846", "832"),
    "edifact": ("INVRPT", "PRICAT"),
    "ariba": ("ProductActivityMessage", "CatalogUploadRequest"),
}
"""The stock and price feed kinds of each connector."""
CONFIGS = {"x12": X12_CONFIG, "edifact": EDIFACT_CONFIG, "ariba": ARIBA_CONFIG}
INBOUND = {"x12": ["850"], "edifact": ["ORDERS"], "ariba": ["OrderRequest"]}
CROSSREF = [("BP-1", "SKU-1"), ("BP-2", "SKU-2"), ("BP-4", "SKU-4")]
"""The default cross-reference: SKU-3 is not in it."""


def write_partner(
    mappings: Path,
    key: str,
    *,
    feeds: dict[str, Any] | None,
    connector: str = "x12",
    endpoint: str | None = "http://127.0.0.1:9/feeds",
    outbound: Sequence[str] | None = None,
    crossref: Sequence[tuple[str, str]] | None = CROSSREF,
    token: str = "feed-partner-token",  # noqa: S107 - a demo: reference, refused in production
) -> None:
    """A partner profile (and its cross-reference) under `mappings/partners/<key>/`.

    `connector` x12, edifact or ariba; `outbound` the kinds enabled (default: both feed kinds
    of the protocol); `endpoint` where they go (None: no endpoint configured)."""
    kinds = FEED_KINDS[connector]
    config = dict(CONFIGS[connector])
    if endpoint is not None:
        config["endpoints"] = dict.fromkeys(kinds, endpoint)
    folder = mappings / "partners" / key
    folder.mkdir(parents=True, exist_ok=True)
    profile: dict[str, Any] = {
        "key": key,
        "display_name": f"Feed partner {key}",
        "connector": connector,
        "enabled": True,
        "demo": True,
        "timezone": "UTC",
        "connector_config": config,
        "secrets": {"api_token": f"demo:{key}-inbound", "outbound_token": f"demo:{token}"}
        if connector != "ariba"
        else {"shared_secret": f"demo:{key}-inbound", "outbound_shared_secret": f"demo:{token}"},
        "documents": {
            # A partner that sends orders must have a cross-reference (profile rule).
            "inbound": [] if crossref is None else INBOUND[connector],
            "outbound": list(kinds if outbound is None else outbound),
        },
        "units": {"codelist": "codelists/uom.csv"},
    }
    if crossref is not None:
        lines = ["partner_part_id,sku,description"] + [f"{p},{s},item {s}" for p, s in crossref]
        (folder / "part_xref.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        profile["parts"] = {"crossref": f"partners/{key}/part_xref.csv", "unknown": "reject"}
    if feeds is not None:
        profile["feeds"] = feeds
    (folder / "profile.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")


def level(sku: str, location: str, on_hand: str, available: str | None = None) -> StockLevel:
    """A stock row as the ERP sends it."""
    return StockLevel.model_validate(
        {
            "sku": sku,
            "location": location,
            "quantity_on_hand": on_hand,
            "quantity_available": available,
            "unit_of_measure": "EA",
        }
    )


@contextmanager
def sql_runtime(
    request: pytest.FixtureRequest, mappings: Path, clock: FakeClock, tmp_path: Path
) -> Iterator[Runtime]:
    """A runtime on an empty migrated database of `request.param` ("sqlite" or "postgresql"),
    built as `tests/conftest.py` builds it (for fixtures that also run on the in-memory store,
    where the `runtime` fixture's own parametrisation cannot be used)."""
    url = empty_database_url(request, request.param, tmp_path)
    settings = Settings(
        database_url=url,
        mappings_dir=mappings,
        hostname="test.b2connect.local",
        database_pool_size=4,
        profile_recheck_seconds=0,
    )
    runtime = build_runtime(settings, clock=clock)
    runtime.sync_partners()
    try:
        yield runtime
    finally:
        runtime.close()
