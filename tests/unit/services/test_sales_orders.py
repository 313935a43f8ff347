"""The pieces of the sales-order queue that need no store: the document number LOGO finds an
order by, and the customer card a channel's orders are booked to (from the channel's profile
and the order's buyer)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from connectors.core import ConnectorContext
from connectors.logo.config import LogoConfig
from connectors.logo.orders import DOC_NUMBER_MAX, sales_order_body
from connectors.testing.fake_logo import FakeLogo
from gateway_api.services.partners import PartnerDirectory
from gateway_api.services.sales_orders import (
    customer_for,
    default_customer_code,
    document_number,
    sales_order_request,
)
from mappings.engine import MappingStore
from schemas import OrderLine, Party, PostalAddress, PurchaseOrder
from tests.support.clock import FakeClock

BUYER_ADDRESS = PostalAddress(street=("1 Buyer Way",), city="ISTANBUL", country="TR")
BILLING_ADDRESS = PostalAddress(street=("9 Ledger St",), city="ANKARA", country="TR")


def _order(
    *, buyer: Party | None = None, bill_to: Party | None = None, sku: str = "B2C-1001"
) -> PurchaseOrder:
    return PurchaseOrder(
        order_id="PO-U1",
        order_date=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
        currency="TRY",
        buyer=buyer or Party(name="ACME Buyer", address=BUYER_ADDRESS, email="buyer@acme.example"),
        supplier=Party(name="B2Connect Demo Supplier"),
        bill_to=bill_to,
        lines=(
            OrderLine(
                line_number=1,
                sku=sku,
                quantity=Decimal(2),
                unit_of_measure="EA",
                unit_price=Decimal("3.50"),
            ),
        ),
    )


@pytest.fixture
def directory(mappings_dir: Path, clock: FakeClock) -> PartnerDirectory:
    """The shipped demo partners; Coupa names its card and its name, Ariba only its code."""
    partners = mappings_dir / "partners"
    coupa = partners / "coupa-demo" / "profile.yaml"
    coupa.write_text(
        coupa.read_text() + "\nerp:\n  customer_code: CUST-COUPA\n  customer_name: Coupa Buyers\n"
    )
    ariba = partners / "ariba-demo" / "profile.yaml"
    ariba.write_text(ariba.read_text() + "\nerp:\n  customer_code: ' CUST-ARIBA '\n")
    return PartnerDirectory(
        MappingStore(mappings_dir), context=ConnectorContext(clock=clock), production=False
    )


# -- document numbers --------------------------------------------------------------------------


def test_the_document_number_is_ours_and_stable() -> None:
    order = UUID("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9")
    assert document_number(order) == "B2C-0F1E2D3C4B5A49788695A4B3C2D1"
    assert document_number(order) == document_number(UUID(str(order)))


def test_document_numbers_fit_logo_and_differ_per_order() -> None:
    numbers = {document_number(uuid4()) for _ in range(2000)}
    assert len(numbers) == 2000
    for number in numbers:
        assert re.fullmatch(r"B2C-[0-9A-F]{28}", number)
        assert len(number) == 32 <= DOC_NUMBER_MAX


def test_logo_takes_the_document_number_as_doc_number(directory: PartnerDirectory) -> None:
    number = document_number(uuid4())
    request = sales_order_request(
        _order(), document_number=number, channel="coupa-demo", directory=directory
    )
    config = LogoConfig.model_validate(
        {
            "base_url": "http://logo.test:32001",
            "client_id": FakeLogo.CLIENT_ID,
            "client_secret": FakeLogo.CLIENT_SECRET,
            "username": FakeLogo.USERNAME,
            "password": FakeLogo.PASSWORD,
            "firm_number": FakeLogo.FIRM_NUMBER,
        }
    )
    body = sales_order_body(request, config, request.customer.code)
    assert (body["DOC_NUMBER"], body["ARP_CODE"]) == (number, "CUST-COUPA")


# -- customer cards ----------------------------------------------------------------------------


def test_the_default_customer_code_names_the_channel() -> None:
    assert default_customer_code("edi-demo") == "B2C-EDI-DEMO"


def test_the_profile_names_the_card_and_the_bill_to_gives_its_details(
    directory: PartnerDirectory,
) -> None:
    bill_to = Party(name="ACME Accounts", address=BILLING_ADDRESS, phone="+90 312 000 00 00")
    customer = customer_for(_order(bill_to=bill_to), "coupa-demo", directory)
    assert (customer.code, customer.name) == ("CUST-COUPA", "Coupa Buyers")
    assert customer.address == BILLING_ADDRESS
    assert customer.phone == "+90 312 000 00 00"
    assert customer.email == "buyer@acme.example", "the buyer's e-mail when the bill-to has none"


def test_a_profile_without_a_name_uses_the_buyers(directory: PartnerDirectory) -> None:
    customer = customer_for(_order(bill_to=Party(name="No address")), "ariba-demo", directory)
    assert (customer.code, customer.name) == ("CUST-ARIBA", "ACME Buyer")
    assert customer.address == BUYER_ADDRESS, "the buyer's address when the bill-to has none"


def test_a_channel_without_erp_settings_gets_the_default_card(
    directory: PartnerDirectory,
) -> None:
    nameless = _order(buyer=Party(address=BUYER_ADDRESS))
    customer = customer_for(nameless, "edi-demo", directory)
    assert customer.code == "B2C-EDI-DEMO"
    partner = directory.get("edi-demo")
    assert partner is not None
    assert customer.name == partner.profile.display_name


def test_a_channel_no_longer_configured_still_gets_a_card(directory: PartnerDirectory) -> None:
    customer = customer_for(_order(buyer=Party()), "gone-partner", directory)
    assert (customer.code, customer.name) == ("B2C-GONE-PARTNER", "gone-partner")
    assert customer.address is None
