"""SAP Ariba: purchase orders over cXML relayed by the Ariba Network."""

from __future__ import annotations

from connectors.core.contract import Capability, ConnectorSpec
from connectors.cxml_platform import CxmlPlatformConnector


class AribaConnector(CxmlPlatformConnector):
    """Ariba Network routes orders by ANID (`NetworkID` domain, `-T` suffix for test accounts).

    The Sender is often the network itself rather than the buyer, which is why the profile
    names `sender` separately from `buyer`. Test-account orders carry `deploymentMode="test"`
    and arrive flagged `is_test` in the canonical order.
    """

    spec = ConnectorSpec(
        key="ariba",
        display_name="SAP Ariba",
        protocol="cxml",
        capabilities=frozenset({Capability.INBOUND, Capability.PUSH}),
        inbound_documents=frozenset({"OrderRequest"}),
        outbound_documents=frozenset(
            {"ConfirmationRequest", "ShipNoticeRequest", "InvoiceDetailRequest"}
        ),
    )
