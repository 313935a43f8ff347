"""JAGGAER (formerly SciQuest): purchase orders over cXML."""

from __future__ import annotations

from connectors.core.contract import Capability, ConnectorSpec
from connectors.cxml_platform import CxmlPlatformConnector


class JaggaerConnector(CxmlPlatformConnector):
    """JAGGAER sends timestamps with milliseconds and date-only values; the cXML reader accepts
    both, and the profile's `timezone` decides what a zoneless value means."""

    spec = ConnectorSpec(
        key="jaggaer",
        display_name="JAGGAER",
        protocol="cxml",
        # Outbound documents (confirmations, ship notices, invoices) arrive with PUSH support.
        capabilities=frozenset({Capability.INBOUND}),
        inbound_documents=frozenset({"OrderRequest"}),
    )
