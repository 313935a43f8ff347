"""SAP Ariba: purchase orders over cXML relayed by the Ariba Network."""

from __future__ import annotations

from connectors.core.contract import Capability, ConnectorSpec
from connectors.cxml_platform import CxmlPlatformConnector


class AribaConnector(CxmlPlatformConnector):
    """Ariba Network routes orders by ANID (`NetworkID` domain, `-T` suffix for test accounts).

    The profile names `sender` separately from `buyer` because the authenticating Sender need
    not be the buying organisation (an assumption for Ariba Network relays; see README.md).
    Test-account orders carry `deploymentMode="test"` and arrive flagged `is_test`.
    """

    spec = ConnectorSpec(
        key="ariba",
        display_name="SAP Ariba",
        protocol="cxml",
        # Outbound documents (confirmations, ship notices, invoices) arrive with PUSH support.
        capabilities=frozenset({Capability.INBOUND}),
        inbound_documents=frozenset({"OrderRequest"}),
    )
