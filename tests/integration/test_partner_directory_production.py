"""In production the partner directory refuses demo material and plain-HTTP endpoints."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from connectors.core import ConnectorContext
from gateway_api.services.partners import PartnerDirectory, PartnerState
from mappings.engine import MappingStore
from tests.support.paths import MAPPINGS_DIR

ENV = {"ACME_PO_SECRET": "po-secret-123456", "ACME_INVOICE_SECRET": "inv-secret-123456"}


def _production_profile(mappings_dir: Path, endpoint: str) -> None:
    for demo in (mappings_dir / "partners").iterdir():
        shutil.rmtree(demo)
    source = MAPPINGS_DIR / "partners" / "coupa-demo"
    target = mappings_dir / "partners" / "acme-coupa"
    shutil.copytree(source, target)
    profile = yaml.safe_load((target / "profile.yaml").read_text())
    profile.update(key="acme-coupa", demo=False)
    profile["secrets"] = {
        "shared_secret": "env:ACME_PO_SECRET",
        "invoicing_shared_secret": "env:ACME_INVOICE_SECRET",
    }
    profile["connector_config"]["endpoints"] = {"InvoiceDetailRequest": endpoint}
    profile["parts"]["crossref"] = "partners/acme-coupa/part_xref.csv"
    (target / "profile.yaml").write_text(yaml.safe_dump(profile))


def _directory(mappings_dir: Path) -> PartnerDirectory:
    return PartnerDirectory(
        MappingStore(mappings_dir), context=ConnectorContext(), production=True, environ=ENV
    )


def test_https_endpoints_are_accepted(mappings_dir: Path) -> None:
    _production_profile(mappings_dir, "https://acme.coupahost.com/cxml/invoices")
    partner = _directory(mappings_dir).get("acme-coupa")
    assert partner is not None
    assert partner.push is not None
    assert str(partner.push.destination("InvoiceDetailRequest")).startswith("https://")


def test_plain_http_endpoints_disable_the_partner_with_the_reason(mappings_dir: Path) -> None:
    _production_profile(mappings_dir, "http://acme.coupahost.com/cxml/invoices")
    directory = _directory(mappings_dir)
    assert directory.get("acme-coupa") is None
    [status] = directory.statuses()
    assert status.state is PartnerState.BROKEN
    assert status.reason is not None
    assert "https in production: InvoiceDetailRequest" in status.reason


def test_shipped_demo_partners_are_disabled_not_broken_in_production(mappings_dir: Path) -> None:
    statuses = _directory(mappings_dir).statuses()
    assert statuses
    for status in statuses:
        assert status.state is PartnerState.DISABLED, status
        assert status.reason == "demo partner, not served in production"


def test_demo_partners_can_be_left_out_in_development(mappings_dir: Path) -> None:
    def directory(demo_partners: bool | None) -> PartnerDirectory:
        return PartnerDirectory(
            MappingStore(mappings_dir),
            context=ConnectorContext(),
            production=False,
            demo_partners=demo_partners,
        )

    assert directory(None).get("coupa-demo") is not None
    off = directory(False)
    assert off.get("coupa-demo") is None
    assert off.all() == []
    assert {status.state for status in off.statuses()} == {PartnerState.DISABLED}
