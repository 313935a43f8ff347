"""SAP Ariba: purchase orders over cXML relayed by the Ariba Network."""

from __future__ import annotations

from connectors.core.contract import Capability, ConnectorSpec
from connectors.cxml_platform import CXML_INGRESS, CxmlPlatformConnector


class AribaConnector(CxmlPlatformConnector):
    """Ariba Network routes orders by ANID (`NetworkID` domain, `-T` suffix for test accounts).

    The profile names `sender` separately from `buyer` because the authenticating Sender need
    not be the buying organisation (an assumption for Ariba Network relays; see README.md).
    Test-account orders carry `deploymentMode="test"` and arrive flagged `is_test`.

    Outbound: every document goes to the one Ariba Network cXML URL of the realm (the profile's
    endpoints name it per kind), From our ANID To the buyer's, with our own shared secret
    (`outbound_shared_secret`). Test accounts want `deployment_mode: test`.
    """

    spec = ConnectorSpec(
        key="ariba",
        display_name="SAP Ariba",
        protocol="cxml",
        capabilities=frozenset({Capability.INBOUND, Capability.PUSH}),
        inbound_documents=frozenset({"OrderRequest"}),
        # Ariba Network also takes the supplier's stock (ProductActivityMessage, Supply Chain
        # Collaboration) and catalogue uploads (CatalogUploadRequest); a profile enables them.
        outbound_documents=frozenset(
            {
                "ConfirmationRequest",
                "ShipNoticeRequest",
                "InvoiceDetailRequest",
                "ProductActivityMessage",
                "CatalogUploadRequest",
            }
        ),
        ingress=CXML_INGRESS,
    )
