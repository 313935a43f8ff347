"""The shipped demo partners: documented identities, valid mappings, and golden cases that
use them consistently (credentials, secret, parts and units the mapping knows)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from mappings.engine import MappingStore, PartnerMapping, default_mappings_root, map_purchase_order
from schemas import OrderLine, Party, PurchaseOrder

DEMO = {
    "coupa-demo": {
        "connector": "coupa",
        "domain": "NetworkID",
        "buyer": "COUPA-DEMO-BUYER",
        "supplier": "B2CONNECT-DEMO-SUPPLIER",
        "sender": "COUPA-DEMO-BUYER",
        "secret": "coupa-demo-secret",
        "user_agent": "Coupa Procurement 1.0",
        "timezone": "America/Los_Angeles",
        "part_prefix": "CP-",
    },
    "ariba-demo": {
        "connector": "ariba",
        "domain": "NetworkID",
        "buyer": "AN01000000001-T",
        "supplier": "AN01000000002-T",
        "sender": "AN01000000001-T",
        "secret": "ariba-demo-secret",
        "user_agent": "Ariba Network",
        "timezone": "UTC",
        "part_prefix": "AR-PN-",
    },
    "jaggaer-demo": {
        "connector": "jaggaer",
        "domain": "DUNS",
        "buyer": "123456789",
        "supplier": "987654321",
        "sender": "123456789",
        "secret": "jaggaer-demo-secret",
        "user_agent": "JAGGAER",
        "timezone": "America/New_York",
        "part_prefix": "JG-",
    },
}
PARTNERS = sorted(DEMO)


@pytest.fixture(scope="module")
def store() -> MappingStore:
    return MappingStore(default_mappings_root())


def test_the_demo_partners_are_shipped(store: MappingStore) -> None:
    profiles = store.profiles()
    assert [key for key in profiles if key in DEMO] == PARTNERS
    assert profiles["coupa-demo"].display_name == "Coupa (demo tenant)"


@pytest.mark.parametrize("key", PARTNERS)
def test_demo_profile(store: MappingStore, key: str) -> None:
    expected = DEMO[key]
    profile = store.profile(key)

    assert profile.connector == expected["connector"]
    assert profile.enabled
    assert profile.demo
    assert profile.timezone == expected["timezone"]
    config = profile.connector_config
    for role in ("buyer", "supplier", "sender"):
        assert config[role] == {"domain": expected["domain"], "identity": expected[role]}
    assert config["cxml_version"] == "1.2.069"
    assert config["user_agent"] == expected["user_agent"]
    assert profile.secrets["shared_secret"] == f"demo:{expected['secret']}"
    # Outbound: every kind has an endpoint; extra secrets are the outbound ones, all demo:.
    assert set(config["endpoints"]) == set(profile.documents.outbound)
    assert set(profile.secrets) <= {
        "shared_secret",
        "outbound_shared_secret",
        "invoicing_shared_secret",
    }
    assert profile.uses_demo_secrets
    assert profile.documents.inbound == ("OrderRequest",)
    assert profile.documents.outbound == (
        "ConfirmationRequest",
        "ShipNoticeRequest",
        "InvoiceDetailRequest",
    )
    assert profile.units.codelist == "codelists/uom.csv"
    assert profile.parts.crossref == f"partners/{key}/part_xref.csv"
    assert profile.parts.unknown == "reject"


@pytest.mark.parametrize("key", PARTNERS)
def test_demo_crossref(store: MappingStore, key: str) -> None:
    mapping = store.mapping(key)
    assert mapping.parts is not None
    assert len(mapping.parts) == 10
    prefix = DEMO[key]["part_prefix"]
    for number in range(1001, 1011):
        assert mapping.parts.find(f"{prefix}{number}") == f"B2C-{number}"
    assert [ref.file for ref in mapping.references] == [
        f"partners/{key}/profile.yaml",
        "codelists/uom.csv",
        f"partners/{key}/part_xref.csv",
    ]


def _case(key: str, name: str) -> ET.Element:
    path = default_mappings_root() / "partners" / key / "cases" / name
    return ET.fromstring(path.read_bytes())


def _credential(root: ET.Element, role: str) -> tuple[str | None, str | None]:
    credential = root.find(f"Header/{role}/Credential")
    assert credential is not None
    return credential.get("domain"), credential.findtext("Identity")


def _order_from_case(root: ET.Element) -> PurchaseOrder:
    lines = []
    for item in root.iterfind("Request/OrderRequest/ItemOut"):
        lines.append(
            OrderLine(
                line_number=int(item.get("lineNumber", "0")),
                quantity=Decimal(item.get("quantity", "0")),
                unit_of_measure=item.findtext("ItemDetail/UnitOfMeasure") or "",
                supplier_part_id=item.findtext("ItemID/SupplierPartID"),
                buyer_part_id=item.findtext("ItemID/BuyerPartID"),
            )
        )
    return PurchaseOrder(
        order_id="case",
        order_date=datetime(2025, 1, 1, tzinfo=UTC),
        currency="USD",
        buyer=Party(),
        supplier=Party(),
        lines=tuple(lines),
    )


@pytest.mark.parametrize("key", PARTNERS)
@pytest.mark.parametrize("name", ["order_new.xml", "order_update.xml"])
def test_golden_case_uses_the_demo_identities(key: str, name: str) -> None:
    expected = DEMO[key]
    root = _case(key, name)

    assert _credential(root, "From") == (expected["domain"], expected["buyer"])
    assert _credential(root, "To") == (expected["domain"], expected["supplier"])
    assert _credential(root, "Sender") == (expected["domain"], expected["sender"])
    assert root.findtext("Header/Sender/Credential/SharedSecret") == expected["secret"]
    assert root.findtext("Header/Sender/UserAgent") == expected["user_agent"]


@pytest.mark.parametrize("key", PARTNERS)
@pytest.mark.parametrize("name", ["order_new.xml", "order_update.xml"])
def test_golden_case_maps_cleanly(store: MappingStore, key: str, name: str) -> None:
    mapping: PartnerMapping = store.mapping(key)
    order = _order_from_case(_case(key, name))

    mapped = map_purchase_order(order, mapping)

    assert len(mapped.lines) == 3
    assert all(line.sku and line.sku.startswith("B2C-") for line in mapped.lines)
    assert all(line.unit_of_measure in mapping.units.canonical_codes for line in mapped.lines)
    sent_units = {line.unit_of_measure for line in order.lines}
    assert sent_units - mapping.units.canonical_codes, "each case exercises at least one alias"


@pytest.mark.parametrize("key", PARTNERS)
def test_update_case_follows_the_new_case(key: str) -> None:
    new, update = _case(key, "order_new.xml"), _case(key, "order_update.xml")
    new_header = new.find("Request/OrderRequest/OrderRequestHeader")
    update_header = update.find("Request/OrderRequest/OrderRequestHeader")
    assert new_header is not None
    assert update_header is not None

    assert (new_header.get("type"), new_header.get("orderVersion")) == ("new", "1")
    assert (update_header.get("type"), update_header.get("orderVersion")) == ("update", "2")
    assert update_header.get("orderID") == new_header.get("orderID")
    reference = update_header.find("DocumentReference")
    assert reference is not None
    assert reference.get("payloadID") == new.get("payloadID")
    assert update.get("payloadID") != new.get("payloadID")

    def quantities(root: ET.Element) -> list[str | None]:
        return [item.get("quantity") for item in root.iterfind("Request/OrderRequest/ItemOut")]

    changed = [a != b for a, b in zip(quantities(new), quantities(update), strict=True)]
    assert changed.count(True) == 1


@pytest.mark.parametrize("key", PARTNERS)
@pytest.mark.parametrize("name", ["order_new.xml", "order_update.xml"])
def test_golden_case_totals_add_up(key: str, name: str) -> None:
    root = _case(key, name)
    total = Decimal(root.findtext("Request/OrderRequest/OrderRequestHeader/Total/Money") or "")
    lines = sum(
        Decimal(item.get("quantity", "0"))
        * Decimal(item.findtext("ItemDetail/UnitPrice/Money") or "0")
        for item in root.iterfind("Request/OrderRequest/ItemOut")
    )
    assert lines == total


def test_platform_flavours_of_the_cases() -> None:
    coupa = _case("coupa-demo", "order_new.xml")
    ariba = _case("ariba-demo", "order_new.xml")
    jaggaer = _case("jaggaer-demo", "order_new.xml")
    # Coupa: -0800 offset without colon, CustomFields extrinsic with IdReference children
    assert coupa.get("timestamp", "").endswith("-0800")
    custom = coupa.find("Request/OrderRequest/OrderRequestHeader/Extrinsic[@name='CustomFields']")
    assert custom is not None
    assert len(custom.findall("IdReference")) >= 1
    # Ariba: UTC 'Z' timestamp and test deployment mode
    assert ariba.get("timestamp", "").endswith("Z")
    request = ariba.find("Request")
    assert request is not None
    assert request.get("deploymentMode") == "test"
    # JAGGAER: millisecond timestamp and a date-only requested delivery date
    assert "." in jaggaer.get("timestamp", "")
    header = jaggaer.find("Request/OrderRequest/OrderRequestHeader")
    assert header is not None
    assert len(header.get("requestedDeliveryDate", "")) == len("2025-02-21")


def test_cases_folder_holds_only_inputs() -> None:
    for key in PARTNERS:
        cases = default_mappings_root() / "partners" / key / "cases"
        assert {path.name for path in cases.iterdir() if path.suffix == ".xml"} == {
            "order_new.xml",
            "order_update.xml",
        }


def test_shipped_tree_has_no_stray_partner_folders() -> None:
    partners = Path(default_mappings_root()) / "partners"
    folders = {p.name for p in partners.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert set(DEMO) <= folders
