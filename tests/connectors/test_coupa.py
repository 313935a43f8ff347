"""Coupa passes the shared conformance suite with its demo identities."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from connectors.coupa import CoupaConnector
from connectors.coupa.connector import CoupaConfig
from connectors.formats.cxml import parse_cxml
from connectors.testing.conformance import CxmlPlatformConformance, cxml_platform_config
from connectors.testing.conformance_clock import CLOCK_START
from connectors.testing.push_conformance import (
    INVOICING_SECRET,
    PUSH_SECRET,
    sample_outbound_documents,
)


class TestCoupaConformance(CxmlPlatformConformance):
    connector_class = CoupaConnector
    config = cxml_platform_config(
        "NetworkID",
        buyer="COUPA-DEMO-BUYER",
        supplier="B2CONNECT-DEMO-SUPPLIER",
        sender="COUPA-DEMO-BUYER",
    )


def test_coupa_sends_ship_notices_and_invoices_with_the_invoicing_credentials() -> None:
    suite = TestCoupaConformance()
    connector = suite.pushing_connector()
    senders = {}
    for document in sample_outbound_documents():
        message = connector.render(document, payload_id="p@hub.test", timestamp=CLOCK_START)
        header = parse_cxml(message.body).header
        assert header is not None
        (sender,) = header.sender
        (to,) = header.to
        senders[message.kind] = (sender.identity, to.identity, sender.shared_secret)
    assert senders == {
        "ConfirmationRequest": ("B2CONNECT-DEMO-SUPPLIER", "COUPA-DEMO-BUYER", PUSH_SECRET),
        "ShipNoticeRequest": (
            "B2CONNECT-DEMO-SUPPLIER-INV",
            "COUPA-DEMO-BUYER-INV",
            INVOICING_SECRET,
        ),
        "InvoiceDetailRequest": (
            "B2CONNECT-DEMO-SUPPLIER-INV",
            "COUPA-DEMO-BUYER-INV",
            INVOICING_SECRET,
        ),
    }


def test_coupa_config_needs_invoicing_credentials_for_invoices_and_ship_notices() -> None:
    raw = {
        **TestCoupaConformance.config,
        "endpoints": {"ShipNoticeRequest": "https://x.coupahost.com/cxml/ship_notice_request"},
    }
    with pytest.raises(ValidationError, match="invoicing credentials"):
        CoupaConfig.model_validate(raw)


def test_coupa_invoices_name_the_po_number_as_the_order_document() -> None:
    connector = TestCoupaConformance().pushing_connector()
    invoice = sample_outbound_documents()[2]
    message = connector.render(invoice, payload_id="p@hub.test", timestamp=CLOCK_START)
    reference = parse_cxml(message.body).root.find(".//InvoiceDetailOrderInfo/OrderReference")
    assert reference is not None
    assert reference.get("orderID") == "PO-1"
    assert reference.find("DocumentReference").get("payloadID") == "PO-1"  # type: ignore[union-attr]


def test_outbound_kinds_need_a_cxml_version_with_their_dtd() -> None:
    raw = {
        **TestCoupaConformance.config,
        "cxml_version": "1.2.036",
        "endpoints": {"ConfirmationRequest": "https://x.coupahost.com/cxml/order_confirmation"},
    }
    with pytest.raises(ValidationError, match=r"needs cxml_version 1\.2\.050 or later"):
        CoupaConfig.model_validate(raw)
