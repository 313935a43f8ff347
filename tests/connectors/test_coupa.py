"""Coupa passes the shared conformance suite with its demo identities."""

from __future__ import annotations

from connectors.coupa import CoupaConnector
from connectors.testing.conformance import CxmlPlatformConformance, cxml_platform_config


class TestCoupaConformance(CxmlPlatformConformance):
    connector_class = CoupaConnector
    config = cxml_platform_config(
        "NetworkID",
        buyer="COUPA-DEMO-BUYER",
        supplier="B2CONNECT-DEMO-SUPPLIER",
        sender="COUPA-DEMO-BUYER",
    )
