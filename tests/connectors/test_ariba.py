"""SAP Ariba passes the shared conformance suite with its demo (test-account) ANIDs."""

from __future__ import annotations

from connectors.ariba import AribaConnector
from connectors.testing.conformance import CxmlPlatformConformance, cxml_platform_config


class TestAribaConformance(CxmlPlatformConformance):
    connector_class = AribaConnector
    config = cxml_platform_config(
        "NetworkID", buyer="AN01000000001-T", supplier="AN01000000002-T", sender="AN01000000001-T"
    )
